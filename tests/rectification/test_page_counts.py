"""The counts of the long ledger lists follow every write at once."""

import datetime
import re

from rectification import services
from rectification.models import Problem
from tests.rectification.helpers import item_of


def shown(client, url="/rectification/"):
    """The ledger's counts as the page shows them (rendered afresh or read from the cache)."""
    page = client.get(url).content.decode()
    total = re.search(r'id="ledger-count" data-count="(\d+)"', page).group(1)
    overdue = re.search(r"逾期 (\d+)</span>", page).group(1)
    return {"total": int(total), "overdue": int(overdue)}


def test_ledger_counts_follow_new_items_archiving_and_progress(world, login):
    item_of(world.branch, deadline=datetime.date(2020, 1, 1))
    client = login(world.users["staff"])
    assert shown(client)["total"] == 1
    second = services.raise_problem(org=world.sibling, description="新问题", source=Problem.Source.FEEDBACK,
                                    raised_by=world.users["staff"])
    assert shown(client) == {"total": 2, "overdue": 1}
    second.archived = True
    second.save()
    assert shown(client)["total"] == 1
    assert client.get("/rectification/overdue/").context["page"].paginator.count == 1


def test_each_user_and_filter_has_its_own_counts(world, login):
    item_of(world.branch)
    item_of(world.far_branch)
    assert shown(login(world.users["staff"]))["total"] == 2
    assert shown(login(world.users["secretary"]))["total"] == 1
    staff = login(world.users["staff"])
    assert shown(staff, f"/rectification/?org={world.town_b.code}")["total"] == 1
