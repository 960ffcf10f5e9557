"""Report rows and their building; ``partybuild.tasks`` queues and runs these functions.

- ``check_request`` and ``reset_row`` prepare the one row of (kind, scope, period) for a request.
- ``generate`` is idempotent: it rebuilds the files under new names and swaps them in one transaction, so a
  reader never sees half a file and a retried or duplicated task leaves exactly one pair of files.
- ``outdate_reports`` marks built reports 已过期 in the transaction of a domain event that changes what they say.
"""

import datetime
import logging
import traceback
from contextlib import contextmanager

from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from kernel.dates import add_months
from kernel.errors import ServiceError
from kernel.events import domain_event
from kernel.policy import require
from kernel.reports import all_builders, builder_for
from orgs.models import Level, Organization
from rectification import chain

from .models import Report, ReportPart

log = logging.getLogger(__name__)



def check_request(user, *, kind, scope, period):
    """Refuse (ServiceError, in Chinese) a report the user may not ask for or a period the kind does not have."""
    builder = builder_for(kind)
    require(user, builder.action, scope)
    try:
        builder.check_period(period, scope)
    except ValueError as exc:
        raise ServiceError(str(exc)) from exc


def reset_row(kind, scope, period, user=None) -> tuple[Report, bool]:
    """The one row of (kind, scope, period), set back to 排队中; False if a worker is building it right now."""
    with transaction.atomic():
        report, _created = Report.objects.select_for_update().get_or_create(
            kind=kind, scope=scope, period=period, defaults={"requested_by": user})
        if report.status == Report.Status.RUNNING:
            return report, False
        report.status, report.progress, report.error = Report.Status.QUEUED, 0, ""
        report.requested_by, report.requested_at = user or report.requested_by, timezone.now()
        report.save()
    return report, True


def counties_due_monthly(today=None):
    """(county, last month) for the beat job of the 1st, once last month's ledger checkpoint is recorded (its
    digest is printed in the reports)."""
    today = today or timezone.localdate()
    this_month = today.replace(day=1)
    chain.checkpoint(add_months(this_month, -1), this_month)
    last_month = (this_month - datetime.timedelta(days=1)).strftime("%Y-%m")
    return [(county, last_month) for county in Organization.objects.filter(level=Level.COUNTY, is_active=True)]


def generate(report_id) -> list[int]:
    """Build one report, recording progress and the files on its row; returns the parts to build in parallel."""
    report = Report.objects.select_related("scope").get(pk=report_id)
    if report.status == Report.Status.DONE:
        return []
    # from here on, a change that outdates the report marks this build (see ``outdate_reports``)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.RUNNING, progress=1,
                                               attempts=report.attempts + 1, outdated_at=None, outdated_reason="")
    builder = builder_for(report.kind)

    def progress(percent):
        Report.objects.filter(pk=report.pk).update(progress=max(1, min(99, int(percent))))

    with _failure_recorded(report.pk):
        parts = builder.parts(report.scope, report.period)
        if parts:
            return _fan_out(report, parts)
        _swap_files(report, builder.build(report.scope, report.period, progress))
    return []


#: errors of the moment (database or broker gone): the task is retried with back-off instead of failing
TRANSIENT_ERRORS = (OperationalError, InterfaceError, BrokerError)


@contextmanager
def _failure_recorded(report_id):
    try:
        yield
    except TRANSIENT_ERRORS:
        raise
    except Exception as exc:  # the builder's own failure belongs on the row, whatever it is
        log.exception("report %s failed", report_id)
        record_failure(report_id, exc)


def record_failure(report_id, exc):
    Report.objects.filter(pk=report_id).update(
        status=Report.Status.FAILED, error=f"生成失败：{exc}\n{traceback.format_exc(limit=3)}",
        finished_at=timezone.now())


def _fan_out(report, parts) -> list[int]:
    """One task per part (e.g. per county); the last part to finish has the merge queued."""
    with transaction.atomic():
        for old in report.parts.all():
            old.pdf.delete(save=False)
        report.parts.all().delete()
        created = ReportPart.objects.bulk_create(
            [ReportPart(report=report, index=i, scope=part) for i, part in enumerate(parts)])
    return [part.pk for part in created]


def report_of_part(part_id) -> int:
    return ReportPart.objects.values_list("report_id", flat=True).get(pk=part_id)


def generate_part(part_id) -> bool:
    """Build one part; True when it was the last one, so the merge is due."""
    part = ReportPart.objects.select_related("report__scope", "scope").get(pk=part_id)
    report = part.report
    if part.done or report.status != Report.Status.RUNNING:
        return False
    last = False
    with _failure_recorded(report.pk):
        pdf = builder_for(report.kind).build_part(report.scope, report.period, part.scope)
        part.pdf.save(f"{report.kind}-{part.index}.pdf", ContentFile(pdf), save=False)
        with transaction.atomic():
            Report.objects.select_for_update().get(pk=report.pk)  # parts finish one at a time
            part.done = True
            part.save()
            finished, total = report.parts.filter(done=True).count(), report.parts.count()
            Report.objects.filter(pk=report.pk).update(progress=max(1, 90 * finished // total))
            last = finished == total
    return last


def finish(report_id):
    """Merge the parts of a fanned-out report and publish its files."""
    report = Report.objects.select_related("scope").get(pk=report_id)
    if report.status != Report.Status.RUNNING:
        return report
    with _failure_recorded(report.pk):
        parts = list(report.parts.all())
        pdfs = [part.pdf.read() for part in parts]
        built = builder_for(report.kind).merge(report.scope, report.period, pdfs)
        done = _swap_files(report, built)
        for part in parts:
            part.pdf.delete(save=False)
        report.parts.all().delete()
        return done


def _swap_files(report, built):
    stem = f"{report.kind}-{report.scope.code}-{report.period}"
    new_pdf = report.pdf.storage.save(report.pdf.field.generate_filename(report, f"{stem}.pdf"),
                                      ContentFile(built.pdf))
    new_xlsx = report.xlsx.storage.save(report.xlsx.field.generate_filename(report, f"{stem}.xlsx"),
                                        ContentFile(built.xlsx))
    with transaction.atomic():
        fresh = Report.objects.select_for_update().get(pk=report.pk)
        old = [name for name in (fresh.pdf.name, fresh.xlsx.name) if name]
        fresh.pdf.name, fresh.xlsx.name = new_pdf, new_xlsx
        fresh.status = Report.Status.OUTDATED if fresh.outdated_at else Report.Status.DONE
        fresh.progress, fresh.error, fresh.finished_at = 100, "", timezone.now()
        fresh.save()
        transaction.on_commit(lambda: [fresh.pdf.storage.delete(name) for name in old])
    return fresh


def outdate_reports(kind, summary="", **payload) -> int:
    """Mark the reports the domain event ``kind`` outdates (each builder's ``outdated_by``), in the event's
    transaction, with its ``summary`` as the reason: a built one becomes 已过期 (not offered for download; a
    request rebuilds it); a queued or running one is marked too, so a build that may have read the old figures
    ends 已过期 (``generate`` clears the mark when it starts, the row lock orders the two). Returns how many."""
    marked = 0
    for builder in all_builders():
        periods = builder.outdated_by(kind, **payload)
        if periods:
            marked += Report.objects.filter(kind=builder.kind, period__in=periods).exclude(
                status=Report.Status.FAILED).update(
                outdated_at=timezone.now(), outdated_reason=summary,
                status=Case(When(status=Report.Status.DONE, then=Value(Report.Status.OUTDATED)), default=F("status")))
    return marked


def _on_event(sender, kind, signal=None, **payload):
    outdate_reports(kind, **payload)


def connect():
    domain_event.connect(_on_event, dispatch_uid="partybuild.jobs")
