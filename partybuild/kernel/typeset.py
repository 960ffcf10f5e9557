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

import io
import json

import typst
from django.conf import settings
from pypdf import PdfReader, PdfWriter

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
    first = merged.pages[0].mediabox
    numbers = PdfReader(io.BytesIO(render("page_numbers.typ", {
        "pages": len(merged.pages), "title": title,
        "width": float(first.width), "height": float(first.height)})))
    for page, number in zip(merged.pages, numbers.pages, strict=True):
        page.merge_page(number)
    return _bytes(merged)
