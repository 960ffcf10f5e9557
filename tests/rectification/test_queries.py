import datetime

from django.utils import timezone

from rectification import figures, queries, services
from rectification.figures import Period
from rectification.models import ItemTransition, ProgressUpdate, RectificationItem
from tests.rectification.helpers import item_of

Status = RectificationItem.Status


def test_items_for_assessment_lists_overdue_and_unaccepted_items_per_organisation(world):
    late = item_of(world.branch, deadline=datetime.date(2026, 3, 1), status=Status.IN_PROGRESS,
                   found_on=datetime.date(2026, 1, 1))
    closed = item_of(world.branch, status=Status.CLOSED, found_on=datetime.date(2026, 1, 1))
    later_problem = item_of(world.sibling, found_on=datetime.date(2026, 12, 1))
    result = queries.items_for_assessment([world.branch.pk, world.sibling.pk], datetime.date(2026, 6, 30))
    assert result == {world.branch.pk: [{"id": late.pk, "description": late.problem.description[:80],
                                         "deadline": "2026-03-01", "overdue": True}]}
    assert closed.pk not in [row["id"] for row in result[world.branch.pk]]
    assert later_problem.problem.org_id not in result


def test_status_as_of_is_rebuilt_from_the_transition_log(world):
    item = item_of(world.branch)
    services.perform(world.users["secretary"], item, "start")
    services.perform(world.users["secretary"], item, "submit")
    log = list(ItemTransition.objects.filter(item=item).order_by("id"))
    for moment_index, when in enumerate(["2026-01-10", "2026-02-10", "2026-03-10"]):
        ItemTransition.objects.filter(pk=log[moment_index].pk).update(
            happened_at=timezone.make_aware(datetime.datetime.fromisoformat(when)))

    def status_on(day):
        moment = timezone.make_aware(datetime.datetime.fromisoformat(day))
        return figures.states_at(moment).values_list("to_status", flat=True).first()

    assert [status_on(d) for d in ["2026-01-01", "2026-01-20", "2026-02-20", "2026-04-01"]] == [
        None, Status.PENDING, Status.IN_PROGRESS, Status.SUBMITTED]


def test_open_items_without_this_months_update_are_flagged_from_the_month_after_they_were_entered(world):
    reported = item_of(world.branch, found_on=datetime.date(2026, 9, 1))
    silent = item_of(world.branch, found_on=datetime.date(2026, 9, 1))
    entered_late = item_of(world.branch, found_on=datetime.date(2025, 3, 1))  # dated last year, entered in November
    for item in (reported, silent):
        ItemTransition.objects.filter(item=item).update(happened_at=timezone.make_aware(datetime.datetime(2026, 9, 2)))
    ItemTransition.objects.filter(item=entered_late).update(
        happened_at=timezone.make_aware(datetime.datetime(2026, 11, 20)))
    ProgressUpdate.objects.create(item=reported, month=datetime.date(2026, 11, 1), text="进展", percent=10,
                                  author=world.users["secretary"])
    november = Period(datetime.date(2026, 11, 1))
    december = Period(datetime.date(2026, 12, 1), datetime.date(2026, 12, 2))
    assert list(figures.missing_report(world.county, november).values_list("item_id", flat=True)) == [silent.pk]
    assert entered_late.pk in figures.missing_report(world.county, december).values_list("item_id", flat=True)


def test_follow_ups_due_after_the_configured_months(world, settings):
    settings.RECTIFICATION_FOLLOW_UP_MONTHS = 3
    due = item_of(world.branch, status=Status.CLOSED)  # closed 2026-01-15 by the helper
    items = RectificationItem.objects.all()
    assert list(queries.follow_ups_due(items, datetime.date(2026, 4, 15))) == [due]
    assert not queries.follow_ups_due(items, datetime.date(2026, 4, 14)).exists()
    services.record_follow_up(world.users["staff"], due, passed=True, note="好")
    assert not queries.follow_ups_due(items, datetime.date(2026, 5, 1)).exists()


def test_due_first_puts_this_months_and_overdue_items_first(world):
    today = datetime.date(2026, 11, 24)
    later = item_of(world.branch, deadline=datetime.date(2027, 5, 1))
    overdue = item_of(world.branch, deadline=datetime.date(2026, 10, 1))
    this_month = item_of(world.branch, deadline=datetime.date(2026, 11, 30))
    undated = item_of(world.branch, deadline=None)
    assert list(queries.due_first(RectificationItem.objects.all(), today)) == [overdue, this_month, later, undated]
