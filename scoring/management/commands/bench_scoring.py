"""Benchmark (not a test): rank N organisations × 50 items × 3 raters with the scoring engine.

``--database`` also measures the database path on the seeded data: an assessment over every branch with the
50-item scheme (seed 004's shape), random scores bulk-inserted, then closed (computed, ranked, stored) and
published, so ``bench_reports`` can render its ranked report; then a rule trial (规则试算) on it is timed.
"""

import datetime
import random
import statistics
import time
import tracemalloc
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from kernel import bulk
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


def _timed(action):
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _ranked_by_sql(assessment):
    """The reference: weighted totals of every organisation ranked within its peer group, in one query."""
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT t.org_id, RANK() OVER (PARTITION BY t.peer_group ORDER BY SUM(s.points * r.weight) DESC)
            FROM scoring_score s JOIN scoring_rater r ON r.id = s.rater_id
            JOIN scoring_assessmenttarget t ON t.assessment_id = s.assessment_id AND t.org_id = s.org_id
            WHERE s.assessment_id = %s GROUP BY t.org_id, t.peer_group""", [assessment.pk])
        return cursor.fetchall()


def _close(user, assessment, *, again=False, keep=False):
    """Close the assessment, rolled back unless ``keep``; ``again``: as if reopened (its results exist)."""
    from scoring import services
    from scoring.models import Assessment

    with transaction.atomic():
        if again:
            Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.SCORING)
        services.close(user, Assessment.objects.get(pk=assessment.pk))
        transaction.set_rollback(not keep)


def _trial(user, assessment):
    """The demo's rule trial (four grades by shares, weights 5 : 2 : 3) on the published assessment, rolled back."""
    from scoring import demo, trials
    from scoring.models import Assessment

    assessment = Assessment.objects.select_related("scheme", "root").get(pk=assessment.pk)
    with transaction.atomic():
        trial = trials.run(user, assessment, name="性能测量", rules=demo.trial_rules(assessment))
        transaction.set_rollback(True)
    return trial


class Command(BaseCommand):
    help = "测量考核计算引擎：N 个组织 × 50 项指标 × 3 个评分主体的计分、排名和定等(取 5 次中位数)。"

    def add_arguments(self, parser):
        parser.add_argument("--organisations", type=int, default=8000)
        parser.add_argument("--runs", type=int, default=5)
        parser.add_argument("--database", action="store_true", help="同时测量数据库路径(需要先 seed_demo)")

    def handle(self, *args, organisations, runs, database, **options):
        if database:
            self._database_path(runs)
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

    def _database_path(self, runs):
        from django.contrib.auth import get_user_model

        from orgs.models import BRANCH_KINDS, Organization
        from scoring import schemes, services
        from scoring.models import Assessment, Indicator, Scheme, Score

        staff = get_user_model().objects.get(username="staff")
        root = Organization.objects.get(depth=1)
        seeded = Scheme.objects.filter(name=schemes.SCHEME_004["name"]).order_by("-year", "version").first()
        scheme = services.copy_scheme(seeded)  # seed 004's 50 items, for branches of every sector
        scheme.sectors = []
        scheme.save()
        started = time.perf_counter()
        assessment = services.create_assessment(
            staff, scheme=scheme, name="性能测量：全部党支部考核", period="测量", root=root,
            raters=[("述职评分", 4, [staff]), ("评议", 3, [staff]), ("年度考核", 3, [staff])],
            closes_on=datetime.date.today())
        assessment.targets.exclude(org__kind__in=BRANCH_KINDS).delete()
        rng = random.Random(2026)
        items = list(scheme.indicators.filter(kind=Indicator.Kind.SCORE))
        raters = list(assessment.raters.all())
        bulk.insert_rows(Score, ["assessment_id", "org_id", "indicator_id", "rater_id", "member_id",
                                 "entered_by_id", "points", "reason", "evidence"],
                         ((assessment.pk, org, item.pk, rater.pk, staff.pk, staff.pk,
                           Decimal(rng.randint(10, 20)) / 10, "", "")
                          for org in assessment.targets.values_list("org_id", flat=True)
                          for rater in raters for item in items))
        bulk.analyze(Score)
        loaded = time.perf_counter() - started
        reference = statistics.median(_timed(lambda: _ranked_by_sql(assessment)) for _ in range(runs))
        first = statistics.median(_timed(lambda: _close(staff, assessment)) for _ in range(runs))
        _close(staff, assessment, keep=True)
        again = statistics.median(_timed(lambda: _close(staff, assessment, again=True)) for _ in range(runs))
        services.publish(staff, Assessment.objects.get(pk=assessment.pk))
        trial = statistics.median(_timed(lambda: _trial(staff, assessment)) for _ in range(runs))
        moves = _trial(staff, assessment).comparison["grade_moves"]
        self.stdout.write(
            f"数据库路径：{assessment.targets.count()} 个党支部、{assessment.scores.count()} 个分数"
            f"(建立考核并写入分数 {loaded:.1f} 秒)\n"
            f"  对照：一条 SQL 窗口查询按加权总分排名 中位数 {reference:.2f} 秒\n"
            f"  结束评分(读取全部分数、计算、排名、定等、写入结果和问题)：首次 中位数 {first:.2f} 秒"
            f"(对照的 {first / reference:.1f} 倍)；重新计算(结果已存在) 中位数 {again:.2f} 秒"
            f"(对照的 {again / reference:.1f} 倍)\n"
            f"  规则试算(按比例四个等次、权重 5:2:3，同一引擎计算并与实际结果比较，{moves} 个组织等次变化)："
            f"中位数 {trial:.2f} 秒\n"
            f"  已发布为考核编号 {assessment.pk}")
