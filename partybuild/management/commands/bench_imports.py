"""Benchmark (not a test): confirming a ledger import of 10,000 valid rows, exporting 60,000 ledger rows, and the
time and memory each hostile workbook of the corpus (``tests/kernel/hostile.py``) and a valid 20,000-row ledger
cost to read: each is read in a child process of its own, whose peak memory is reported (the child starts with
this process's memory, printed first).

Run on a seeded database (``seed_demo``). Everything it writes happens inside transactions that are rolled
back: the import is previewed and confirmed the way the views do it (at confirmation the rows kept from the
preview are checked again, then written in bulk); before the export the ledger is topped up to
``--export-rows`` items, in bulk.
"""

import datetime
import io
import json
import os
import resource
import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, transaction

from kernel import xlsx
from kernel.policy import Role
from kernel.xlsx_reader import TASK_SECONDS, Deadline
from orgs.models import Organization, RoleAssignment
from rectification import excel
from rectification.models import Problem, RectificationItem

Status = RectificationItem.Status
STATES = [Status.PENDING, Status.IN_PROGRESS, Status.SUBMITTED, Status.CLOSED]


class Command(BaseCommand):
    help = "测量 Excel 导入导出：确认导入 10000 行整改台账、导出 60000 行整改台账，打印中位数耗时(不写入数据库)。"

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=3)
        parser.add_argument("--import-rows", type=int, default=10_000)
        parser.add_argument("--export-rows", type=int, default=60_000)
        parser.add_argument("--hostile-only", action="store_true", help="只测量恶意工作簿和 20000 行台账的读取")

    def handle(self, *args, runs, import_rows, export_rows, hostile_only, **options):
        grant = (RoleAssignment.objects.filter(role=Role.STAFF, recursive=True).select_related("user", "org")
                 .order_by("org__depth").first())
        if grant is None:
            raise CommandError("数据库没有演示数据：请先运行 seed_demo --scale county(或 city)。")
        user = grant.user
        orgs = list(Organization.objects.for_action(user, "ledger.manage").filter(numchild=0)
                    .values_list("code", flat=True)[:2000])
        self._hostile(user, orgs)
        if hostile_only:
            return
        content = _ledger_workbook(orgs, import_rows)
        self.stdout.write(f"导入文件：{import_rows} 行，{len(content) / 1024:.0f} KB，导入人 {user}(范围：{grant.org})")
        self._report("预览(读取并检查)", runs, lambda: self._preview(user, content, import_rows))
        rows = excel.IMPORT.plan(user, io.BytesIO(content), Deadline(TASK_SECONDS)).stored_rows
        kept = json.loads(json.dumps(rows, cls=DjangoJSONEncoder))
        self._report("确认导入(再次检查保存的行并批量写入)", runs, lambda: self._confirm(user, kept))
        with transaction.atomic():
            items = RectificationItem.objects.visible_to(user)
            missing = export_rows - items.count()
            if missing > 0:
                _top_up(user, orgs, missing)
            self._report(f"导出 {items.count()} 行", runs, lambda: self._export(items))
            transaction.set_rollback(True)

    def _hostile(self, user, orgs):
        from tests.kernel import hostile

        cases = {name: getattr(hostile, name) for name in HOSTILE}
        cases["valid ledger of 20,000 rows"] = lambda: _ledger_workbook(orgs, 20_000)
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        self.stdout.write(f"读取恶意工作簿(每个在子进程中读取，子进程起始内存约 {own} MB，"
                          f"读取时限 {TASK_SECONDS} 秒)：")
        for name, build in cases.items():
            content = build()
            seconds, peak, outcome = _read_in_child(user, content)
            size = len(content) / 1024
            self.stdout.write(f"  {name}({size:.0f} KB)：{seconds:.2f} 秒，峰值内存 {peak} MB，{outcome}")

    def _report(self, label, runs, step):
        """Wall-clock time, and this process's CPU time (what the work costs when the machine is not shared)."""
        timings, cpu = [], []
        for _ in range(runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            detail = step()
            timings.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        self.stdout.write(f"{label}：中位数 {statistics.median(timings):.2f} 秒(共 {runs} 次，最快 {min(timings):.2f}，"
                          f"最慢 {max(timings):.2f}；本进程 CPU 中位数 {statistics.median(cpu):.2f} 秒){detail}")

    def _preview(self, user, content, expected):
        plan = excel.IMPORT.plan(user, io.BytesIO(content), Deadline(TASK_SECONDS))
        if not plan.is_valid or plan.count != expected:
            raise CommandError(f"导入文件没有通过检查：{plan.errors[:3]}")
        return ""

    def _confirm(self, user, kept):
        """What the confirm view does: the rows kept at preview checked again, then written."""
        with transaction.atomic():
            plan = excel.IMPORT.replan(user, kept)
            message = excel.IMPORT.apply(user, plan)
            transaction.set_rollback(True)
        return f"，{message}"

    def _export(self, items):
        content = excel.export_workbook(items)
        return f"，{len(content) / 1024 / 1024:.1f} MB"


HOSTILE = ["blank_cell_bomb", "styles_bomb", "large_styles", "many_shared_strings", "shared_string_bomb",
           "blank_rows", "far_away_row", "zip_bomb_member", "ratio_bomb_member", "billion_laughs", "many_columns"]


def _read_in_child(user, content):
    """(seconds, peak memory in MB, outcome) of reading and checking ``content`` in a child process."""
    connections.close_all()  # the child opens its own
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(reader)
        started = time.perf_counter()
        try:
            plan = excel.IMPORT.plan(user, io.BytesIO(content), Deadline(TASK_SECONDS))
            outcome = f"读取 {plan.count} 行，{len(plan.errors)} 处错误"
        except xlsx.SheetError as exc:
            outcome = f"拒绝：{str(exc)[:40]}"
        os.write(writer, f"{time.perf_counter() - started}\t{outcome}".encode())
        os._exit(0)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        seconds, outcome = pipe.read().decode().split("\t", 1)
    _pid, _status, usage = os.wait4(pid, 0)
    return float(seconds), usage.ru_maxrss // 1024, outcome


def _ledger_workbook(orgs, count) -> bytes:
    """``count`` valid ledger rows spread over ``orgs``, in every state, as a user would fill the sheet."""
    today = datetime.date.today()
    rows = []
    for n in range(count):
        status = STATES[n % len(STATES)]
        found = today - datetime.timedelta(days=30 + n % 300)
        rows.append((n + 1, orgs[n % len(orgs)], "", Problem.Source.INSPECTION, None,
                     f"导入测试问题{n}：“三会一课”记录不全，党员学习教育不够扎实", found, f"整改措施{n}：每月检查记录",
                     "村党支部", f"书记{n % 97}", found + datetime.timedelta(days=90), RectificationItem.Kind.DEADLINE,
                     f"第{n}条进展", status, today if status == Status.CLOSED else None, None))
    return xlsx.write_rows("整改台账", excel.COLUMNS, rows)


def _top_up(user, orgs, count):
    """Bulk-create ``count`` ledger items through the import's own writer (rolled back by the caller)."""
    plan = excel.IMPORT.plan(user, io.BytesIO(_ledger_workbook(orgs, min(count, excel.IMPORT.max_rows))),
                             Deadline(TASK_SECONDS))
    records = [record for _n, record in plan.rows]
    while count > 0:
        batch = records[:count]
        plan.creates[:] = batch
        excel.IMPORT.apply(user, plan)
        count -= len(batch)
