"""Bulk loading for large volumes (demo data, benchmarks): COPY on PostgreSQL, bulk_create elsewhere.

Rows are plain tuples in the order of ``fields`` (attribute names such as ``org_id``), with their
primary keys given by ``reserve_ids`` so that rows of other tables can point at them before they exist.
"""

import contextlib
import gc
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
    return _copy(model._meta.db_table, [by_attname[name] for name in fields], rows)


def _copy(table, columns, rows):
    stream = _CopyStream(rows)
    names = ", ".join(f'"{column}"' for column in columns)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f'COPY "{table}" ({names}) FROM STDIN', stream, size=1 << 20)
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
    if not objs:
        return objs
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
        _insert_history(history.model, objs, "+", history_user)
    return objs


def update_objects(model, objs, fields, *, history_user=None):
    """Write ``fields`` (attribute names) of saved model instances in one statement, plus their history rows
    ("~", changed) when the model keeps a history. On PostgreSQL the values go by COPY into a temporary table
    and one ``UPDATE … FROM`` joins it (a ``bulk_update`` of thousands of rows builds a CASE per field and row);
    ``bulk_update_with_history`` elsewhere. The caller is inside a transaction."""
    from simple_history.utils import bulk_update_with_history

    objs = list(objs)
    history = getattr(model, "history", None)
    if not objs:
        return 0
    if connection.vendor != "postgresql":
        if history is None:
            return model.objects.bulk_update(objs, fields, batch_size=2000)
        return bulk_update_with_history(objs, model, fields, batch_size=2000, default_user=history_user)
    columns = [model._meta.get_field(name) for name in fields]
    table, staging = model._meta.db_table, f"staging_{model._meta.db_table}"
    names = ", ".join(f'"{field.column}"' for field in columns)
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE TEMPORARY TABLE "{staging}" ON COMMIT DROP AS '
                       f'SELECT "id", {names} FROM "{table}" WITH NO DATA')
        _copy(staging, ["id", *(field.column for field in columns)],
              ((obj.pk, *values) for obj, values in zip(objs, map(_row_reader(columns), objs), strict=True)))
        assignments = ", ".join(f'"{field.column}" = s."{field.column}"' for field in columns)
        cursor.execute(f'UPDATE "{table}" AS t SET {assignments} FROM "{staging}" AS s WHERE t."id" = s."id"')
        cursor.execute(f'DROP TABLE "{staging}"')
    if history is not None:
        _insert_history(history.model, objs, "~", history_user)
    return len(objs)


def copy_history(model, ids, user=None):
    """The history rows ("+", created) of rows just written by ``insert_rows`` (keys ``ids``), copied from them by
    the database itself on PostgreSQL (one ``INSERT … SELECT``), so they are never made in Python."""
    history = model.history.model
    tracked = [f for f in history._meta.concrete_fields if not f.attname.startswith("history_")]
    extra = (timezone.now(), "+", None, user.pk if user else None)
    if connection.vendor != "postgresql":
        rows = model.objects.filter(pk__in=ids).values_list(*(f.attname for f in tracked))
        insert_rows(history, [f.attname for f in tracked] + HISTORY_FIELDS, (row + extra for row in rows))
        return
    columns = ", ".join(f'"{f.column}"' for f in tracked)
    with connection.cursor() as cursor:
        cursor.execute(f'INSERT INTO "{history._meta.db_table}" ({columns}, "history_date", "history_type", '
                       f'"history_change_reason", "history_user_id") SELECT {columns}, %s, %s, %s, %s '
                       f'FROM "{model._meta.db_table}" WHERE "id" = ANY(%s)', [*extra, list(ids)])


HISTORY_FIELDS = ["history_date", "history_type", "history_change_reason", "history_user_id"]


def _insert_history(history_model, objs, kind, user):
    tracked = [f for f in history_model._meta.concrete_fields if not f.attname.startswith("history_")]
    extra = (timezone.now(), kind, None, user.pk if user else None)
    read = _row_reader(tracked)
    insert_rows(history_model, [f.attname for f in tracked] + HISTORY_FIELDS, (read(obj) + extra for obj in objs))


def _row_reader(fields):
    """A function giving an object's values of ``fields`` as a tuple, JSON fields as JSON text."""
    names = [f.attname for f in fields]
    # attrgetter gives a tuple for several names, and the bare value for one
    read = operator.attrgetter(*names) if len(names) > 1 else (lambda obj: (getattr(obj, names[0]),))
    # one encoder per field, made once: json.dumps with options makes a new encoder for every value
    as_json = [(index, (field.encoder or json.JSONEncoder)(ensure_ascii=False).encode)
               for index, field in enumerate(fields) if isinstance(field, JSONField)]
    if not as_json:
        return read

    def read_with_json(obj):
        values = list(read(obj))
        for index, encode in as_json:
            values[index] = encode(values[index])
        return tuple(values)
    return read_with_json


@contextlib.contextmanager
def collection_paused():
    """Pause Python's cyclic garbage collector while millions of small objects (tuples, no cycles) are made:
    each collection would walk all of them again. Reference counting still frees everything."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextlib.contextmanager
def foreign_keys_checked_once():
    """Inside a transaction that loads many rows: the database's foreign keys are dropped, then added back at the
    end, when PostgreSQL checks each one in a single join instead of once per row at commit (which took the city
    seed tens of seconds). A row pointing nowhere still fails the whole transaction, at the end instead of at
    commit. Elsewhere (SQLite) nothing changes."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what the transaction wrote before is checked now
        cursor.execute("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE contype = 'f' AND connamespace = 'public'::regnamespace")
        keys = cursor.fetchall()
        for table, name, _definition in keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        for table, name, definition in keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's keys are all deferred until commit


def analyze(*models):
    """Do what autovacuum would after bulk loading (it may be off or lagging), for the given models' tables or
    every table of the database's own: refresh the planner's statistics and, outside a transaction, also
    VACUUM, whose visibility map lets counts read an index alone (a dashboard's counts took twice as long
    without). Never a bare ``ANALYZE``: it also analyses the system catalogs shared by every database of the
    server (pg_authid, pg_database, …), so it waits for any other database's open transaction that analysed
    them (the seed waited minutes beside running tests)."""
    if connection.vendor != "postgresql":
        return
    tables = [model._meta.db_table for model in models] or connection.introspection.table_names()
    command = "ANALYZE " if connection.in_atomic_block else "VACUUM (ANALYZE) "
    with connection.cursor() as cursor:
        cursor.execute(command + ", ".join(connection.ops.quote_name(table) for table in tables))


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
