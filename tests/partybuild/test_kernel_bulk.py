"""Bulk loading (COPY on PostgreSQL, bulk_create elsewhere)."""

import datetime
import gc

import pytest
from django.db import IntegrityError, connection, transaction

from kernel import bulk
from rectification.models import Problem, RectificationItem
from scoring.models import Result


@pytest.mark.smoke
def test_rows_are_inserted_under_reserved_keys_with_awkward_text(world):
    ids = bulk.reserve_ids(Problem, 2)
    text = "制表符\t换行\n反斜杠\\ 和 \\N"
    bulk.insert_rows(Problem, ["id", "org_id", "source", "description", "found_on", "archived", "created_at",
                               "severity"],
                     [(ids[0], world.branch.pk, "feedback", text, datetime.date(2026, 1, 2), False,
                       datetime.datetime(2026, 1, 2, 9, tzinfo=datetime.UTC), "general"),
                      (ids[1], world.sibling.pk, "feedback", "", datetime.date(2026, 1, 3), True,
                       datetime.datetime(2026, 1, 3, 9, tzinfo=datetime.UTC), "serious")])
    first, second = Problem.objects.get(pk=ids[0]), Problem.objects.get(pk=ids[1])
    assert first.description == text and first.archived is False and first.category_id is None
    assert second.description == "" and second.archived is True
    assert Problem.objects.create(org=world.branch, source="feedback", description="x").pk > ids[1]


@pytest.mark.smoke
def test_objects_get_their_keys_auto_fields_and_history(world):
    problems = bulk.insert_objects(Problem, [Problem(org=world.branch, source="assessment", description="低等次")],
                                   history_user=world.users["staff"])
    items = bulk.insert_objects(RectificationItem, [RectificationItem(problem=problems[0])])
    item = RectificationItem.objects.get(pk=items[0].pk)
    assert item.problem == problems[0] and item.status == "pending" and item.updated_at is not None
    history = problems[0].history.get()
    assert history.history_type == "+" and history.history_user == world.users["staff"]
    assert item.history.count() == 1


def test_json_fields_are_written_as_json(world):
    from tests.scoring.helpers import published_for

    assessment = published_for(world)
    Result.objects.filter(assessment=assessment).delete()
    [result] = bulk.insert_objects(Result, [Result(
        assessment=assessment, org=world.branch, peer_group="村", total=88, subtotals={"党建基础": "30.5"},
        rank=1, group_size=1, grade="较好", ledger_items=[{"id": 1, "description": "引号\"和\\"}])])
    stored = Result.objects.get(pk=result.pk)
    assert stored.subtotals == {"党建基础": "30.5"} and stored.ledger_items[0]["description"] == "引号\"和\\"
    assert stored.history.get().subtotals == {"党建基础": "30.5"}


def test_bulk_loading_counts_every_row(world):
    root = world.far_branch
    ids = bulk.reserve_ids(Problem, 3000)
    bulk.insert_rows(Problem, ["id", "org_id", "source", "description", "found_on", "archived", "created_at",
                               "severity"],
                     ((pk, root.pk, "feedback", f"问题{pk}", datetime.date(2026, 1, 1), False,
                       datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC), "general") for pk in ids))
    bulk.analyze(Problem)
    assert Problem.objects.filter(org=root).count() == 3000


def test_analysing_every_table_leaves_the_shared_catalogs_alone(db):
    """A bare ANALYZE would hold a lock on pg_authid until the transaction ends, and wait for other databases'."""
    bulk.analyze()
    with connection.cursor() as cursor:
        cursor.execute("SELECT relation::regclass::text FROM pg_locks "
                       "WHERE pid = pg_backend_pid() AND mode = 'ShareUpdateExclusiveLock'")
        analysed = {table for (table,) in cursor.fetchall()}
    assert "rectification_problem" in analysed and "pg_authid" not in analysed


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_loaded_pages_are_vacuumed_as_autovacuum_would(world):
    """Counts read an index alone only where VACUUM marked the pages all-visible; the seed runs out of a
    transaction, and autovacuum may be off."""
    ids = bulk.reserve_ids(Problem, 2000)
    bulk.insert_rows(Problem, ["id", "org_id", "source", "description", "found_on", "archived", "created_at",
                               "severity"],
                     ((pk, world.branch.pk, "feedback", f"问题{pk}", datetime.date(2026, 1, 1), False,
                       datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC), "general") for pk in ids))
    bulk.analyze(Problem)
    with connection.cursor() as cursor:
        cursor.execute("SELECT relallvisible FROM pg_class WHERE relname = 'rectification_problem'")
        assert cursor.fetchone()[0] > 0


def test_update_writes_only_the_named_fields_and_records_history(world):
    from tests.scoring.helpers import published_for

    assessment = published_for(world)
    results = list(Result.objects.filter(assessment=assessment))
    assert results
    untouched = {r.pk: r.grade for r in results}
    for number, result in enumerate(results, start=1):
        result.rank, result.subtotals = number + 100, {"党建基础": f"{number}.5"}
        result.grade = "不该写入"
    with transaction.atomic():
        assert bulk.update_objects(Result, results, ["rank", "subtotals"],
                                   history_user=world.users["staff"]) == len(results)
        assert bulk.update_objects(Result, [], ["rank"]) == 0
    for number, result in enumerate(results, start=1):
        stored = Result.objects.get(pk=result.pk)
        assert stored.rank == number + 100 and stored.subtotals == {"党建基础": f"{number}.5"}
        assert stored.grade == untouched[result.pk]
        newest = stored.history.order_by("-history_id").first()
        assert newest.history_type == "~" and newest.rank == number + 100
        assert newest.history_user == world.users["staff"]


def test_collection_pause_restores_the_collector():
    assert gc.isenabled()
    with bulk.collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def _foreign_keys():
    with connection.cursor() as cursor:
        cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f'")
        return set(cursor.fetchall())


def test_foreign_keys_are_checked_once_at_the_end_of_a_load_and_all_come_back(world):
    before = _foreign_keys()
    with transaction.atomic(), bulk.foreign_keys_checked_once():
        assert _foreign_keys() == set()  # loading queues no check per row
        Problem.objects.create(org=world.branch, source="feedback", description="载入的问题")
    assert _foreign_keys() == before and Problem.objects.filter(description="载入的问题").exists()


def test_a_row_pointing_nowhere_still_fails_the_whole_load(world):
    before = _foreign_keys()
    with pytest.raises(IntegrityError), transaction.atomic(), bulk.foreign_keys_checked_once():
        Problem.objects.create(org=world.branch, source="feedback", description="载入的问题")
        Problem.objects.filter(description="载入的问题").update(org_id=999_999)
    assert not Problem.objects.filter(description="载入的问题").exists() and _foreign_keys() == before


def test_the_application_s_connections_do_not_compile_queries_just_in_time(db):
    """JIT compiling spent 166 ms on a page's count whose cost the planner overestimated."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
