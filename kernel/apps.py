"""The kernel under every app: scope and permission policy, scoped querysets, service errors,
imports, xlsx and pdf writers, uploads, shared form fields and date helpers; the audit trail,
password rules, health checks and backups.

It imports no domain app (orgs, rectification, inspections, scoring) and nothing of the
composition layer above them (see docs/ARCHITECTURE.md).
"""
from django.apps import AppConfig


class KernelConfig(AppConfig):
    name = "kernel"
    label = "kernel"
    verbose_name = "基础"

    def ready(self):
        from . import checks, imports, signals, tasks  # noqa: F401  (importing checks registers the system checks)

        signals.connect()
        imports.TASKS.update(preview_import=tasks.preview_import, confirm_import=tasks.confirm_import)
