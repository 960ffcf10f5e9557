import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from rectification import excel
from rectification.models import Evidence, Problem, ProgressUpdate, RectificationItem
from tests.rectification.helpers import PNG, item_of, photo

Status = RectificationItem.Status


def test_secretary_home_lists_own_items_due_first(world, login):
    item_of(world.branch, description="本支部的问题", deadline=datetime.date(2020, 1, 1))
    item_of(world.sibling, description="邻村的问题")
    html = login(world.users["secretary"]).get("/").content.decode()
    assert "我的整改台账" in html and "本支部的问题" in html and "逾期" in html
    assert "邻村的问题" not in html


def test_secretary_posts_monthly_progress_with_a_photo_and_asks_for_sign_off(world, login):
    item = item_of(world.branch, status=Status.IN_PROGRESS)
    client = login(world.users["secretary"])
    response = client.post(f"/rectification/items/{item.pk}/progress/",
                           {"text": "已补齐会议记录", "percent": 80, "files": [photo()]})
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.update.item == item and evidence.original_name == "现场照片.png"
    assert client.get(f"/rectification/evidence/{evidence.pk}/").getvalue() == PNG
    client.post(f"/rectification/items/{item.pk}/do/submit/", {"version": item.version, "comment": "请验收"})
    assert RectificationItem.objects.get(pk=item.pk).status == Status.SUBMITTED
    html = client.get(f"/rectification/items/{item.pk}/").content.decode()
    assert "报送" in html and "已补齐会议记录" in html and "申请销号" in html and "请验收" in html


@pytest.mark.parametrize("upload, message", [
    (SimpleUploadedFile("病毒.exe", b"MZ...."), "不支持“.exe”文件"),
    (SimpleUploadedFile("假照片.jpg", b"not an image at all"), "内容与扩展名不符"),
    (SimpleUploadedFile("大文件.pdf", b"%PDF" + b"0" * (10 * 1024 * 1024)), "超过 10 MB"),
])
def test_bad_evidence_is_refused_in_chinese_and_nothing_is_saved(world, login, upload, message):
    item = item_of(world.branch, status=Status.IN_PROGRESS)
    response = login(world.users["secretary"]).post(
        f"/rectification/items/{item.pk}/progress/", {"text": "进展", "percent": 50, "files": [photo(), upload]})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ProgressUpdate.objects.exists() and not Evidence.objects.exists()


def test_another_branch_secretary_gets_404_on_item_evidence_and_export(world, login):
    item = item_of(world.branch, description="东山村的问题", status=Status.IN_PROGRESS)
    login(world.users["secretary"]).post(f"/rectification/items/{item.pk}/progress/",
                                         {"text": "进展", "percent": 50, "files": [photo()]})
    neighbour = world.user_with("secretary", world.sibling, recursive=False)
    client = login(neighbour)
    assert client.get(f"/rectification/items/{item.pk}/").status_code == 404
    assert client.get(f"/rectification/evidence/{Evidence.objects.get().pk}/").status_code == 404
    export = load_workbook(io.BytesIO(client.get("/rectification/export/").content)).active
    assert [row[5] for row in export.iter_rows(min_row=2, values_only=True)] == []


def test_staff_accepts_and_the_timeline_shows_every_step(world, login):
    item = item_of(world.branch, status=Status.SUBMITTED)
    client = login(world.users["staff"])
    client.post(f"/rectification/items/{item.pk}/do/accept/", {"version": item.version, "comment": "验收合格"})
    item.refresh_from_db()
    assert item.status == Status.CLOSED
    html = client.get(f"/rectification/items/{item.pk}/").content.decode()
    assert "验收销号" in html and "验收合格" in html and "回头看" in html


def test_a_concurrent_plan_edit_shows_a_conflict_message(world, login):
    item = item_of(world.branch)
    form = {"version": 1, "measures": "甲的方案", "kind": "deadline", "deadline": "2030-01-01"}
    login(world.users["staff"]).post(f"/rectification/items/{item.pk}/plan/", form)
    response = login(world.users["secretary"]).post(f"/rectification/items/{item.pk}/plan/",
                                                    {**form, "measures": "乙的方案"})
    assert "刚刚被其他人修改过" in response.content.decode()
    assert RectificationItem.objects.get(pk=item.pk).measures == "甲的方案"


def test_ledger_filters_and_sorting(world, login):
    item_of(world.branch, description="逾期的问题", deadline=datetime.date(2020, 1, 1), status=Status.IN_PROGRESS)
    item_of(world.far_branch, description="按期的问题", deadline=datetime.date(2099, 1, 1))
    client = login(world.users["staff"])
    html = client.get("/rectification/", {"overdue": "true"}).content.decode()
    assert "逾期的问题" in html and "按期的问题" not in html
    html = client.get("/rectification/", {"org": world.town_b.code}).content.decode()
    assert "按期的问题" in html and "逾期的问题" not in html
    page = client.get("/rectification/", {"sort": "-deadline"}).context["page"]
    assert [i.problem.description for i in page] == ["按期的问题", "逾期的问题"]


def test_ledger_page_query_count_does_not_grow_with_data(world, login):
    client = login(world.users["staff"])
    item_of(world.branch)
    with CaptureQueriesContext(connection) as small:
        client.get("/rectification/")
    for i in range(60):
        item_of(world.far_branch if i % 2 else world.sibling, description=f"问题{i}")
    with CaptureQueriesContext(connection) as large:
        client.get("/rectification/")
    assert len(large) == len(small) <= 12


def workbook(rows):
    book = Workbook()
    sheet = book.active
    sheet.append([column.header for column in excel.COLUMNS])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "ledger.xlsx"
    return buffer


def test_ledger_import_all_or_nothing_with_row_errors(world, login):
    client = login(world.users["staff"])
    good = [1, world.branch.code, "", "督查发现", "主题党日未开展", "未开展主题党日", "2026年10月8日", "每月开展",
            "", "张书记", "2026-12-31", "限期整改", "", "整改中", None]
    rows = [good,
            [2, world.foreign_branch.code, "", "督查发现", "", "越权", None, "", "", "", None, "", "", "", None],
            [3, world.branch.code, "", "路边发现", "不存在的类别", "", "2026-13-01", "", "", "", None, "", "", "已销号",
             None]]
    response = client.post("/rectification/import/", {"file": workbook(rows)})
    errors = {(e.row, e.column) for e in response.context["plan"].errors}
    assert errors == {(3, "组织编码"), (4, "问题来源"), (4, "问题类别"), (4, "问题描述"), (4, "发现日期"),
                      (4, "销号日期")}
    assert not Problem.objects.exists()
    response = client.post("/rectification/import/", {"file": workbook([good])})
    client.post("/rectification/import/confirm/", {"token": response.context["token"]})
    item = RectificationItem.objects.get()
    assert (item.status, item.responsible_person, item.problem.found_on) == (
        Status.IN_PROGRESS, "张书记", datetime.date(2026, 10, 8))
    assert item.problem.category.name == "主题党日未开展"


def test_export_uses_the_standard_columns(world, login):
    item_of(world.branch, description="党费收缴不规范", status=Status.CLOSED, responsible_person="王五")
    sheet = load_workbook(io.BytesIO(login(world.users["leader"]).get("/rectification/export/").content)).active
    header, row = list(sheet.iter_rows(max_row=2, values_only=True))
    assert header[:2] == ("序号", "组织编码") and "整改时限" in header and "销号日期" in header
    record = dict(zip(header, row, strict=True))
    assert record["问题描述"] == "党费收缴不规范" and record["完成情况"] == "已销号" and record["责任人"] == "王五"


def test_plan_changes_show_before_and_after_on_the_timeline(world, login):
    item = item_of(world.branch, deadline=datetime.date(2026, 12, 31))
    client = login(world.users["staff"])
    client.post(f"/rectification/items/{item.pk}/plan/", {"version": 1, "measures": "建立记录本", "kind": "long_term",
                                                           "deadline": "2027-03-31", "responsible_person": "刘书记"})
    html = client.get(f"/rectification/items/{item.pk}/").content.decode()
    assert "整改时限：2026-12-31 → 2027-03-31" in html
    assert "整改类型：限期整改 → 长期整改" in html and "责任人：(空) → 刘书记" in html


def test_long_term_items_get_milestones(world, login):
    item = item_of(world.branch, kind=RectificationItem.Kind.LONG_TERM)
    client = login(world.users["secretary"])
    client.post(f"/rectification/items/{item.pk}/milestones/", {"title": "完成活动室改造", "due": "2027-06-30"})
    milestone = item.milestones.get()
    client.post(f"/rectification/milestones/{milestone.pk}/done/")
    milestone.refresh_from_db()
    assert milestone.done_on == datetime.date.today()
    html = client.get(f"/rectification/items/{item.pk}/").content.decode()
    assert "完成阶段目标：完成活动室改造" in html
    short = item_of(world.branch)
    response = client.post(f"/rectification/items/{short.pk}/milestones/", {"title": "x", "due": "2027-06-30"},
                           follow=True)
    assert "只有长期整改事项需要设置阶段目标" in response.content.decode()


def test_archived_problems_leave_the_ledger_but_are_not_deleted(world, login):
    item = item_of(world.branch, description="已归档的问题")
    Problem.objects.filter(pk=item.problem_id).update(archived=True)
    client = login(world.users["staff"])
    assert "已归档的问题" not in client.get("/rectification/").content.decode()
    assert client.get(f"/rectification/items/{item.pk}/").status_code == 404
    assert Problem.objects.filter(pk=item.problem_id).exists()
