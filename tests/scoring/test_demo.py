import pytest
from django.core.management import call_command

from scoring.models import Assessment


@pytest.mark.bench
def test_database_benchmark_builds_closes_and_publishes_an_assessment_of_every_branch(db, capsys):
    call_command("seed_demo")
    call_command("bench_scoring", "--database", "--organisations", "20", "--runs", "1")
    out = capsys.readouterr().out
    assert "数据库路径：389 个党支部、58350 个分数" in out and "规则试算" in out
    measured = Assessment.objects.get(name="性能测量：全部党支部考核")
    assert measured.status == Assessment.Status.PUBLISHED and measured.results.count() == 389
