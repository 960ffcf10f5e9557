from django.db import migrations

from kernel.search import bigram_index_sql

COLUMNS = (("rectification_problem", "description"), ("rectification_rectificationitem", "measures"))


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table, column in COLUMNS:
            schema_editor.execute(bigram_index_sql(table, column))


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table, column in COLUMNS:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{table}_{column}_bigrams"')


class Migration(migrations.Migration):
    dependencies = [("rectification", "0012_item_head"), ("kernel", "0003_bigrams_function")]
    operations = [migrations.RunPython(create, drop)]
