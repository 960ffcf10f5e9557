"""Rows as they stood at a past moment, read from their django-simple-history records (``Model.history``).

A report of a past month prints names, descriptions and responsible people as they were at the month's end,
so a rename or a new 责任人 later never changes it.
"""

from django.db.models import Max, Min, Q


def as_of(model, ids, moment):
    """{pk: the historical record of each row at ``moment``}. A row with no record that old (loaded with dates
    set in the past, as imports and the demo data are) gets its earliest record; a row without any, none."""
    key = model._meta.pk.attname
    records = model.history.model.objects.filter(**{f"{key}__in": set(ids)})
    chosen = {row[key]: row["last"] or row["first"] for row in records.order_by().values(key).annotate(
        last=Max("history_id", filter=Q(history_date__lte=moment)), first=Min("history_id"))}
    return {getattr(record, key): record for record in records.filter(history_id__in=chosen.values())}

