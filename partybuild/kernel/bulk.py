"""Bulk loading for large volumes (demo data, benchmarks): COPY on PostgreSQL, bulk_create elsewhere.

Rows are plain tuples in the order of ``fields`` (attribute names such as ``org_id``), with their
primary keys given by ``reserve_ids`` so that rows of other tables can point at them before they exist.
"""

import io
import json
import operator

from django.db import connection
from django.db.models import JSONField
from django.utils import timezone


def reserve_ids(model, count):
    """``count`` fresh primary keys for ``model``, ascending. On PostgreSQL each is drawn from the sequence, so
    concurrent writers never get the same key (the keys may have gaps)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                           [table, count])
            return sorted(row[0] for row in cursor.fetchall())
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
        first = cursor.fetchone()[0] + 1
        return range(first, first + count)


def insert_rows(model, fields, rows):
    """Insert ``rows`` (tuples in the order of ``fields``, any iterable); returns how many were written.
    On PostgreSQL the rows stream to one COPY, so the server stores them while the next ones are made."""
    if connection.vendor != "postgresql":
        objs = [model(**dict(zip(fields, row, strict=True))) for row in rows]
        model.objects.bulk_create(objs, batch_size=2000)
        return len(objs)
    by_attname = {field.attname: field.column for field in model._meta.concrete_fields}
    columns = ", ".join(f'"{by_attname[name]}"' for name in fields)
    stream = _CopyStream(rows)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN', stream, size=1 << 20)
    return stream.count


class _CopyStream(io.TextIOBase):
    """A file-like object reading ``rows`` as COPY text lines, made as the reader asks for them."""

    def __init__(self, rows):
        self.rows, self.pending, self.count = iter(rows), "", 0

    def readable(self):
        return True

    def read(self, size=-1):
        lines, length = [self.pending], len(self.pending)
        while size < 0 or length < size:
            row = next(self.rows, None)
            if row is None:
                break
            line = _line(row)
            lines.append(line)
            length += len(line)
            self.count += 1
        text = "".join(lines)
        if size < 0:
            self.pending = ""
            return text
        self.pending = text[size:]
        return text[:size]


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
    for field in fields:  # auto_now and the like
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objs:
                field.pre_save(obj, add=True)
    insert_rows(model, [f.attname for f in fields], map(_row_reader(fields), objs))
    if history is not None:
        tracked = [f for f in history.model._meta.concrete_fields if not f.attname.startswith("history_")]
        extra = (timezone.now(), "+", None, history_user.pk if history_user else None)
        read = _row_reader(tracked)
        insert_rows(history.model, [f.attname for f in tracked]
                    + ["history_date", "history_type", "history_change_reason", "history_user_id"],
                    (read(obj) + extra for obj in objs))
    return objs


def _row_reader(fields):
    """A function giving an object's values of ``fields`` as a tuple, JSON fields as JSON text."""
    names = [f.attname for f in fields]
    # attrgetter gives a tuple for several names, and the bare value for one
    read = operator.attrgetter(*names) if len(names) > 1 else (lambda obj: (getattr(obj, names[0]),))
    as_json = [(index, field) for index, field in enumerate(fields) if isinstance(field, JSONField)]
    if not as_json:
        return read

    def read_with_json(obj):
        values = list(read(obj))
        for index, field in as_json:
            values[index] = json.dumps(values[index], cls=field.encoder, ensure_ascii=False)
        return tuple(values)
    return read_with_json


def analyze(*models):
    """Refresh the planner's statistics after bulk loading (autovacuum may be off or lagging): of the
    given models' tables, or of the whole database."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in [model._meta.db_table for model in models] or [None]:
            cursor.execute(f'ANALYZE "{table}"' if table else "ANALYZE")


def _line(row):
    return "\t".join(map(_text, row)) + "\n"


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value):
    if value is None:
        return r"\N"
    if value is True or value is False:
        return "t" if value else "f"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.translate(_ESCAPES)
    return text
