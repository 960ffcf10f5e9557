"""Files live wherever the storage API puts them: with DJANGO_S3_BUCKET in an S3-compatible store (moto here)."""

import boto3
import pytest
from moto import mock_aws

from partybuild import tasks
from partybuild.models import Report
from rectification.models import Evidence
from tests.partybuild.reports_helpers import ledger_history
from tests.rectification.helpers import PNG, item_of, photo

BUCKET = "partybuild-test"


@pytest.fixture
def object_store(settings):
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
            "bucket_name": BUCKET, "location": "partybuild", "default_acl": "private", "file_overwrite": False}}}
        yield s3


def stored_keys(s3):
    return [entry["Key"] for entry in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_evidence_is_stored_in_the_bucket_and_served_within_scope(world, login, object_store):
    item = item_of(world.branch, status="in_progress")
    client = login(world.users["secretary"])
    client.post(f"/rectification/items/{item.pk}/progress/", {"text": "已补齐记录", "percent": 60,
                                                              "files": [photo()]})
    evidence = Evidence.objects.get()
    assert stored_keys(object_store) == [f"partybuild/{evidence.file.name}"]
    assert b"".join(client.get(f"/rectification/evidence/{evidence.pk}/").streaming_content) == PNG


def test_a_regenerated_report_swaps_its_files_in_the_bucket(world, object_store, django_capture_on_commit_callbacks):
    ledger_history(world)
    with django_capture_on_commit_callbacks(execute=True):
        first = tasks.request_report(world.users["staff"], kind="monthly", scope=world.county, period="2026-09")
    first.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.request_report(world.users["staff"], kind="monthly", scope=world.county, period="2026-09")
    report = Report.objects.get()
    assert report.status == Report.Status.DONE and report.pdf.name != first.pdf.name
    assert sorted(stored_keys(object_store)) == sorted(f"partybuild/{name}" for name in (report.pdf.name,
                                                                                          report.xlsx.name))
