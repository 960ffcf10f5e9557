"""Keyword search in Chinese text that an index can serve.

``icontains`` reads every row. PostgreSQL's trigram index (pg_trgm) does not help here: Chinese keywords are
mostly two characters, and a two-character pattern has no trigram, so pg_trgm falls back to scanning. Each
text is indexed instead by its set of two-character pieces (``pb_bigrams``, a GIN index per column, created
by migration ``kernel/0003``): a row can contain the keyword only if it contains all of the keyword's pieces,
and ``icontains`` then checks the few rows that do. On SQLite, and for one-character keywords, only
``icontains`` is used.
"""

from django.db import connection
from django.db.models import CharField, Lookup, TextField

BIGRAMS_FUNCTION = """
CREATE OR REPLACE FUNCTION pb_bigrams(t text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT substr(lower(t), i, 2)), '{}') FROM generate_series(1, length(t) - 1) AS i
$$
"""


class HasBigramsOf(Lookup):
    """``field__bigrams_of=text``: the field holds every two-character piece of ``text`` (PostgreSQL)."""

    lookup_name = "bigrams_of"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"pb_bigrams({lhs}) @> pb_bigrams({rhs})", [*lhs_params, *rhs_params]


TextField.register_lookup(HasBigramsOf)
CharField.register_lookup(HasBigramsOf)


def containing(queryset, field, text):
    """The rows of ``queryset`` whose ``field`` contains ``text`` (case-insensitive), served by the index."""
    found = queryset.filter(**{f"{field}__icontains": text})
    if connection.vendor == "postgresql" and len(text) >= 2:
        found = found.filter(**{f"{field}__bigrams_of": text})
    return found


def bigram_index_sql(table, column):
    return (f'CREATE INDEX IF NOT EXISTS "{table}_{column}_bigrams" ON "{table}" '
            f'USING gin (pb_bigrams("{column}"))')

