import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import scoring.schemes


def sheets_belong_to_who_entered_them(apps, schema_editor):
    Score = apps.get_model("scoring", "Score")
    Score.objects.update(member=models.F("entered_by"))


class Migration(migrations.Migration):
    atomic = False  # data, then a NOT NULL on the same table: PostgreSQL wants them in separate transactions

    dependencies = [
        ("scoring", "0004_seed_rules"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(sheets_belong_to_who_entered_them, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="score",
            name="member",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to=settings.AUTH_USER_MODEL, verbose_name="评分人"),
        ),
        migrations.RunPython(scoring.schemes.load, migrations.RunPython.noop),
        migrations.RunPython(scoring.schemes.load_low_grade_category, migrations.RunPython.noop),
    ]
