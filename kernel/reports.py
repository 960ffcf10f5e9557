"""Report kinds: small builder classes in a registry (each app registers its own in ``<app>/reports.py``).

A builder turns (scope organisation, period) into PDF and XLSX bytes, reporting progress as it goes. The
kind, its Chinese label, who may ask for it (a policy action) and the periods a user may choose all come
from here; nothing else names a report kind.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass

from .policy import can

REPORT_KINDS = {}


@dataclass(frozen=True)
class Built:
    pdf: bytes
    xlsx: bytes


class ReportBuilder(ABC):
    kind = ""
    label = ""
    #: the policy action that lets a user ask for this report over an organisation of their scope
    action = "reports.request"

    @abstractmethod
    def periods(self, user, scope) -> list[tuple[str, str]]:
        """(value, Chinese label) of the periods ``user`` may choose for ``scope``, newest first."""

    @abstractmethod
    def check_period(self, period, scope):
        """Raise ValueError (a Chinese sentence) unless ``period`` is a valid period of this kind for ``scope``."""

    def period_label(self, period) -> str:
        return period

    @abstractmethod
    def build(self, scope, period, progress) -> Built:
        """``progress(percent)`` may be called along the way."""

    def outdated_by(self, event, **payload) -> list[str]:
        """The periods of this kind (over every scope) whose built reports the domain event ``event`` (see
        ``kernel.events``) makes out of date; their rows are marked 已过期 in the event's transaction."""
        return []

    def parts(self, scope, period):
        """Sub-scopes to render in parallel, one task each, then merge with ``merge``; [] = one task builds all.

        A builder that returns parts also defines ``build_part(scope, period, part) -> PDF bytes`` and
        ``merge(scope, period, part_pdfs) -> Built``.
        """
        return []


def register(builder_class):
    REPORT_KINDS[builder_class.kind] = builder_class()
    return builder_class


def _load():
    from .registry import app_modules

    list(app_modules("reports"))  # importing each app's reports module registers its builders


def builder_for(kind):
    _load()
    return REPORT_KINDS[kind]


def all_builders():
    _load()
    return list(REPORT_KINDS.values())


def builders_for(user, scope):
    """The report kinds ``user`` may ask for over ``scope``: each asks the policy for its own ``action``."""
    return [builder for builder in all_builders() if can(user, builder.action, scope)]
