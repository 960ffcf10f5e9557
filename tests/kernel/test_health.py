import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import OperationalError
from django.db.migrations.recorder import MigrationRecorder

from kernel import health
from kernel.tasks import heartbeat

REDIS = "redis://127.0.0.1:6379/1"
ROOT = Path(__file__).resolve().parents[2]


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_configured(settings):
    settings.REDIS_URL = REDIS
    heartbeat()
    return settings


def readyz(client):
    response = client.get("/readyz")
    return response.status_code, response.json()["checks"], response.content.decode()


def test_healthz_is_cheap_and_touches_no_database(db, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/healthz").content == b"ok"


def test_ready_when_every_part_answers(db, client, redis_configured):
    status, checks, _body = readyz(client)
    assert status == 200
    assert checks == {"database": "ok", "redis": "ok", "worker": "ok", "disk": "ok", "migrations": "ok"}


def test_without_redis_the_broker_and_worker_are_not_checked(db, client, settings):
    settings.REDIS_URL = ""
    status, checks, _body = readyz(client)
    assert status == 200 and checks["redis"] == checks["worker"] == "skipped"


def test_redis_down_is_named_without_its_address(db, client, redis_configured):
    port = closed_port()
    redis_configured.REDIS_URL = f"redis://:secret-pw@127.0.0.1:{port}/1"
    status, checks, body = readyz(client)
    assert status == 503 and checks["redis"] == "unavailable" and checks["database"] == "ok"
    assert str(port) not in body and "secret-pw" not in body


def test_a_worker_that_has_not_answered_recently_is_named(db, client, redis_configured):
    redis_configured.READYZ_WORKER_MINUTES = 5
    health.cache.set(health.HEARTBEAT_KEY, time.time() - 600, None)
    status, checks, _body = readyz(client)
    assert status == 503 and checks["worker"] == "last heartbeat 10 min ago"
    health.cache.delete(health.HEARTBEAT_KEY)
    assert readyz(client)[1]["worker"] == "no heartbeat"


def test_low_disk_for_media_is_named(db, client, settings):
    settings.READYZ_MIN_FREE_MB = 10**12
    status, checks, _body = readyz(client)
    assert status == 503 and checks["disk"].endswith("MB free")


def test_pending_migrations_are_named(db, client):
    MigrationRecorder.Migration.objects.filter(app="kernel").delete()
    status, checks, _body = readyz(client)
    assert status == 503 and checks["migrations"].endswith("pending")


def test_database_down_is_named_without_its_address(db, client, monkeypatch, settings):
    settings.DATABASES["default"]["PASSWORD"] = "db-secret"

    def refuse(*args, **kwargs):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: password db-secret')

    with monkeypatch.context() as patched:
        patched.setattr("django.db.backends.base.base.BaseDatabaseWrapper.cursor", refuse)
        status, checks, body = readyz(client)
    assert status == 503 and checks["database"] == "unavailable"
    assert "5432" not in body and "db-secret" not in body


def test_readyz_answers_503_when_the_database_and_redis_do_not_answer_at_all(tmp_path):
    """A real process whose PostgreSQL and Redis ports are closed (what a stopped server looks like)."""
    code = ("from django.test import Client; r = Client().get('/readyz'); print(r.status_code, r.content.decode())")
    env = {**os.environ, "DJANGO_DEBUG": "true", "DJANGO_MEDIA_ROOT": str(tmp_path),
           "DATABASE_URL": f"postgres://postgres:db-secret@127.0.0.1:{closed_port()}/partybuild",
           "REDIS_URL": f"redis://127.0.0.1:{closed_port()}/0"}
    result = subprocess.run([sys.executable, "manage.py", "shell", "--no-imports", "-c", code], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    status, body = result.stdout.strip().split(" ", 1)
    assert status == "503", result.stderr
    assert json.loads(body)["checks"] == {"database": "unavailable", "redis": "unavailable",
                                          "worker": "unavailable", "disk": "ok", "migrations": "unavailable"}
    assert "db-secret" not in body and "127.0.0.1" not in body


def test_with_files_in_an_object_store_there_is_no_local_disk_to_check(db, client, settings):
    settings.S3_BUCKET, settings.REDIS_URL = "partybuild-files", ""
    settings.READYZ_MIN_FREE_MB = 10**12
    status, checks, _body = readyz(client)
    assert checks["disk"] == "skipped" and status == 200
