from django.db import migrations


class Migration(migrations.Migration):
    """督办通知 become issued documents of several kinds (see the next migration)."""

    dependencies = [
        ('orgs', '0001_initial'),
        ('rectification', '0003_three_lists'),
    ]

    operations = [
        migrations.RenameModel('SupervisionNotice', 'Notice'),
    ]
