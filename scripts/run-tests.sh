#!/usr/bin/env bash
# Runs the smoke subset on SQLite (the embedded quick start), the whole suite on PostgreSQL, then the
# production shape (gunicorn, celery worker and beat, DJANGO_DEBUG=false) end to end: production-smoke.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-services.sh
echo "== 冒烟测试(SQLite)"
DATABASE_URL="sqlite:///$(mktemp -d)/smoke.sqlite3" .venv/bin/python -m pytest -m smoke -p no:cacheprovider -q
echo "== 全部测试(PostgreSQL: ${DATABASE_URL%%\?*})"
.venv/bin/python -m pytest "$@"
bash scripts/production-smoke.sh
