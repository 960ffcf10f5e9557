"""Asking for reports and generating them; the Celery task only calls ``generate``.

- ``request_report`` creates or resets the one row of (kind, scope, period) and queues the task after commit;
  with the broker down it says so in Chinese and the row stays 排队中, to be retried from the download centre.
- ``generate`` is idempotent: it rebuilds the files under new names and swaps them in one transaction, so a
  reader never sees half a file and a retried or duplicated task leaves exactly one pair of files.
"""

import datetime
import logging
import traceback
from contextlib import contextmanager

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError

from orgs.models import Level, Organization

from .models import Report, ReportPart
from .reports import builder_for

log = logging.getLogger(__name__)


class ReportError(Exception):
    """A refused or failed request; the Chinese message is shown as is."""


def request_report(user, *, kind, scope, period) -> Report:
    builder = builder_for(kind)
    if not Organization.objects.for_roles(user, builder.roles).filter(pk=scope.pk).exists():
        raise ReportError(_("您不能生成这个范围的报告。"))
    try:
        builder.check_period(period)
    except ValueError as exc:
        raise ReportError(str(exc)) from exc
    return queue(kind, scope, period, user)


def queue(kind, scope, period, user=None) -> Report:
    """(Re)queue the one report of (kind, scope, period); a report a worker is building is left alone."""
    with transaction.atomic():
        report, _created = Report.objects.select_for_update().get_or_create(
            kind=kind, scope=scope, period=period, defaults={"requested_by": user})
        if report.status == Report.Status.RUNNING:
            return report
        report.status, report.progress, report.error = Report.Status.QUEUED, 0, ""
        report.requested_by, report.requested_at = user or report.requested_by, timezone.now()
        report.save()
    enqueue(report)
    return report


def request_monthly_for_counties(today=None):
    """Last month's progress report for every county (the beat job of the 1st)."""
    today = today or timezone.localdate()
    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")
    for county in Organization.objects.filter(level=Level.COUNTY, is_active=True):
        queue("monthly", county, last_month)


def enqueue(report):
    from .tasks import generate_report

    try:
        generate_report.delay(report.pk)
    except BrokerError as exc:
        log.warning("broker unavailable: %s", exc)
        raise ReportError(_("报告服务暂时不可用(任务队列无法连接)。申请已保存为“排队中”，"
                            "请稍后在下载中心点“重试”。")) from exc


def generate(report_id):
    """Build one report; records progress, the files, or the failure on its row."""
    report = Report.objects.select_related("scope").get(pk=report_id)
    if report.status == Report.Status.DONE:
        return report
    Report.objects.filter(pk=report.pk).update(status=Report.Status.RUNNING, progress=1,
                                               attempts=report.attempts + 1)
    builder = builder_for(report.kind)

    def progress(percent):
        Report.objects.filter(pk=report.pk).update(progress=max(1, min(99, int(percent))))

    with _failure_recorded(report.pk):
        parts = builder.parts(report.scope, report.period)
        if parts:
            return _fan_out(report, parts)
        return _swap_files(report, builder.build(report.scope, report.period, progress))


@contextmanager
def _failure_recorded(report_id):
    try:
        yield
    except Exception as exc:  # the builder's failure belongs on the row, whatever it is
        log.exception("report %s failed", report_id)
        Report.objects.filter(pk=report_id).update(
            status=Report.Status.FAILED, error=f"{_('生成失败')}：{exc}\n{traceback.format_exc(limit=3)}",
            finished_at=timezone.now())


def _fan_out(report, parts):
    """One task per part (e.g. per county); the last part to finish queues the merge."""
    from .tasks import generate_part

    with transaction.atomic():
        for old in report.parts.all():
            old.pdf.delete(save=False)
        report.parts.all().delete()
        created = ReportPart.objects.bulk_create(
            [ReportPart(report=report, index=i, scope=part) for i, part in enumerate(parts)])
        transaction.on_commit(lambda: [generate_part.delay(part.pk) for part in created])
    return report


def generate_part(part_id):
    part = ReportPart.objects.select_related("report__scope", "scope").get(pk=part_id)
    report = part.report
    if part.done or report.status != Report.Status.RUNNING:
        return
    with _failure_recorded(report.pk):
        pdf = builder_for(report.kind).build_part(report.scope, report.period, part.scope)
        part.pdf.save(f"{report.kind}-{part.index}.pdf", ContentFile(pdf), save=False)
        with transaction.atomic():
            Report.objects.select_for_update().get(pk=report.pk)  # parts finish one at a time
            part.done = True
            part.save()
            finished, total = report.parts.filter(done=True).count(), report.parts.count()
            Report.objects.filter(pk=report.pk).update(progress=max(1, 90 * finished // total))
            if finished == total:
                from .tasks import finish_report

                transaction.on_commit(lambda: finish_report.delay(report.pk))


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
        fresh.status, fresh.progress, fresh.error, fresh.finished_at = Report.Status.DONE, 100, "", timezone.now()
        fresh.save()
        transaction.on_commit(lambda: [fresh.pdf.storage.delete(name) for name in old])
    return fresh
