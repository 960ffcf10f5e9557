"""A corpus of hostile workbooks, built in code: each is a valid ledger workbook with one part replaced."""

import io
import random
import zipfile

from openpyxl import Workbook

from rectification.excel import COLUMNS

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET = "xl/worksheets/sheet1.xml"
HEADERS = [c.header for c in COLUMNS]


def base(rows=(), headers=HEADERS) -> bytes:
    book = Workbook()
    book.active.append(headers)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rezip(data: bytes, replace=None, add=None) -> bytes:
    """The workbook ``data`` with some parts replaced or added (all deflated)."""
    replace, add = replace or {}, add or {}
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info.filename)))
        for name, content in add.items():
            target.writestr(name, content)
    return out.getvalue()


def _cell(ref, value):
    if isinstance(value, str):
        return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'
    return f'<c r="{ref}"><v>{value}</v></c>'


def header_row():
    letters = [chr(ord("A") + i) for i in range(len(HEADERS))]
    return '<row r="1">' + "".join(_cell(f"{c}1", h) for c, h in zip(letters, HEADERS, strict=True)) + "</row>"


def sheet_xml(body="", dimension=None, prolog="") -> bytes:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}<worksheet xmlns="{NS}">{dim}'
            f"<sheetData>{header_row()}{body}</sheetData></worksheet>").encode()


def good_row(org_code, number=2, description="主题党日未开展"):
    return (f'<row r="{number}">{_cell(f"B{number}", org_code)}{_cell(f"D{number}", "督查发现")}'
            f'{_cell(f"F{number}", description)}</row>')


def shared_string_bomb():
    """One shared string of 40 million characters (compressed to a few dozen kB)."""
    strings = (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}" count="1" uniqueCount="1">'
               f'<si><t>{"A" * 40_000_000}</t></si></sst>').encode()
    sheet = sheet_xml('<row r="2"><c r="F2" t="s"><v>0</v></c></row>')
    return rezip(base(), replace={SHEET: sheet}, add={"xl/sharedStrings.xml": strings})


def huge_dimension(org_code):
    return rezip(base(), replace={SHEET: sheet_xml(good_row(org_code), dimension="A1:XFD1048576")})


def blank_rows(count=60_000):
    """Just under 1 MB of blank rows: not caught by the compression ratio, caught by the row cap."""
    body = "".join(f'<row r="{n}"/>' for n in range(2, count + 2))
    return rezip(base(), replace={SHEET: sheet_xml(body)})


def far_away_row():
    """One cell in the last row of the sheet: a naive reader yields a million empty rows first."""
    return rezip(base(), replace={SHEET: sheet_xml('<row r="1048576"><c r="A1048576"><v>1</v></c></row>')})


def zip_bomb_member():
    """An extra part of 100 MB of zeros (about 100 kB compressed)."""
    return rezip(base(), add={"xl/media/image1.png": bytes(100 * 1024 * 1024)})


def ratio_bomb_member():
    """A part under the size cap that expands over 100 times."""
    return rezip(base(), add={"xl/media/image1.png": bytes(8 * 1024 * 1024)})


BILLION_LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
                  '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
                  '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>')


XXE = '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def _entity_row(name):
    return f'<row r="2"><c r="F2" t="inlineStr"><is><t>&{name};</t></is></c></row>'


def billion_laughs():
    return rezip(base(), replace={SHEET: sheet_xml(_entity_row("lol4"), prolog=BILLION_LAUGHS)})


def external_entity():
    return rezip(base(), replace={SHEET: sheet_xml(_entity_row("xxe"), prolog=XXE)})


def utf16_part():
    return rezip(base(), replace={SHEET: sheet_xml().decode().replace("UTF-8", "UTF-16").encode("utf-16")})


def malformed_xml():
    return rezip(base(), replace={SHEET: sheet_xml()[:-40]})


def truncated_zip():
    data = base([["", "X1"]])
    return data[: len(data) // 2]


def corrupt_member():
    """A valid zip directory whose sheet data is damaged near its end (found only while reading rows)."""
    data = bytearray(rezip(base(), replace={SHEET: sheet_xml("".join(
        good_row("X1", n, f"问题{n * 7919}") for n in range(2, 5000)), dimension="A1:P4999")}))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(SHEET)
    start = info.header_offset + 30 + len(SHEET) + info.compress_size * 3 // 4
    for offset in range(start, start + 64):
        data[offset] ^= 0x55
    return bytes(data)


def not_a_number(value):
    """A number column (序号) holding NaN, Infinity or an overflowing literal."""
    return rezip(base(), replace={SHEET: sheet_xml(
        f'<row r="2"><c r="A2"><v>{value}</v></c><c r="B2" t="inlineStr"><is><t>X1</t></is></c></row>')})


def many_columns():
    cells = "".join(f'<c r="{_letters(i)}2"><v>1</v></c>' for i in range(1, 300))
    return rezip(base(), replace={SHEET: sheet_xml(f'<row r="2">{cells}</row>')})


def _letters(index):
    name = ""
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def blank_cell_bomb(count=2_000_000):
    """One data row and millions of blank cells: a few MB compressed, under every byte cap. The cells carry
    styles varied enough that the part does not compress more than a normal sheet."""
    rng = random.Random(24)
    block = "".join(f'<c s="{rng.randrange(1000)}"/>' for _ in range(4096))
    cells = (block * (count // 4096 + 1)).encode()
    sheet = sheet_xml().replace(b"</sheetData>", b'<row r="2">' + cells + b"</row></sheetData>")
    return rezip(base(), replace={SHEET: sheet})


def styles_bomb(count=60_000, cell_format="<xf/>"):
    """Tens of thousands of cell formats: openpyxl builds an object for each before reading a row."""
    data = base()
    styles = zipfile.ZipFile(io.BytesIO(data)).read("xl/styles.xml").decode()
    styles = styles.replace('<cellXfs count="1">', f'<cellXfs count="{count + 1}">' + cell_format * count)
    return rezip(data, replace={"xl/styles.xml": styles.encode()})


def many_shared_strings(count=1_000_000):
    """Millions of short distinct shared strings, under the byte cap of the part."""
    strings = "".join(f"<si><t>{n:x}</t></si>" for n in range(count))
    part = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}" uniqueCount="{count}">{strings}</sst>'
    sheet = sheet_xml('<row r="2"><c r="F2" t="s"><v>0</v></c></row>')
    return rezip(base(), replace={SHEET: sheet}, add={"xl/sharedStrings.xml": part.encode()})


def large_styles(count=150_000):
    """A styles part of several MB that compresses like a normal one."""
    rng = random.Random(24)
    return styles_bomb(1, "".join(f'<xf numFmtId="{rng.randrange(10**6)}" fontId="{rng.randrange(10**6)}"/>'
                                  for _ in range(count)))
