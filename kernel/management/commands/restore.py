import time

from django.core.management.base import BaseCommand, CommandError

from kernel import backup


class Command(BaseCommand):
    help = "从 backup 命令写的目录恢复数据库和媒体目录；先核对校验和，目标数据库和媒体目录须为空(除非 --force)。"

    def add_arguments(self, parser):
        parser.add_argument("folder", help="backup --out 写入的目录")
        parser.add_argument("--force", action="store_true", help="覆盖非空的数据库和媒体目录(现有数据将被替换)")

    def handle(self, *args, folder, force, **options):
        started = time.monotonic()
        try:
            manifest = backup.restore(folder, force=force)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"恢复完成：{manifest['created_at']} 的备份(用时 {time.monotonic() - started:.1f} 秒)")
