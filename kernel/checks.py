"""Start-up checks of the kernel's safety assumptions."""

import openpyxl
from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured


@register()
def openpyxl_parses_with_defusedxml(app_configs, **kwargs):
    """Uploaded workbooks are parsed by openpyxl, which only guards against XML attacks with defusedxml."""
    if openpyxl.DEFUSEDXML:
        return []
    return [Error("openpyxl is not using defusedxml: install defusedxml and unset OPENPYXL_DEFUSEDXML.",
                  id="kernel.E001")]


@register("production", deploy=True)
def production_is_configured(app_configs, **kwargs):
    """Production (the default) needs its secret key and host names to serve; development sets DJANGO_DEBUG=true.
    A deployment check: wsgi.py runs it before serving, while commands that need no secret (makemigrations,
    migrate) still run."""
    if settings.DEBUG or (settings.ALLOWED_HOSTS and _secret_key_set()):
        return []
    return [Error("生产模式(DJANGO_DEBUG 未设为 true)必须设置 DJANGO_SECRET_KEY 和 DJANGO_ALLOWED_HOSTS "
                  "(DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS are required unless DJANGO_DEBUG=true).",
                  id="kernel.E002")]


def _secret_key_set():
    try:
        return bool(settings.SECRET_KEY)
    except ImproperlyConfigured:  # Django refuses to hand out an empty key
        return False
