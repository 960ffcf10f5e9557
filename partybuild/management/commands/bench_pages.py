"""Benchmark (not a test): the main pages of every demo role, served the production way.

Starts gunicorn (``DJANGO_DEBUG=false``, N sync workers) on a free loopback port, logs in through the login
form as each demo account and fetches each of its main pages sequentially, printing p50/p95 beside the
app's own ``/healthz`` measured in the same run, and the page's query count (counted in this process).
Then wrk (Debian package ``wrk``) loads the ledger page and ``/healthz`` with concurrent connections, and
plays a mix of every role's pages with many simulated users for a bounded time, counting errors.
Loopback only; every run is bounded in time. Run it on a seeded database: ``seed_demo --scale city``.
"""

import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
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

from orgs.demo import DEMO_PASSWORD
from orgs.models import Organization
from partybuild.kernel.policy import scope_of
from partybuild.navigation import menu_for
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
        parser.add_argument("--soak-seconds", type=int, default=60, help="多用户压测的时长(秒，最长 600)")
        parser.add_argument("--roles", nargs="*", default=list(ROLES), choices=ROLES, help="只测这些演示账号")

    def handle(self, *args, runs, workers, connections, seconds, users, soak_seconds, roles, **options):
        pages = role_pages(roles)
        if not pages:
            raise CommandError("数据库没有演示数据：请先运行 seed_demo --scale city(或 county)。")
        queries = query_counts(pages)
        cache.clear()  # the first fetch of each page is a cold one
        with Server(workers) as server:
            sessions = {role: server.login(role) for role in pages}
            healthz = server.timings("/healthz", None, runs)
            self.stdout.write(f"gunicorn {workers} 个工作进程，DJANGO_DEBUG=false，"
                              f"每页顺序访问 {runs} 次(含首次冷启动)；"
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
            self._soak(server, pages, sessions, users, min(soak_seconds, 600))

    def _throughput(self, server, session, connections, seconds):
        for label, url, cookie in (("整改台账 /rectification/", "/rectification/", session),
                                   ("/healthz", "/healthz", None)):
            result = wrk(server.port, [("GET", url, cookie)], connections, seconds)
            self.stdout.write(f"并发 {connections} 个连接 {seconds} 秒 · {label}：每秒 {result['rps']:.0f} 个请求，"
                              f"平均延迟 {result['latency']}，错误 {result['errors']}")

    def _soak(self, server, pages, sessions, users, seconds):
        mix = [("GET", url, sessions[role]) for role, urls in pages.items() for url in urls]
        result = wrk(server.port, mix, users, seconds)
        self.stdout.write(f"{users} 个模拟用户 {seconds} 秒(轮流访问 {len(mix)} 个角色页面)："
                          f"共 {result['requests']} 个请求，每秒 {result['rps']:.0f} 个，"
                          f"平均延迟 {result['latency']}，错误 {result['errors']}")


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
        if assessment and Assessment.objects.visible_to(user).filter(pk=assessment.pk).exists():
            urls += [reverse("scoring:assessment", args=[assessment.pk]),
                     reverse("scoring:results", args=[assessment.pk])]
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

    def __init__(self, workers):
        self.workers = workers
        self.port = _free_port()
        self.process = None
        self.last_size = 0

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

    def timings(self, url, cookie, runs):
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            status, _content = self.get(url, cookie)
            timings.append(time.perf_counter() - started)
            if status != 200:
                raise CommandError(f"{url}：HTTP {status}")
        return timings


def wrk(port, requests, connections, seconds):
    """Run wrk over ``requests`` [(method, path, cookie)] in turn; returns requests/s, latency and errors."""
    if not shutil.which("wrk"):
        raise CommandError("没有 wrk：请运行 scripts/install-system-packages.sh(Debian 软件包 wrk)。")
    entries = ",\n".join(
        f'  wrk.format("{method}", "{path}", {{["Cookie"] = "{cookie or ""}", ["X-Forwarded-Proto"] = "https"}})'
        for method, path, cookie in requests)
    script = ("local requests = {\n" + entries + "\n}\nlocal i = 0\n"
              "request = function()\n  i = i + 1\n  return requests[(i % #requests) + 1]\nend\n")
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
            "latency": re.search(r"Latency\s+(\S+)", out).group(1), "errors": errors}


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
