"""Readiness: is every part the application needs there? Each check answers a short status string
("ok", "skipped" or what is wrong, in words that name no host, user or password)."""

import logging
import shutil
import time
from pathlib import Path

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

log = logging.getLogger(__name__)

HEARTBEAT_KEY = "kernel:worker-heartbeat"
OK = "ok"


def beat():
    """Called by the worker (on start and from beat every minute)."""
    cache.set(HEARTBEAT_KEY, time.time(), None)


def database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return OK


def broker():
    if not settings.REDIS_URL:
        return "skipped"
    redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
    return OK


def worker():
    """A worker ran the heartbeat task within READYZ_WORKER_MINUTES (without Redis tasks run in the web process)."""
    if not settings.REDIS_URL:
        return "skipped"
    last = cache.get(HEARTBEAT_KEY)
    if last is None:
        return "no heartbeat"
    minutes = (time.time() - last) / 60
    return OK if minutes <= settings.READYZ_WORKER_MINUTES else f"last heartbeat {minutes:.0f} min ago"


def disk():
    """Free space where files are stored (an S3 bucket has no disk of ours to check)."""
    if settings.S3_BUCKET:
        return "skipped"
    media = Path(settings.MEDIA_ROOT)
    while not media.exists() and media != media.parent:
        media = media.parent
    free_mb = shutil.disk_usage(media).free // (1024 * 1024)
    return OK if free_mb >= settings.READYZ_MIN_FREE_MB else f"{free_mb} MB free"


def migrations():
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return OK if not pending else f"{len(pending)} pending"


CHECKS = {"database": database, "redis": broker, "worker": worker, "disk": disk, "migrations": migrations}


def readiness():
    """(ready, {part: status}); a check that raises is reported as 'unavailable' (details go to the log only)."""
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception:
            log.warning("readyz: %s check failed", name, exc_info=True)
            results[name] = "unavailable"
    return all(status in (OK, "skipped") for status in results.values()), results
