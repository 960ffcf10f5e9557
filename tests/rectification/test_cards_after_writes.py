"""Right at every moment: after each kind of write, over HTTP, every dashboard card and chart element reads the
same as the list it opens, at once (no cache may answer with what was true before the write)."""

import datetime
import html
import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from orgs.models import Organization
from rectification.models import ItemHead, ProblemCategory, RectificationItem, Task
from scoring.models import Assessment, Result
from tests.rectification.helpers import current_ledger, item_of
from tests.rectification.test_ledger_import import row
from tests.rectification.test_pages import workbook
from tests.scoring.helpers import indicator, published_for

Status = RectificationItem.Status


def dashboard(client):
    """(cards {figure: number}, chart data) as the leader's start page shows them."""
    page = client.get("/").content.decode()
    cards = re.findall(r'data-figure="(\w+)" href="([^"]+)"><div class="border rounded p-2 figure-card">'
                       r'<div class="value">(\d+)</div>', page)
    cards += re.findall(r'data-figure="(done|total)" href="([^"]+)">(?:已销号|共) (\d+)</a>', page)
    data = json.loads(re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', page,
                                re.S).group(1))
    return cards, data


def listed(client, url):
    page = client.get(html.unescape(url)).content.decode()
    return int(re.search(r'id="(?:ledger|result)-count" data-count="(\d+)"', page).group(1))


def mismatches(client):
    """Every card or chart element whose number differs from the list it opens (none when all agree)."""
    cards, data = dashboard(client)
    pairs = [(name, url, int(n)) for name, url, n in cards]
    for key in ("open", "overdue"):
        pairs += [(f"{key}-trend", url, n) for n, url in zip(data[key], data[f"{key}_urls"], strict=True)]
    pairs += [(f"grade {g['name']}", g["url"], g["value"]) for g in data.get("grades", [])]
    return [(name, shown, listed(client, url)) for name, url, shown in pairs if listed(client, url) != shown]


def card(client, name):
    return next(int(n) for figure, _url, n in dashboard(client)[0] if figure == name)


def test_a_progress_report_moves_missing_reports_on_the_card_and_its_list_at_once(world, login):
    current_ledger(world)
    leader = login(world.users["leader"])
    before = card(leader, "missing_report")
    late = RectificationItem.objects.get(pk__in=[i.pk for i in RectificationItem.objects.all()
                                                 if i.deadline and i.deadline < timezone.localdate()])
    secretary = login(world.users["secretary"])
    secretary.post(f"/rectification/items/{late.pk}/progress/", {"text": "已召开专题会议", "percent": 60})
    leader = login(world.users["leader"])
    assert card(leader, "missing_report") == before - 1
    assert mismatches(leader) == []


def test_every_workflow_step_and_an_import_are_on_the_cards_and_lists_at_once(world, login):
    current_ledger(world)
    staff = login(world.users["staff"])
    opened = card(staff, "open")
    item = item_of(world.branch, deadline=timezone.localdate() + datetime.timedelta(days=9))
    assert card(staff, "open") == opened + 1 and mismatches(staff) == []
    for who, action in (("secretary", "start"), ("secretary", "submit"), ("staff", "accept")):
        client = login(world.users[who])
        item.refresh_from_db()
        client.post(f"/rectification/items/{item.pk}/do/{action}/", {"version": item.version, "comment": "好"})
    staff = login(world.users["staff"])
    assert RectificationItem.objects.get(pk=item.pk).status == Status.CLOSED
    assert card(staff, "open") == opened and mismatches(staff) == []
    total = card(staff, "total")
    rows = [row(world), row(world, 问题描述="三会一课缺记录")]
    response = staff.post("/rectification/import/", {"file": workbook(rows)})
    staff.post("/rectification/import/confirm/", {"token": response.context["token"]})
    assert card(staff, "total") == total + 2 and mismatches(staff) == []
    call_command("verify_figures", stdout=io.StringIO())  # raises on any difference from the log


def test_a_renamed_township_and_category_read_their_new_names_at_once(world, login, admin_client):
    current_ledger(world)
    staff = login(world.users["staff"])
    assert world.town_a.name in dashboard(staff)[1]["units"]
    staff.post(f"/orgs/{world.town_a.pk}/edit/", {
        "code": world.town_a.code, "name": "中共甲街道工作委员会", "level": world.town_a.level,
        "kind": world.town_a.kind, "sector": world.town_a.sector, "is_active": "on", "parent_code": world.county.code})
    assert "中共甲街道工作委员会" in dashboard(staff)[1]["units"]
    category = ProblemCategory.objects.filter(problems__isnull=False).first()
    assert category.name in staff.get("/rectification/").content.decode()
    admin_client.post(f"/admin/rectification/problemcategory/{category.pk}/change/", {
        "dimension": category.dimension_id, "name": "新类别名称", "order": category.order, "is_active": "on"})
    assert "新类别名称" in staff.get("/rectification/").content.decode()


def test_a_village_moved_out_of_a_township_leaves_its_figures_and_lists_at_once(world, login, admin_client):
    current_ledger(world)
    township_staff = world.user_with("staff", world.town_a)
    client = login(township_staff)
    assert world.sibling.name in dashboard(client)[1]["units"]
    Task.objects.create(org=world.sibling, year=timezone.localdate().year, quarter=1, title="主题党日",
                        assigned_by=world.users["staff"])
    assert listed_tasks(client) == 1
    moved = Organization.objects.get(pk=world.sibling.pk)
    admin = login(world.users["admin"])
    admin.post(f"/orgs/{moved.pk}/edit/", {
        "code": moved.code, "name": moved.name, "level": moved.level, "kind": moved.kind, "sector": moved.sector,
        "is_active": "on", "parent_code": world.town_b.code})
    assert Organization.objects.get(pk=moved.pk).path.startswith(world.town_b.path)
    client = login(township_staff)
    assert world.sibling.name not in dashboard(client)[1]["units"]
    assert mismatches(client) == []
    assert listed_tasks(client) == 0
    assert mismatches(login(world.users["staff"])) == []
    call_command("verify_figures", stdout=io.StringIO())


def listed_tasks(client):
    return int(re.search(r"共 (\d+) 项任务", client.get("/rectification/tasks/").content.decode()).group(1))


def test_a_score_corrected_after_publication_reorders_the_dashboard_ranking_at_once(world, login):
    assessment = published_for(world, scored=True)
    leader = login(world.users["leader"])
    first = dashboard(leader)[1]["ranked"][0]
    assert first == world.branch.name
    staff = login(world.users["staff"])
    rater = assessment.raters.get(name="述职评分")
    staff.post(f"/scoring/{assessment.pk}/raters/{rater.pk}/cell/", {
        f"p-{world.branch.pk}-{indicator('1.1', assessment.scheme).pk}": "0", "member": rater.members.first().pk,
        "correction_reason": "复核发现材料不实"})
    assert Result.objects.get(assessment=assessment, org=world.branch).rank > 1
    assert Assessment.objects.get(pk=assessment.pk).status == Assessment.Status.PUBLISHED
    ranked = dashboard(login(world.users["leader"]))[1]["ranked"]
    assert ranked[0] != world.branch.name and world.branch.name in ranked
    assert mismatches(login(world.users["leader"])) == []


def test_verify_figures_names_an_item_whose_current_state_is_not_its_newest_entry(world):
    item = item_of(world.branch)
    call_command("verify_figures", stdout=io.StringIO())
    ItemHead.objects.filter(item=item).update(to_status=Status.CLOSED)  # a state no writer would leave
    errors = io.StringIO()
    with pytest.raises(CommandError, match="核对失败"):
        call_command("verify_figures", stdout=io.StringIO(), stderr=errors)
    assert f"事项 {item.pk} 的当前状态与其最新流转记录不一致" in errors.getvalue()


def test_verify_figures_names_an_item_changed_without_a_log_entry(world):
    item = item_of(world.branch)
    RectificationItem.objects.filter(pk=item.pk).update(deadline=datetime.date(2020, 1, 1))  # bypasses the log
    errors = io.StringIO()
    with pytest.raises(CommandError, match="核对失败"):
        call_command("verify_figures", stdout=io.StringIO(), stderr=errors)
    assert f"事项 {item.pk} 的状态、时限、组织、类别或归档被改动而没有记入流转记录" in errors.getvalue()


def test_a_grant_without_subordinates_counts_the_organisation_itself_only(world, login):
    current_ledger(world)
    item_of(world.county, description="县委本级问题")
    county_only = world.user_with("leader", world.county, recursive=False)
    client = login(county_only)
    page = client.get("/").content.decode()
    assert f"{world.county.name}(本级)" in page
    _cards, data = dashboard(client)
    assert card(client, "total") == 1 and data["units"] == [world.county.name]
    assert world.town_a.name not in page and "grades" not in data
    assert mismatches(client) == []
    assert card(login(world.users["leader"]), "total") > 1  # the grant with subordinates counts them all
