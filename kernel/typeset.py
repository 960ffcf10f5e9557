"""Documents with long ruled tables, typeset by Typst (PyPI ``typst``): the ranked report (排名通报).

WeasyPrint lays out each cell of an HTML table as its own box, measured twice and broken into lines
through Pango: a city's 7,127-row ranking took about 96 s. Typst typesets the same rows as ruled 9 pt
tables with a repeated header, page numbers (第 x 页 / 共 y 页) and embedded font subsets in seconds, in
process (``bench_reports`` prints both figures). WeasyPrint stays for the HTML documents (monthly report,
issued documents), whose tables are short.

A template (``templates/typst/<name>.typ``) reads its data from ``sys.inputs.data`` (JSON), so user text
never becomes Typst markup. Typst keeps every laid-out page until it writes the PDF (about 100 KB a row of
twelve cells), so a builder typesets a very long document in runs of rows (and in parallel tasks,
``ReportBuilder.parts``) and numbers the merged pages with ``merge_numbered``.
"""

import datetime
import io
import json

import typst
from django.conf import settings
from django.utils import timezone
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

from kernel import xlsx

TEMPLATES = settings.BASE_DIR / "templates" / "typst"


def render(template, data) -> bytes:
    """The PDF of ``templates/typst/<template>`` typeset with ``data`` (anything JSON can hold). Fonts come
    only from ``TYPST_FONT_PATHS`` (Debian's fonts-noto-cjk): the same fonts on every machine, no font scan."""
    return typst.compile(str(TEMPLATES / template), root=str(TEMPLATES), format="pdf",
                         font_paths=[str(path) for path in settings.TYPST_FONT_PATHS], ignore_system_fonts=True,
                         sys_inputs={"data": json.dumps(data, ensure_ascii=False, default=str)})


def _merged(pdfs):
    merged = PdfWriter()
    for pdf in pdfs:
        merged.append(PdfReader(io.BytesIO(pdf)))
    return merged


def _bytes(writer):
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def concatenate(pdfs) -> bytes:
    """One PDF of the pages of ``pdfs`` in turn."""
    return _bytes(_merged(pdfs))


def merge_numbered(pdfs, *, title) -> bytes:
    """Merge unnumbered PDFs (same page size) and number the pages across the whole document
    (第 n 页 / 共 N 页, the same footer as a document typeset in one go)."""
    merged = _merged(pdfs)
    count, first = len(merged.pages), merged.pages[0].mediabox
    merged.append(PdfReader(io.BytesIO(render("page_numbers.typ", {
        "pages": count, "title": title, "width": float(first.width), "height": float(first.height)}))))
    numbers = list(merged.pages[count:])
    for index, (page, number) in enumerate(zip(list(merged.pages[:count]), numbers, strict=True)):
        _stamp(merged, page, number, NameObject(f"/PageNumber{index}"))
    for _page in numbers:
        merged.remove_page(count)
    return _bytes(merged)


def _stamp(writer, page, stamp, name):
    """Draw the page ``stamp`` over ``page`` as a form XObject: the page's own content (thousands of table
    operators) is left as it is, never parsed and rewritten as ``PageObject.merge_page`` would."""
    form = DecodedStreamObject()
    form.set_data(stamp.get_contents().get_data())
    form.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
                 NameObject("/BBox"): stamp.mediabox, NameObject("/Resources"): stamp["/Resources"]})
    resources = page["/Resources"].get_object()
    if "/XObject" not in resources:
        resources[NameObject("/XObject")] = DictionaryObject()
    resources["/XObject"].get_object()[name] = writer._add_object(form)
    contents = page["/Contents"].get_object()
    streams = list(contents) if isinstance(contents, ArrayObject) else [page.raw_get("/Contents")]
    draw = _stream(b"\nQ q " + name.encode() + b" Do Q\n")
    page[NameObject("/Contents")] = ArrayObject([writer._add_object(_stream(b"q\n")), *streams,
                                                 writer._add_object(draw)])


def _stream(data):
    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream


#: A4 landscape inside page.typ's margins, in pt; 9 pt text is 9 / 2.2 pt per unit of ``xlsx.display_units``
#: (a CJK character is 2.2 units, a Latin one 1.1), and a cell's inset takes 5 pt
LANDSCAPE_WIDTH_PT, PT_PER_UNIT, CELL_INSET_PT = 773, 9 / 2.2, 5
#: a column is at least as wide as its header up to four CJK characters (headers stay on one line) and its
#: text up to a date's width (dates, codes and numbers do not wrap)
HEADER_UNITS, SHORT_UNITS = 4 * 2.2, 11 * 1.1
#: the width a column's text is measured to at most: longer text wraps
WIDEST_UNITS = 40 * 2.2
#: rows typeset in one go (Typst holds every laid-out page until it writes)
RUN_ROWS = 1000


def table_pdf(title, columns, records, *, heading="") -> bytes:
    """A list printed as a reader wants it on paper: the same columns and values as its XLSX export
    (``xlsx.Column``), one ruled 9 pt table on A4 landscape, columns as wide as their text needs within the
    page (long text wraps), the header repeated on every page, 第 x 页 / 共 y 页."""
    rows = [[_text(value) for value in values] for values in xlsx.exported_values(columns, records)]
    data = {"title": title, "heading": heading or title, "columns": [c.header for c in columns],
            "widths": _column_widths([c.header for c in columns], rows)}
    runs = [rows[start:start + RUN_ROWS] for start in range(0, len(rows), RUN_ROWS)] or [[]]
    if len(runs) == 1:
        return render("table.typ", {**data, "rows": runs[0], "numbered": True, "first": True})
    return merge_numbered([render("table.typ", {**data, "rows": run, "numbered": False, "first": index == 0})
                           for index, run in enumerate(runs)], title=title)


def _text(value):
    """A value as its XLSX cell shows it: 是/否, a date as yyyy-mm-dd, a time in local time to the minute."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).strftime("%Y-%m-%d %H:%M")
    return value.isoformat() if isinstance(value, datetime.date) else str(value)


def _column_widths(headers, rows):
    """Widths in pt: each column its header's (up to HEADER_UNITS) or its text's (up to SHORT_UNITS), and what
    is left of the page shared in proportion to how much more each column's widest text needs (a sample of
    rows; at most WIDEST_UNITS)."""
    def pt(units):
        return units * PT_PER_UNIT + CELL_INSET_PT

    widest = [max([0, *(xlsx.display_units(row[i]) for row in rows[:500])]) for i in range(len(headers))]
    least = [pt(max(min(xlsx.display_units(header), HEADER_UNITS), min(text, SHORT_UNITS)))
             for header, text in zip(headers, widest, strict=True)]
    more = [max(0, pt(min(text, WIDEST_UNITS)) - floor) for text, floor in zip(widest, least, strict=True)]
    spare = max(0, LANDSCAPE_WIDTH_PT - sum(least))
    return [round(floor + spare * extra / max(1, sum(more)), 1) for floor, extra in zip(least, more, strict=True)]
