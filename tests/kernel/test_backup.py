import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import psycopg2
import pytest
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection

from kernel import backup
from tests.partybuild.test_object_storage import object_store  # noqa: F401 (the moto bucket fixture)
from tests.rectification.helpers import item_of

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="backups need PostgreSQL")


def database_url(name):
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def manage(*args, database, media):
    env = {**os.environ, "DATABASE_URL": database, "DJANGO_MEDIA_ROOT": str(media), "DJANGO_DEBUG": "true"}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)


def server():
    db = connection.settings_dict
    return psycopg2.connect(dbname="postgres", user=db["USER"], password=db["PASSWORD"] or None,
                            host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432)


@pytest.fixture
def fresh_database():
    name = f"{connection.settings_dict['NAME']}_restore"
    admin = server()
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def row_counts(dbname):
    db = connection.settings_dict
    with psycopg2.connect(dbname=dbname, user=db["USER"], password=db["PASSWORD"] or None,
                          host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    conn.close()
    return counts


def checksums(folder):
    return {str(path.relative_to(folder)): backup.sha256(path) for path in sorted(Path(folder).rglob("*"))
            if path.is_file()}


def test_a_backup_restores_into_a_fresh_database_with_the_same_rows_and_files(
        transactional_db, world, settings, tmp_path, fresh_database):
    item_of(world.branch, description="备份前登记的问题")
    default_storage.save("evidence/2026/photo.jpg", ContentFile(b"\xff\xd8jpeg bytes"))
    default_storage.save("reports/monthly.pdf", ContentFile(b"%PDF-1.7 report"))
    out = tmp_path / "backup"
    call_command("backup", out=str(out))
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["files"]) == {"database.dump", "media.tar"}

    restored_media = tmp_path / "restored-media"
    result = manage("restore", str(out), database=database_url(fresh_database), media=restored_media)
    assert result.returncode == 0, result.stderr
    assert "恢复完成" in result.stdout
    original = row_counts(connection.settings_dict["NAME"])
    assert original["rectification_rectificationitem"] == 1
    assert row_counts(fresh_database) == original
    assert checksums(restored_media) == checksums(settings.MEDIA_ROOT) != {}

    again = manage("restore", str(out), database=database_url(fresh_database), media=tmp_path / "empty")
    assert again.returncode != 0 and "数据库不是空的" in again.stderr


def test_a_damaged_backup_is_refused_before_anything_is_touched(tmp_path):
    folder = tmp_path / "backup"
    folder.mkdir()
    (folder / "database.dump").write_bytes(b"dump")
    (folder / "media.tar").write_bytes(b"tar")
    (folder / "manifest.json").write_text(json.dumps({"files": {
        "database.dump": {"bytes": 4, "sha256": backup.sha256(folder / "database.dump")},
        "media.tar": {"bytes": 3, "sha256": "0" * 64}}}))
    with pytest.raises(backup.BackupError, match="media.tar 的校验和不符"):
        backup.restore(folder)


def test_restore_refuses_a_media_folder_that_is_not_empty(tmp_path, fresh_database):
    out = tmp_path / "backup"
    made = manage("backup", "--out", str(out), database=database_url(fresh_database), media=tmp_path / "none")
    assert made.returncode == 0, made.stderr
    media = tmp_path / "media-in-use"
    media.mkdir()
    (media / "keep.txt").write_text("x")
    refused = manage("restore", str(out), database=database_url(fresh_database), media=media)
    assert refused.returncode != 0 and "媒体目录" in refused.stderr and (media / "keep.txt").exists()


def test_sqlite_is_refused_with_a_chinese_explanation(tmp_path):
    result = manage("backup", "--out", str(tmp_path / "b"), database=f"sqlite:///{tmp_path / 'x.sqlite3'}",
                    media=tmp_path / "media")
    assert result.returncode != 0 and "只支持 PostgreSQL" in result.stderr


@pytest.mark.usefixtures("object_store")
def test_files_in_an_object_store_are_packed_and_restored_through_the_storage(tmp_path):
    """With DJANGO_S3_BUCKET the files are not on this machine: the backup reads them through the storage API."""
    assert default_storage.__class__.__name__ == "S3Storage"
    default_storage.save("evidence/2026/a.jpg", ContentFile(b"jpeg"))
    default_storage.save("reports/r.pdf", ContentFile(b"%PDF"))
    tar = tmp_path / "media.tar"
    backup.pack_files(tar)
    for name in list(backup.stored_files()):
        default_storage.delete(name)
    assert list(backup.stored_files()) == []
    backup.unpack_files(tar)
    assert list(backup.stored_files()) == ["evidence/2026/a.jpg", "reports/r.pdf"]
    assert default_storage.open("reports/r.pdf").read() == b"%PDF"


def test_a_file_name_that_leaves_the_storage_is_refused(tmp_path, settings):
    tar_path = tmp_path / "media.tar"
    with tarfile.open(tar_path, "w") as tar:
        info = tarfile.TarInfo("../outside.txt")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(SuspiciousFileOperation):
        backup.unpack_files(tar_path)
    assert not (Path(settings.MEDIA_ROOT).parent / "outside.txt").exists()
