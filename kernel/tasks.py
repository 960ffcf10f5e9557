"""Celery entry points of the kernel: audit pruning, the worker heartbeat that /readyz reads, reading a large
upload in the background and the purge of imports never confirmed."""

from celery import shared_task
from celery.signals import worker_ready

from . import audit, health, imports, sessions


@shared_task
def prune_audit():
    """Beat, nightly: drop audit events past AUDIT_RETENTION_DAYS and the records of dead sessions."""
    return {"audit_events": audit.prune(), "sessions": sessions.forget_dead()}


@shared_task
def heartbeat():
    """Beat, every minute: proves that beat schedules and a worker runs."""
    health.beat()


@worker_ready.connect(dispatch_uid="kernel.heartbeat")
def _worker_started(**kwargs):
    health.beat()


@shared_task(acks_late=True)
def purge_unconfirmed_imports():
    """Beat, hourly: uploaded workbooks never confirmed within IMPORT_CONFIRM_MINUTES are deleted."""
    imports.purge_unconfirmed()


@shared_task(acks_late=True)
def preview_import(token):
    """A large upload read and checked in the background (``imports.preview``); the page shows its progress."""
    imports.preview(token)


@shared_task(acks_late=True)
def confirm_import(token):
    """A large import confirmed, checked again and written in the background (``imports.confirm``)."""
    imports.confirm(token)
