"""Confirming an import: once per upload, under a lock; unconfirmed uploads are deleted after a while."""

import datetime
import threading
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from kernel.imports import purge_unconfirmed
from kernel.models import PendingImport
from kernel.tasks import purge_unconfirmed_imports
from rectification.models import Problem
from tests.rectification.test_pages import workbook


def ledger_rows(world, count=3):
    return [[n, world.branch.code, "", "督查发现", "", f"问题{n}"] for n in range(1, count + 1)]


def preview(client, world, count=3):
    response = client.post("/rectification/import/", {"file": workbook(ledger_rows(world, count))})
    assert "检查通过" in response.content.decode()
    return response.context["token"]


def test_a_second_confirmation_of_the_same_upload_imports_nothing(world, login, settings):
    client = login(world.users["staff"])
    token = preview(client, world)
    pending = PendingImport.objects.get()
    assert len(pending.rows) == 3 and not list(Path(settings.MEDIA_ROOT).rglob("*.*"))  # rows kept, not the file
    first = client.post("/rectification/import/confirm/", {"token": token}, follow=True)
    assert "导入完成：新增 3 条整改事项" in first.content.decode()
    second = client.post("/rectification/import/confirm/", {"token": token}, follow=True)
    assert "这个文件已经导入过了" in second.content.decode()
    assert Problem.objects.count() == 3
    pending.refresh_from_db()
    assert pending.confirmed_at and pending.result.startswith("导入完成") and pending.rows == []


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_confirmations_import_once(world):
    staff = world.users["staff"]
    client = Client()
    client.force_login(staff)
    token = preview(client, world, count=40)
    barrier, answers = threading.Barrier(2), []

    def confirm():
        other = Client()
        other.force_login(staff)
        barrier.wait()
        try:
            answers.append(other.post("/rectification/import/confirm/", {"token": token}, follow=True))
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    pages = sorted(answer.content.decode() for answer in answers)
    assert [answer.status_code for answer in answers] == [200, 200]
    assert sum("导入完成" in page for page in pages) == 1
    assert sum("已经导入过了" in page for page in pages) == 1
    assert Problem.objects.count() == 40


def test_a_token_past_its_time_is_refused(world, login, settings):
    client = login(world.users["staff"])
    token = preview(client, world)
    PendingImport.objects.update(created_at=timezone.now() - datetime.timedelta(
        minutes=settings.IMPORT_CONFIRM_MINUTES + 1))
    response = client.post("/rectification/import/confirm/", {"token": token}, follow=True)
    assert "导入确认已失效" in response.content.decode()
    assert not Problem.objects.exists()


def test_a_token_of_another_import_kind_is_refused(world, login):
    client = login(world.users["staff"])
    token = preview(client, world)
    response = client.post("/orgs/import/confirm/", {"token": token}, follow=True)
    assert "导入确认已失效" in response.content.decode()
    assert not Problem.objects.exists()


def test_unconfirmed_uploads_are_deleted_after_their_time(world, settings):
    staff = world.users["staff"]
    now = timezone.now()
    old = now - datetime.timedelta(minutes=settings.IMPORT_CONFIRM_MINUTES + 5)

    def pending(created_at, confirmed_at=None):
        return PendingImport.objects.create(kind="ledger", user=staff, rows=[[2, {"org_code": "A1"}]],
                                            created_at=created_at, confirmed_at=confirmed_at)

    _stale, fresh, done = pending(old), pending(now), pending(old, confirmed_at=old)
    purge_unconfirmed_imports.delay()
    assert set(PendingImport.objects.values_list("pk", flat=True)) == {fresh.pk, done.pk}
    assert purge_unconfirmed(now + datetime.timedelta(days=1)) == 1  # then the fresh one too


def test_data_changed_since_the_preview_is_checked_again_at_confirmation(world, login):
    client = login(world.users["staff"])
    token = preview(client, world)
    world.branch.code = "改了编码"
    world.branch.save()
    response = client.post("/rectification/import/confirm/", {"token": token})
    page = response.content.decode()
    assert "数据已发生变化" in page and "不存在或不在您的管理范围内" in page
    assert not Problem.objects.exists() and not PendingImport.objects.exists()


def test_the_purge_runs_from_the_beat_schedule(settings):
    assert settings.CELERY_BEAT_SCHEDULE["purge-unconfirmed-imports"]["task"] == \
        "kernel.tasks.purge_unconfirmed_imports"


def test_a_refusal_while_writing_is_shown_and_nothing_is_confirmed(world, login, monkeypatch):
    from kernel.errors import ServiceError
    from rectification import excel

    client = login(world.users["staff"])
    token = preview(client, world)

    def refuse(user, records):
        raise ServiceError("台账正在结转，请稍后再导入。")

    monkeypatch.setattr(excel, "_create", refuse)
    response = client.post("/rectification/import/confirm/", {"token": token}, follow=True)
    assert "台账正在结转" in response.content.decode()
    assert not Problem.objects.exists() and PendingImport.objects.get().confirmed_at is None
