from django.db import migrations

from scoring.schemes import load


class Migration(migrations.Migration):
    dependencies = [("scoring", "0001_scoring")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
