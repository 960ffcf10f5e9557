import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-with-enough-entropy-0123456789abcdef",
    "DJANGO_ALLOWED_HOSTS": "djkh.example.gov.cn",
}


def manage(*args, env):
    return _run(["manage.py", *args], env)


def python(code, env):
    return _run(["-c", code], {"DJANGO_SETTINGS_MODULE": "partybuild.settings", **env})


def _run(args, env):
    # the test run's own environment, less the development mode the tests set for themselves (tests/settings.py)
    base = {k: v for k, v in os.environ.items()
            if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_DEBUG", "DJANGO_SETTINGS_MODULE")}
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, env={**base, **env})


def test_model_checks_need_no_production_secrets():
    """`makemigrations --check` reads only the code: it runs in a checkout with nothing configured."""
    result = manage("makemigrations", "--check", "--dry-run",
                    env={"DJANGO_SECRET_KEY": "", "DJANGO_ALLOWED_HOSTS": "", "DATABASE_URL": "sqlite:///:memory:"})
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.smoke
def test_production_settings_pass_the_deployment_checks():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", "--deploy", env={**PRODUCTION_ENV, "DJANGO_SECRET_KEY": ""})
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr
    served = python("import partybuild.wsgi", env={**PRODUCTION_ENV, "DJANGO_SECRET_KEY": ""})
    assert served.returncode != 0 and "DJANGO_SECRET_KEY" in served.stderr


def test_deployments_sharing_one_redis_do_not_share_their_cache():
    redis = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    code = "import django; django.setup(); from django.core.cache import cache; {}"
    county_a = {**PRODUCTION_ENV, "REDIS_URL": redis, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/county_a"}
    county_b = {**county_a, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/county_b"}
    written = python(code.format("cache.set('ledger-list', '甲县的台账', 60)"), county_a)
    assert written.returncode == 0, written.stderr
    read = [python(code.format("print(cache.get('ledger-list'))"), env) for env in (county_a, county_b)]
    assert [result.stdout.strip() for result in read] == ["甲县的台账", "None"], [r.stderr for r in read]


def test_production_is_the_default_when_nothing_is_configured():
    """An unconfigured deployment must not run in debug mode (which shows settings on error pages)."""
    unconfigured = {"DJANGO_SECRET_KEY": "", "DJANGO_ALLOWED_HOSTS": ""}
    result = manage("check", "--deploy", env=unconfigured)
    assert result.returncode != 0 and "生产模式" in result.stderr
    served = python("import partybuild.wsgi", env=unconfigured)
    assert served.returncode != 0 and "生产模式" in served.stderr
    result = manage("shell", "--no-imports", "-c", "from django.conf import settings; print(settings.DEBUG)",
                    env=PRODUCTION_ENV)
    assert result.stdout.strip() == "False", result.stderr


def test_production_pages_carry_a_content_security_policy_and_login_throttling(settings):
    code = ("from django.conf import settings as s; p = s.CONTENT_SECURITY_POLICY['DIRECTIVES'];"
            "print(p['script-src'], p['style-src'], 'csp.middleware.CSPMiddleware' in s.MIDDLEWARE,"
            "'axes.middleware.AxesMiddleware' in s.MIDDLEWARE, s.AXES_FAILURE_LIMIT, s.SESSION_COOKIE_AGE)")
    result = manage("shell", "--no-imports", "-c", code, env=PRODUCTION_ENV)
    assert result.stdout.split() == ["[\"'self'\"]", "[\"'self'\"]", "True", "True", "5", "28800"], result.stderr


def test_the_quick_start_sets_development_mode_itself():
    makefile = (ROOT / "Makefile").read_text()
    assert "DJANGO_DEBUG=true" in makefile.split("run: setup", 1)[1].split("\n\n", 1)[0]
    assert "DJANGO_DEBUG" in (ROOT / "tests" / "settings.py").read_text()


def test_docker_compose_describes_the_production_shape():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"web", "worker", "beat", "db", "redis"}
    assert "gunicorn" in services["web"]["command"]
    assert "worker" in services["worker"]["command"] and "beat" in services["beat"]["command"]
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert environment["DJANGO_DEBUG"] == "false"
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert environment["REDIS_URL"].startswith("redis://")


def test_the_production_smoke_run_starts_the_same_processes_as_the_compose_file():
    """scripts/production-smoke.sh (run by CI) stands in for `docker compose up`: same programs, same options."""
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    smoke = (ROOT / "scripts" / "production-smoke.sh").read_text()
    web = services["web"]["command"].split("&& ", 1)[1].split(" --bind")[0]
    assert web == "gunicorn partybuild.wsgi:application" and web in smoke and "--timeout 120" in smoke
    for name in ("worker", "beat"):
        assert services[name]["command"] in smoke
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert '"gunicorn", "partybuild.wsgi:application"' in dockerfile and "postgresql-client" in dockerfile
    assert "bash scripts/production-smoke.sh" in (ROOT / "scripts" / "run-tests.sh").read_text()
