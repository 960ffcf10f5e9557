# Snapshots, hashes and document numbers are filled in by 0006; now they are required.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('orgs', '0001_initial'),
        ('rectification', '0006_backfill_snapshots'),
    ]

    operations = [
        migrations.AlterField(
            model_name='itemtransition',
            name='hash',
            field=models.CharField(max_length=64, verbose_name='校验值'),
        ),
        migrations.AlterField(
            model_name='itemtransition',
            name='org',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.organization', verbose_name='党组织'),
        ),
        migrations.AlterField(
            model_name='itemtransition',
            name='org_path',
            field=models.CharField(db_index=True, max_length=255, verbose_name='组织路径'),
        ),
        migrations.AlterField(
            model_name='notice',
            name='issuer',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.organization', verbose_name='发文机关'),
        ),
        migrations.AlterField(
            model_name='notice',
            name='serial',
            field=models.PositiveIntegerField(verbose_name='序号'),
        ),
        migrations.AlterField(
            model_name='notice',
            name='title',
            field=models.CharField(max_length=200, verbose_name='标题'),
        ),
        migrations.AlterField(
            model_name='notice',
            name='year',
            field=models.PositiveSmallIntegerField(verbose_name='年份'),
        ),
    ]
