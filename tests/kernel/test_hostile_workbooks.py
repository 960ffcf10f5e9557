"""Hostile workbooks over HTTP: a Chinese error, quickly, and nothing written."""

import io
import time

import pytest
from openpyxl.xml import functions as xml_functions

from partybuild.kernel.checks import openpyxl_parses_with_defusedxml
from partybuild.kernel.models import PendingImport
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
    "declared dimension A1:XFD1048576": (lambda: hostile.huge_dimension("X1"), "声明的范围有 1048576 行 16384 列"),
    "60,000 blank rows": (hostile.blank_rows, "超过 30000 行(含空行)"),
    "one cell in the last row": (hostile.far_away_row, "超过 30000 行(含空行)"),
    "zip bomb member": (hostile.zip_bomb_member, "解压后过大"),
    "member expanding 1000 times": (hostile.ratio_bomb_member, "压缩比异常"),
    "billion laughs": (hostile.billion_laughs, "文档类型或实体声明"),
    "external entity": (hostile.external_entity, "文档类型或实体声明"),
    "UTF-16 XML": (hostile.utf16_part, "不是 UTF-8 编码的 XML"),
    "malformed XML": (hostile.malformed_xml, "不是有效的 Excel"),
    "truncated zip": (hostile.truncated_zip, "不是有效的 Excel"),
    "damaged member data": (hostile.corrupt_member, "无法读取"),
    "NaN in a number column": (lambda: hostile.not_a_number("NaN"), "NaN"),
    "Infinity in a number column": (lambda: hostile.not_a_number("Infinity"), "NaN"),
    "overflowing number": (lambda: hostile.not_a_number("1e999"), "不是有效的数值"),
    "300 columns": (hostile.many_columns, "超过上限"),
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
