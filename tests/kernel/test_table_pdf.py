"""A printed list (``typeset.table_pdf``) shows each value as the list's XLSX export does."""

import datetime
import io

import pdfplumber

from kernel import typeset, xlsx

COLUMNS = [xlsx.Column("已归档", "archived"), xlsx.Column("整改时限", "deadline"), xlsx.Column("办理时间", "at"),
           xlsx.Column("说明", "note")]


def test_values_print_as_their_cells_show_them():
    at = datetime.datetime(2026, 12, 7, 10, 30, tzinfo=datetime.UTC)
    pdf = typeset.table_pdf("流转记录", COLUMNS, [
        {"archived": True, "deadline": datetime.date(2026, 12, 31), "at": at, "note": None}])
    text = pdfplumber.open(io.BytesIO(pdf)).pages[0].extract_text()
    assert "是" in text and "2026-12-31" in text
    assert "2026-12-07 18:30" in text and "None" not in text  # Beijing time, to the minute
