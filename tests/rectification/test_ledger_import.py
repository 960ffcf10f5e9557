"""The ledger import: every database rule checked at preview, re-import of an export updates, bulk confirm."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from rectification import excel
from rectification.models import ItemTransition, Problem, ProblemCategory, RectificationItem
from tests.rectification.helpers import item_of
from tests.rectification.test_pages import workbook

Status = RectificationItem.Status
HEADERS = [c.header for c in excel.COLUMNS]


def row(world, **values):
    """A ledger row in the standard columns, from header → value."""
    record = {"组织编码": world.branch.code, "问题来源": "督查发现", "问题描述": "主题党日未开展", **values}
    return [record.get(header) for header in HEADERS]


def errors_of(world, *rows):
    plan = excel.IMPORT.plan(world.users["staff"], workbook(list(rows)))
    return {(e.row, e.column): e.message for e in plan.errors}


def test_dates_must_be_in_order_and_not_in_the_future(world):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    errors = errors_of(
        world,
        row(world, 发现日期="2026-10-08", 整改时限="2026-10-01"),
        row(world, 发现日期="2026-10-08", 完成情况="已销号", 销号日期="2020-01-01"),
        row(world, 发现日期=tomorrow.isoformat()),
        row(world, 完成情况="已销号", 销号日期=tomorrow.isoformat()),
        row(world, 整改时限="2000-01-01"),  # no found date: it will be today
    )
    assert "早于发现日期 2026-10-08" in errors[(2, "整改时限")]
    assert "早于发现日期 2026-10-08" in errors[(3, "销号日期")]
    assert "不能晚于今天" in errors[(4, "发现日期")] and "不能晚于今天" in errors[(6 - 1, "销号日期")]
    assert "早于发现日期" in errors[(6, "整改时限")]


def test_values_too_long_for_their_column_are_refused_at_preview(world):
    errors = errors_of(
        world,
        row(world, 责任人="张" * 51, 责任单位="单" * 101),
        row(world, 问题描述="问" * 2001, 组织编码="X" * 33),
        row(world, 序号=-1, 整改进展="进" * 4001),
    )
    assert "50" in errors[(2, "责任人")] and "100" in errors[(2, "责任单位")]
    assert "最多 2000 个" in errors[(3, "问题描述")] and "32" in errors[(3, "组织编码")]
    assert "非负整数" in errors[(4, "序号")] and "最多 4000 个" in errors[(4, "整改进展")]
    assert not Problem.objects.exists()


def test_a_preview_that_passes_always_confirms_even_at_every_limit(world, login):
    ProblemCategory.objects.create(dimension=ProblemCategory.objects.first().dimension, name="类" * 60)
    today = timezone.localdate().isoformat()
    rows = [row(world, 问题描述="问" * 2000, 问题类别="类" * 60, 发现日期="2026-01-01", 整改措施="措" * 2000,
                责任单位="单" * 100, 责任人="人" * 50, 整改时限="2026-01-01", 整改类型="长期整改", 整改进展="进" * 4000,
                完成情况="已销号", 销号日期=today, 序号=2**40)]
    client = login(world.users["staff"])
    response = client.post("/rectification/import/", {"file": workbook(rows)})
    assert "检查通过" in response.content.decode()
    response = client.post("/rectification/import/confirm/", {"token": response.context["token"]}, follow=True)
    assert response.status_code == 200 and "导入完成" in response.content.decode()
    item = RectificationItem.objects.get()
    assert (item.status, len(item.problem.description), item.kind) == (Status.CLOSED, 2000, "long_term")


def test_bulk_confirm_logs_like_raising_one_by_one_and_flags_recurrences(world):
    category = ProblemCategory.objects.first()
    item_of(world.branch, category=category, status=Status.CLOSED)
    plan = excel.IMPORT.plan(world.users["staff"], workbook([
        row(world, 问题类别=category.name, 完成情况="整改中", 整改进展="已开会部署"),
        row(world, 组织编码=world.sibling.code, 问题类别=category.name),
    ]))
    excel.IMPORT.apply(world.users["staff"], plan)
    first, second = RectificationItem.objects.filter(problem__raised_by=world.users["staff"]).order_by("id")
    assert first.is_recurrence and not second.is_recurrence
    assert list(first.transitions.values_list("action", "to_status", "comment")) == [
        ("raise", Status.PENDING, ""), ("import", Status.IN_PROGRESS, "已开会部署")]
    assert list(second.transitions.values_list("action", flat=True)) == ["raise"]
    assert first.history.count() == 1 and first.problem.history.count() == 1


def test_confirming_issues_the_same_number_of_queries_for_10_or_100_rows(world):
    def queries_for(count):
        plan = excel.IMPORT.plan(world.users["staff"], workbook(
            [row(world, 问题描述=f"问题{count}-{n}", 完成情况="整改中") for n in range(count)]))
        with CaptureQueriesContext(connection) as captured:
            excel.IMPORT.apply(world.users["staff"], plan)
        return len(captured)

    assert queries_for(10) == queries_for(100)


def export(client):
    return client.get("/rectification/export/").content


def reimport(client, content, edit=None):
    book = load_workbook(io.BytesIO(content))
    if edit:
        edit(book.active)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "台账.xlsx"
    return client.post("/rectification/import/", {"file": buffer})


def test_reimporting_the_ledgers_own_export_updates_instead_of_duplicating(world, login):
    items = [item_of(world.branch, description=f"问题{n}", deadline=datetime.date(2026, 12, 31)) for n in range(3)]
    client = login(world.users["staff"])
    content = export(client)
    unchanged = reimport(client, content)
    assert "将新增 0 条整改事项，更新 0 条，3 条无变化" in unchanged.content.decode()

    def edit(sheet):
        header = [c.value for c in sheet[1]]
        line = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("台账编号")].value == items[1].pk)
        line[header.index("整改措施")].value = "每月开展主题党日"
        line[header.index("整改时限")].value = "2027-03-31"

    response = reimport(client, content, edit)
    assert "将新增 0 条整改事项，更新 1 条，2 条无变化" in response.content.decode()
    client.post("/rectification/import/confirm/", {"token": response.context["token"]})
    assert Problem.objects.count() == 3
    item = RectificationItem.objects.get(pk=items[1].pk)
    assert (item.measures, item.deadline, item.version) == ("每月开展主题党日", datetime.date(2027, 3, 31), 2)
    edit_log = item.transitions.get(action="edit")
    assert "整改时限：2026-12-31 → 2027-03-31" in edit_log.comment and edit_log.actor == world.users["staff"]


def test_reimport_refuses_changes_the_workflow_owns_and_foreign_ids(world, login):
    open_item = item_of(world.branch, description="开着的")
    closed = item_of(world.branch, description="已销号的", status=Status.CLOSED)
    foreign = item_of(world.foreign_branch, description="外县的")
    errors = errors_of(
        world,
        row(world, 台账编号=open_item.pk, 问题描述="开着的", 完成情况="已销号", 销号日期="2026-01-20"),
        row(world, 台账编号=closed.pk, 问题描述="已销号的", 完成情况="已销号", 销号日期="2026-01-15",
            整改措施="新措施"),
        row(world, 台账编号=foreign.pk, 问题描述="外县的"),
        row(world, 台账编号=open_item.pk, 问题描述="改了描述"),
    )
    assert "台账中为“待整改”" in errors[(2, "完成情况")]
    assert "已销号的事项不能修改整改方案" in errors[(3, "整改措施")]
    assert "不存在或不在您的管理范围内" in errors[(4, "台账编号")]
    assert "与第2行重复" in errors[(5, "台账编号")]
    assert not ItemTransition.objects.filter(action="edit").exists()


@pytest.mark.parametrize("header", ["整改期限（日期）", "整改期限", "完成时限"])
def test_the_deadline_is_read_under_its_other_names(world, header):
    book = workbook([])
    sheet = load_workbook(book).active
    sheet.cell(1, HEADERS.index("整改时限") + 1, header)
    sheet.append(row(world, 整改时限="2026-12-31"))
    buffer = io.BytesIO()
    sheet.parent.save(buffer)
    buffer.seek(0)
    plan = excel.IMPORT.plan(world.users["staff"], buffer)
    assert plan.is_valid and plan.rows[0][1]["deadline"] == datetime.date(2026, 12, 31)


def test_an_id_beyond_the_database_range_is_a_row_error_not_a_crash(world):
    errors = errors_of(world, row(world, 台账编号=2**70))
    assert "小于或等于" in errors[(2, "台账编号")]


def test_the_form_and_the_import_share_each_fields_limit(world, login):
    """A 整改措施 the item page saves re-imports; one longer than the field's limit is refused by both."""
    staff = world.users["staff"]
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    page = login(staff).post("/rectification/problems/new/", {
        "org_code": world.branch.code, "severity": "general", "description": "问题", "found_on": tomorrow,
        "measures": "措" * 4001, "kind": "deadline"}).content.decode()
    assert "不能晚于今天" in page and "4000" in page and not Problem.objects.exists()
    errors = errors_of(world, row(world, 整改措施="措" * 4001, 发现日期=tomorrow), row(world, 整改措施="措" * 2522))
    assert set(errors) == {(2, "整改措施"), (2, "发现日期")}
    assert "不能晚于今天" in errors[(2, "发现日期")] and "4000" in errors[(2, "整改措施")]
