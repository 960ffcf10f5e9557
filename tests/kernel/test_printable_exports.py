"""Exports people can print: every workbook the app offers, read back with openpyxl, prints on A4 landscape at a
scale where its 11 pt text prints at 8 pt or more (not fitted to one page width), with ruled cells, wrapped
text, rows as high as their wrapped text, no column wider than the page, and the header repeated on every page.

The row heights are checked against an estimate of this test's own: a CJK character is as wide as the font
size, any other character 0.55 of it, a column of width w holds w × 5.25 pt less 3 pt of padding (Excel's
narrower digit; LibreOffice's is 5.6 pt), and a line of CJK text takes 1.45 × the font size (Noto Sans CJK's
line height, as LibreOffice prints it). ``test_the_ledger_prints_through_libreoffice`` (``bench``) prints the
ledger through LibreOffice and reads the PDF."""

import collections
import datetime
import io
import itertools
import math
import re
import shutil
import subprocess
import unicodedata
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from inspections import services as inspections
from inspections.models import Tour
from kernel import xlsx
from kernel.reports import builder_for
from orgs.models import Organization
from rectification.models import Problem, RectificationItem
from scoring import services as scoring
from scoring import trials
from scoring.models import Assessment, Scheme
from tests.partybuild.reports_helpers import at, ledger_history
from tests.rectification.helpers import item_of
from tests.scoring.helpers import assessment_for, full_marks, published_for

A4_LONG_SIDE_PT = 297 / 25.4 * 72
MIN_PRINTED_PT = 8
DIGIT_PT, PADDING_PT, WIDE, NARROW, LINE_EM = 5.25, 3, 1.0, 0.55, 1.45
LONG_NAME = "中共清河县青泉镇河山村党支部委员会第一党小组"
LONG_TEXT = "组织生活会会前谈心谈话不充分，“三会一课”记录不全，发展党员程序不规范，" * 3


def text_pt(text, font_pt):
    return sum(font_pt * (WIDE if unicodedata.east_asian_width(c) in "WF" else NARROW) for c in text)


def lines_needed(text, column_width, font_pt):
    room = column_width * DIGIT_PT - PADDING_PT
    return sum(max(1, math.ceil(text_pt(line, font_pt) / room)) for line in text.split("\n"))


def header_row(sheet):
    """The last of the rows printed at the top of every page."""
    return int(re.fullmatch(r"\$1:\$(\d+)", sheet.print_title_rows).group(1))


def assert_prints_readably(content):
    """Every sheet of the workbook; returns how many rows wrap onto more than one line."""
    wrapped_rows = 0
    for sheet in openpyxl.load_workbook(io.BytesIO(content)).worksheets:
        setup, margins = sheet.page_setup, sheet.page_margins
        assert (setup.paperSize, setup.orientation) == (9, "landscape"), sheet.title
        assert not (sheet.sheet_properties.pageSetUpPr and sheet.sheet_properties.pageSetUpPr.fitToPage), sheet.title
        scale = int(setup.scale or 100) / 100
        printable_pt = A4_LONG_SIDE_PT - (margins.left + margins.right) * 72
        widths = {}
        for column in range(1, sheet.max_column + 1):
            letter = openpyxl.utils.get_column_letter(column)
            widths[column] = sheet.column_dimensions[letter].width
            assert widths[column] * 5.6 * scale <= printable_pt, (sheet.title, letter, widths[column])
        for row in sheet.iter_rows(min_row=header_row(sheet)):
            needed = 1
            for cell in row:
                assert cell.font.sz * scale >= MIN_PRINTED_PT, (sheet.title, cell.coordinate, cell.font.sz, scale)
                assert cell.border.left.style and cell.border.bottom.style, (sheet.title, cell.coordinate)
                if isinstance(cell.value, str):
                    assert cell.alignment.wrap_text, (sheet.title, cell.coordinate)
                    needed = max(needed, lines_needed(cell.value, widths[cell.column], cell.font.sz))
            if needed > 1:
                wrapped_rows += 1
                height = sheet.row_dimensions[row[0].row].height
                assert height and height >= min(409, needed * LINE_EM * row[0].font.sz), (
                    sheet.title, row[0].row, needed, height)
    return wrapped_rows


def ledger(world, client, query=""):
    item_of(world.branch, description=LONG_TEXT, measures=LONG_TEXT[::-1], responsible_person="张三",
            deadline=datetime.date(2026, 12, 31))
    return client.get(f"/rectification/export/{query}").content


def ledger_with_hashes(world, client):
    return ledger(world, client, "?hashes=1")


def tree(world, client):
    world.branch.name = LONG_NAME
    world.branch.save()
    return client.get("/orgs/export/").content


def tour(world, client):
    world.far_branch.name = LONG_NAME * 2
    world.far_branch.save()
    staff = world.users["staff"]
    created = inspections.create_tour(staff, name="2026年第二季度现场观摩评比", kind=Tour.Kind.CIRCUIT,
                                      root=world.county, held_on=datetime.date(2026, 11, 1),
                                      stops=[world.branch, world.far_branch], participants=[world.users["inspector"]])
    for stop in created.stops.all():
        inspections.score_stop(world.users["inspector"], stop, Decimal(80))
    return client.get(f"/inspections/tours/{created.pk}/export/").content


def scheme(world, client):
    chosen = Scheme.objects.first()
    chosen.indicators.filter(kind="score").update(guidance=LONG_TEXT)
    return client.get(f"/scoring/schemes/{chosen.pk}/export/").content


def score_sheet(world, client):
    world.branch.name = LONG_NAME
    world.branch.save()
    assessment = assessment_for(world)
    rater = assessment.raters.get(name="述职评分")
    return client.get(f"/scoring/{assessment.pk}/raters/{rater.pk}/export/").content


def trial(world, client):
    world.branch.name = LONG_NAME
    world.branch.save()
    assessment = assessment_for(world)
    for target in assessment.targets.all():
        full_marks(assessment, target.org)
    scoring.close(world.users["staff"], assessment)
    assessment = Assessment.objects.get(pk=assessment.pk)
    tried = trials.run(world.users["staff"], assessment, name="述职评分加权",
                       rules=trials.current_rules(assessment))
    return client.get(f"/scoring/{assessment.pk}/trials/{tried.pk}/export/").content


def monthly_report(world, client):
    _a, overdue, _c = ledger_history(world)
    overdue.problem.description = LONG_TEXT
    overdue.problem.save()
    world.branch.name = LONG_NAME
    world.branch.save()
    for model in (Problem, RectificationItem, Organization):  # as they stood in October: the report reads them then
        model.history.update(history_date=at("2026-10-15"))
    return builder_for("monthly").build(world.county, "2026-10", lambda percent: None).xlsx


def ranking_report(world, client):
    world.sibling.name = LONG_NAME
    world.sibling.save()
    assessment = published_for(world, scored=True)
    return builder_for("ranking").build(world.county, str(assessment.pk), lambda percent: None).xlsx


#: every workbook the app writes, by the module that writes it (kernel.xlsx.write_rows / write_sheets)
EXPORTS = {"rectification/excel.py": [ledger, ledger_with_hashes], "orgs/excel.py": [tree],
           "inspections/views.py": [tour], "scoring/excel.py": [scheme], "scoring/sheets.py": [score_sheet],
           "scoring/trials.py": [trial], "rectification/reports.py": [monthly_report],
           "scoring/reports.py": [ranking_report]}


@pytest.mark.parametrize("export", [e for exports in EXPORTS.values() for e in exports], ids=lambda e: e.__name__)
def test_every_export_prints_readably(world, login, export):
    content = export(world, login(world.users["staff"]))
    assert assert_prints_readably(content) >= 1  # some text wrapped, so the row heights were checked


def test_the_list_of_exports_is_complete():
    root = Path(__file__).resolve().parents[2]
    writers = {str(path.relative_to(root)) for path in root.glob("*/**/*.py")
               if "tests" not in path.parts and "management" not in path.parts and ".venv" not in path.parts
               and re.search(r"xlsx\.write_(rows|sheets)\(", path.read_text(encoding="utf-8"))}
    assert writers == set(EXPORTS)


COLUMNS = [xlsx.Column("党组织", "org"), xlsx.Column("问题描述", "text"), xlsx.Column("整改时限", "deadline"),
           xlsx.Column("序号", "n")]
ROWS = [{"org": LONG_NAME, "text": LONG_TEXT, "deadline": datetime.date(2026, 12, 31), "n": 1},
        {"org": "西山村", "text": "x", "deadline": None, "n": 2}]


def _sheet(content):
    return openpyxl.load_workbook(io.BytesIO(content)).active


def test_a_sheet_prints_with_the_header_repeated_and_frozen_and_dates_as_dates():
    sheet = _sheet(xlsx.write_rows("整改台账", COLUMNS, ROWS))
    assert sheet.print_title_rows == "$1:$1" and sheet.freeze_panes == "A2"
    assert "整改台账" in sheet.oddHeader.center.text and "&P" in sheet.oddFooter.center.text
    header = sheet["A1"]
    assert header.value == "党组织" and header.font.b and header.fill.fgColor.rgb == "FFF3E5E5"
    assert sheet["C2"].value == datetime.datetime(2026, 12, 31) and sheet["C2"].number_format == "yyyy-mm-dd"
    assert sheet["C3"].value is None and sheet["C3"].border.left.style == "thin"  # blank cells are ruled too
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCD"}
    assert widths["B"] > widths["A"] > 20 and 6 <= widths["C"] < 20 and widths["D"] < 8, widths
    assert sheet.row_dimensions[2].height > 50 and sheet.row_dimensions[3].height is None  # one line: default


def test_few_columns_print_at_full_size_and_many_go_on_to_a_second_page_width_at_no_less_than_8_pt():
    few = xlsx.write_rows("表", COLUMNS, ROWS)
    assert _sheet(few).page_setup.scale == 100 and assert_prints_readably(few) == 1
    many = [xlsx.Column(f"第{n}项考核指标的完成情况", f"c{n}") for n in range(40)]
    content = xlsx.write_rows("表", many, [{f"c{n}": LONG_TEXT for n in range(40)}])
    sheet = _sheet(content)
    assert sheet.page_setup.scale == xlsx.MIN_SCALE and sheet.page_setup.pageOrder == "overThenDown"
    assert assert_prints_readably(content) == 2  # the header wraps too


def test_a_heading_becomes_a_title_row_above_the_header():
    sheet = _sheet(xlsx.write_rows("排名", COLUMNS, ROWS, heading="2026年度村级党组织考核排名通报"))
    assert sheet["A1"].value == "2026年度村级党组织考核排名通报" and sheet["A1"].font.sz == 14
    assert "A1:D1" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet["A2"].value == "党组织" and sheet["A3"].value == ROWS[0]["org"]
    assert sheet.print_title_rows == "$1:$2" and sheet.freeze_panes == "A3"


def test_sheet_titles_with_quotes_still_name_their_print_titles():
    content = xlsx.write_sheets([("O'Brien & 甲", COLUMNS, ROWS), ("第二页", COLUMNS, [])])
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert [ws.print_title_rows for ws in workbook.worksheets] == ["$1:$1", "$1:$1"]


def printed_columns(pdf):
    """The text of each ruled column of each page, top to bottom (a wrapped cell's lines run on)."""
    columns = []
    for page in pdf.pages:
        rules = sorted({round(edge["x0"]) for edge in page.edges if edge["orientation"] == "v"})
        for left, right in itertools.pairwise(rules):
            chars = sorted((c for c in page.chars if left <= (c["x0"] + c["x1"]) / 2 < right),
                           key=lambda c: (round(c["top"]), c["x0"]))
            columns.append("".join(c["text"] for c in chars).replace(" ", ""))
    return columns


def clipped_characters(pdf):
    """Characters a cell does not hold: a row too low for its text clips it, but the PDF still holds the
    characters, drawn across the rule below, beyond the table, or over the next row's text."""
    clipped = []
    for page in pdf.pages:
        rules = sorted({edge["top"] for edge in page.edges if edge["orientation"] == "h"})
        tops_at = collections.defaultdict(list)
        for char in page.chars:
            if not rules[0] < char["top"] < page.height - 36:
                continue  # the page's header and footer
            tops = tops_at[round(char["x0"])]
            if (char["top"] > rules[-1] or any(char["top"] + 2 < rule < char["bottom"] - 2 for rule in rules)
                    or any(abs(char["top"] - top) < char["size"] / 2 for top in tops)):
                clipped.append(char["text"])
            tops.append(char["top"])
    return clipped


def print_through_libreoffice(content, folder):
    """The workbook printed to PDF by LibreOffice, checked: text ≥ 8 pt, every cell's text whole in its column
    (the title and header included), nothing clipped."""
    import pdfplumber

    (folder / "export.xlsx").write_bytes(content)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{folder}/profile", "--headless", "--convert-to",
                    "pdf", "--outdir", str(folder), str(folder / "export.xlsx")],
                   check=True, capture_output=True, timeout=300)
    pdf = pdfplumber.open(folder / "export.pdf")
    sizes = [c["size"] for page in pdf.pages for c in page.chars]
    columns = printed_columns(pdf)
    cells = [value for sheet in openpyxl.load_workbook(io.BytesIO(content)).worksheets
             for row in sheet.iter_rows(min_row=header_row(sheet), values_only=True)
             for value in row if isinstance(value, str)]
    missing = [v for v in cells if not any(v.replace(" ", "").replace("\n", "") in column for column in columns)]
    clipped = clipped_characters(pdf)
    print(f"\n{len(pdf.pages)} pages, characters {min(sizes):.1f}–{max(sizes):.1f} pt, "
          f"{len(cells) - len(missing)} of {len(cells)} texts found whole, {len(clipped)} characters clipped")
    assert min(sizes) >= MIN_PRINTED_PT and not missing and not clipped, (missing[:3], clipped[:20])
    return pdf


needs_libreoffice = pytest.mark.skipif(not shutil.which("soffice"),
                                       reason="no LibreOffice (WITH_PRINTING=1 install-system-packages.sh)")


@pytest.mark.bench  # LibreOffice takes seconds to start
@needs_libreoffice
def test_the_ledger_prints_through_libreoffice(world, login, tmp_path):
    for n in range(24):
        item_of(world.sibling if n % 2 else world.branch, description=LONG_TEXT[: 12 + 9 * n],
                measures=f"第{n}步：" + "逐一补谈并形成记录 (record in English words), " * (n % 5) + "\n建立台账",
                responsible_unit="中共清河县青泉镇委员会组织办公室", responsible_person="欧阳明月",
                deadline=datetime.date(2026, 12, 31))
    pdf = print_through_libreoffice(login(world.users["staff"]).get("/rectification/export/").content, tmp_path)
    first = pdf.pages[0].extract_text()
    assert "序号" in first and "台账编号" in first  # all 16 columns on one page width


@pytest.mark.bench
@needs_libreoffice
@pytest.mark.parametrize("export", [e for exports in EXPORTS.values() for e in exports], ids=lambda e: e.__name__)
def test_every_export_prints_through_libreoffice(world, login, export, tmp_path):
    print_through_libreoffice(export(world, login(world.users["staff"])), tmp_path)
