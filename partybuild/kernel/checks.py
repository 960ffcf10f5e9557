"""Start-up checks of the kernel's safety assumptions."""

import openpyxl
from django.core.checks import Error, register


@register()
def openpyxl_parses_with_defusedxml(app_configs, **kwargs):
    """Uploaded workbooks are parsed by openpyxl, which only guards against XML attacks with defusedxml."""
    if openpyxl.DEFUSEDXML:
        return []
    return [Error("openpyxl is not using defusedxml: install defusedxml and unset OPENPYXL_DEFUSEDXML.",
                  id="kernel.E001")]
