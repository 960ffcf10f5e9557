import io

from openpyxl import Workbook

from scoring.excel import COLUMNS, IMPORT
from scoring.models import Scheme


def workbook(rows):
    book = Workbook()
    book.active.append([c.header for c in COLUMNS])
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "细则.xlsx"
    return buffer


SETTINGS = {"name": "社区党组织考核细则", "year": 2027, "grading": "four_grades", "bonus_cap": 5,
            "overdue_deduction": 1}


def test_a_valid_sheet_becomes_a_new_scheme_version(world, login):
    client = login(world.users["staff"])
    rows = [["1.1", "1", "三会一课", "计分", 10, "查记录"], ["1", None, "组织生活", "维度", 10, None],
            ["E1", None, "获省级表彰", "加分", 3, None]]
    response = client.post("/scoring/schemes/import/", {**SETTINGS, "file": workbook(rows)})
    assert "将导入“社区党组织考核细则”(2027年)共 3 项指标" in response.content.decode()
    client.post("/scoring/schemes/import/confirm/", {"token": response.context["token"]})
    scheme = Scheme.objects.get(name="社区党组织考核细则")
    assert scheme.version == 1 and scheme.bonus_cap == 5
    assert scheme.indicators.get(code="1.1").parent.code == "1"
    response = client.post("/scoring/schemes/import/", {**SETTINGS, "file": workbook(rows)})
    client.post("/scoring/schemes/import/confirm/", {"token": response.context["token"]})
    assert list(Scheme.objects.filter(name="社区党组织考核细则").values_list("version", flat=True)) == [2, 1]


def test_a_bad_sheet_names_its_rows_and_imports_nothing(world, login):
    rows = [["1", None, "组织生活", "维度", 10, None], ["1.1", "9", "三会一课", "计分", 10, None],
            ["1.2", "1", "主题党日", "打分", None, None], ["1", None, "重复", "维度", 5, None],
            ["1.3", "1", "党费", "计分", None, None]]
    response = login(world.users["staff"]).post("/scoring/schemes/import/", {**SETTINGS, "file": workbook(rows)})
    errors = {(e.row, e.column) for e in response.context["plan"].errors}
    assert errors == {(3, "上级编号"), (4, "类型"), (5, "编号"), (6, "分值")}
    assert not Scheme.objects.filter(name="社区党组织考核细则").exists()


def test_points_are_checked_against_their_dimension_and_their_rounding(world):
    rows = [["1", None, "组织生活", "维度", 10, None], ["1.1", "1", "三会一课", "计分", 6, None],
            ["1.2", "1", "主题党日", "计分", 5, None], ["E1", None, "表彰", "加分", 0.04, None],
            ["E2", None, "否决", "一票否决", -1, None], ["2", None, "不设分值的维度", "维度", None, None],
            ["2.1", "2", "党费", "计分", 3, None]]
    plan = IMPORT.plan(world.users["staff"], workbook(rows), **SETTINGS)
    errors = {(e.row, e.column): e.message for e in plan.errors}
    assert errors == {(2, "分值"): "下属指标合计 11.0 分，超过本维度的 10.0 分。",
                      (5, "分值"): "计分、加分、扣分和一票否决指标必须填写大于 0 的分值(保留一位小数后)。",
                      (6, "分值"): "分值不能为负数。"}


def test_values_beyond_the_database_columns_are_refused_at_preview(world):
    rows = [["1" * 13, None, "指" * 201, "计分", 10000, None]]
    errors = {(e.row, e.column) for e in IMPORT.plan(world.users["staff"], workbook(rows), **SETTINGS).errors}
    assert errors == {(2, "编号"), (2, "指标"), (2, "分值")}


def test_an_exported_scheme_imports_as_its_next_version(world, login):
    scheme = Scheme.objects.filter(name__contains="村(社区)").order_by("-year").first()
    client = login(world.users["staff"])
    response = client.get(f"/scoring/schemes/{scheme.pk}/export/")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    upload = io.BytesIO(response.content)
    upload.name = "细则.xlsx"
    settings = {**SETTINGS, "name": scheme.name, "year": scheme.year}
    response = client.post("/scoring/schemes/import/", {**settings, "file": upload})
    assert "检查通过" in response.content.decode()
    client.post("/scoring/schemes/import/confirm/", {"token": response.context["token"]})
    copy = Scheme.objects.get(name=scheme.name, year=scheme.year, version=scheme.version + 1)

    def tree(s):
        return list(s.indicators.order_by("code").values_list("code", "parent__code", "name", "kind", "max_points"))

    assert tree(copy) == tree(scheme)
