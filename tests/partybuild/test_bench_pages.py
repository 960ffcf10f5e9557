import shutil

import pytest
from django.core.management import call_command


@pytest.mark.bench
@pytest.mark.skipif(not shutil.which("wrk"), reason="wrk not installed (scripts/install-system-packages.sh)")
@pytest.mark.django_db(transaction=True)  # the gunicorn it starts reads the committed demo data
def test_page_benchmark_serves_every_role_through_gunicorn_and_prints_its_figures(capsys, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]  # what gunicorn checks with
    call_command("seed_demo")
    call_command("bench_pages", "--runs", "1", "--seconds", "1", "--soak-seconds", "1", "--mixed-seconds", "3",
                 "--think-seconds", "0.5", "--users", "4", "--roles", "staff", "secretary")
    out = capsys.readouterr().out
    assert "DJANGO_DEBUG=false" in out and "/healthz p50" in out
    assert "staff     /rectification/tasks/" in out and "secretary /rectification/" in out
    assert "/rectification/" in out and "错误 0" in out
    assert "/rectification/?page=30" in out and "写入失败 0 次" in out
    mixed = [line for line in out.splitlines() if line.startswith("边写边读：4 个模拟用户 3 秒")]
    assert len(mixed) == 2 and "不停顿" in mixed[0] and "每看完一页停 0.5 秒" in mixed[1], mixed
