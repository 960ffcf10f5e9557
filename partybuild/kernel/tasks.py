"""Celery entry points of the kernel: the nightly audit pruning and the worker heartbeat that /readyz reads."""

from celery import shared_task
from celery.signals import worker_ready

from . import audit, health, sessions


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
