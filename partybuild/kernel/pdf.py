"""PDF rendering for every printed document: A4, a CJK font embedded, title block and page numbers.

Templates extend ``reports/base_print.html`` and fill its blocks; ``render_pdf`` adds the scope, the
period and the date generated to the title block.
"""

import io

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from pypdf import PdfReader, PdfWriter
from weasyprint import HTML

#: Debian's fonts-noto-cjk (installed by scripts/install-system-packages.sh and the Dockerfile)
CJK_FONT_FAMILY = "Noto Sans CJK SC"
#: the same collection's monospaced face, for large tables printed as listings (partybuild.kernel.listing)
CJK_MONO_FONT_FAMILY = "Noto Sans Mono CJK SC"


def render_pdf(template_name, context, *, title, scope="", period="", numbered=True) -> bytes:
    """``numbered=False`` leaves the page numbers out: for parts numbered once merged (``merge_numbered``)."""
    html = render_to_string(template_name, {
        **context,
        "numbered": numbered,
        "doc_title": title,
        "doc_scope": scope,
        "doc_period": period,
        "generated_at": timezone.localtime(),
        "cjk_font": CJK_FONT_FAMILY,
        "cjk_mono_font": CJK_MONO_FONT_FAMILY,
    })
    return HTML(string=html).write_pdf()


def merge_numbered(pdfs) -> bytes:
    """Merge unnumbered PDFs and number the pages across the whole document (第 n 页 / 共 N 页)."""
    merged = PdfWriter()
    for pdf in pdfs:
        merged.append(PdfReader(io.BytesIO(pdf)))
    total = len(merged.pages)
    numbers = PdfReader(io.BytesIO(HTML(string=render_to_string("reports/page_numbers.html", {
        "pages": range(total), "cjk_font": CJK_FONT_FAMILY})).write_pdf()))
    for page, number in zip(merged.pages, numbers.pages, strict=True):
        page.merge_page(number)
    buffer = io.BytesIO()
    merged.write(buffer)
    return buffer.getvalue()


def font_stack(names):
    return ", ".join(f'"{name}"' for name in names)


def render_document(template_name, context, *, title) -> bytes:
    """An issued document in the GB/T 9704 layout (template ``reports/document.html``), fonts from settings."""
    fonts = {role: font_stack(names) for role, names in settings.DOCUMENT_FONTS.items()}
    html = render_to_string(template_name, {**context, "doc_title": title, "fonts": fonts})
    return HTML(string=html).write_pdf()
