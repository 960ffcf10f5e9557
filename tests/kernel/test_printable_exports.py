"""Exports people can print: A4 landscape fitted to the width, the header repeated on every page, styled and
frozen, columns as wide as their content, dates as dates, a title row where asked for."""

import datetime
import io

import openpyxl

from kernel import xlsx

COLUMNS = [xlsx.Column("党组织", "org"), xlsx.Column("问题描述", "text"), xlsx.Column("整改时限", "deadline")]
ROWS = [{"org": "中共清河县青泉镇河山村党支部委员会", "text": "三会一课记录不全",
         "deadline": datetime.date(2026, 12, 31)},
        {"org": "西山村", "text": "x", "deadline": None}]


def _sheet(content):
    return openpyxl.load_workbook(io.BytesIO(content)).active


def test_every_sheet_prints_on_a4_landscape_with_the_header_repeated_and_frozen():
    sheet = _sheet(xlsx.write_rows("整改台账", COLUMNS, ROWS))
    assert sheet.page_setup.paperSize == 9 and sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
    assert sheet.print_title_rows == "$1:$1" and sheet.freeze_panes == "A2"
    assert "整改台账" in sheet.oddHeader.center.text and "&P" in sheet.oddFooter.center.text
    header = sheet["A1"]
    assert header.value == "党组织" and header.font.b and header.fill.fgColor.rgb == "FFF3E5E5"
    assert sheet["C2"].value == datetime.datetime(2026, 12, 31) and sheet["C2"].number_format == "yyyy-mm-dd"
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABC"}
    assert widths["A"] > 30 and 6 <= widths["C"] < 20, widths  # the long name is wide, the date is not


def test_a_heading_becomes_a_title_row_above_the_header():
    sheet = _sheet(xlsx.write_rows("排名", COLUMNS, ROWS, heading="2026年度村级党组织考核排名通报"))
    assert sheet["A1"].value == "2026年度村级党组织考核排名通报" and sheet["A1"].font.sz == 14
    assert "A1:C1" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet["A2"].value == "党组织" and sheet["A3"].value == ROWS[0]["org"]
    assert sheet.print_title_rows == "$1:$2" and sheet.freeze_panes == "A3"


def test_sheet_titles_with_quotes_still_name_their_print_titles():
    content = xlsx.write_sheets([("O'Brien & 甲", COLUMNS, ROWS), ("第二页", COLUMNS, [])])
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert [ws.print_title_rows for ws in workbook.worksheets] == ["$1:$1", "$1:$1"]
