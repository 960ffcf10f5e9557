import time

from django.core.management.base import BaseCommand, CommandError

from kernel import backup


class Command(BaseCommand):
    help = "备份：PostgreSQL 数据库(pg_dump 自定义格式)和媒体目录(上传文件、生成的报告)，附清单和 SHA-256 校验和。"

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="备份写入的新目录(须不存在或为空)")

    def handle(self, *args, out, **options):
        started = time.monotonic()
        try:
            manifest = backup.backup(out)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        sizes = "，".join(f"{name} {entry['bytes'] / 1e6:.1f} MB" for name, entry in manifest["files"].items())
        self.stdout.write(f"备份完成：{out}({sizes}，用时 {time.monotonic() - started:.1f} 秒)")
