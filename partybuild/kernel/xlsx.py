"""Reading and writing the .xlsx sheets that users exchange with the system.

Imports are validated completely before anything is written: ``read_rows`` returns every row's
parsed values and a list of errors naming the row and the column, in Chinese.
"""

import datetime
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from zipfile import BadZipFile

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

MAX_IMPORT_ROWS = 20000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SheetError(Exception):
    """The file as a whole cannot be read (not an xlsx, missing columns, too many rows)."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass(frozen=True)
class Column:
    header: str
    name: str
    parse: Callable = str
    required: bool = False
    export: Callable | None = None


@dataclass
class ParsedSheet:
    rows: list[tuple[int, dict]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    headers: set[str] = field(default_factory=set)

    def error(self, row, column, message):
        self.errors.append(RowError(row, column, message))


def read_rows(uploaded_file, columns: list[Column], max_rows=MAX_IMPORT_ROWS) -> ParsedSheet:
    try:
        workbook = load_workbook(uploaded_file, read_only=True, data_only=True)
    except (BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise SheetError(_("文件不是有效的 Excel(.xlsx) 工作簿，请用“导出”得到的模板填写后再导入。")) from exc
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header_row = next(rows, None) or ()
    headers = [str(h).strip() if h is not None else "" for h in header_row]
    missing = [c.header for c in columns if c.required and c.header not in headers]
    if missing:
        raise SheetError(_("第1行缺少必需的列：%(cols)s。") % {"cols": "、".join(missing)})
    index = {h: i for i, h in enumerate(headers) if h}
    parsed = ParsedSheet(headers=set(index))
    for number, values in enumerate(rows, start=2):
        if all(_is_blank(v) for v in values):
            continue
        if len(parsed.rows) >= max_rows:
            raise SheetError(_("一次最多导入 %(n)s 行，请分批导入。") % {"n": max_rows})
        record = {}
        for column in columns:
            position = index.get(column.header)
            raw = values[position] if position is not None and position < len(values) else None
            record[column.name] = _parse_cell(parsed, number, column, raw)
        parsed.rows.append((number, record))
    workbook.close()
    if not parsed.rows and not parsed.errors:
        raise SheetError(_("工作簿中没有数据行。"))
    return parsed


def _parse_cell(parsed, number, column, raw):
    if _is_blank(raw):
        if column.required:
            parsed.error(number, column.header, _("不能为空。"))
        return None
    try:
        return column.parse(raw)
    except ValueError as exc:
        parsed.error(number, column.header, str(exc))
        return None


def _is_blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def write_rows(title: str, columns: list[Column], records: Iterable[dict]) -> bytes:
    """A one-sheet workbook with the columns' headers and one line per record (streamed)."""
    return write_sheets([(title, columns, records)])


def write_sheets(sheets) -> bytes:
    """A workbook of several sheets: ``sheets`` = [(title, columns, records)]."""
    workbook = Workbook(write_only=True)
    for title, columns, records in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append([c.header for c in columns])
        for record in records:
            sheet.append([(c.export or _plain)(record.get(c.name)) for c in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _plain(value):
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


# Cell parsers: each takes the raw cell value and returns a Python value or raises ValueError
# with a Chinese message.

def text(raw):
    return str(raw).strip()


def whole_number(raw):
    if isinstance(raw, bool):
        raise ValueError(_("应为非负整数。"))
    try:
        number = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError(_("“%(v)s”不是数字。") % {"v": raw}) from None
    if number != number.to_integral_value() or number < 0:
        raise ValueError(_("应为非负整数，而不是“%(v)s”。") % {"v": raw})
    return int(number)


def decimal_number(raw):
    try:
        return Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError(_("“%(v)s”不是数字。") % {"v": raw}) from None


_DATE_PATTERN = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def date(raw):
    """Excel dates, or text such as 2026-10-31, 2026/10/31 and 2026年10月31日."""
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    match = _DATE_PATTERN.match(str(raw))
    if match:
        try:
            return datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise ValueError(_("“%(v)s”不是有效日期，请写成 2026-10-31 或 2026年10月31日。") % {"v": raw})


def yes_no(raw):
    value = str(raw).strip()
    if value in ("是", "Y", "y", "TRUE", "True", "true", "1"):
        return True
    if value in ("否", "N", "n", "FALSE", "False", "false", "0"):
        return False
    raise ValueError(_("应填“是”或“否”，而不是“%(v)s”。") % {"v": raw})


def choice(choices):
    """A parser accepting a choice's Chinese label (or its stored value)."""
    by_label = {str(label): value for value, label in choices}
    values = {value for value, _label in choices}

    def parse(raw):
        value = str(raw).strip()
        if value in by_label:
            return by_label[value]
        if value in values:
            return value
        raise ValueError(_("“%(v)s”不是可选值，可选：%(options)s。") % {
            "v": raw, "options": "、".join(by_label)})

    return parse


def choice_label(choices):
    labels = dict(choices)
    return lambda value: str(labels.get(value, "")) if value else None


def choice_column(header, name, choices, required=False):
    """A column read and written as the choices' Chinese labels."""
    return Column(header, name, choice(choices), required, choice_label(choices))
