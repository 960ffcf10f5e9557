#!/usr/bin/env bash
# Runs the whole suite on PostgreSQL in parallel workers (PYTEST_WORKERS, default one per core and one more), then
# one at a time the tests that start a Celery worker process (-m serial). Beside them, started first and waited
# for at the end: the smoke subset on SQLite (the embedded quick start) and the production shape (gunicorn,
# celery worker and beat, DJANGO_DEBUG=false) end to end, production-smoke.sh; each has its own database and Redis
# database, and they overlap the suite instead of adding their minutes to it.
# Benchmarks and the city seed are not part of it: `make bench`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-services.sh
logs=$(mktemp -d)
background_test() {  # name, command...: run in the background, output kept for the end
  local name=$1
  shift
  "$@" >"$logs/$name" 2>&1 &
  echo $! >"$logs/$name.pid"
}
# The test databases are copies of one template, migrated once (tests/settings.py).
server_url=${DATABASE_URL%%\?*}
export PB_TEST_DATABASE_TEMPLATE="test_${server_url##*/}_template"
template_admin() { psql -q "${server_url%/*}/postgres" -c "$1" >/dev/null; }
template_admin "DROP DATABASE IF EXISTS $PB_TEST_DATABASE_TEMPLATE WITH (FORCE)"
trap 'template_admin "DROP DATABASE IF EXISTS $PB_TEST_DATABASE_TEMPLATE WITH (FORCE)"; pkill -P $$ || true; rm -rf "$logs"' EXIT
background_test "冒烟测试(SQLite)" env DATABASE_URL="sqlite:///$logs/smoke.sqlite3" \
  .venv/bin/python -m pytest -m smoke -p no:cacheprovider -q
background_test "生产形态冒烟" bash scripts/production-smoke.sh
template_admin "CREATE DATABASE $PB_TEST_DATABASE_TEMPLATE"
DATABASE_URL="${server_url%/*}/$PB_TEST_DATABASE_TEMPLATE" DJANGO_SETTINGS_MODULE=tests.settings \
  .venv/bin/python manage.py migrate --noinput -v0

status=0
echo "== 全部测试(PostgreSQL: $server_url)"
# One worker more than cores: the live-server and browser tests leave a core idle while they wait on their round
# trips. Tests are handed out two at a time (--maxschedchunk): in xdist's default batches of a quarter of each
# worker's share, the first worker got every slow test and ran alone for 4 minutes after the others had finished.
.venv/bin/python -m pytest -n "${PYTEST_WORKERS:-$(($(nproc) + 1))}" --maxschedchunk 2 -p no:cacheprovider \
  -m "not bench and not serial" "$@" || status=1
echo "== 启动 Celery worker 的测试(逐个运行)"
.venv/bin/python -m pytest -p no:cacheprovider -p no:xdist -m serial "$@" || status=1
for name in "冒烟测试(SQLite)" "生产形态冒烟"; do
  echo "== $name"
  wait "$(cat "$logs/$name.pid")" || status=1
  cat "$logs/$name"
done
exit "$status"
