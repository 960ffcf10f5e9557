"""One definition per figure, reproducible from history.

Every dashboard card and chart element opens the list of exactly what it counts (followed over HTTP);
a past month's report is the same after every change a user can make; the flow table balances; 逾期 is
judged on the report date; organisations are told apart by code; 本月未报送 starts the month after an item
is entered.
"""

import datetime
import html
import json
import re

from django.core.cache import cache
from django.utils import timezone

from kernel.dates import add_months, month_start
from orgs import services as org_services
from rectification import figures, notices, services
from rectification.figures import Period, month_figures
from rectification.models import Problem, ProblemCategory, ProgressUpdate, RectificationItem
from rectification.reports import monthly_content
from tests.factories import OrganizationFactory
from tests.rectification.helpers import current_ledger, item_of, moved_to, walk
from tests.scoring.helpers import published_for

Status = RectificationItem.Status
TODAY = timezone.localdate()
LAST_MONTH = add_months(month_start(TODAY), -1)


def list_count(client, url):
    page = client.get(html.unescape(url)).content.decode()
    return int(re.search(r'id="(?:ledger|result)-count" data-count="(\d+)"', page).group(1))


def test_every_dashboard_card_and_chart_element_opens_exactly_its_list(world, login):
    current_ledger(world)
    published_for(world)
    client = login(world.users["leader"])
    page = client.get("/").content.decode()
    cards = re.findall(r'data-figure="(\w+)" href="([^"]+)"><div class="border rounded p-2 figure-card">'
                       r'<div class="value">(\d+)</div>', page)
    cards += re.findall(r'data-figure="(done)" href="([^"]+)">已销号 (\d+)</a>', page)
    cards += re.findall(r'data-figure="(total)" href="([^"]+)">共 (\d+)</a>', page)
    assert {name for name, _url, _n in cards} == {"open", "overdue", "closed", "missing_report", "done", "total"}
    shown = {name: int(n) for name, _url, n in cards}
    raised_by_the_assessment = RectificationItem.objects.filter(problem__source=Problem.Source.ASSESSMENT).count()
    assert shown == {"open": 3 + raised_by_the_assessment, "overdue": 1, "closed": 1, "missing_report": 1,
                     "done": 2, "total": 5 + raised_by_the_assessment}
    for name, url, number in cards:
        assert list_count(client, url) == int(number), name
    data = json.loads(re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', page,
                                re.S).group(1))
    for values, urls in ((data["open"], data["open_urls"]), (data["overdue"], data["overdue_urls"])):
        for value, url in zip(values, urls, strict=True):
            assert list_count(client, url) == value, url
    units = figures.by_unit(world.county, Period.current())
    assert [list_count(client, url) for url in data["unit_urls"]] == [row["total"] for row in units]
    assert "org=" + world.town_a.code in data["unit_urls"][0]
    current = Period.current()
    for row in figures.by_category(world.county, current):
        url = f"/rectification/?figure=total&org={world.county.code}&month={current.key}&category={row['category']}"
        assert list_count(client, url) == row["total"], row["name"]
    for grade in data["grades"]:
        assert list_count(client, grade["url"]) == grade["value"], grade
    for url in data["ranked_urls"]:
        assert list_count(client, url) == 1


def october_ledger(world):
    """Items raised in September and October with their moves; returns them by name."""
    staff, secretary = world.users["staff"], world.users["secretary"]
    categories = list(ProblemCategory.objects.all()[:2])
    items = {}
    for name, org, deadline in (("due_oct", world.branch, datetime.date(2026, 10, 15)),
                                ("due_dec", world.branch, datetime.date(2026, 12, 31)),
                                ("closed", world.branch, datetime.date(2026, 10, 31)),
                                ("sibling", world.sibling, datetime.date(2026, 10, 20))):
        items[name] = item_of(org, deadline=deadline, category=categories[0], description=name)
    walk(items["closed"], "start", "submit", "accept", staff=staff, secretary=secretary)
    for name, day in (("due_oct", datetime.date(2026, 9, 3)), ("due_dec", datetime.date(2026, 9, 10)),
                      ("closed", datetime.date(2026, 10, 5)), ("sibling", datetime.date(2026, 10, 8))):
        moved_to(items[name], day)
    return items, categories


def test_a_past_months_report_is_identical_after_every_change_a_user_can_make(world):
    items, categories = october_ledger(world)
    staff, secretary = world.users["staff"], world.users["secretary"]
    october = Period(datetime.date(2026, 10, 1))
    before = monthly_content(world.county, october)
    assert (before["current"].total, before["current"].open, before["current"].overdue) == (4, 3, 2)
    # the deadline: an extension granted, and staff setting another
    extension = services.request_extension(secretary, items["due_oct"], proposed_deadline=datetime.date(2027, 3, 1),
                                           reason="换届")
    services.decide_extension(staff, extension, approve=True)
    due_dec = RectificationItem.objects.get(pk=items["due_dec"].pk)
    services.update_plan(staff, due_dec, expected_version=due_dec.version,
                         **{**{f: getattr(due_dec, f) for f in services.PLAN_FIELDS},
                            "deadline": datetime.date(2026, 10, 1)})
    # the category, and a move to another township
    services.correct_problem(staff, RectificationItem.objects.get(pk=items["sibling"].pk), org=world.far_branch,
                             category=categories[1], reason="问题属于南湖村")
    # reopened after a failed 回头看, archived, supervised, and the tree itself changed
    services.record_follow_up(staff, RectificationItem.objects.get(pk=items["closed"].pk), passed=False,
                              note="问题反弹")
    services.archive_problems(world.users["admin"], Problem.objects.filter(pk=items["due_dec"].problem_id))
    notices.issue_supervision(staff, world.branch, [items["due_oct"]], requirement="限期整改",
                              reply_by=TODAY + datetime.timedelta(days=9))
    org_services.save_organization(user=world.users["admin"], org=world.sibling, parent=world.town_b)
    assert RectificationItem.objects.get(pk=items["due_oct"].pk).deadline == datetime.date(2027, 3, 1)
    assert RectificationItem.objects.get(pk=items["sibling"].pk).problem.org == world.far_branch
    cache.clear()  # rebuilt from the log, not read back from the cache of past months
    after = monthly_content(world.county, october)
    assert after == before
    assert month_figures(world.county, october.previous) == before["previous"]


def test_a_month_report_s_units_are_that_month_s_and_add_up_to_its_total(world):
    october_ledger(world)
    october = Period(datetime.date(2026, 10, 1))
    for month in (october, october.previous, Period.current()):
        content = monthly_content(world.county, month)
        assert content["by_unit"] == figures.by_unit(world.county, month), month.key
        assert sum(row["total"] for row in content["by_unit"]) == content["current"].total, month.key
    assert monthly_content(world.county, october)["current"].total == 4


def test_a_past_month_is_counted_once_and_again_only_when_its_past_is_written(world, django_assert_num_queries):
    october_ledger(world)
    october = Period(datetime.date(2026, 10, 1))
    counted = month_figures(world.county, october)
    with django_assert_num_queries(1):  # the generation the database moves with every write to the past
        assert month_figures(world.county, october) == counted
    services.perform(world.users["secretary"], item_of(world.branch), "start")  # today's work: October stays
    assert month_figures(world.county, october) == counted
    moved_to(item_of(world.branch, description="十月补录"), datetime.date(2026, 10, 20))
    assert month_figures(world.county, october).total == counted.total + 1
    withheld = services.raise_problems(
        [{"org_id": world.branch.pk, "origin": world.branch, "description": "考核等次偏低", "category": None}],
        source=Problem.Source.ASSESSMENT, raised_by=None, found_on=datetime.date(2026, 10, 25),
        withheld_for=world.county)
    problem = Problem.objects.get(withheld_for=world.county)
    moved_to(problem.item, datetime.date(2026, 10, 25))
    assert withheld == 1 and month_figures(world.county, october).total == counted.total + 1
    services.release_problems(Problem.objects.filter(pk=problem.pk), actor=world.users["staff"],
                              deadline=datetime.date(2027, 1, 31), comment="考核结果发布")
    assert month_figures(world.county, october).total == counted.total + 2
    # a bulk write of a report for October (no model code runs) moves the generation too
    silent = figures.missing_report(world.county, october).first()
    ProgressUpdate.objects.bulk_create([ProgressUpdate(item_id=silent.item_id, month=october.month, text="补报",
                                                       percent=10, author=world.users["secretary"])])
    assert month_figures(world.county, october).missing_report == counted.missing_report - 1


def test_the_flow_table_balances_every_month_with_a_row_for_reopened_items(world):
    items, _categories = october_ledger(world)
    staff = world.users["staff"]
    services.record_follow_up(staff, RectificationItem.objects.get(pk=items["closed"].pk), passed=False,
                              note="问题反弹")
    now = Period.current()
    for back in range(4):
        month = Period(add_months(now.month, -back), now.today)
        result = month_figures(world.county, month)
        assert result.balances, month.key
        assert result.opening == month_figures(world.county, month.previous).open
    current = month_figures(world.county, now)
    assert current.flows["reopened"] == 1
    rows = {str(name): count for name, _sign, count, _key in current.flow_rows()}
    assert rows["重新整改(回头看未通过、回潮)"] == 1


def test_overdue_means_past_the_deadline_on_the_report_date(world):
    yesterday, tomorrow = TODAY - datetime.timedelta(days=1), TODAY + datetime.timedelta(days=1)
    late = item_of(world.branch, deadline=yesterday)
    item_of(world.branch, deadline=TODAY)
    later = item_of(world.branch, deadline=tomorrow)
    overdue = set(figures.overdue(world.county, Period.current()).values_list("item_id", flat=True))
    assert late.pk in overdue and later.pk not in overdue and len(overdue) == 1


def test_organisations_of_the_same_name_are_listed_apart_by_code(world):
    first = OrganizationFactory(parent=world.town_a, name="镇机关党支部")
    second = OrganizationFactory(parent=world.town_b, name="镇机关党支部")
    for org in (first, second):
        moved_to(item_of(org), LAST_MONTH)
    rows = figures.missing_by_org(world.county, Period.current(), 10)
    assert sorted(rows) == sorted([(first.code, "镇机关党支部", 1), (second.code, "镇机关党支部", 1)])


def test_missing_updates_start_the_month_after_an_item_is_entered(world):
    entered_now = item_of(world.branch, found_on=datetime.date(2025, 3, 1))  # dated last year, entered today
    entered_before = item_of(world.branch)
    moved_to(entered_before, LAST_MONTH)
    missing = set(figures.missing_report(world.county, Period.current()).values_list("item_id", flat=True))
    assert missing == {entered_before.pk} and entered_now.pk not in missing


def test_the_admin_cannot_move_a_progress_update_to_another_month_or_item(world, client):
    item, other = item_of(world.branch), item_of(world.sibling)
    update = services.add_progress(world.users["secretary"], item, text="已完成一半", percent=50, files=[])
    client.force_login(world.users["admin"])
    url = f"/admin/rectification/progressupdate/{update.pk}/change/"
    response = client.post(url, {
        "item": other.pk, "month": "2026-01-01", "text": "已全部完成", "percent": 100,
        "author": world.users["secretary"].pk, "created_at_0": "2026-11-01", "created_at_1": "09:00:00"})
    assert response.status_code == 302, response.content.decode()[:2000]
    update.refresh_from_db()
    assert (update.text, update.item_id, update.month) == ("已全部完成", item.pk, month_start(TODAY))
