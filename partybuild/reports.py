"""Report kinds: small builder classes in a registry (each app registers its own in ``<app>/reports.py``).

A builder turns (scope organisation, period) into PDF and XLSX bytes, reporting progress as it goes.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass

REPORT_KINDS = {}


@dataclass(frozen=True)
class Built:
    pdf: bytes
    xlsx: bytes


class ReportBuilder(ABC):
    kind = ""
    label = ""
    #: roles that may ask for this report over an organisation of their scope
    roles = ("staff", "leader")

    @abstractmethod
    def check_period(self, period):
        """Raise ValueError (a Chinese sentence) if ``period`` is not a valid period for this kind."""

    @abstractmethod
    def build(self, scope, period, progress) -> Built:
        """``progress(percent)`` may be called along the way."""

    def parts(self, scope, period):
        """Sub-scopes to render in parallel, one task each, then merge with ``merge``; [] = one task builds all.

        A builder that returns parts also defines ``build_part(scope, period, part) -> PDF bytes`` and
        ``merge(scope, period, part_pdfs) -> Built``.
        """
        return []


def register(builder_class):
    REPORT_KINDS[builder_class.kind] = builder_class()
    return builder_class


def builder_for(kind):
    from .registry import app_modules

    list(app_modules("reports"))  # importing each app's reports module registers its builders
    return REPORT_KINDS[kind]
