from django.core.management import call_command

from scoring.models import Assessment, Result


def test_demo_has_a_published_assessment_and_one_in_progress_with_rank_changes(db):
    call_command("seed_demo")
    published = Assessment.objects.get(status=Assessment.Status.PUBLISHED)
    current = Assessment.objects.get(status=Assessment.Status.SCORING)
    assert current.previous == published
    assert published.results.count() == current.targets.count() == 168
    assert Result.objects.filter(assessment=current).exclude(rank_change=None).exists()
    assert set(published.results.values_list("grade", flat=True)) >= {"好", "较好", "一般"}


def test_database_benchmark_builds_closes_and_publishes_an_assessment_of_every_branch(db, capsys):
    call_command("seed_demo")
    call_command("bench_scoring", "--database", "--organisations", "20", "--runs", "1")
    out = capsys.readouterr().out
    assert "数据库路径：389 个党支部、58350 个分数" in out
    measured = Assessment.objects.get(name="性能测量：全部党支部考核")
    assert measured.status == Assessment.Status.PUBLISHED and measured.results.count() == 389
