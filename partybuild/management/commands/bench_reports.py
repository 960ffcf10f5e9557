"""Benchmark (not a test): how long the report builders take and how much memory they use.

Run on a database seeded at the wanted scale, e.g. ``python manage.py seed_demo --scale city --reset``.
"""

import resource
import statistics
import time
import tracemalloc

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from orgs.models import Level, Organization
from partybuild.reports import builder_for
from scoring.models import Assessment


class Command(BaseCommand):
    help = "测量报告生成(同步、单进程)：县级和市级的月度整改进展报告、排名通报，打印中位数耗时和内存峰值。"

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=3)

    def handle(self, *args, runs, **options):
        root = Organization.objects.filter(depth=1).first()
        county = Organization.objects.filter(level=Level.COUNTY).order_by("path").first()
        assessment = Assessment.objects.filter(status=Assessment.Status.PUBLISHED).first()
        if root is None or assessment is None:
            raise CommandError("数据库没有演示数据：请先运行 seed_demo --scale city(或 county)。")
        month = (timezone.localdate().replace(day=1) - timezone.timedelta(days=1)).strftime("%Y-%m")
        cases = [("monthly", county, month), ("monthly", root, month),
                 ("ranking", county, str(assessment.pk)), ("ranking", root, str(assessment.pk))]
        for kind, scope, period in cases:
            if scope is None:
                continue
            self._measure(kind, scope, period, runs)

    def _measure(self, kind, scope, period, runs):
        builder = builder_for(kind)
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            built = builder.build(scope, period, lambda percent: None)
            timings.append(time.perf_counter() - started)
        tracemalloc.start()
        builder.build(scope, period, lambda percent: None)
        _now, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(
            f"{builder.label} · {scope.name}：中位数 {statistics.median(timings):.2f} 秒"
            f"(共 {runs} 次，最快 {min(timings):.2f})，Python 内存峰值 {peak / 1024 / 1024:.0f} MB，"
            f"进程最大常驻内存 {rss:.0f} MB，PDF {len(built.pdf) / 1024:.0f} KB")
