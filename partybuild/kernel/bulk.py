"""Bulk loading for large volumes (demo data, benchmarks): COPY on PostgreSQL, bulk_create elsewhere.

Rows are plain tuples in the order of ``fields`` (attribute names such as ``org_id``), with their
primary keys given by ``reserve_ids`` so that rows of other tables can point at them before they exist.
"""

import io
import json

from django.db import connection
from django.db.models import JSONField
from django.utils import timezone

BATCH = 50_000


def reserve_ids(model, count):
    """``count`` fresh primary keys for ``model`` (the sequence moves past them on PostgreSQL)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                           "nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)", [table, table, max(count, 1)])
            last = cursor.fetchone()[0]
            return range(last - count + 1, last + 1)
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
        first = cursor.fetchone()[0] + 1
        return range(first, first + count)


def insert_rows(model, fields, rows):
    """Insert ``rows`` (tuples in the order of ``fields``); returns how many were written."""
    rows = [tuple(row) for row in rows]
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**dict(zip(fields, row, strict=True))) for row in rows], batch_size=2000)
        return len(rows)
    by_attname = {field.attname: field.column for field in model._meta.concrete_fields}
    columns = ", ".join(f'"{by_attname[name]}"' for name in fields)
    sql = f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN'
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            buffer = io.StringIO("".join(_line(row) for row in rows[start:start + BATCH]))
            cursor.cursor.copy_expert(sql, buffer)
    return len(rows)


def insert_objects(model, objs, *, history_user=None):
    """Insert unsaved model instances with every concrete field (``auto_now`` fields filled in), giving them
    their primary keys, plus their history rows ("+", created) when the model keeps a simple_history history.
    COPY on PostgreSQL; ``bulk_create_with_history`` elsewhere. Returns ``objs``."""
    from simple_history.utils import bulk_create_with_history

    objs = list(objs)
    history = getattr(model, "history", None)
    if connection.vendor != "postgresql":
        if history is None:
            return model.objects.bulk_create(objs, batch_size=2000)
        return bulk_create_with_history(objs, model, batch_size=2000, default_user=history_user)
    for obj, pk in zip(objs, reserve_ids(model, len(objs)), strict=True):
        obj.pk = pk
    fields = model._meta.concrete_fields
    insert_rows(model, [f.attname for f in fields],
                ([_db_value(f, f.pre_save(obj, add=True)) for f in fields] for obj in objs))
    if history is not None:
        tracked = [f for f in history.model._meta.concrete_fields if not f.attname.startswith("history_")]
        extra = {"history_date": timezone.now(), "history_type": "+", "history_change_reason": None,
                 "history_user_id": history_user.pk if history_user else None}
        insert_rows(history.model, [f.attname for f in tracked] + list(extra),
                    ([_db_value(f, getattr(obj, f.attname)) for f in tracked] + list(extra.values()) for obj in objs))
    return objs


def _db_value(field, value):
    if isinstance(field, JSONField):
        return json.dumps(value, cls=field.encoder, ensure_ascii=False)
    return value


def analyze(*models):
    """Refresh the planner's statistics after bulk loading (autovacuum may be off or lagging): of the
    given models' tables, or of the whole database."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in [model._meta.db_table for model in models] or [None]:
            cursor.execute(f'ANALYZE "{table}"' if table else "ANALYZE")


def _line(row):
    return "\t".join(_text(value) for value in row) + "\n"


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value):
    if value is None:
        return r"\N"
    if value is True or value is False:
        return "t" if value else "f"
    if type(value) is int:
        return str(value)
    return str(value).translate(_ESCAPES)
