import pathlib
import time

from django.core.management.base import BaseCommand, CommandError

from kernel.reports import all_builders, builder_for
from orgs.models import Organization


class Command(BaseCommand):
    help = ("同步生成报告(用于定时任务和性能测量)："
            "build_report monthly|ranking --scope 组织编码 --period 2026-10|考核编号 --out 目录")

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=[builder.kind for builder in all_builders()])
        parser.add_argument("--scope", required=True)
        parser.add_argument("--period", required=True)
        parser.add_argument("--out", default=".")

    def handle(self, *args, kind, scope, period, out, **options):
        org = Organization.objects.filter(code=scope).first()
        if org is None:
            raise CommandError(f"找不到组织编码 {scope}")
        builder = builder_for(kind)
        try:
            builder.check_period(period, org)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        started = time.perf_counter()
        built = builder.build(org, period, lambda percent: None)
        folder = pathlib.Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        stem = folder / f"{kind}-{org.code}-{period}"
        stem.with_suffix(".pdf").write_bytes(built.pdf)
        stem.with_suffix(".xlsx").write_bytes(built.xlsx)
        self.stdout.write(f"已生成 {stem}.pdf 和 .xlsx，用时 {time.perf_counter() - started:.1f} 秒")
