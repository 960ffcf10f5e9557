"""The kernel under every app: scope and permission policy, scoped querysets, service errors,
imports, xlsx and pdf writers, uploads, shared form fields and date helpers.

It imports no domain app (orgs, rectification, inspections, scoring) and nothing of the
composition layer above them (see docs/ARCHITECTURE.md).
"""
from django.apps import AppConfig


class KernelConfig(AppConfig):
    name = "partybuild.kernel"
    label = "kernel"
    verbose_name = "基础"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
