#!/usr/bin/env bash
# The production shape of docker-compose.yml started without a container engine: gunicorn (web), a Celery
# worker and Celery beat, with DJANGO_DEBUG=false, against this machine's PostgreSQL (database
# partybuild_smoke) and Redis (its own DB number). Migrates, seeds the county demo, signs in over HTTP,
# asks for a monthly report, waits for the worker to build it, downloads both files, checks /readyz,
# and stops every process it started (always, also on failure).
#
# Uses DATABASE_URL / REDIS_URL from the environment as the servers to talk to (or starts local ones,
# like run-tests.sh); SMOKE_REDIS_DB picks the Redis DB number (default 12).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/ensure-services.sh
source scripts/ensure-services.sh

work=$(mktemp -d)
server_url=${DATABASE_URL%%\?*}
admin_url="${server_url%/*}/postgres"
smoke_db=partybuild_smoke
redis_base=${REDIS_URL%/*}
pids=()
export PGOPTIONS="--client-min-messages=warning"

export DATABASE_URL="${server_url%/*}/$smoke_db"
export REDIS_URL="$redis_base/${SMOKE_REDIS_DB:-12}"
export DJANGO_DEBUG=false
export DJANGO_SECRET_KEY="smoke-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
export DJANGO_SECURE_SSL_REDIRECT=false  # plain HTTP on the loopback; production sits behind TLS
export DJANGO_MEDIA_ROOT="$work/media"
port=$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"

stop() {
  local status=$?
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "进程 $pid 在 20 秒内没有退出，强制结束" >&2
      kill -KILL "$pid" 2>/dev/null || true
      status=1
    fi
  done
  if [ "$status" -ne 0 ]; then
    for log in web worker beat; do
      [ -f "$work/$log.log" ] && { echo "--- $log.log (最后 40 行)"; tail -n 40 "$work/$log.log"; } >&2
    done
  fi
  redis-cli -u "$REDIS_URL" flushdb >/dev/null 2>&1 || true
  psql -q "$admin_url" -c "DROP DATABASE IF EXISTS $smoke_db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
  exit "$status"
}
trap stop EXIT
trap 'exit 130' INT TERM

echo "== 生产形态冒烟检查(gunicorn + celery worker + celery beat，DJANGO_DEBUG=false，端口 $port)"
psql -q "$admin_url" -c "DROP DATABASE IF EXISTS $smoke_db WITH (FORCE)" -c "CREATE DATABASE $smoke_db" >/dev/null
redis-cli -u "$REDIS_URL" flushdb >/dev/null
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/python manage.py seed_demo --scale county >/dev/null

# the same commands as the web, worker and beat services of docker-compose.yml
PATH="$PWD/.venv/bin:$PATH" gunicorn partybuild.wsgi:application --bind "127.0.0.1:$port" --workers 2 --timeout 120 \
  >"$work/web.log" 2>&1 &
pids+=($!)
PATH="$PWD/.venv/bin:$PATH" celery -A partybuild worker --loglevel=INFO --concurrency=2 >"$work/worker.log" 2>&1 &
pids+=($!)
PATH="$PWD/.venv/bin:$PATH" celery -A partybuild beat --loglevel=INFO --schedule "$work/beat-schedule" \
  >"$work/beat.log" 2>&1 &
pids+=($!)

for _ in $(seq 1 60); do curl -fsS "$base/healthz" >/dev/null 2>&1 && break; sleep 0.5; done

SMOKE_BASE="$base" .venv/bin/python - <<'PY'
"""Sign in, ask for the monthly report, wait for the worker, download it, ask /readyz."""
import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request

BASE = os.environ["SMOKE_BASE"]
cookies = {}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


opener = urllib.request.build_opener(NoRedirect)


def call(path, data=None):
    """One request; cookies are kept by hand because the production cookies are Secure (HTTPS only)."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(BASE + path, data=body)
    request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
    try:
        response = opener.open(request, timeout=60)
    except urllib.error.HTTPError as error:
        response = error
    for header in response.headers.get_all("Set-Cookie") or []:
        name, value = header.split(";", 1)[0].split("=", 1)
        cookies[name] = value
    return response.status, response.read()


def form_token(html):
    return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1).decode()


def check(condition, message):
    if not condition:
        raise SystemExit(f"冒烟检查失败：{message}")


status, page = call("/accounts/login/")
check(status == 200, f"登录页 {status}")
status, _ = call("/accounts/login/", {"username": "staff", "password": "pb-demo-2026",
                                     "csrfmiddlewaretoken": form_token(page)})
check(status == 302, f"登录后应跳转，得到 {status}")
status, page = call("/reports/")
check(status == 200, f"下载中心 {status}")
scope = re.search(rb'name="scope"[^>]*>\s*<option value="(\d+)"', page).group(1).decode()
report = re.search(rb'<option value="(monthly:[^"]+)"', page).group(1).decode()
status, _ = call("/reports/request/", {"scope": scope, "report": report, "csrfmiddlewaretoken": form_token(page)})
check(status == 302, f"申请报告 {status}")
started = time.monotonic()
link = None
while time.monotonic() - started < 180 and link is None:
    time.sleep(1)
    status, page = call("/reports/")
    check(b"badge text-bg-danger" not in page, "报告生成失败(见 worker.log)")
    found = re.search(rb'href="(/reports/\d+/)pdf/"', page)
    link = found.group(1).decode() if found else None
check(link is not None, "180 秒内 worker 没有生成报告")
print(f"报告由 worker 生成：{time.monotonic() - started:.1f} 秒")
status, pdf = call(link + "pdf/")
check(status == 200 and pdf.startswith(b"%PDF"), f"下载 PDF {status}")
status, workbook = call(link + "xlsx/")
check(status == 200 and workbook.startswith(b"PK"), f"下载 Excel {status}")
for _ in range(30):
    status, body = call("/readyz")
    if status == 200:
        break
    time.sleep(1)
check(status == 200, f"/readyz {status} {body.decode()}")
print("/readyz:", json.loads(body)["checks"])
PY
names=(web worker beat)
for i in "${!pids[@]}"; do
  kill -0 "${pids[$i]}" 2>/dev/null || { echo "冒烟检查失败：${names[$i]} 进程已退出" >&2; exit 1; }
done
grep -q "beat: Starting" "$work/beat.log" || { echo "冒烟检查失败：beat 没有启动" >&2; exit 1; }
echo "== 生产形态冒烟检查通过：web、worker、beat 按生产配置启动，worker 生成了报告并已下载(共 ${SECONDS} 秒)"
