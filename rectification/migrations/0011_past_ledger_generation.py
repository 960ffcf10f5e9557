import time

from django.conf import settings
from django.db import migrations, models

# "Past" with a day's margin: a write in a month's last day, or in a transaction that commits after midnight,
# also moves the generation, so a month that has just ended is never cached without it.
PAST_BEFORE = """date_trunc('month', (clock_timestamp() + interval '1 day') AT TIME ZONE '{tz}') AT TIME ZONE '{tz}'"""

TRIGGERS = """
CREATE FUNCTION rectification_past_bump() RETURNS void LANGUAGE sql AS
$$ UPDATE rectification_pastledgergeneration SET value = value + 1 $$;

CREATE FUNCTION rectification_past_entries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM rectification_past_bump();
  ELSIF EXISTS (SELECT 1 FROM new_rows WHERE happened_at < {past}) THEN
    PERFORM rectification_past_bump();
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER past_entries_insert AFTER INSERT ON rectification_itemtransition
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rectification_past_entries();
CREATE TRIGGER past_entries_change AFTER UPDATE OR DELETE ON rectification_itemtransition
  FOR EACH STATEMENT EXECUTE FUNCTION rectification_past_entries();

CREATE FUNCTION rectification_past_progress() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- each transition table is named only in a branch of the operations that have it
  IF TG_OP <> 'DELETE' THEN
    IF EXISTS (SELECT 1 FROM new_rows WHERE month < ({past})::date) THEN
      PERFORM rectification_past_bump();
      RETURN NULL;
    END IF;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    IF EXISTS (SELECT 1 FROM old_rows WHERE month < ({past})::date) THEN
      PERFORM rectification_past_bump();
    END IF;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER past_progress_insert AFTER INSERT ON rectification_progressupdate
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rectification_past_progress();
CREATE TRIGGER past_progress_update AFTER UPDATE ON rectification_progressupdate
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION rectification_past_progress();
CREATE TRIGGER past_progress_delete AFTER DELETE ON rectification_progressupdate
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rectification_past_progress();

CREATE FUNCTION rectification_past_release() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM old_rows JOIN new_rows USING (id)
             WHERE old_rows.withheld_for_id IS DISTINCT FROM new_rows.withheld_for_id) THEN
    PERFORM rectification_past_bump();
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER past_release AFTER UPDATE ON rectification_problem
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION rectification_past_release();
"""

DROP = """
DROP TRIGGER past_release ON rectification_problem;
DROP TRIGGER past_progress_delete ON rectification_progressupdate;
DROP TRIGGER past_progress_update ON rectification_progressupdate;
DROP TRIGGER past_progress_insert ON rectification_progressupdate;
DROP TRIGGER past_entries_change ON rectification_itemtransition;
DROP TRIGGER past_entries_insert ON rectification_itemtransition;
DROP FUNCTION rectification_past_release();
DROP FUNCTION rectification_past_progress();
DROP FUNCTION rectification_past_entries();
DROP FUNCTION rectification_past_bump();
"""


def create(apps, schema_editor):
    apps.get_model("rectification", "PastLedgerGeneration").objects.create(pk=1, value=time.time_ns())
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGERS.replace("{past}", PAST_BEFORE.format(tz=settings.TIME_ZONE)))


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):

    dependencies = [
        ('rectification', '0010_progress_item_newest'),
    ]

    operations = [
        migrations.CreateModel(
            name='PastLedgerGeneration',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('value', models.BigIntegerField(default=0)),
            ],
            options={
                'verbose_name': '历史月份统计版本',
                'verbose_name_plural': '历史月份统计版本',
            },
        ),
        migrations.RunPython(create, drop),
    ]
