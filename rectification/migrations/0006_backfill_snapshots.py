"""Existing log entries get the item's present facts as their snapshot (nothing older is known) and are
chained and hashed in insertion order; existing 督办通知 get an issuer (the top of their addressee's tree),
a year and a serial (their id, unique per year) and a title."""

from django.db import migrations


def backfill(apps, schema_editor):
    from rectification.models import ItemTransition as Live

    Transition = apps.get_model("rectification", "ItemTransition")
    entries = Transition.objects.select_related("item__problem__org").order_by("item_id", "id")
    previous = None
    for entry in entries.iterator(chunk_size=2000):
        if previous is None or previous.item_id != entry.item_id:
            previous = None
        problem = entry.item.problem
        entry.org_id, entry.org_path = problem.org_id, problem.org.path
        entry.category_id, entry.deadline, entry.archived = problem.category_id, entry.item.deadline, problem.archived
        entry.previous_id = previous.pk if previous else None
        values = {field.attname: getattr(entry, field.attname) for field in Transition._meta.concrete_fields}
        entry.hash = Live(**values).compute_hash(previous.hash if previous else "")
        Transition.objects.filter(pk=entry.pk).update(
            org_id=entry.org_id, org_path=entry.org_path, category_id=entry.category_id, deadline=entry.deadline,
            archived=entry.archived, previous_id=entry.previous_id, hash=entry.hash)
        previous = entry

    Notice = apps.get_model("rectification", "Notice")
    Organization = apps.get_model("orgs", "Organization")
    for notice in Notice.objects.select_related("org"):
        issuer = Organization.objects.get(path=notice.org.path[:4])
        Notice.objects.filter(pk=notice.pk).update(
            issuer=issuer, year=notice.issued_at.year, serial=notice.pk, title="关于限期整改的督办通知",
            issued_on=notice.issued_at.date())


class Migration(migrations.Migration):

    dependencies = [
        ('orgs', '0001_initial'),
        ('rectification', '0005_history_snapshots'),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
