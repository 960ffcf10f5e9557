from django.db import migrations


class Migration(migrations.Migration):
    """Seeding the schemes moved to 0004_seed_rules: it needs the fields added there."""

    dependencies = [("scoring", "0001_scoring")]

    operations = []
