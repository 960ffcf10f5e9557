import io

from openpyxl import Workbook

from scoring.excel import COLUMNS
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
