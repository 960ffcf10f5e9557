"""Reading an uploaded .xlsx safely: every cap is checked before the part it protects is parsed.

1. The package: upload size, number of zip members, each member's uncompressed size and compression ratio;
   every XML part must be UTF-8 without a DTD (no entity expansion, no external entities). openpyxl then
   parses with defusedxml (checked at start-up by ``kernel.checks``).
2. The work the parts would cause, counted by streaming each part before openpyxl reads any of it (a small
   file can still hold millions of blank cells or styles): every worksheet's cells (blank ones included) and
   rows as they really are, not as its declared dimension says; the styles; the shared strings; the parts
   openpyxl reads whole. The whole read runs against a clock (``Deadline``), checked as it streams.
3. The sheet: hidden sheets are skipped and said so; of several visible sheets the first one with every
   required column is read, and the preview says which; the rows (blank ones included), the columns and each
   cell's length are capped while streaming.
4. The header row: full-width forms and annotations are normalised, unknown, repeated or ambiguous headers
   are refused by name with the accepted ones listed.
5. Every row: each cell parsed and checked by its column (``xlsx.parse_cell``), errors naming row and column.

Anything the file does that openpyxl cannot digest ends as ``SheetError`` with a Chinese message.
"""

import logging
import re
import time
import zipfile
from decimal import Decimal
from typing import NamedTuple

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from .xlsx import (
    MONEY_UNITS,
    Column,
    ParsedSheet,
    SheetError,
    decimal_number,
    normalise_header,
    parse_cell,
    stated_unit,
)

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_MEMBERS = 500
MAX_MEMBER_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 128 * 1024 * 1024
MAX_SHARED_STRINGS_BYTES = 32 * 1024 * 1024
MAX_SHARED_STRINGS = 300_000
#: style records (cell formats, fonts, fills, borders, number formats); openpyxl takes 0.1 ms for each
MAX_STYLES = 5_000
#: parts openpyxl parses whole (workbook, relationships, properties, styles)
MAX_WHOLE_PART_BYTES = 4 * 1024 * 1024
#: cells of one worksheet, blank ones included (a 20,000-row ledger has 320,000)
MAX_SHEET_CELLS = 1_000_000
#: the longest a read may take, in the web request and in the background task
REQUEST_SECONDS, TASK_SECONDS = 10, 60
#: a member larger than RATIO_CHECKED_ABOVE may not expand more than MAX_RATIO times
MAX_RATIO, RATIO_CHECKED_ABOVE = 100, 1024 * 1024
MAX_SHEETS = 50
MAX_SHEET_ROWS = 30_000
MAX_COLUMNS = 100
MAX_DATA_ROWS = 20_000
_PROLOG_BYTES = 64 * 1024

NOT_A_WORKBOOK = "文件不是有效的 Excel(.xlsx) 工作簿，请用“导出”得到的模板填写后再导入。"


class UsedRange(NamedTuple):
    """What a worksheet really holds: its cells (blank ones included) and its last row."""

    cells: int = 0
    rows: int = 0


class Deadline:
    """The clock of one read: ``check()`` refuses once ``seconds`` have passed; ``progress`` (if given) is told
    the share of the work done now and then."""

    def __init__(self, seconds=REQUEST_SECONDS, progress=None):
        self.seconds, self.progress = seconds, progress
        self.ends = time.monotonic() + seconds

    def check(self):
        if time.monotonic() > self.ends:
            raise SheetError(f"读取文件超过 {self.seconds} 秒仍未完成，已停止。文件内容过多或结构异常，"
                             "请删除多余的行、列和格式后重新保存，或分批导入。")

    def report(self, share):
        if self.progress is not None:
            self.progress(share)


def read_sheet(uploaded_file, columns: list[Column], max_rows=MAX_DATA_ROWS, deadline=None) -> ParsedSheet:
    deadline = deadline or Deadline()
    used = check_package(uploaded_file, deadline)
    uploaded_file.seek(0)
    try:
        workbook = load_workbook(uploaded_file, read_only=True, data_only=True)
    except Exception as exc:  # untrusted input: whatever openpyxl trips over is the file's fault
        log.info("unreadable workbook: %r", exc)
        raise SheetError(NOT_A_WORKBOOK) from exc
    try:
        return _Reader(workbook, columns, max_rows, deadline, used).read()
    finally:
        workbook.close()


def check_package(uploaded_file, deadline=None) -> dict:
    """Refuse, before any XML is parsed, a file that is too big, not a zip, a zip bomb, XML with a DTD or parts
    that would cause too much work; returns each worksheet part's ``UsedRange``."""
    deadline = deadline or Deadline()
    uploaded_file.seek(0, 2)
    if uploaded_file.tell() > MAX_UPLOAD_BYTES:
        raise SheetError(f"文件不能超过 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB。")
    uploaded_file.seek(0)
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                raise SheetError(f"工作簿内部文件过多({len(members)} 个)，不像正常的 Excel 文件。")
            total, used = 0, {}
            for member in members:
                _check_member(member)
                total += member.file_size
                if total > MAX_TOTAL_BYTES:
                    raise SheetError(f"工作簿解压后超过 {MAX_TOTAL_BYTES // (1024 * 1024)} MB，请分批导入。")
                if member.filename.lower().endswith((".xml", ".rels")):
                    _check_xml(archive, member)
                    used.update(_check_work(archive, member, deadline))
            return used
    except SheetError:
        raise
    except Exception as exc:  # a corrupt zip raises many kinds of errors
        log.info("corrupt workbook package: %r", exc)
        raise SheetError(NOT_A_WORKBOOK) from exc


def _check_member(member):
    name = member.filename
    if member.file_size > MAX_MEMBER_BYTES:
        raise SheetError(f"工作簿中的“{name}”解压后过大(超过 {MAX_MEMBER_BYTES // (1024 * 1024)} MB)。")
    if name.lower() == "xl/sharedstrings.xml" and member.file_size > MAX_SHARED_STRINGS_BYTES:
        raise SheetError(f"工作簿中的文字内容过多(超过 {MAX_SHARED_STRINGS_BYTES // (1024 * 1024)} MB)，请分批导入。")
    if member.file_size > RATIO_CHECKED_ABOVE and member.file_size > MAX_RATIO * max(member.compress_size, 1):
        raise SheetError(f"工作簿中的“{name}”压缩比异常(超过 {MAX_RATIO} 倍)，可能是恶意构造的文件。")


_START_TAG = re.compile(rb"<[A-Za-z_]")
_DECLARATIONS = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_ENCODING = re.compile(rb"""^<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def _check_xml(archive, member):
    with archive.open(member) as part:
        head = part.read(_PROLOG_BYTES)
    head = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not head:
        return
    encoding = _ENCODING.match(head)
    if not head.startswith(b"<") or (encoding and encoding.group(1).lower() not in (b"utf-8", b"utf8")):
        raise SheetError(f"工作簿中的“{member.filename}”不是 UTF-8 编码的 XML，无法读取。")
    start = _START_TAG.search(head)
    if start is None or _DECLARATIONS.search(head, 0, start.start()):
        raise SheetError(f"工作簿中的“{member.filename}”含有文档类型或实体声明(DTD)，出于安全原因拒绝读取。")


_NAME = rb"<(?:[A-Za-z_][\w.-]{0,63}:)?"
_CELL = re.compile(_NAME + rb"c[\s/>]")
_ROW_NUMBER = re.compile(_NAME + rb"row\s[^>]*?\br\s*=\s*[\"'](\d{1,9})")
_STRING = re.compile(_NAME + rb"si[\s/>]")
_STYLE = re.compile(_NAME + rb"(?:xf|font|fill|border|numFmt|dxf|cellStyle)[\s/>]")
_CHUNK, _LONGEST_TAG = 1024 * 1024, 256
#: rows read between two looks at the clock
_CHECK_EVERY = 500


def _check_work(archive, member, deadline) -> dict:
    """Count, streaming, the work a part would cause openpyxl; {worksheet part: UsedRange} for a worksheet."""
    name = member.filename
    lower = name.lower()
    if lower.startswith("xl/worksheets/") and lower.endswith(".xml"):
        return {name: _check_worksheet(archive, member, deadline)}
    if lower == "xl/sharedstrings.xml":
        strings = _count(archive, member, _STRING, MAX_SHARED_STRINGS, deadline)
        if strings > MAX_SHARED_STRINGS:
            raise SheetError(f"工作簿中的不同文字超过 {MAX_SHARED_STRINGS} 条，请分批导入。")
    elif member.file_size > MAX_WHOLE_PART_BYTES:
        raise SheetError(f"工作簿中的“{name}”过大(超过 {MAX_WHOLE_PART_BYTES // (1024 * 1024)} MB)，"
                         "请把数据复制到新建的工作簿后再导入。")
    elif lower == "xl/styles.xml" and _count(archive, member, _STYLE, MAX_STYLES, deadline) > MAX_STYLES:
        raise SheetError(f"工作簿中的单元格格式(样式)超过 {MAX_STYLES} 种，"
                         "请把数据“只粘贴数值”到新建的工作簿后再导入。")
    return {}


def _check_worksheet(archive, member, deadline) -> "UsedRange":
    """A sheet's real used range, whatever its dimension says: its cells (blank ones included) and last row."""
    cells, last_row = 0, 0
    for chunk in _chunks(archive, member, deadline):
        cells += len(_CELL.findall(chunk))
        last_row = max([last_row, *map(int, _ROW_NUMBER.findall(chunk))])
        if cells > MAX_SHEET_CELLS:
            raise SheetError(f"工作表“{_sheet_name(member)}”的单元格(含空白单元格)超过 {MAX_SHEET_CELLS} 个，"
                             "请删除多余的行列或分批导入。")
        if last_row > MAX_SHEET_ROWS:
            raise SheetError(f"工作表“{_sheet_name(member)}”超过 {MAX_SHEET_ROWS} 行(含空行)，"
                             "请删除多余的空行或分批导入。")
    return UsedRange(cells, last_row)


def _count(archive, member, pattern, limit, deadline) -> int:
    """How often ``pattern`` occurs in a part, counted until it passes ``limit``."""
    count = 0
    for chunk in _chunks(archive, member, deadline):
        count += len(pattern.findall(chunk))
        if count > limit:
            break
    return count


def _chunks(archive, member, deadline):
    """The part decompressed piece by piece, each cut before its last tag's “<” so no tag is split."""
    carried = b""
    with archive.open(member) as part:
        while piece := part.read(_CHUNK):
            deadline.check()
            data = carried + piece
            cut = data.rfind(b"<")
            if cut < 0 or len(data) - cut > _LONGEST_TAG:
                cut = len(data)
            carried = data[cut:]
            yield data[:cut]
    yield carried


def _sheet_name(member):
    return member.filename.rsplit("/", 1)[-1].removesuffix(".xml")


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


class _Reader:
    def __init__(self, workbook, columns, max_rows, deadline, used):
        self.workbook, self.columns, self.max_rows = workbook, columns, max_rows
        self.deadline, self.used = deadline, used
        self.scales = {}
        self.lookup = {}
        for column in columns:
            for header in column.headers:
                self.lookup.setdefault(normalise_header(header), column)

    def read(self) -> ParsedSheet:
        sheets = self.workbook.worksheets
        if len(sheets) > MAX_SHEETS:
            raise SheetError(f"工作簿有 {len(sheets)} 个工作表，最多 {MAX_SHEETS} 个。")
        visible = [s for s in sheets if s.sheet_state == "visible"]
        notes = [f"已跳过隐藏的工作表“{s.title}”。" for s in sheets if s.sheet_state != "visible"]
        if not visible:
            raise SheetError("工作簿中没有可见的工作表。")
        first = chosen = None
        for candidate in visible:
            header = self._guarded(candidate, 1, lambda s=candidate: next(
                s.iter_rows(min_row=1, max_row=1, max_col=MAX_COLUMNS + 1, values_only=True), ()))
            first = first or (candidate, header)
            if not self._problems(header)[1]:
                chosen = (candidate, header)
                break
        sheet, header = chosen or first
        if len(visible) > 1:
            others = "、".join(f"“{s.title}”" for s in visible if s is not sheet)
            notes.insert(0, f"工作簿有 {len(visible)} 个工作表，读取的是“{sheet.title}”，未读取：{others}。")
        parsed = ParsedSheet(title=sheet.title, notes=notes, properties={
            str(p.name): str(p.value) for p in self.workbook.custom_doc_props.props if p.value is not None})
        sheet.reset_dimensions()  # the real used range was checked; a declared size must not hide or add rows
        positions = self._resolve(sheet.title, header)
        self.scales = self._scales(header, positions, parsed)
        parsed.headers = {column.name for column in positions.values()}
        self._read_rows(sheet, positions, parsed)
        if not parsed.rows and not parsed.errors:
            raise SheetError(f"工作表“{sheet.title}”中没有数据行。")
        return parsed

    def _guarded(self, sheet, row, step):
        try:
            return step()
        except SheetError:
            raise
        except Exception as exc:  # untrusted input, see read_sheet
            log.info("unreadable row %s of %r: %r", row, sheet.title, exc)
            raise SheetError(f"工作表“{sheet.title}”第 {row} 行附近有无法读取的内容"
                             "(例如损坏的数据、NaN 或 Infinity 这样的非数字)，请检查后重新保存。") from exc

    def _problems(self, header_row):
        """(position → column, [problems]) for a header row."""
        positions, problems, seen = {}, [], {}
        for index, raw in enumerate(header_row):
            if _blank(raw):
                continue
            label, letter = str(raw).strip(), get_column_letter(index + 1)
            if index >= MAX_COLUMNS:
                problems.append(f"列数超过上限 {MAX_COLUMNS} 列。")
                break
            column = self.lookup.get(normalise_header(label))
            if column is None:
                problems.append(f"不认识的列“{label}”({letter}列)。")
            elif column.name in seen:
                problems.append(f"“{seen[column.name][0]}”({seen[column.name][1]}列)和“{label}”({letter}列)都表示“{column.header}”，请只保留一列。")
            else:
                seen[column.name] = (label, letter)
                positions[index] = column
        missing = [c.header for c in self.columns if c.required and c.name not in seen]
        if missing:
            problems.append("缺少必需的列：{cols}。".format(cols="、".join(missing)))
        return positions, problems

    @staticmethod
    def _scales(header_row, positions, parsed):
        """{position: factor} for money columns whose header states another unit than the one stored."""
        scales = {}
        for index, column in positions.items():
            unit = stated_unit(header_row[index])
            if column.unit and unit and unit != column.unit:
                scales[index] = Decimal(MONEY_UNITS[unit]) / MONEY_UNITS[column.unit]
                parsed.notes.append(f"“{header_row[index]}”按{unit}填写，换算为{column.unit}保存。")
        return scales

    def _resolve(self, title, header_row):
        positions, problems = self._problems(header_row)
        if problems:
            accepted = "、".join(
                c.header + ("(也可写作：{s})".format(s="、".join(c.synonyms)) if c.synonyms else "")
                for c in self.columns)
            raise SheetError("工作表“{t}”第1行的表头有问题：{problems} 可用的列：{accepted}。".format(
                t=title,
                problems="".join(problems),
                accepted=accepted,
            ))
        return positions

    def _read_rows(self, sheet, positions, parsed):
        rows = sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True)
        last = max(self.used.get(sheet._worksheet_path, UsedRange()).rows, 1)
        number = 0
        while True:
            number += 1
            if number % _CHECK_EVERY == 0:
                self.deadline.check()
                self.deadline.report(number / last)
            values = self._guarded(sheet, number, lambda: next(rows, None))
            if values is None:
                return
            if number == 1:
                continue
            if number > MAX_SHEET_ROWS:
                raise SheetError(f"工作表“{sheet.title}”超过 {MAX_SHEET_ROWS} 行(含空行)，请删除多余的空行或分批导入。")
            if all(_blank(v) for v in values):
                continue
            if len(parsed.rows) >= self.max_rows:
                raise SheetError(f"一次最多导入 {self.max_rows} 行，请分批导入。")
            parsed.rows.append((number, self._record(parsed, number, values, positions)))

    @staticmethod
    def _parsed(column, raw, scale):
        """The cell's value; a money amount in another unit converted exactly, never rounded."""
        if scale is None:
            return parse_cell(column, raw)
        amount = decimal_number(raw) * scale
        value = parse_cell(column, amount)
        if value != amount:
            raise ValueError(f"{raw} 换算为{column.unit}是 {amount.normalize():f}，"
                             f"超出了可保存的精度，请按{column.unit}填写。")
        return value

    def _record(self, parsed, number, values, positions):
        record = {column.name: None for column in self.columns}
        failed = set()
        for index, raw in enumerate(values):
            column = positions.get(index)
            if column is None:
                if index >= MAX_COLUMNS and not _blank(raw):
                    raise SheetError(f"第 {number} 行超过 {MAX_COLUMNS} 列，超过上限的内容无法读取。")
                if not _blank(raw):
                    parsed.error(number, get_column_letter(index + 1) + "列",
                                 "该列没有表头，无法判断这个值的含义。")
                continue
            if _blank(raw):
                continue
            try:
                record[column.name] = self._parsed(column, raw, self.scales.get(index))
            except ValueError as exc:
                failed.add(column.name)
                parsed.error(number, column.header, str(exc))
        for column in self.columns:
            if column.required and record[column.name] is None and column.name not in failed:
                parsed.error(number, column.header, "不能为空。")
        return record
