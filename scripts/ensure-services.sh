#!/usr/bin/env bash
# Sourced by run-tests.sh: makes sure PostgreSQL and Redis answer and exports DATABASE_URL / REDIS_URL.
# Uses the servers already running on 127.0.0.1 (as on CI); otherwise installs and starts local ones.
pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; }

if [ -z "${DATABASE_URL:-}" ]; then
  if ! command -v pg_isready >/dev/null || ! pg_up; then
    WITH_SERVICES=1 bash scripts/install-system-packages.sh
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start 2>/dev/null || true
    for _ in $(seq 1 20); do pg_up && break; sleep 1; done
  fi
  if psql -h 127.0.0.1 -U postgres -c 'select 1' postgres >/dev/null 2>&1; then
    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/partybuild"
  else
    # Debian's default: no password login over TCP; use the socket as a superuser named like us.
    su postgres -c "createuser -s $(id -un)" 2>/dev/null || true
    export DATABASE_URL="postgres:///partybuild"
  fi
fi
if [ -z "${REDIS_URL:-}" ]; then
  if ! redis_up; then
    command -v redis-server >/dev/null || WITH_SERVICES=1 bash scripts/install-system-packages.sh
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
    for _ in $(seq 1 10); do redis_up && break; sleep 1; done
  fi
  export REDIS_URL="redis://127.0.0.1:6379/0"
fi
