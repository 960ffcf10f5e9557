"""Benchmark (not a test): the main pages of every demo role, served the production way.

Starts gunicorn (``DJANGO_DEBUG=false``, N sync workers) on a free loopback port, logs in through the login
form as each demo account and fetches each of its main pages sequentially, printing p50/p95 beside the
app's own ``/healthz`` measured in the same run, and the page's query count (counted in this process).
Every fetch carries a query string never sent before (``_=<n>``), so no cached page can answer: the pages are
measured as users meet them (``--same-address`` repeats addresses, for comparison). The pages include the
addresses and filters users send (a keyword, a deep page, a status, a deep page of the ranking, a score grid).
Then wrk (Debian package ``wrk``) loads the ledger page and ``/healthz`` with concurrent connections, plays a
mix of every role's pages with many simulated users for a bounded time, and plays the same mix again while a
writer reports progress, moves items through the workflow and imports rows about once a second, counting
errors and the readers' p95.
Loopback only; every run is bounded in time. Run it on a seeded database: ``seed_demo --scale city``.
"""

import http.client
import io
import itertools
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import NoReverseMatch, reverse
from openpyxl import Workbook
from urllib3.filepost import encode_multipart_formdata

from kernel.policy import can, scope_of
from orgs.demo import DEMO_PASSWORD
from orgs.models import Organization
from partybuild.navigation import menu_for
from rectification import excel as ledger_excel
from rectification.models import RectificationItem
from scoring.models import Assessment

ROLES = ("staff", "leader", "inspector", "secretary", "admin")
BASE_DIR = Path(settings.BASE_DIR)


class Command(BaseCommand):
    help = ("测量主要页面(gunicorn 生产方式、每个演示角色)：顺序访问的 p50/p95(与 /healthz 对照)、查询次数、"
            "并发吞吐和多用户压测。")

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=20, help="每个页面顺序访问的次数")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn 工作进程数")
        parser.add_argument("--connections", type=int, default=16, help="吞吐测量的并发连接数")
        parser.add_argument("--seconds", type=int, default=10, help="每项吞吐测量的时长(秒)")
        parser.add_argument("--users", type=int, default=50, help="多用户压测的模拟用户数")
        parser.add_argument("--soak-seconds", type=int, default=60, help="多用户压测的时长(秒，最长 600；0 不测)")
        parser.add_argument("--roles", nargs="*", default=list(ROLES), choices=ROLES, help="只测这些演示账号")
        parser.add_argument("--same-address", action="store_true",
                            help="重复访问同一地址(默认每次访问都带新的查询参数，缓存无法应答)")
        parser.add_argument("--mixed-seconds", type=int, default=60,
                            help="边写边读的压测时长(秒，最长 600；每秒约一次写入：报送进展、流转、导入)")
        parser.add_argument("--think-seconds", type=float, default=5,
                            help="边写边读再测一遍：每个用户看完一页停这么多秒再点下一页(0 不测)")

    def handle(self, *args, runs, workers, connections, seconds, users, soak_seconds, roles, same_address,
               mixed_seconds, think_seconds, **options):
        pages = role_pages(roles)
        fresh = not same_address
        if not pages:
            raise CommandError("数据库没有演示数据：请先运行 seed_demo --scale city(或 county)。")
        queries = query_counts(pages)
        cache.clear()  # the first fetch of each page is a cold one
        with Server(workers, fresh) as server:
            sessions = {role: server.login(role) for role in pages}
            healthz = server.timings("/healthz", None, runs)
            self.stdout.write(f"gunicorn {workers} 个工作进程，DJANGO_DEBUG=false，"
                              f"每页顺序访问 {runs} 次(含首次冷启动，{'每次新地址' if fresh else '重复同一地址'})；"
                              f"/healthz p50 {_ms(healthz, 50)}，p95 {_ms(healthz, 95)}")
            self.stdout.write(f"{'角色':<10}{'页面':<44}{'p50':>9}{'p95':>9}{'p95/healthz':>12}{'查询':>6}{'KB':>7}")
            reference = _percentile(healthz, 95)
            for role, urls in pages.items():
                for url in urls:
                    timings = server.timings(url, sessions[role], runs)
                    self.stdout.write(
                        f"{role:<10}{url:<44}{_ms(timings, 50):>9}{_ms(timings, 95):>9}"
                        f"{_percentile(timings, 95) / reference:>11.1f}×{queries[role, url]:>6}"
                        f"{server.last_size / 1024:>7.0f}")
            healthz = server.timings("/healthz", None, runs)
            self.stdout.write(f"/healthz(结束时再测)p50 {_ms(healthz, 50)}，p95 {_ms(healthz, 95)}")
            self._throughput(server, sessions.get("staff") or next(iter(sessions.values())), connections, seconds)
            if soak_seconds > 0:
                self._soak(server, pages, sessions, users, min(soak_seconds, 600))
            if mixed_seconds > 0:
                self._mixed(server, pages, sessions, users, min(mixed_seconds, 600))
                if think_seconds > 0:
                    self._mixed(server, pages, sessions, users, min(mixed_seconds, 600), think_seconds)

    def _throughput(self, server, session, connections, seconds):
        for label, url, cookie in (("整改台账 /rectification/", "/rectification/", session),
                                   ("/healthz", "/healthz", None)):
            result = wrk(server.port, [("GET", url, cookie)], connections, seconds, server.fresh)
            self.stdout.write(f"并发 {connections} 个连接 {seconds} 秒 · {label}：每秒 {result['rps']:.0f} 个请求，"
                              f"平均延迟 {result['latency']}，错误 {result['errors']}")

    def _soak(self, server, pages, sessions, users, seconds, label="多用户压测", think_seconds=0):
        mix = [("GET", url, sessions[role]) for role, urls in pages.items() for url in urls]
        result = wrk(server.port, mix, users, seconds, server.fresh, think_seconds)
        pace = f"，每看完一页停 {think_seconds:g} 秒" if think_seconds else "，不停顿"
        self.stdout.write(f"{label}：{users} 个模拟用户 {seconds} 秒(轮流访问 {len(mix)} 个角色页面{pace})："
                          f"共 {result['requests']} 个请求，每秒 {result['rps']:.0f} 个，"
                          f"平均延迟 {result['latency']}，p95 {result['p95_ms']:.1f}ms，错误 {result['errors']}")

    def _mixed(self, server, pages, sessions, users, seconds, think_seconds=0):
        writer = Writer(server, seconds)
        writer.start()
        self._soak(server, pages, sessions, users, seconds, label="边写边读", think_seconds=think_seconds)
        writer.join()
        self.stdout.write(f"  同时写入 {writer.done} 次(进展报送、流转、导入)，写入失败 {len(writer.failures)} 次"
                          + (f"：{writer.failures[:3]}" if writer.failures else ""))


#: the ledger as users filter it: a keyword, a deep page, a status
LEDGER_QUERIES = (f"q={quote('会议')}", "page=30", "status=in_progress")


def role_pages(roles=ROLES):
    """Per demo account: its menu's pages and the detail pages it opens most (its top organisation, an item,
    the largest published results)."""
    User = get_user_model()
    assessment = (Assessment.objects.filter(status=Assessment.Status.PUBLISHED)
                  .annotate(size=Count("results")).order_by("-size").first())
    pages = {}
    for user in User.objects.filter(username__in=roles).order_by("pk"):
        urls = []
        for entry in menu_for(scope_of(user)):
            try:
                urls.append(reverse(entry.url_name))
            except NoReverseMatch:
                continue
        top = Organization.objects.visible_to(user).order_by("depth", "path").first()
        item = RectificationItem.objects.visible_to(user).order_by("-pk").first()
        if top:
            urls.append(reverse("orgs:detail", args=[top.pk]))
        if item:
            urls.append(reverse("rectification:item", args=[item.pk]))
        if reverse("rectification:ledger") in urls:
            urls += [f"{reverse('rectification:ledger')}?{query}" for query in LEDGER_QUERIES]
        if assessment and Assessment.objects.visible_to(user).filter(pk=assessment.pk).exists():
            results = reverse("scoring:results", args=[assessment.pk])
            urls += [reverse("scoring:assessment", args=[assessment.pk]), results, f"{results}?page=40"]
            if can(user, "scoring.manage", assessment):
                urls.append(reverse("scoring:grid", args=[assessment.pk, assessment.raters.order_by("pk")[0].pk]))
        pages[user.username] = urls
    return pages


def query_counts(pages):
    """How many queries each page takes, counted here through the test client (the second, warm fetch)."""
    users = {u.username: u for u in get_user_model().objects.filter(username__in=pages)}
    counts = {}
    with override_settings(ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False, DEBUG=False):
        for role, urls in pages.items():
            client = Client()
            client.force_login(users[role])
            for url in urls:
                client.get(url)
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(url)
                if response.status_code != 200:
                    raise CommandError(f"{role} {url}：HTTP {response.status_code}")
                counts[role, url] = len(captured)
    return counts


class Server:
    """gunicorn on a free loopback port, with production settings, behind an HTTPS-terminating proxy's header."""

    def __init__(self, workers, fresh=True):
        self.workers = workers
        self.fresh = fresh
        self.port = _free_port()
        self.process = None
        self.last_size = 0
        self.fetches = 0

    def __enter__(self):
        env = {**os.environ, "DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "bench-pages-only",
               "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "DATABASE_URL": _database_url()}
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=BASE_DIR, env=env,
                       check=True)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "partybuild.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(self.workers), "--timeout", "120", "--log-level", "warning"],
            cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.get("/healthz")[0] == 200:
                    return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise CommandError("gunicorn 60 秒内没有启动。")

    def __exit__(self, *exc):
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=30)

    def request(self, method, url, cookie=None, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            all_headers = {"X-Forwarded-Proto": "https", "Host": f"127.0.0.1:{self.port}", **(headers or {})}
            if cookie:
                all_headers["Cookie"] = cookie
            conn.request(method, url, body=body, headers=all_headers)
            response = conn.getresponse()
            content = response.read()
            set_cookies = [value for key, value in response.getheaders() if key.lower() == "set-cookie"]
            return response.status, set_cookies, content
        finally:
            conn.close()

    def get(self, url, cookie=None):
        status, _cookies, content = self.request("GET", url, cookie)
        self.last_size = len(content)
        return status, content

    def post_form(self, cookie, form_page, url, fields, files=None):
        """POST ``fields`` (and ``files``: {name: (filename, bytes)}) to ``url`` with the CSRF token of the form
        on ``form_page``, as a browser does; returns (status, content)."""
        status, set_cookies, content = self.request("GET", form_page, cookie)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
        csrf_cookie = _cookie(set_cookies, "csrftoken")
        if status != 200 or not token or not csrf_cookie:
            return status, content
        body, content_type = encode_multipart_formdata(
            {"csrfmiddlewaretoken": token.group(1).decode(), **{k: str(v) for k, v in fields.items()},
             **(files or {})})
        status, _set_cookies, content = self.request(
            "POST", url, f"{cookie}; csrftoken={csrf_cookie}", body,
            {"Content-Type": content_type, "Origin": f"https://127.0.0.1:{self.port}"})
        return status, content

    def login(self, username):
        status, set_cookies, content = self.request("GET", "/accounts/login/")
        csrf_cookie = _cookie(set_cookies, "csrftoken")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content).group(1).decode()
        body = f"username={username}&password={DEMO_PASSWORD}&csrfmiddlewaretoken={token}"
        status, set_cookies, _content = self.request(
            "POST", "/accounts/login/", f"csrftoken={csrf_cookie}", body,
            {"Content-Type": "application/x-www-form-urlencoded", "Origin": f"https://127.0.0.1:{self.port}"})
        session = _cookie(set_cookies, settings.SESSION_COOKIE_NAME)
        if status != 302 or not session:
            raise CommandError(f"{username} 登录失败(HTTP {status})。")
        return f"{settings.SESSION_COOKIE_NAME}={session}"

    def address(self, url):
        """``url`` with a query string never sent before (fresh mode): no cached page can answer it."""
        if not self.fresh:
            return url
        self.fetches += 1
        return f"{url}{'&' if '?' in url else '?'}_={os.getpid()}-{self.fetches}"

    def timings(self, url, cookie, runs):
        timings = []
        for _ in range(runs):
            address = self.address(url)
            started = time.perf_counter()
            status, _content = self.get(address, cookie)
            timings.append(time.perf_counter() - started)
            if status != 200:
                raise CommandError(f"{url}：HTTP {status}")
        return timings


class Writer(threading.Thread):
    """About one write a second over HTTP for ``seconds``, as users make them: the secretary reports progress on
    an item of their branch, moves a pending item into work, and every tenth write staff import two rows."""

    def __init__(self, server, seconds):
        super().__init__(daemon=True)
        self.server, self.seconds = server, seconds
        self.done, self.failures = 0, []

    def run(self):
        try:
            self._write_for(self.seconds)
        finally:
            connection.close()

    def _write_for(self, seconds):
        secretary, staff = self.server.login("secretary"), self.server.login("staff")
        user = get_user_model().objects.get(username="secretary")
        items = list(RectificationItem.objects.for_action(user, "ledger.own").open().order_by("pk"))
        branch = Organization.objects.for_action(user, "ledger.own").first()
        deadline = time.monotonic() + seconds
        for n in itertools.count(1):
            if time.monotonic() >= deadline or not items:
                return
            started = time.monotonic()
            item = items[n % len(items)]
            if n % 10 == 0:
                self._check("导入", self._import(staff, branch, n))
            elif item.status == RectificationItem.Status.PENDING:
                item.refresh_from_db()
                self._check("开始整改", self.server.post_form(
                    secretary, f"/rectification/items/{item.pk}/", f"/rectification/items/{item.pk}/do/start/",
                    {"version": item.version, "comment": "开始整改"}))
                item.status = RectificationItem.Status.IN_PROGRESS
            else:
                self._check("报送进展", self.server.post_form(
                    secretary, f"/rectification/items/{item.pk}/", f"/rectification/items/{item.pk}/progress/",
                    {"text": f"第 {n} 次压测报送：按方案推进。", "percent": 50}))
            time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))

    def _import(self, staff, branch, n):
        book = Workbook()
        book.active.append([column.header for column in ledger_excel.COLUMNS])
        for k in range(2):
            row = {"组织编码": branch.code, "问题来源": "督查发现", "问题描述": f"压测导入问题 {n}-{k}"}
            book.active.append([row.get(column.header) for column in ledger_excel.COLUMNS])
        buffer = io.BytesIO()
        book.save(buffer)
        status, content = self.server.post_form(staff, "/rectification/import/", "/rectification/import/", {},
                                                files={"file": ("ledger.xlsx", buffer.getvalue())})
        token = re.search(rb'name="token" value="([^"]+)"', content)
        if status != 200 or not token:
            return status, content
        return self.server.post_form(staff, "/rectification/import/", "/rectification/import/confirm/",
                                     {"token": token.group(1).decode()})

    def _check(self, label, answer):
        status, _content = answer
        if status in (200, 302):
            self.done += 1
        else:
            self.failures.append(f"{label} HTTP {status}")


def wrk(port, requests, connections, seconds, fresh=False, think_seconds=0):
    """Run wrk over ``requests`` [(method, path, cookie)] in turn (``fresh``: each with a query string never sent
    before; ``think_seconds``: each connection waits that long after an answer, as a reader does); returns
    requests/s, mean latency (of the answers, waits excluded), p95 and errors."""
    if not shutil.which("wrk"):
        raise CommandError("没有 wrk：请运行 scripts/install-system-packages.sh(Debian 软件包 wrk)。")
    entries = ",\n".join(
        f'  {{"{method}", "{path}", {{["Cookie"] = "{cookie or ""}", ["X-Forwarded-Proto"] = "https"}}}}'
        for method, path, cookie in requests)
    script = ("local requests = {\n" + entries + "\n}\nlocal i = 0\n"
              f"local fresh = {'true' if fresh else 'false'}\n"
              "request = function()\n  i = i + 1\n  local r = requests[(i % #requests) + 1]\n"
              "  local path = r[2]\n"
              "  if fresh then\n"
              "    local sep = string.find(path, '?', 1, true) and '&' or '?'\n"
              "    path = path .. sep .. '_=w' .. i .. '-' .. math.random(1000000000)\n  end\n"
              "  return wrk.format(r[1], path, r[3])\nend\n"
              "done = function(summary, latency, requests)\n"
              "  io.write(string.format('p95_us %d\\n', latency:percentile(95)))\nend\n"
              + (f"delay = function() return {int(think_seconds * 1000)} end\n" if think_seconds else ""))
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script)
        lua.flush()
        out = subprocess.run(
            ["wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s", "-s", lua.name,
             f"http://127.0.0.1:{port}/"], capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (
        int(sockets.group(1)) + int(sockets.group(3)) + int(sockets.group(4)) if sockets else 0)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "requests": int(re.search(r"(\d+) requests in", out).group(1)),
            "latency": re.search(r"Latency\s+(\S+)", out).group(1), "errors": errors,
            "p95_ms": int(re.search(r"p95_us (\d+)", out).group(1)) / 1000}


def _database_url():
    """The database this command reads, for the server it starts (under the tests, the test database)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    credentials = f"{quote(db['USER'] or '')}:{quote(db['PASSWORD'] or '')}@" if db["USER"] else ""
    return f"postgres://{credentials}{db['HOST'] or ''}:{db['PORT'] or 5432}/{db['NAME']}"


def _cookie(set_cookies, name):
    for header in set_cookies:
        if header.startswith(f"{name}="):
            return header.split(";", 1)[0].split("=", 1)[1]
    return None


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _ms(values, p):
    return f"{_percentile(values, p) * 1000:.1f}ms" if p != 50 else f"{statistics.median(values) * 1000:.1f}ms"
