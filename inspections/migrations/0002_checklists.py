from django.db import migrations

from inspections.checklists import load


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_inspections")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
