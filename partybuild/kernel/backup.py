"""Backups that restore: a PostgreSQL dump (pg_dump custom format) and a tar of MEDIA_ROOT, with a
manifest of sizes and SHA-256 checksums that restore verifies before it touches anything."""

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

DUMP = "database.dump"
MEDIA = "media.tar"
MANIFEST = "manifest.json"


class BackupError(Exception):
    """Why a backup or restore cannot be done, in Chinese."""


def _require_postgresql():
    if connection.vendor != "postgresql":
        raise BackupError("备份和恢复只支持 PostgreSQL 数据库。当前使用的是 SQLite(快速试用用的内嵌数据库)："
                          "请直接复制数据库文件和媒体目录，或改用 PostgreSQL(设置 DATABASE_URL)。")
    for tool in ("pg_dump", "pg_restore"):
        if not shutil.which(tool):
            raise BackupError(f"找不到 {tool}：请安装 PostgreSQL 客户端(Debian 软件包 postgresql-client)。")


def _pg_env():
    """libpq's variables for the configured database (the password never appears on a command line)."""
    db = settings.DATABASES["default"]
    pairs = {"PGHOST": db.get("HOST"), "PGPORT": db.get("PORT"), "PGUSER": db.get("USER"),
             "PGPASSWORD": db.get("PASSWORD"), "PGDATABASE": db["NAME"]}
    return {**os.environ, **{key: str(value) for key, value in pairs.items() if value}}


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _run(command):
    result = subprocess.run(command, env=_pg_env(), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} 失败：{result.stderr.strip()[-2000:]}")


def backup(out):
    """Write DUMP, MEDIA and MANIFEST into the new or empty folder ``out``; returns the manifest."""
    _require_postgresql()
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise BackupError(f"备份目录 {out} 不是空的，请指定一个新目录。")
    out.mkdir(parents=True, exist_ok=True)
    started = timezone.now()
    # the dump is one consistent snapshot; the files are packed after it, so every file the dump names exists
    _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={out / DUMP}"])
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(out / MEDIA, "w") as tar:
        if media.exists():
            for entry in sorted(media.iterdir()):
                tar.add(entry, arcname=entry.name)
    manifest = {"created_at": started.isoformat(), "database": settings.DATABASES["default"]["NAME"],
                "files": {name: {"bytes": (out / name).stat().st_size, "sha256": sha256(out / name)}
                          for name in (DUMP, MEDIA)}}
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    return manifest


def verify(folder):
    """The manifest, after checking that every file it lists is there with its size and checksum."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
        files = manifest["files"]
    except (OSError, ValueError, KeyError) as exc:
        raise BackupError(f"{folder} 不是一个完整的备份(缺少或无法读取 {MANIFEST})。") from exc
    for name in (DUMP, MEDIA):
        path = folder / name
        if name not in files or not path.exists():
            raise BackupError(f"备份缺少文件 {name}。")
        if path.stat().st_size != files[name]["bytes"] or sha256(path) != files[name]["sha256"]:
            raise BackupError(f"备份文件 {name} 的校验和不符，文件已损坏或被改动，未做任何恢复。")
    return manifest


def restore(folder, force=False):
    """Bring a backup back into the configured database and MEDIA_ROOT, which must be empty unless ``force``."""
    _require_postgresql()
    folder = Path(folder)
    manifest = verify(folder)
    media = Path(settings.MEDIA_ROOT)
    if not force:
        if connection.introspection.table_names():
            raise BackupError("数据库不是空的，未做任何恢复。请恢复到新建的空数据库，或加 --force 覆盖现有数据。")
        if media.exists() and any(media.iterdir()):
            raise BackupError(f"媒体目录 {media} 不是空的，未做任何恢复。请指定空目录，或加 --force 覆盖。")
    connection.close()
    _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          *(["--clean", "--if-exists"] if force else []), f"--dbname={_pg_env()['PGDATABASE']}", str(folder / DUMP)])
    media.mkdir(parents=True, exist_ok=True)
    if force:  # empty the folder, not remove it: it may be a mounted volume
        for entry in media.iterdir():
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
    with tarfile.open(folder / MEDIA) as tar:
        tar.extractall(media, filter="data")
    return manifest
