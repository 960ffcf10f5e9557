"""Lists that help: plain filters, numbered paging with a page size, days overdue, bulk actions for staff."""

import datetime
import re

from django.test import Client
from django.utils import timezone

from orgs import services as org_services
from orgs.models import RoleAssignment as Role
from rectification.models import RectificationItem
from tests.rectification.helpers import item_of

Status = RectificationItem.Status


def test_filters_read_plainly_and_dates_have_a_picker(world, login):
    html = login(world.users["staff"]).get("/rectification/").content.decode()
    assert "未知" not in html and "---------" not in html
    assert '<option value="" selected>全部</option>' in html
    assert 'type="date" name="deadline_from"' in html and 'type="checkbox" name="overdue"' in html


def test_overdue_only_still_follows_links_with_overdue_true(world, login):
    late = item_of(world.branch, deadline=timezone.localdate() - datetime.timedelta(days=5))
    on_time = item_of(world.branch, deadline=timezone.localdate() + datetime.timedelta(days=5))
    html = login(world.users["staff"]).get("/rectification/?overdue=true").content.decode()
    assert f"/rectification/items/{late.pk}/" in html and f"/rectification/items/{on_time.pk}/" not in html
    assert "逾期 5 天" in html


def test_paging_is_numbered_keeps_the_filters_and_offers_a_page_size(world, login):
    for n in range(65):
        item_of(world.branch, description=f"问题 {n}")
    client = login(world.users["staff"])
    html = client.get("/rectification/?status=pending").content.decode()
    assert 'href="?status=pending&amp;page=3"' in html and "共 65 项" in html
    assert 'href="?status=pending&amp;per=100"' in html
    html = client.get("/rectification/?status=pending&per=100").content.decode()
    assert html.count('name="items"') == 65 and 'page=2' not in html


def test_overdue_list_leaves_out_items_waiting_for_acceptance(world, login):
    past = timezone.localdate() - datetime.timedelta(days=3)
    waiting = item_of(world.branch, deadline=past, status=Status.SUBMITTED)
    late = item_of(world.branch, deadline=past, status=Status.IN_PROGRESS)
    html = login(world.users["staff"]).get("/rectification/overdue/").content.decode()
    assert f"/items/{late.pk}/" in html and f"/items/{waiting.pk}/" not in html and "逾期 3 天" in html


def test_staff_accept_and_send_back_many_items_at_once(world, login):
    first, second = (item_of(org, status=Status.SUBMITTED) for org in (world.branch, world.sibling))
    pending = item_of(world.branch)
    client = login(world.users["staff"])
    html = client.get("/rectification/").content.decode()
    assert 'data-select-all="items"' in html and 'form="bulk-form"' in html
    response = client.post("/rectification/bulk/", {"action": "accept", "items": [first.pk, second.pk, pending.pk],
                                                    "next": "/rectification/?status=submitted"})
    assert response.url == "/rectification/?status=submitted"
    first.refresh_from_db(), second.refresh_from_db(), pending.refresh_from_db()
    assert (first.status, second.status, pending.status) == (Status.CLOSED, Status.CLOSED, Status.PENDING)
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "已对 2 个事项验收销号。" in messages and any("东山村党支部" in m for m in messages[1:])


def test_sending_back_needs_a_comment_and_changes_nothing_without_one(world, login):
    item = item_of(world.branch, status=Status.SUBMITTED)
    client = login(world.users["staff"])
    client.post("/rectification/bulk/", {"action": "return", "items": [item.pk]})
    item.refresh_from_db()
    assert item.status == Status.SUBMITTED
    client.post("/rectification/bulk/", {"action": "return", "items": [item.pk], "comment": "佐证不足"})
    item.refresh_from_db()
    assert item.status == Status.IN_PROGRESS


def test_bulk_refuses_an_unknown_action_and_items_outside_the_scope(world, login):
    foreign = item_of(world.foreign_branch, status=Status.SUBMITTED)
    client = login(world.users["staff"])
    client.post("/rectification/bulk/", {"action": "delete", "items": [foreign.pk]})
    client.post("/rectification/bulk/", {"action": "accept", "items": [foreign.pk]})
    foreign.refresh_from_db()
    assert foreign.status == Status.SUBMITTED
    assert 'name="items"' not in login(world.users["secretary"]).get("/rectification/").content.decode()


def test_the_cached_ledger_gives_a_bulk_form_token_that_works_after_signing_in_again(world):
    item = item_of(world.branch, status=Status.SUBMITTED)
    client = Client(enforce_csrf_checks=True)
    for _sign_in in range(2):  # signing out drops the CSRF cookie; the ledger has not moved in between
        client.logout()
        client.force_login(world.users["staff"])
        html = client.get("/rectification/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)" form="bulk-form"', html).group(1)
    response = client.post("/rectification/bulk/", {"csrfmiddlewaretoken": token, "action": "accept",
                                                    "items": [item.pk]})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == Status.CLOSED


def test_lists_cached_for_a_user_change_at_once_when_their_role_moves_to_another_organisation(world, login):
    item_of(world.branch, description="东山村的问题", deadline=datetime.date(2020, 1, 1))
    item_of(world.far_branch, description="南湖村的问题", deadline=datetime.date(2020, 1, 1))
    secretary, staff = world.users["secretary"], world.users["staff"]
    page = login(secretary).get("/rectification/").content.decode()
    assert "东山村的问题" in page and "南湖村的问题" not in page
    overdue = login(staff).get("/rectification/overdue/").content.decode()
    assert "逾期事项(共 2 项)" in overdue
    # the ledger itself does not move: only the roles do
    Role.objects.filter(user=secretary).update(org=world.far_branch)
    Role.objects.filter(user=staff).update(org=world.town_a)
    page = login(secretary).get("/rectification/").content.decode()
    assert "南湖村的问题" in page and "东山村的问题" not in page
    overdue = login(staff).get("/rectification/overdue/").content.decode()
    assert "逾期事项(共 1 项)" in overdue


def test_the_cached_ledger_follows_an_organisation_moved_out_of_the_scope(world, login):
    item_of(world.sibling, description="西山村的问题")
    client = login(world.users["inspector"])  # 甲镇 and below
    assert "西山村的问题" in client.get("/rectification/").content.decode()
    org_services.save_organization(user=world.users["admin"], org=world.sibling, parent=world.town_b)
    assert "西山村的问题" not in client.get("/rectification/").content.decode()
