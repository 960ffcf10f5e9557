from django.db import migrations

from rectification.taxonomy import load


class Migration(migrations.Migration):
    dependencies = [("rectification", "0001_ledger")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
