import datetime

from django.core.management import call_command
from django.db.models import Count, F

from orgs.models import RoleAssignment
from partybuild.kernel.dates import month_start
from rectification import queries
from rectification.models import ItemTransition, RectificationItem

Status = RectificationItem.Status


def test_demo_ledger_has_every_state_and_the_awkward_cases(db):
    call_command("seed_demo")
    today = datetime.date.today()
    items = RectificationItem.objects.all()
    assert set(items.values_list("status", flat=True)) == set(Status.values)
    assert items.overdue_on(today).exists()
    assert items.filter(is_recurrence=True, cycle=2).exists()
    assert items.missing_month_report(month_start(today)).exists()
    assert queries.follow_ups_due(items, today).exists()
    secretary_org = RoleAssignment.objects.get(user__username="secretary").org_id
    assert items.filter(problem__org_id=secretary_org).count() == 5


def test_demo_transition_log_agrees_with_the_items(db):
    call_command("seed_demo")
    now = datetime.datetime.now(datetime.UTC)
    rebuilt = queries.with_status_as_of(RectificationItem.objects.all(), now)
    assert not rebuilt.exclude(status_then=F("status")).exists()
    assert ItemTransition.objects.values("item").annotate(n=Count("id")).filter(n=0).count() == 0

