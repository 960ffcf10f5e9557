"""PDF rendering for every printed document: A4, a CJK font embedded, title block and page numbers.

Templates extend ``reports/base_print.html`` and fill its blocks; ``render_pdf`` adds the scope, the
period and the date generated to the title block.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

#: Debian's fonts-noto-cjk (installed by scripts/install-system-packages.sh and the Dockerfile)
CJK_FONT_FAMILY = "Noto Sans CJK SC"


def render_pdf(template_name, context, *, title, scope="", period="") -> bytes:
    html = render_to_string(template_name, {
        **context,
        "doc_title": title,
        "doc_scope": scope,
        "doc_period": period,
        "generated_at": timezone.localtime(),
        "cjk_font": CJK_FONT_FAMILY,
    })
    return HTML(string=html).write_pdf()


def font_stack(names):
    return ", ".join(f'"{name}"' for name in names)


def render_document(template_name, context, *, title) -> bytes:
    """An issued document in the GB/T 9704 layout (template ``reports/document.html``), fonts from settings."""
    fonts = {role: font_stack(names) for role, names in settings.DOCUMENT_FONTS.items()}
    html = render_to_string(template_name, {**context, "doc_title": title, "fonts": fonts})
    return HTML(string=html).write_pdf()
