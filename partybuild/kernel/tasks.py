"""Celery entry points of the kernel."""

from celery import shared_task

from . import imports


@shared_task(acks_late=True)
def purge_unconfirmed_imports():
    """Beat, hourly: uploaded workbooks never confirmed within IMPORT_CONFIRM_MINUTES are deleted."""
    imports.purge_unconfirmed()
