"""Counts of the long ledger lists are cached, and move as soon as the ledger does."""

import datetime

from rectification import queries, services
from rectification.models import Problem
from tests.rectification.helpers import item_of


def test_ledger_counts_follow_new_items_archiving_and_progress(world, login):
    item_of(world.branch, deadline=datetime.date(2020, 1, 1))
    client = login(world.users["staff"])
    assert client.get("/rectification/").context["counts"]["total"] == 1
    assert client.get("/rectification/").context["page"].paginator.count == 1  # from the cache, still right
    second = services.raise_problem(org=world.sibling, description="新问题", source=Problem.Source.FEEDBACK,
                                    raised_by=world.users["staff"])
    counts = client.get("/rectification/").context["counts"]
    assert (counts["total"], counts["overdue"]) == (2, 1)
    second.archived = True
    second.save()
    assert client.get("/rectification/").context["counts"]["total"] == 1
    assert client.get("/rectification/overdue/").context["page"].paginator.count == 1


def test_each_user_and_filter_has_its_own_counts(world, login):
    item_of(world.branch)
    item_of(world.far_branch)
    assert login(world.users["staff"]).get("/rectification/").context["counts"]["total"] == 2
    assert login(world.users["secretary"]).get("/rectification/").context["counts"]["total"] == 1
    staff = login(world.users["staff"])
    assert staff.get(f"/rectification/?org={world.town_b.code}").context["counts"]["total"] == 1


def test_the_stamp_moves_with_every_ledger_write(world):
    item = item_of(world.branch)
    stamps = [queries.ledger_stamp()]
    services.perform(world.users["secretary"], item, "start")
    stamps.append(queries.ledger_stamp())
    services.add_progress(world.users["secretary"], item, text="已完成一半", percent=50, files=[])
    stamps.append(queries.ledger_stamp())
    assert len(set(stamps)) == 3
