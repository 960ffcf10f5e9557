"""Benchmark (not a test): rank N organisations × 50 items × 3 raters with the scoring engine."""

import random
import statistics
import time
import tracemalloc
from decimal import Decimal

from django.core.management.base import BaseCommand

from scoring import engine


def build(organisations, seed=2026):
    rng = random.Random(seed)
    items = [engine.Item(f"i{n}", f"维度{n // 17}", "score", Decimal(2)) for n in range(50)]
    raters = {"述职评分": 4, "评议": 3, "年度考核": 3}
    groups = ["村·农村", "社区·社区", "支部·机关", "支部·非公企业"]
    targets = {org: groups[org % len(groups)] for org in range(organisations)}
    entries = [engine.Entry(org, item.id, rater, Decimal(rng.randint(8, 20)) / 10)
               for org in targets for rater in raters for item in items]
    return items, raters, targets, entries


class Command(BaseCommand):
    help = "测量考核计算引擎：N 个组织 × 50 项指标 × 3 个评分主体的计分、排名和定等(取 5 次中位数)。"

    def add_arguments(self, parser):
        parser.add_argument("--organisations", type=int, default=8000)
        parser.add_argument("--runs", type=int, default=5)

    def handle(self, *args, organisations, runs, **options):
        items, raters, targets, entries = build(organisations)
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            engine.compute(items, raters, targets, entries, bonus_cap=5)
            timings.append(time.perf_counter() - started)
        tracemalloc.start()
        engine.compute(items, raters, targets, entries, bonus_cap=5)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        self.stdout.write(
            f"{organisations} 个组织 × 50 项 × 3 个评分主体({len(entries)} 个分数)："
            f"中位数 {statistics.median(timings):.2f} 秒(最快 {min(timings):.2f}，最慢 {max(timings):.2f})，"
            f"计算时的内存峰值 {peak / 1024 / 1024:.0f} MB")
