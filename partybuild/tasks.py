"""Celery entry points only; the work lives in partybuild.jobs and the apps' report builders."""

from celery import shared_task
from django.db import OperationalError

from . import jobs, notifications

#: report work is idempotent: redelivered after a worker dies, retried with back-off on database errors
RETRYING = {"bind": True, "acks_late": True, "reject_on_worker_lost": True, "autoretry_for": (OperationalError,),
            "retry_backoff": True, "retry_backoff_max": 300, "max_retries": 5}


@shared_task(**RETRYING)
def generate_report(self, report_id):
    jobs.generate(report_id)


@shared_task(**RETRYING)
def generate_part(self, part_id):
    jobs.generate_part(part_id)


@shared_task(**RETRYING)
def finish_report(self, report_id):
    jobs.finish(report_id)


@shared_task(acks_late=True)
def monthly_reports():
    """Beat, the 1st at 06:00: last month's progress report for every county scope."""
    jobs.request_monthly_for_counties()


@shared_task(acks_late=True)
def daily_reminders():
    """Beat, every morning: notify about overdue items and due follow-ups (idempotent per day)."""
    notifications.send_daily()
