"""Large tables for print as monospaced listings (e.g. the 7,127 rows of a city's ranking).

WeasyPrint lays out every cell of an HTML table as its own box, measured twice (auto table layout) and
broken into lines through Pango: about 35 ms a row of twelve cells on this machine, so a city's table took
minutes. A listing is one preformatted text line per row in a monospaced CJK font (full-width characters
take two columns, the others one), laid out as a single text run: about 1 ms a row, and the columns still
line up. Long texts wrap inside their column onto continuation lines; nothing is cut off. Rows come in
blocks that never break across pages, each repeating the header.
"""

import math
import unicodedata
from dataclasses import dataclass

#: lines of a block: two blocks with their headers fill an A4 page at the largest font size
LINES_PER_BLOCK = 31
#: usable width of an A4 page with the print template's margins, in points (180 mm)
PAGE_WIDTH_PT = 510
MAX_FONT_PT = 7.5


@dataclass(frozen=True)
class Column:
    title: str
    key: str
    width: int  # in half-width columns
    right: bool = False


@dataclass
class Listing:
    header: str
    blocks: list[str]
    count: int
    font_pt: float


def display_width(text):
    """Columns ``text`` takes in a CJK monospaced font (ambiguous characters such as — and ↑ are wide there)."""
    return sum(2 if unicodedata.east_asian_width(char) in "WFA" else 1 for char in text)


def wrap(text, width):
    """``text`` cut into pieces of at most ``width`` display columns (never an empty list)."""
    pieces, current, used = [], "", 0
    for char in text:
        size = display_width(char)
        if used + size > width and current:
            pieces.append(current)
            current, used = "", 0
        current += char
        used += size
    return [*pieces, current]


def _cell(text, column):
    gap = " " * (column.width - display_width(text))
    return gap + text if column.right else text + gap


def _lines(columns, record):
    cells = [wrap("" if record.get(c.key) is None else str(record[c.key]), c.width) for c in columns]
    height = max(len(pieces) for pieces in cells)
    return [" ".join(_cell(pieces[i] if i < len(pieces) else "", column) for column, pieces in zip(
        columns, cells, strict=True)).rstrip() for i in range(height)]


def build(columns, records, lines_per_block=LINES_PER_BLOCK):
    """A Listing of ``records`` (dicts keyed by the columns' keys): header, text blocks of at most
    ``lines_per_block`` lines (a row's continuation lines stay with it) and the font size that fits the page."""
    columns = [Column(c.title, c.key, max(c.width, display_width(c.title)), c.right) for c in columns]
    blocks, block, count = [], [], 0
    for record in records:
        lines = _lines(columns, record)
        if block and len(block) + len(lines) > lines_per_block:
            blocks.append("\n".join(block))
            block = []
        block += lines
        count += 1
    if block:
        blocks.append("\n".join(block))
    total_width = sum(c.width for c in columns) + len(columns) - 1
    font_pt = min(MAX_FONT_PT, math.floor(PAGE_WIDTH_PT / (total_width * 0.5) * 10) / 10)
    return Listing(" ".join(_cell(c.title, c) for c in columns).rstrip(), blocks, count, font_pt)
