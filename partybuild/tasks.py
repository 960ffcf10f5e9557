"""Celery entry points, and the one place that queues them; the work lives in partybuild.jobs and the builders.

A database or broker error while building (``jobs.TRANSIENT_ERRORS``) is retried with back-off; a builder's
own error is recorded on the report row by ``jobs``; when the retries run out, the last error is recorded too.
"""

import threading

from celery import Task, shared_task
from django.conf import settings
from django.db import connections, transaction

from kernel.errors import ServiceError

from . import jobs, notifications, robots
from .models import IdempotentRequest


class ReportTask(Task):
    """Report work is idempotent: redelivered after a worker dies, retried with back-off on transient errors."""

    acks_late = True
    reject_on_worker_lost = True
    autoretry_for = jobs.TRANSIENT_ERRORS
    retry_backoff = True
    retry_backoff_max = 300
    max_retries = 5

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        jobs.record_failure(self.report_id(args[0]), exc)

    def report_id(self, argument):
        return argument


class PartTask(ReportTask):
    def report_id(self, argument):
        return jobs.report_of_part(argument)


@shared_task(base=ReportTask)
def generate_report(report_id):
    for part_id in jobs.generate(report_id):
        generate_part.delay(part_id)


@shared_task(base=PartTask)
def generate_part(part_id):
    if jobs.generate_part(part_id):
        finish_report.delay(jobs.report_of_part(part_id))


@shared_task(base=ReportTask)
def finish_report(report_id):
    jobs.finish(report_id)


def request_report(user, *, kind, scope, period):
    """A user's request: checked by the policy and the report kind, then queued."""
    jobs.check_request(user, kind=kind, scope=scope, period=period)
    return queue(kind, scope, period, user)


def queue(kind, scope, period, user=None):
    """(Re)queue the one report of (kind, scope, period); a report a worker is building is left alone.

    With the broker down the row stays 排队中 and the user is told so in Chinese (retry from the download centre).
    """
    report, due = jobs.reset_row(kind, scope, period, user)
    if due and settings.REPORTS_IN_BACKGROUND_THREAD:
        transaction.on_commit(lambda: build_in_background(report.pk))
    elif due:
        try:
            generate_report.delay(report.pk)
        except jobs.BrokerError as exc:
            jobs.log.warning("broker unavailable: %s", exc)
            raise ServiceError("报告服务暂时不可用(任务队列无法连接)。申请已保存为“排队中”，"
                                 "请稍后在下载中心点“重试”。") from exc
    return report


def build_in_background(report_id):
    """Without a worker (the embedded quick start): build in a thread of this process, after the response."""
    threading.Thread(target=_build, args=(report_id,), name=f"report-{report_id}", daemon=True).start()


def _build(report_id):
    try:
        generate_report.apply(args=[report_id])
    finally:
        connections.close_all()  # this thread's own connections


def queue_monthly_reports(today=None):
    for county, month in jobs.counties_due_monthly(today):
        queue("monthly", county, month)


@shared_task(acks_late=True)
def monthly_reports():
    """Beat, the 1st at 06:00: last month's progress report for every county scope."""
    queue_monthly_reports()


@shared_task(acks_late=True)
def daily_reminders():
    """Beat, every morning: notify about overdue items and due follow-ups (idempotent per day); forget old
    idempotency keys of the API."""
    notifications.send_daily()
    IdempotentRequest.forget_old()


@shared_task(acks_late=True)
def requeue_robot_messages():
    """Beat, every five minutes: group robot messages still pending (the broker was down) are queued again."""
    robots.requeue_pending()
