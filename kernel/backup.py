"""Backups that restore: a PostgreSQL dump (pg_dump custom format) and a tar of every stored file (read
through Django's storage API: the media folder, or the S3 bucket when one is configured), with a manifest
of sizes and SHA-256 checksums that restore verifies before it touches anything."""

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import time
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
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
    pack_files(out / MEDIA)
    manifest = {"created_at": started.isoformat(), "database": settings.DATABASES["default"]["NAME"],
                "files": {name: {"bytes": (out / name).stat().st_size, "sha256": sha256(out / name)}
                          for name in (DUMP, MEDIA)}}
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    return manifest


def pack_files(path):
    """Write every stored file into the tar at ``path``."""
    with tarfile.open(path, "w") as tar:
        for name in stored_files():
            info = tarfile.TarInfo(name)
            info.size, info.mtime = default_storage.size(name), time.time()
            with default_storage.open(name, "rb") as stream:
                tar.addfile(info, stream)


def unpack_files(path):
    """Store every file of the tar at ``path`` under its own name."""
    with tarfile.open(path) as tar:
        for member in tar:
            if not member.isfile():
                continue
            # the storage refuses absolute names and '..'; a name it would change means a clash: stop
            if default_storage.save(member.name, File(tar.extractfile(member))) != member.name:
                raise BackupError(f"文件 {member.name} 无法按原名恢复。")


def stored_files(folder=""):
    """The names of every stored file, depth first (an absent media folder holds none)."""
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from stored_files(f"{folder}/{sub}" if folder else sub)


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
    """Bring a backup back into the configured database and file storage, which must be empty unless ``force``."""
    _require_postgresql()
    folder = Path(folder)
    manifest = verify(folder)
    if not force:
        if connection.introspection.table_names():
            raise BackupError("数据库不是空的，未做任何恢复。请恢复到新建的空数据库，或加 --force 覆盖现有数据。")
        if next(stored_files(), None) is not None:
            raise BackupError(f"媒体目录(文件存储 {_storage_name()})不是空的，未做任何恢复。请指定空的目录或存储桶，"
                              "或加 --force 覆盖。")
    connection.close()
    _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          *(["--clean", "--if-exists"] if force else []), f"--dbname={_pg_env()['PGDATABASE']}", str(folder / DUMP)])
    if force:
        for name in list(stored_files()):
            default_storage.delete(name)
    unpack_files(folder / MEDIA)
    return manifest


def _storage_name():
    return f"s3://{settings.S3_BUCKET}" if settings.S3_BUCKET else str(settings.MEDIA_ROOT)
