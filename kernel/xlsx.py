"""The .xlsx sheets that users exchange with the system: column declarations, cell parsers and the writer.

Reading (with its caps against hostile workbooks) lives in ``kernel.xlsx_reader``; every
workbook the system writes goes through ``write_sheets``, whose ``cell`` writes user text as text,
never as a formula, and whose ``sheet_title`` makes any name a valid sheet title.
"""

import datetime
import io
import itertools
import math
import re
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: the longest text a cell may hold on import when the column declares no tighter limit
MAX_CELL_CHARS = 4000


class SheetError(Exception):
    """The file as a whole cannot be used (not an xlsx, too big, bad headers); the message is Chinese."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its header (and the other headers accepted for it), how a cell is parsed
    on import and checked against the database's rules, and how a value is written on export."""

    header: str
    name: str
    parse: Callable = None
    required: bool = False
    export: Callable | None = None
    synonyms: tuple[str, ...] = ()
    max_length: int = MAX_CELL_CHARS
    validate: Callable | None = None
    #: the money unit the column is stored in (“万元”), stated in its header; a header may state another
    unit: str = ""

    @property
    def headers(self):
        return (self.header, *self.synonyms)


@dataclass
class ParsedSheet:
    rows: list[tuple[int, dict]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    headers: set[str] = field(default_factory=set)
    title: str = ""
    notes: list[str] = field(default_factory=list)
    #: the workbook's custom document properties (name → text), e.g. what a score sheet was exported for
    properties: dict[str, str] = field(default_factory=dict)

    def error(self, row, column, message):
        self.errors.append(RowError(row, column, message))


def normalise_header(text) -> str:
    """“整改期限（日期）*” → “整改期限”: full-width forms folded, annotations in brackets, marks and spaces dropped."""
    value = unicodedata.normalize("NFKC", str(text or ""))
    value = re.sub(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】|〔[^〕]*〕", "", value)
    return re.sub(r"[\s*:：]", "", value)


#: money units a header may state, in yuan
MONEY_UNITS = {"元": 1, "千元": 1000, "万元": 10_000, "亿元": 100_000_000}
_UNIT = re.compile(r"\(\s*(元|千元|万元|亿元)\s*\)")


def stated_unit(header) -> str:
    """The money unit a header states in brackets (“村集体经济收入(元)” → “元”), or ""."""
    match = _UNIT.search(unicodedata.normalize("NFKC", str(header or "")))
    return match.group(1) if match else ""


def parse_cell(column: Column, raw):
    """The column's value of one non-blank cell, or ValueError with a Chinese message."""
    if isinstance(raw, float) and not math.isfinite(raw):
        raise ValueError("不是有效的数值(NaN 或无穷大)。")
    if isinstance(raw, str):
        if len(raw) > column.max_length:
            raise ValueError(f"内容有 {len(raw)} 个字符，最多 {column.max_length} 个。")
        if ILLEGAL_CHARACTERS_RE.search(raw) or "\x00" in raw:
            raise ValueError("含有不可见的控制字符，请删除后再导入。")
    value = (column.parse or text)(raw)
    if column.validate is not None and value is not None:
        try:
            column.validate(value)
        except ValidationError as exc:
            raise ValueError(" ".join(exc.messages)) from None
    return value


# Cell parsers: each takes the raw cell value and returns a Python value or raises ValueError
# with a Chinese message.

def text(raw):
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return str(raw).strip()


def _number(raw):
    if isinstance(raw, bool):
        raise ValueError(f"应为数字，而不是“{raw}”。")
    try:
        number = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"“{raw}”不是数字。") from None
    if not number.is_finite():
        raise ValueError("不是有效的数值(NaN 或无穷大)。")
    return number


def whole_number(raw):
    number = _number(raw)
    if number != number.to_integral_value() or number < 0:
        raise ValueError(f"应为非负整数，而不是“{raw}”。")
    return int(number)


def decimal_number(raw, places=None):
    """A finite decimal; with ``places``, rounded half up to that many decimal places."""
    number = _number(raw)
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return number


_DATE_PATTERN = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")
EARLIEST_YEAR, LATEST_YEAR = 1900, 2100


def date(raw):
    """Excel dates, or text such as 2026-10-31, 2026/10/31 and 2026年10月31日, between 1900 and 2100."""
    value = None
    if isinstance(raw, datetime.datetime):
        value = raw.date()
    elif isinstance(raw, datetime.date):
        value = raw
    else:
        match = _DATE_PATTERN.match(str(raw))
        if match:
            try:
                value = datetime.date(*(int(part) for part in match.groups()))
            except ValueError:
                pass
    if value is None:
        raise ValueError(f"“{raw}”不是有效日期，请写成 2026-10-31 或 2026年10月31日。")
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"日期“{value.isoformat()}”超出了 {EARLIEST_YEAR} 至 {LATEST_YEAR} 年的范围。")
    return value


def yes_no(raw):
    value = str(raw).strip()
    if value in ("是", "Y", "y", "TRUE", "True", "true", "1"):
        return True
    if value in ("否", "N", "n", "FALSE", "False", "false", "0"):
        return False
    raise ValueError(f"应填“是”或“否”，而不是“{raw}”。")


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
        raise ValueError("“{v}”不是可选值，可选：{options}。".format(
            v=raw,
            options="、".join(by_label),
        ))

    return parse


def choice_label(choices):
    labels = dict(choices)
    return lambda value: str(labels.get(value, "")) if value else None


def choice_column(header, name, choices, required=False, synonyms=()):
    """A column read and written as the choices' Chinese labels."""
    return Column(header, name, choice(choices), required, choice_label(choices), synonyms)


def field_column(model_field, name=None, *, header=None, synonyms=(), required=False, max_length=None):
    """A column for a model field: parsed by the field's type, and checked at preview by the same rules the
    database applies (length, integer range, digits), so a preview that passes also saves."""
    kind = model_field.get_internal_type()
    export = None
    if model_field.choices:
        parse, export = choice(model_field.choices), choice_label(model_field.choices)
    elif kind == "BooleanField":
        parse = yes_no
    elif kind == "DateField":
        parse = date
    elif kind == "DecimalField":
        places = model_field.decimal_places

        def parse(raw):
            return decimal_number(raw, places)
    elif kind.endswith(("IntegerField", "AutoField")):
        parse = whole_number
    else:
        parse = text
    header = header or str(model_field.verbose_name)
    return Column(header, name or model_field.name, parse, required, export, tuple(synonyms),
                  max_length or model_field.max_length or MAX_CELL_CHARS, model_field.run_validators,
                  stated_unit(header))


# Writing. The workbook is written directly as SpreadsheetML, streamed into the zip: openpyxl's write-only
# mode (et_xmlfile without lxml, which we do not install so that openpyxl parses uploads with defusedxml)
# took 23 s for a 60,000-row ledger on the shared 2-core machine, where this writer takes under 5 s.

#: text that a spreadsheet could take for a formula (or a DDE payload) when the cell is edited or exported
_FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r", "\n")
_TITLE_FORBIDDEN = re.compile(r"[\\/?*\[\]:]")
_EPOCH = datetime.date(1899, 12, 30)
#: cellXfs of styles.xml: 0 default; ruled cells: 1 date, 2 date and time, 3 text shown as typed (quote prefix),
#: 4 header, 5 title, 6 text (wrapped), 7 number or blank
_DATE, _DATETIME, _QUOTED, _HEADER, _TITLE, _TEXT, _NUMBER = 1, 2, 3, 4, 5, 6, 7
#: the characters ILLEGAL_CHARACTERS_RE matches (XML 1.0 forbids them), dropped from text
_CONTROL = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32)])
_HAS_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;"})


def cell(ref, value, strings: dict, text_style=_TEXT) -> str:
    """The XML of one ruled cell. User text is always a shared string (its index in ``strings``), never a formula;
    text that starts like a formula is also quote-prefixed, so editing it in Excel keeps it text. Control
    characters are dropped."""
    if value is None:
        return f'<c r="{ref}" s="{_NUMBER}"/>'
    if type(value) is not str:
        if isinstance(value, bool):
            value = "是" if value else "否"
        elif isinstance(value, datetime.datetime):
            if timezone.is_aware(value):
                value = timezone.localtime(value).replace(tzinfo=None)
            serial = (value - datetime.datetime(1899, 12, 30)).total_seconds() / 86400
            return f'<c r="{ref}" s="{_DATETIME}"><v>{serial!r}</v></c>'
        elif isinstance(value, datetime.date):
            return f'<c r="{ref}" s="{_DATE}"><v>{(value - _EPOCH).days}</v></c>'
        elif isinstance(value, int | float | Decimal) and math.isfinite(value):
            return f'<c r="{ref}" s="{_NUMBER}"><v>{value}</v></c>'
        else:
            value = str(value)
    text = (value.translate(_CONTROL) if _HAS_CONTROL.search(value) else value)[:32767]
    if not text:
        return f'<c r="{ref}" s="{_NUMBER}"/>'
    style = _QUOTED if text.startswith(_FORMULA_LEAD) else text_style
    return f'<c r="{ref}" t="s" s="{style}"><v>{strings.setdefault(text, len(strings))}</v></c>'


def sheet_title(name, used=()) -> str:
    """A valid, unique sheet title for any name: no ``\\ / ? * [ ] :``, no edge apostrophes, ≤ 31 characters."""
    title = _TITLE_FORBIDDEN.sub("_", ILLEGAL_CHARACTERS_RE.sub("", str(name or ""))).strip().strip("'")
    title = title[:31].strip() or "Sheet"
    base, number = title, 1
    while title.lower() in {u.lower() for u in used}:
        number += 1
        suffix = f"({number})"
        title = base[: 31 - len(suffix)] + suffix
    return title


def write_rows(title: str, columns: list[Column], records: Iterable, heading: str = "", properties=None) -> bytes:
    """A one-sheet workbook with the columns' headers and one line per record (streamed)."""
    return write_sheets([(title, columns, records)], heading=heading, properties=properties)


def write_sheets(sheets, heading: str = "", properties: dict | None = None) -> bytes:
    """A workbook of several sheets: ``sheets`` = [(title, columns, records)], records being dicts or tuples
    in the columns' order.

    Every sheet prints on A4 landscape at ≥ 8 pt (see MIN_SCALE): ruled cells, text wrapped in columns as wide
    as their content up to a cap, rows as high as their wrapped text, the header row repeated on every page and
    frozen on screen, the workbook's ``heading`` (or the sheet's title) and page numbers in the page margins.
    With a ``heading``, it is also written as a title row above the header (leave it out for workbooks that
    are imported again: the import reads the header in the first row).
    ``properties`` (name → text) are written as custom document properties, which Excel and WPS keep.
    """
    buffer, titles, strings = io.BytesIO(), [], {}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for index, (title, columns, records) in enumerate(sheets, start=1):
            titles.append(sheet_title(title, titles))
            with archive.open(f"xl/worksheets/sheet{index}.xml", "w") as part:
                _write_sheet(part, columns, records, strings, heading=heading, printed_title=heading or title)
        with archive.open("xl/sharedStrings.xml", "w") as part:
            _write_strings(part, strings)
        archive.writestr("[Content_Types].xml", _content_types(len(titles), bool(properties)))
        archive.writestr("_rels/.rels", _root_rels(bool(properties)))
        if properties:
            archive.writestr("docProps/custom.xml", _custom_properties(properties))
        archive.writestr("xl/workbook.xml", _workbook(titles, header_rows=2 if heading else 1))
        archive.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(titles)))
        archive.writestr("xl/styles.xml", _STYLES)
    return buffer.getvalue()


# Printing. Every sheet prints on A4 landscape at a fixed scale computed from its column widths, never below
# MIN_SCALE, at which the 11 pt cell font still prints at 8 pt (fitting every column to one page width printed
# the 16-column ledger at 3 pt). Long text wraps in columns of capped width, and each row is given the height
# of its wrapped lines: LibreOffice and WPS do not always grow a row by themselves. Columns that do not fit
# one page width at MIN_SCALE go on to a second page width, printed beside the first (pageOrder overThenDown).
FONT_PT, MIN_PRINTED_PT, _TITLE_PT = 11, 8, 14
#: 73 % would be 8.03 pt, but LibreOffice's rounding prints it at 7.99 pt
MIN_SCALE = math.ceil(100 * MIN_PRINTED_PT / FONT_PT) + 1
#: A4 landscape less the left and right margins (inches, as in <pageMargins>)
SIDE_MARGIN_IN = 0.25
PRINTABLE_PT = 297 / 25.4 * 72 - 2 * SIDE_MARGIN_IN * 72
#: a column's width counts the default font's digits: Calibri's at 11 pt is 7 px (5.25 pt) in Excel and WPS,
#: 5.6 pt in LibreOffice (with Carlito, Calibri's metric twin); the wider one is taken
PT_PER_UNIT = 5.6
#: display units of a character: a CJK character is ~2.1 digits wide, Latin text up to ~1; both with a margin
_UNITS_PER_BYTE_AND_CHAR = 0.55
#: what a cell's padding takes of its width, and the height of one wrapped line (with the CJK font's leading)
_CELL_PADDING, LINE_PT, _ROW_PADDING, _MAX_ROW_PT = 1.5, 16.5, 3, 409
#: column widths are measured on the first rows only (exports can have a hundred thousand lines); a header
#: makes its column at most _HEADER_WIDTH wide (it wraps), content at most _MAX_WIDTH; to fit a page width,
#: the widest columns are narrowed, down to _WRAP_FLOOR
_WIDTH_SAMPLE, _MIN_WIDTH, _HEADER_WIDTH, _WRAP_FLOOR, _MAX_WIDTH = 500, 6, 14, 16, 50


def display_units(value) -> float:
    """Display width in digit widths: a CJK character counts 2.2 (three UTF-8 bytes), a Latin one 1.1."""
    if isinstance(value, datetime.datetime):
        value = "2026-12-31 23:59"
    elif isinstance(value, datetime.date):
        value = "2026-12-31"
    text = str(value)
    return (len(text.encode()) + len(text)) * _UNITS_PER_BYTE_AND_CHAR


def _line_capacities(widths, font_pt=FONT_PT):
    """How much text (UTF-8 bytes plus characters, see display_units) one line of each column holds."""
    return [(w * FONT_PT / font_pt - _CELL_PADDING) / _UNITS_PER_BYTE_AND_CHAR for w in widths]


def _wrapped_lines(text, capacity) -> int:
    return sum(max(1, math.ceil((len(line.encode()) + len(line)) / capacity)) for line in text.split("\n"))


def _row_height(values, capacities, line_pt=LINE_PT) -> str:
    """The row's ``ht`` attribute when its text wraps to more than one line, else "" (the default height).
    Run for every cell of every row, hence the quick test of a short text first."""
    lines = 1
    for value, capacity in zip(values, capacities, strict=True):
        if type(value) is str and (len(value.encode()) + len(value) > capacity or "\n" in value):
            lines = max(lines, _wrapped_lines(value, capacity))
    if lines == 1:
        return ""
    return f' ht="{min(lines * line_pt + _ROW_PADDING, _MAX_ROW_PT):g}" customHeight="1"'


def _column_widths(headers, sample) -> list[float]:
    """Each column as wide as its widest sampled value, up to _MAX_WIDTH; then, to fit one page width at
    MIN_SCALE where possible, the widest narrowed to a common cap, down to _WRAP_FLOOR. Numbers and dates do
    not wrap: a column is never narrower than they are."""
    widths = [max(_MIN_WIDTH, min(display_units(h) + 2, _HEADER_WIDTH)) for h in headers]
    unwrapped = [0] * len(headers)
    for values in sample:
        for n, value in enumerate(values):
            if value is not None:
                needed = display_units(value) + _CELL_PADDING
                widths[n] = max(widths[n], needed)
                if type(value) is not str:
                    unwrapped[n] = max(unwrapped[n], needed)
    widths = [round(min(w, _MAX_WIDTH), 1) for w in widths]
    page = PRINTABLE_PT / PT_PER_UNIT * 100 / MIN_SCALE
    cap = max(widths)
    while cap > _WRAP_FLOOR and sum(max(min(w, cap), u) for w, u in zip(widths, unwrapped, strict=True)) > page:
        cap -= 1
    return [max(min(w, cap), u) for w, u in zip(widths, unwrapped, strict=True)]


def _print_scale(widths) -> int:
    """The largest scale (≤ 100 %) at which the columns fit one page width, but never below MIN_SCALE."""
    fitting = math.floor(100 * PRINTABLE_PT / (sum(widths) * PT_PER_UNIT))
    return max(MIN_SCALE, min(100, fitting))


def _write_sheet(part, columns, records, strings, *, heading="", printed_title=""):
    """Rows go to a spooled file first, so the sheet can start with its dimension and column widths: readers
    (openpyxl among them) then need not parse the whole sheet to learn its size. The widths come from the
    first rows, which are held back until they are measured."""
    letters = [get_column_letter(n) for n in range(1, len(columns) + 1)]
    lines = exported_values(columns, records)
    sample = list(itertools.islice(lines, _WIDTH_SAMPLE))
    headers = [c.header for c in columns]
    widths = _column_widths(headers, sample)
    capacities = _line_capacities(widths)
    top = 2 if heading else 1  # the header row
    last = top
    with tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024) as rows:
        chunk = [_title_row(heading, widths, strings)] if heading else []
        header = "".join(cell(f"{letter}{top}", h, strings, _HEADER)
                         for letter, h in zip(letters, headers, strict=True))
        chunk.append(f'<row r="{top}"{_row_height(headers, capacities)}>{header}</row>')
        for last, values in enumerate(itertools.chain(sample, lines), start=top + 1):
            cells = "".join(cell(f"{letter}{last}", value, strings) for letter, value in zip(letters, values,
                                                                                              strict=True))
            chunk.append(f'<row r="{last}"{_row_height(values, capacities)}>{cells}</row>')
            if len(chunk) == 1000:
                rows.write("".join(chunk).encode())
                chunk = []
        rows.write("".join(chunk).encode())
        cols = "".join(f'<col min="{n}" max="{n}" width="{w:g}" customWidth="1"/>'
                       for n, w in enumerate(widths, start=1))
        part.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}">'
                   f'<dimension ref="A1:{letters[-1]}{last}"/><sheetViews><sheetView workbookViewId="0">'
                   f'<pane ySplit="{top}" topLeftCell="A{top + 1}" activePane="bottomLeft" state="frozen"/>'
                   f'</sheetView></sheetViews><cols>{cols}</cols><sheetData>'.encode())
        rows.seek(0)
        shutil.copyfileobj(rows, part)
    merged = f'<mergeCells count="1"><mergeCell ref="A1:{letters[-1]}1"/></mergeCells>' if heading else ""
    title = str(printed_title).translate(_CONTROL).replace("&", "&&").translate(_XML_ESCAPES)
    part.write(f'</sheetData>{merged}<pageMargins left="{SIDE_MARGIN_IN}" right="{SIDE_MARGIN_IN}" top="0.55" '
               'bottom="0.5" header="0.2" footer="0.2"/><pageSetup paperSize="9" '
               f'scale="{_print_scale(widths)}" pageOrder="overThenDown" orientation="landscape"/>'
               f'<headerFooter><oddHeader>&amp;C{title}</oddHeader><oddFooter>&amp;C第 &amp;P 页，共 &amp;N 页'
               '</oddFooter></headerFooter></worksheet>'.encode())


_TITLE_HEIGHT = ' ht="24" customHeight="1"'


def _title_row(heading, widths, strings):
    """The heading across all columns, in the 14 pt title font (wrapped if longer than the columns)."""
    height = _row_height([heading], _line_capacities([sum(widths)], _TITLE_PT), line_pt=20) or _TITLE_HEIGHT
    return f'<row r="1"{height}>{cell("A1", heading, strings, _TITLE)}</row>'


def exported_values(columns, records):
    """Each record (a dict, or a tuple in the columns' order) as the list of values its cells show."""
    exports = [_remembered(c.export) if c.export else None for c in columns]
    names = [c.name for c in columns]
    for record in records:
        values = record if isinstance(record, tuple | list) else [record.get(n) for n in names]
        yield [export(value) if export else value for export, value in zip(exports, values, strict=True)]


def _remembered(export):
    """``export`` computed once per value within one workbook (choice labels are lazy translations)."""
    seen = {}

    def remembered(value):
        try:
            return seen[value]
        except KeyError:
            seen[value] = export(value)
            return seen[value]
        except TypeError:  # an unhashable value
            return export(value)

    return remembered


def _write_strings(part, strings):
    part.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{_MAIN}" '
               f'count="{len(strings)}" uniqueCount="{len(strings)}">'.encode())
    texts = list(strings)
    for start in range(0, len(texts), 1000):
        part.write("".join(f'<si><t xml:space="preserve">{text.translate(_XML_ESCAPES)}</t></si>'
                           for text in texts[start:start + 1000]).encode())
    part.write(b"</sst>")


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"


def _root_rels(with_properties):
    custom = (f'<Relationship Id="rId2" Type="{_REL}/custom-properties" Target="docProps/custom.xml"/>'
              if with_properties else "")
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>{custom}</Relationships>')


def _custom_properties(properties):
    entries = "".join(f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{pid}" '
                      f'name="{str(name).translate(_XML_ESCAPES)}"><vt:lpwstr>{str(value).translate(_XML_ESCAPES)}'
                      "</vt:lpwstr></property>" for pid, (name, value) in enumerate(properties.items(), start=2))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="{_CUSTOM}" '
            f'xmlns:vt="{_VT}">{entries}</Properties>')


_THIN_RULE = "".join(f'<{side} style="thin"><color rgb="FF808080"/></{side}>'
                     for side in ("left", "right", "top", "bottom"))
_RULED = 'applyNumberFormat="1" applyBorder="1" applyAlignment="1"'
_TOP, _WRAPPED = '<alignment vertical="top"/>', '<alignment vertical="top" wrapText="1"/>'
_STYLES = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{_MAIN}">'
           '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
           '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm"/></numFmts>'
           '<fonts count="3"><font><sz val="11"/><name val="Calibri"/></font>'
           '<font><b/><sz val="11"/><name val="Calibri"/></font>'
           '<font><b/><sz val="14"/><color rgb="FFB71C1C"/><name val="Calibri"/></font></fonts>'
           '<fills count="3"><fill><patternFill patternType="none"/></fill>'
           '<fill><patternFill patternType="gray125"/></fill>'
           '<fill><patternFill patternType="solid"><fgColor rgb="FFF3E5E5"/><bgColor indexed="64"/></patternFill>'
           '</fill></fills>'
           '<borders count="3"><border><left/><right/><top/><bottom/><diagonal/></border>'
           '<border><left style="thin"><color rgb="FF999999"/></left><right style="thin"><color rgb="FF999999"/>'
           '</right><top style="thin"><color rgb="FF999999"/></top><bottom style="medium"><color rgb="FFB71C1C"/>'
           '</bottom><diagonal/></border>'
           f'<border>{_THIN_RULE}</border></borders>'
           '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
           '<cellXfs count="8"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
           f'<xf numFmtId="164" fontId="0" fillId="0" borderId="2" xfId="0" {_RULED}>{_TOP}</xf>'
           f'<xf numFmtId="165" fontId="0" fillId="0" borderId="2" xfId="0" {_RULED}>{_TOP}</xf>'
           f'<xf numFmtId="49" fontId="0" fillId="0" borderId="2" xfId="0" {_RULED} quotePrefix="1">{_WRAPPED}</xf>'
           '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" '
           'applyBorder="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>'
           '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">'
           '<alignment horizontal="center" vertical="center" wrapText="1"/></xf>'
           f'<xf numFmtId="0" fontId="0" fillId="0" borderId="2" xfId="0" {_RULED}>{_WRAPPED}</xf>'
           f'<xf numFmtId="0" fontId="0" fillId="0" borderId="2" xfId="0" {_RULED}>{_TOP}</xf></cellXfs>'
           '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


def _content_types(count, with_properties=False):
    sheets = "".join(f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-'
                     f'officedocument.spreadsheetml.worksheet+xml"/>' for n in range(1, count + 1))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
            'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            f'{sheets}{_CUSTOM_TYPE if with_properties else ""}</Types>')


_CUSTOM_TYPE = ('<Override PartName="/docProps/custom.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/>')


def _workbook(titles, header_rows=1):
    sheets = "".join(f'<sheet name="{title.translate(_XML_ESCAPES)}" sheetId="{n}" r:id="rId{n}"/>'
                     for n, title in enumerate(titles, start=1))
    # the rows printed at the top of every page (the title row, if any, and the header)
    repeated = "".join(f'<definedName name="_xlnm.Print_Titles" localSheetId="{n}">'
                       f"'{title.replace(chr(39), chr(39) * 2).translate(_XML_ESCAPES)}'!$1:${header_rows}"
                       "</definedName>" for n, title in enumerate(titles))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
            f"<sheets>{sheets}</sheets><definedNames>{repeated}</definedNames></workbook>")


def _workbook_rels(count):
    sheets = "".join(f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
                     for n in range(1, count + 1))
    styles = (f'<Relationship Id="rId{count + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
              f'<Relationship Id="rId{count + 2}" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>')
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_PKG_REL}">'
            f"{sheets}{styles}</Relationships>")
