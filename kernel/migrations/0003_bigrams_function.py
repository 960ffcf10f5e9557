from django.db import migrations

from kernel.search import BIGRAMS_FUNCTION


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BIGRAMS_FUNCTION)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS pb_bigrams(text)")


class Migration(migrations.Migration):
    dependencies = [("kernel", "0002_pending_imports")]
    operations = [migrations.RunPython(create, drop)]
