import io

import pytest
from openpyxl import Workbook, load_workbook

from kernel import xlsx
from orgs import excel
from orgs.models import Organization, OrgStatistics
from tests.factories import OrgStatisticsFactory

HEADERS = ["组织编码", "组织名称", "上级组织编码", "层级", "类型", "领域"]


def workbook(rows, headers=HEADERS):
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "orgs.xlsx"
    return buffer


def upload(client, buffer):
    return client.post("/orgs/import/", {"file": buffer})


def test_export_then_reimport_of_the_same_sheet_changes_nothing(world, login):
    OrgStatisticsFactory(org=world.branch)
    client = login(world.users["staff"])
    response = client.get("/orgs/export/?year=2026")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == tuple(HEADERS)
    assert {r[1] for r in rows[1:]} == {o.name for o in Organization.objects.visible_to(world.users["staff"])}
    branch_row = next(r for r in rows if r[1] == "东山村党支部")
    assert branch_row[2] == world.town_a.code and branch_row[4] == "党支部"
    before = {(o.code, o.name, o.path) for o in Organization.objects.all()}
    plan = excel.IMPORT.plan(world.users["staff"], io.BytesIO(response.content))
    assert plan.is_valid, plan.errors
    assert (len(plan.creates), len(plan.updates), plan.unchanged, plan.facts["statistics"]) == (0, 0, 6, 0)
    excel.IMPORT.apply(world.users["staff"], plan)
    assert {(o.code, o.name, o.path) for o in Organization.objects.all()} == before


def test_export_contains_only_the_users_scope(world, login):
    response = login(world.users["secretary"]).get("/orgs/export/")
    names = [r[1] for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True)]
    assert names == ["东山村党支部"]


def test_import_creates_new_children_in_file_order_and_moves_by_code(world, login):
    client = login(world.users["staff"])
    rows = [
        ["N2", "新建村第一党小组", "N1", "党小组", "党小组", "农村"],
        ["N1", "新建村党支部", world.town_b.code, "村", "党支部", "农村"],
        [world.branch.code, "东山村党支部(更名)", world.town_b.code, "村", "党支部", "农村"],
    ]
    response = upload(client, workbook(rows))
    assert "检查通过：将新增 2 个组织，更新 1 个组织" in response.content.decode()
    response = client.post("/orgs/import/confirm/", {"token": response.context["token"]}, follow=True)
    assert "导入完成" in response.content.decode()
    group = Organization.objects.get(code="N2")
    assert Organization.objects.get_parent(group).code == "N1"
    moved = Organization.objects.get(pk=world.branch.pk)
    assert moved.name == "东山村党支部(更名)"
    assert moved.path.startswith(world.town_b.path)


@pytest.mark.smoke
def test_a_malformed_sheet_names_every_bad_row_and_imports_nothing(world, login):
    client = login(world.users["staff"])
    rows = [
        ["A1", "好的村党支部", world.town_a.code, "村", "党支部", "农村"],
        ["A2", "", world.town_a.code, "村", "党支部", "农村"],
        ["A3", "错层级", world.town_a.code, "镇村", "党支部", "农村"],
        ["A1", "重复编码", world.town_a.code, "村", "党支部", "农村"],
        ["A4", "越权组织", world.foreign_county.code, "村", "党支部", "农村"],
        ["A5", "无上级", None, "村", "党支部", "农村"],
    ]
    count = Organization.objects.count()
    response = upload(client, workbook(rows))
    errors = {(e.row, e.column): e.message for e in response.context["plan"].errors}
    assert errors[(3, "组织名称")] == "不能为空。"
    assert "“镇村”不是可选值" in errors[(4, "层级")]
    assert errors[(5, "组织编码")] == "与第2行重复。"
    assert "不存在或不在您的管理范围内" in errors[(6, "上级组织编码")]
    assert "只有系统管理员可以导入顶级组织" in errors[(7, "上级组织编码")]
    assert (2, "组织名称") not in errors
    assert "未导入任何数据" in response.content.decode()
    assert "token" not in response.context
    assert Organization.objects.count() == count


def test_statistics_columns_are_checked_with_the_model_rules(world):
    headers = HEADERS + ["统计年度", "正式党员", "预备党员", "35岁及以下", "下次换届日期"]
    rows = [
        [world.branch.code, "东山村党支部", world.town_a.code, "村", "党支部", "农村", 2026, 10, 0, 3, "2027年3月1日"],
        [world.sibling.code, "西山村党支部", world.town_a.code, "村", "党支部", "农村", None, 5, 0, 5, None],
        [world.far_branch.code, "南湖村党支部", world.town_b.code, "村", "党支部", "农村", 2026, "十", 0, 0, "明年"],
    ]
    plan = excel.IMPORT.plan(world.users["staff"], workbook(rows, headers))
    errors = {(e.row, e.column) for e in plan.errors}
    assert (2, "35岁及以下") in errors  # the age bands must add up to the members
    assert (3, "统计年度") in errors
    assert (4, "正式党员") in errors and (4, "下次换届日期") in errors
    assert not OrgStatistics.objects.exists()


def test_moving_an_organisation_under_its_own_child_is_refused(world):
    rows = [[world.town_a.code, "中共甲镇委员会", world.branch.code, "乡镇", "党委", "综合(地方党委)"]]
    plan = excel.IMPORT.plan(world.users["staff"], workbook(rows))
    assert [e.message for e in plan.errors] == ["不能把组织移动到它自己的下级组织之下。"]


def test_a_cycle_inside_the_file_is_refused(world):
    rows = [["C1", "甲", "C2", "村", "党支部", "农村"], ["C2", "乙", "C1", "村", "党支部", "农村"]]
    plan = excel.IMPORT.plan(world.users["admin"], workbook(rows))
    assert {e.message for e in plan.errors} == {"上下级关系形成了循环。"}


def test_codes_of_other_scopes_cannot_be_overwritten(world):
    rows = [[world.foreign_branch.code, "改名", world.town_a.code, "村", "党支部", "农村"]]
    plan = excel.IMPORT.plan(world.users["staff"], workbook(rows))
    assert "该编码已被您管理范围以外的组织使用。" in [e.message for e in plan.errors]


@pytest.mark.smoke
def test_a_file_that_is_not_a_workbook_gets_a_chinese_error(world, login):
    client = login(world.users["staff"])
    fake = io.BytesIO(b"not a zip file")
    fake.name = "orgs.xlsx"
    response = upload(client, fake)
    assert "不是有效的 Excel" in response.content.decode()
    wrong_type = io.BytesIO(b"a,b")
    wrong_type.name = "orgs.csv"
    assert "只接受 .xlsx" in upload(client, wrong_type).content.decode()


def test_missing_required_columns_and_unknown_headers_are_named(world):
    with pytest.raises(xlsx.SheetError) as error:
        excel.IMPORT.plan(world.users["staff"], workbook([["X", "Y"]], headers=["组织编码", "名字"]))
    assert "不认识的列“名字”(B列)" in str(error.value)
    assert "缺少必需的列：组织名称、层级、类型、领域" in str(error.value)
    assert "组织名称(也可写作：名称、党组织名称)" in str(error.value)


def test_a_tampered_or_foreign_confirmation_token_imports_nothing(world, login):
    client = login(world.users["staff"])
    response = upload(client, workbook([["T1", "新村党支部", world.town_a.code, "村", "党支部", "农村"]]))
    token = response.context["token"]
    other = login(world.users["admin"])
    response = other.post("/orgs/import/confirm/", {"token": token}, follow=True)
    assert "导入确认已失效" in response.content.decode()
    response = other.post("/orgs/import/confirm/", {"token": token + "x"}, follow=True)
    assert "导入确认已失效" in response.content.decode()
    assert not Organization.objects.filter(code="T1").exists()


@pytest.mark.parametrize("raw, expected", [
    ("2026-10-31", "2026-10-31"), ("2026年10月31日", "2026-10-31"), ("2026/1/5", "2026-01-05"),
])
def test_dates_are_read_as_text_in_common_chinese_forms(raw, expected):
    assert xlsx.date(raw).isoformat() == expected


@pytest.mark.parametrize("raw", ["2026-02-30", "明年", "31/10/2026"])
def test_impossible_dates_are_refused_in_chinese(raw):
    with pytest.raises(ValueError, match="不是有效日期"):
        xlsx.date(raw)


TOO_DEEP = f"组织层级过深：导入后超过 {excel.MAX_DEPTH} 级。"


def chain(top_code, length, prefix="D"):
    """Rows of a chain of ``length`` organisations under ``top_code``, deepest first."""
    rows = [[f"{prefix}{n}", f"第{n}级", f"{prefix}{n - 1}" if n > 1 else top_code, "村", "党支部", "农村"]
            for n in range(1, length + 1)]
    return rows[::-1]


@pytest.mark.parametrize("order", [list, reversed])
def test_a_chain_too_deep_is_refused_at_preview_in_any_row_order(world, order):
    depth = world.branch.depth
    rows = list(order(chain(world.branch.code, excel.MAX_DEPTH - depth + 1)))
    plan = excel.IMPORT.plan(world.users["staff"], workbook(rows))
    assert {(e.column, e.message) for e in plan.errors} == {("上级组织编码", TOO_DEEP)}
    assert len(plan.errors) == 1  # only the deepest


def test_a_long_chain_listed_deepest_first_is_written_parents_first(world, login):
    client = login(world.users["staff"])
    rows = chain(world.branch.code, excel.MAX_DEPTH - world.branch.depth)
    response = upload(client, workbook(rows))
    assert response.context["plan"].is_valid
    client.post("/orgs/import/confirm/", {"token": response.context["token"]})
    assert Organization.objects.get(code=rows[0][0]).depth == excel.MAX_DEPTH


def test_moving_an_organisation_counts_the_levels_below_it(world):
    deep = Organization.objects.filter(path__startswith=world.town_a.path).order_by("-depth").first()
    room = excel.MAX_DEPTH - deep.depth
    rows = chain(world.county.code, room + 1)
    rows.append([world.town_a.code, world.town_a.name, rows[0][0], "乡镇", "党委", "综合(地方党委)"])
    plan = excel.IMPORT.plan(world.users["admin"], workbook(rows))
    assert [(e.row, e.message) for e in plan.errors] == [(len(rows) + 1, TOO_DEEP)]


def test_a_cycle_through_the_existing_tree_is_refused_in_any_order(world):
    rows = [["N1", "新组织", world.branch.code, "村", "党支部", "农村"],
            [world.town_a.code, "中共甲镇委员会", "N1", "乡镇", "党委", "综合(地方党委)"]]
    for ordered in (rows, rows[::-1]):
        plan = excel.IMPORT.plan(world.users["staff"], workbook(ordered))
        assert "上下级关系形成了循环。" in {e.message for e in plan.errors}


def test_a_money_column_is_stored_in_the_unit_its_header_states(world):
    headers = [*HEADERS, "统计年度", "村集体经济收入(元)"]
    row = [world.branch.code, world.branch.name, world.town_a.code, "村", "党支部", "农村", 2026]
    plan = excel.IMPORT.plan(world.users["staff"], workbook([[*row, 125000]], headers))
    assert plan.is_valid and plan.rows[0][1]["collective_income"] == 12.5
    assert "按元填写，换算为万元保存" in "".join(plan.notes)
    plan = excel.IMPORT.plan(world.users["staff"], workbook([[*row, 125000.5]], headers))
    assert "超出了可保存的精度" in plan.errors[0].message
    in_wan = [*HEADERS, "统计年度", "村集体经济收入(万元)"]
    plan = excel.IMPORT.plan(world.users["staff"], workbook([[*row, 12.5]], in_wan))
    assert plan.is_valid and plan.rows[0][1]["collective_income"] == 12.5 and not plan.notes
