import random
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count, Q, Sum

from kernel import bulk
from kernel.registry import PROJECT_APPS, app_modules
from orgs import demo as org_demo
from orgs.models import BRANCH_KINDS, COMMITTEE_KINDS, Kind, Level, Organization, OrgStatistics


class Command(BaseCommand):
    help = "载入演示数据：一个县(--scale county，默认)或一个市(--scale city)。"

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=["county", "city"], default="county")
        parser.add_argument("--reset", action="store_true", help="先清空数据库中的全部数据")
        parser.add_argument("--if-empty", action="store_true", help="数据库已有组织时什么也不做")

    def handle(self, *args, scale, reset, if_empty, **options):
        if reset:
            call_command("flush", interactive=False, verbosity=0)
        if Organization.objects.exists():
            if if_empty:
                self.stdout.write("数据库已有数据，跳过演示数据。")
                return
            raise CommandError("数据库中已有组织数据；如需重建演示数据，请加 --reset(会清空全部数据)。")
        started = time.monotonic()
        rng = random.Random(2026)
        with transaction.atomic(), bulk.foreign_keys_checked_once():  # one commit: all of the demo or none of it
            root, accounts = org_demo.seed(scale, rng)
            for module in app_modules("demo", [app for app in PROJECT_APPS if app != "orgs"]):
                module.seed(scale, rng)
        bulk.analyze()  # the planner must know the bulk-loaded volumes before the first page
        self._print_summary(root, accounts, time.monotonic() - started)
        checked = time.monotonic()
        call_command("verify_figures", "--months", "1", stdout=self.stdout, stderr=self.stderr)
        self.stdout.write(f"  统计数字核对用时 {time.monotonic() - checked:.1f} 秒(不计入载入时间)")

    def _print_summary(self, root, accounts, seconds):
        counts = Organization.objects.aggregate(
            committees=Count("id", filter=Q(kind__in=COMMITTEE_KINDS)),
            general_branches=Count("id", filter=Q(kind=Kind.GENERAL_BRANCH)),
            branches=Count("id", filter=Q(kind__in=BRANCH_KINDS)),
            townships=Count("id", filter=Q(level=Level.TOWNSHIP)),
            streets=Count("id", filter=Q(level=Level.STREET)),
            villages=Count("id", filter=Q(level=Level.VILLAGE)),
            communities=Count("id", filter=Q(level=Level.COMMUNITY)),
            total=Count("id"),
        )
        year = OrgStatistics.objects.order_by("-year").values_list("year", flat=True).first()
        members = OrgStatistics.objects.filter(year=year).aggregate(
            n=Sum("full_members") + Sum("probationary_members"))["n"]
        self.stdout.write(self.style.SUCCESS(f"演示数据已载入({seconds:.1f} 秒)：{root.name}"))
        self.stdout.write(
            f"  组织 {counts['total']} 个：党委(党工委) {counts['committees']}，党总支 {counts['general_branches']}，"
            f"党支部 {counts['branches']}；乡镇 {counts['townships']}，街道 {counts['streets']}，"
            f"村 {counts['villages']}，社区 {counts['communities']}；{year}年党员 {members} 名")
        self.stdout.write(f"  演示账号(密码均为 {org_demo.DEMO_PASSWORD})：")
        for username, role, scope in accounts:
            self.stdout.write(f"    {username:<11} {role}  范围：{scope}")
