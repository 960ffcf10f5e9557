import pytest
from django.core.management import call_command

from rectification.models import Problem
from scoring.models import Assessment, Consequence, Plaque, Result


def test_demo_shows_every_rule(db):
    call_command("seed_demo")
    last, current = Assessment.objects.filter(status=Assessment.Status.PUBLISHED).order_by("closes_on")
    scoring = Assessment.objects.get(status=Assessment.Status.SCORING)
    assert current.previous == last and current.scheme.grading == "two_tiers"
    assert set(last.results.values_list("grade", flat=True)) <= {"达标", "不达标"}  # standards climbed in turn
    assert set(current.results.values_list("grade", flat=True)) >= {"先进", "达标", "不达标", "缺评"}
    top = current.results.filter(rated=True).order_by("rank").first()
    assert top.veto and top.grade == "不达标" and top.vetoes == ["计划生育一票否决"]
    assert Plaque.objects.filter(assessment=current, grade="先进").exists()
    assert Plaque.objects.filter(removed_on__isnull=False).exists()
    assert Consequence.objects.filter(assessment=current, kind=Consequence.Kind.ADMONITION).exists()
    released = Problem.objects.filter(source=Problem.Source.ASSESSMENT)
    assert released.exists() and not released.filter(withheld_for__isnull=False).exists()
    panel = scoring.raters.get(name="评议")
    assert panel.members.count() == 3 and panel.trimmed
    assert scoring.scheme.basis == "shares"
    assert set(Result.objects.filter(assessment=scoring, rated=True).values_list("grade", flat=True)) == {
        "好", "较好", "一般", "较差"}
    assert Result.objects.filter(assessment=scoring).exclude(incomplete_sheets=[]).count() == 1
    trial = current.trials.get()
    assert trial.comparison["grade_moves"] > 0 and trial.comparison["rank_moves"] > 0


@pytest.mark.bench
def test_database_benchmark_builds_closes_and_publishes_an_assessment_of_every_branch(db, capsys):
    call_command("seed_demo")
    call_command("bench_scoring", "--database", "--organisations", "20", "--runs", "1")
    out = capsys.readouterr().out
    assert "数据库路径：389 个党支部、58350 个分数" in out and "规则试算" in out
    measured = Assessment.objects.get(name="性能测量：全部党支部考核")
    assert measured.status == Assessment.Status.PUBLISHED and measured.results.count() == 389
