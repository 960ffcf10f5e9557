"""Hostile workbooks over HTTP: a Chinese error, quickly, and nothing written."""

import io
import time

import pytest
from openpyxl.xml import functions as xml_functions

from kernel import xlsx
from kernel.checks import openpyxl_parses_with_defusedxml
from kernel.models import PendingImport
from rectification.excel import COLUMNS
from rectification.models import Problem

from . import hostile

#: refusals take well under a second on an idle machine; the bound leaves room for a loaded 2-core CI box
QUICK_SECONDS = 8


def post(client, data, name="台账.xlsx"):
    upload = io.BytesIO(data)
    upload.name = name
    started = time.perf_counter()
    response = client.post("/rectification/import/", {"file": upload})
    return response, time.perf_counter() - started


CORPUS = {
    "shared string bomb": (hostile.shared_string_bomb, "文字内容过多"),
    "60,000 blank rows": (hostile.blank_rows, "超过 30000 行(含空行)"),
    "one cell in the last row": (hostile.far_away_row, "超过 30000 行(含空行)"),
    "zip bomb member": (hostile.zip_bomb_member, "解压后过大"),
    "member expanding 1000 times": (hostile.ratio_bomb_member, "压缩比异常"),
    "billion laughs": (hostile.billion_laughs, "文档类型或实体声明"),
    "external entity": (hostile.external_entity, "文档类型或实体声明"),
    "UTF-16 XML": (hostile.utf16_part, "不是 UTF-8 编码的 XML"),
    "malformed XML": (hostile.malformed_xml, "不是有效的 Excel"),
    "truncated zip": (hostile.truncated_zip, "不是有效的 Excel"),
    "damaged member data": (hostile.corrupt_member, "不是有效的 Excel"),
    "NaN in a number column": (lambda: hostile.not_a_number("NaN"), "NaN"),
    "Infinity in a number column": (lambda: hostile.not_a_number("Infinity"), "NaN"),
    "overflowing number": (lambda: hostile.not_a_number("1e999"), "不是有效的数值"),
    "300 columns": (hostile.many_columns, "超过上限"),
    "two million blank cells in one row": (hostile.blank_cell_bomb, "单元格(含空白单元格)超过 1000000 个"),
    "60,000 cell formats": (hostile.styles_bomb, "单元格格式(样式)超过 5000 种"),
    "styles part of 6 MB": (hostile.large_styles, "过大(超过 4 MB)"),
    "a million shared strings": (hostile.many_shared_strings, "不同文字超过 300000 条"),
}


@pytest.mark.parametrize("build, expected", CORPUS.values(), ids=CORPUS.keys())
def test_hostile_workbook_is_refused_quickly_in_chinese_and_writes_nothing(world, login, build, expected):
    client = login(world.users["staff"])
    response, seconds = post(client, build())
    assert response.status_code == 200
    page = response.content.decode()
    assert expected in page
    assert "token" not in response.context
    assert seconds < QUICK_SECONDS
    assert not Problem.objects.exists() and not PendingImport.objects.exists()


def test_a_declared_dimension_is_not_the_used_range(world, login):
    """A1:XFD1048576 declared over one row: the sheet is read as it really is."""
    response, _seconds = post(login(world.users["staff"]), hostile.huge_dimension("X1"))
    assert "声明" not in response.content.decode()
    assert response.context["plan"].count == 1


def test_an_upload_over_the_size_cap_is_refused_before_reading(world, login):
    response, _seconds = post(login(world.users["staff"]), b"PK" + bytes(11 * 1024 * 1024))
    assert "文件不能超过 10 MB" in response.content.decode()


def test_openpyxl_parses_with_defusedxml_and_the_system_check_says_so():
    assert openpyxl_parses_with_defusedxml(None) == []
    bomb = (hostile.BILLION_LAUGHS + "<r>&lol4;</r>").encode()
    with pytest.raises(ValueError, match="(?i)entit"):  # defusedxml's EntitiesForbidden
        xml_functions.fromstring(bomb)


def test_the_system_check_fails_without_defusedxml(monkeypatch):
    import openpyxl

    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    assert [e.id for e in openpyxl_parses_with_defusedxml(None)] == ["kernel.E001"]


def ledger_rows(org_code, count):
    """``count`` valid new ledger rows of a hundred characters of text each."""
    problem, measures = "三会一课记录不全，党员学习教育不够扎实" * 5, "每月检查记录并通报" * 10
    return [(n, org_code, "", Problem.Source.INSPECTION, None, f"第{n}条问题：{problem}", None,
             f"第{n}条措施：{measures}", "村党支部", f"书记{n % 97}", None, None, None, None, None, None)
            for n in range(1, count + 1)]


@pytest.mark.slow
def test_a_valid_20000_row_ledger_is_read_in_the_background_and_imports(world, login,
                                                                          django_capture_on_commit_callbacks):
    client = login(world.users["staff"])
    content = xlsx.write_rows("整改台账", COLUMNS, ledger_rows(world.branch.code, 20_000))
    upload = io.BytesIO(content)
    upload.name = "台账.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/rectification/import/", {"file": upload})
    assert response.status_code == 302 and "?token=" in response["Location"]
    pending = PendingImport.objects.get()
    assert pending.status == PendingImport.Status.CHECKED and pending.upload is None
    page = client.get(response["Location"])
    assert "共 20000 行数据" in page.content.decode() and "将新增 20000 条整改事项" in page.content.decode()
    assert client.get(response["Location"], HTTP_HX_REQUEST="true")["HX-Refresh"] == "true"
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post("/rectification/import/confirm/", {"token": str(pending.token)})
    assert confirmed["Location"] == response["Location"]  # written in the background: the page shows it
    assert Problem.objects.count() == 20_000
    done = client.get(response["Location"], follow=True)
    assert "导入完成：新增 20000 条整改事项" in done.content.decode()
    again = client.post("/rectification/import/confirm/", {"token": str(pending.token)}, follow=True)
    assert "已经导入过了" in again.content.decode() and Problem.objects.count() == 20_000


def test_a_large_import_whose_data_changed_meanwhile_is_refused_in_the_background(world, login,
                                                                                   django_capture_on_commit_callbacks):
    client = login(world.users["staff"])
    rows = [[2 + n, {"org_code": "GONE", "source": "inspection", "description": f"问题{n}"}] for n in range(2500)]
    pending = PendingImport.objects.create(kind="ledger", user=world.users["staff"], rows=rows,
                                           summary={"count": 2500})  # as if GONE had been merged away since
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/rectification/import/confirm/", {"token": str(pending.token)})
    page = client.get(response["Location"]).content.decode()
    assert "数据已发生变化" in page and "不存在或不在您的管理范围内" in page and 'name="token"' not in page
    assert not Problem.objects.exists()


def test_the_page_shows_the_progress_while_the_upload_is_read(world, login):
    staff = world.users["staff"]
    pending = PendingImport.objects.create(kind="ledger", user=staff, status=PendingImport.Status.READING,
                                           progress=40, upload=b"PK", original_name="台账.xlsx")
    page = login(staff).get(f"/rectification/import/?token={pending.token}").content.decode()
    assert "正在读取“台账.xlsx”" in page and 'value="40"' in page and "确认导入" not in page
    assert login(world.users["leader"]).get(f"/rectification/import/?token={pending.token}").status_code in (403, 404)


def test_a_refusal_found_in_the_background_is_shown_in_chinese(world, login, django_capture_on_commit_callbacks):
    client = login(world.users["staff"])
    rows = ledger_rows(world.branch.code, 6000)
    rows[5000] = (1, "不存在的组织", *rows[5000][2:])
    upload = io.BytesIO(xlsx.write_rows("整改台账", COLUMNS, rows))
    upload.name = "台账.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/rectification/import/", {"file": upload})
    page = client.get(response["Location"]).content.decode()
    assert "发现 1 处错误" in page and "不存在的组织" in page and 'name="token"' not in page
    assert not Problem.objects.exists()


def test_a_refusal_of_the_whole_file_found_in_the_background_is_shown(world, login,
                                                                      django_capture_on_commit_callbacks):
    client = login(world.users["staff"])
    columns = [*COLUMNS[:-1], xlsx.Column("不认识的列", "unknown")]
    upload = io.BytesIO(xlsx.write_rows("整改台账", columns, ledger_rows(world.branch.code, 6000)))
    upload.name = "台账.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/rectification/import/", {"file": upload})
    page = client.get(response["Location"]).content.decode()
    assert "不认识的列“不认识的列”" in page and 'name="token"' not in page
