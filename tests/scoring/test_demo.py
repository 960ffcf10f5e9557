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
