"""The kernel's sheet reader: headers by name and synonym, several and hidden sheets, cells checked by column."""

import datetime
import io
import zipfile

import pytest
from django.core.validators import MaxValueValidator
from openpyxl import Workbook

from kernel import xlsx
from kernel.xlsx_reader import read_sheet
from tests.kernel.hostile import rezip

COLUMNS = [
    xlsx.Column("组织编码", "code", required=True, synonyms=("编码",), max_length=8),
    xlsx.Column("整改时限", "deadline", xlsx.date, synonyms=("整改期限", "完成时限")),
    xlsx.Column("数量", "count", xlsx.whole_number, validate=MaxValueValidator(999)),
    xlsx.Column("分值", "points", lambda raw: xlsx.decimal_number(raw, 1)),
]


def book(*sheets, hidden=()):
    """``sheets``: (title, rows) pairs, the first row being the headers."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if title in hidden:
            sheet.sheet_state = "hidden"
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def read(*sheets, **kwargs):
    return read_sheet(book(*sheets, **kwargs), COLUMNS)


@pytest.mark.parametrize("raw, expected", [
    ("整改期限（日期）", "整改期限"), ("  组织 编码 * ", "组织编码"), ("分值【必填】", "分值"),
    ("ＡＢＣ：", "ABC"), ("村集体经济收入(万元)", "村集体经济收入"),
])
def test_headers_are_normalised(raw, expected):
    assert xlsx.normalise_header(raw) == expected


def test_full_width_and_annotated_headers_and_synonyms_are_read():
    sheet = read(("台账", [["编码", "整改期限（日期）"], ["A1", "2026年12月31日"]]))
    assert sheet.rows == [(2, {"code": "A1", "deadline": datetime.date(2026, 12, 31), "count": None,
                               "points": None})]
    assert sheet.headers == {"code", "deadline"}


def test_unknown_headers_are_refused_by_name_with_the_accepted_ones():
    with pytest.raises(xlsx.SheetError) as error:
        read(("台账", [["组织编码", "责任领导"], ["A1", "张三"]]))
    message = str(error.value)
    assert "不认识的列“责任领导”(B列)" in message
    assert "整改时限(也可写作：整改期限、完成时限)" in message


def test_two_headers_meaning_the_same_column_are_refused():
    with pytest.raises(xlsx.SheetError, match="“整改时限”\\(B列\\)和“完成时限”\\(C列\\)都表示“整改时限”"):
        read(("台账", [["组织编码", "整改时限", "完成时限"], ["A1", None, None]]))


def test_the_sheet_with_the_columns_is_read_and_the_others_named():
    sheet = read(("填表说明", [["请按模板填写"]]), ("台账", [["组织编码"], ["A1"]]), ("备用", [["x"]]),
                 ("旧数据", [["组织编码"], ["B1"]]), hidden=("旧数据",))
    assert sheet.title == "台账" and [r["code"] for _n, r in sheet.rows] == ["A1"]
    assert sheet.notes == ["工作簿有 3 个工作表，读取的是“台账”，未读取：“填表说明”、“备用”。",
                           "已跳过隐藏的工作表“旧数据”。"]


def test_a_workbook_of_hidden_sheets_only_is_refused():
    data = book(("台账", [["组织编码"], ["A1"]])).getvalue()
    workbook_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml").replace(b'"visible" r:', b'"hidden" r:')
    with pytest.raises(xlsx.SheetError, match="没有可见的工作表"):
        read_sheet(io.BytesIO(rezip(data, replace={"xl/workbook.xml": workbook_xml})), COLUMNS)


def test_values_under_no_header_are_not_dropped_silently():
    sheet = read(("台账", [["组织编码", None, "数量"], ["A1", "多出来的值", 3]]))
    assert [(e.row, e.column) for e in sheet.errors] == [(2, "B列")]


def test_cells_are_checked_against_their_column():
    sheet = read(("台账", [["组织编码"], ["A" * 9]]))
    assert sheet.errors[0].message == "内容有 9 个字符，最多 8 个。"
    with pytest.raises(ValueError, match="控制字符"):
        xlsx.parse_cell(COLUMNS[0], "A\x00B")


def test_numbers_are_finite_validated_and_rounded():
    sheet = read(("台账", [["组织编码", "数量", "分值"], ["A1", 12345, 0.04], ["A2", "NaN", 2.25],
                         ["A3", "Infinity", 1]]))
    errors = {(e.row, e.column): e.message for e in sheet.errors}
    assert "小于或等于999" in errors[(2, "数量")]
    assert "NaN" in errors[(3, "数量")] and "NaN" in errors[(4, "数量")]
    assert [r["points"] for _n, r in sheet.rows] == [xlsx.decimal_number("0.0"), xlsx.decimal_number("2.3"),
                                                      xlsx.decimal_number("1.0")]


def test_dates_out_of_any_plausible_range_are_refused():
    sheet = read(("台账", [["组织编码", "整改时限"], ["A1", "2999-01-01"]]))
    assert "超出了 1900 至 2100 年的范围" in sheet.errors[0].message


def test_a_sheet_with_headers_only_is_refused():
    with pytest.raises(xlsx.SheetError, match="没有数据行"):
        read(("台账", [["组织编码"], [None], ["  "]]))


def test_the_row_cap_counts_data_rows():
    rows = [["组织编码"]] + [[f"A{n}"] for n in range(6)]
    with pytest.raises(xlsx.SheetError, match="一次最多导入 5 行"):
        read_sheet(book(("台账", rows)), COLUMNS, max_rows=5)
