import datetime

from django.core.management import call_command
from django.db.models import Count, F

from kernel.dates import add_months
from orgs.models import Organization, RoleAssignment
from rectification import figures, queries
from rectification.chain import first_breaks
from rectification.figures import Period, month_figures
from rectification.models import DeadlineExtension, ItemTransition, Notice, ProgressUpdate, RectificationItem

Status = RectificationItem.Status


def test_demo_ledger_has_every_state_and_the_awkward_cases(db):
    call_command("seed_demo")
    today = datetime.date.today()
    items = RectificationItem.objects.all()
    assert set(items.values_list("status", flat=True)) == set(Status.values)
    assert items.overdue_on(today).exists()
    assert items.filter(is_recurrence=True, cycle=2).exists()
    assert figures.missing_report(Organization.objects.get(depth=1), Period.current()).exists()
    assert queries.follow_ups_due(items, today).exists()
    secretary_org = RoleAssignment.objects.get(user__username="secretary").org_id
    assert items.filter(problem__org_id=secretary_org, problem__origin_id__isnull=True).count() == 5


def test_demo_months_balance_and_every_chain_holds(db):
    call_command("seed_demo")
    root = Organization.objects.get(depth=1)
    current = Period.current()
    for back in range(12):
        month = Period(add_months(current.month, -back), current.today)
        figures = month_figures(root, month)
        assert figures.balances, month.key
        assert figures.opening == month_figures(root, month.previous).open
    assert first_breaks() == []


def test_demo_has_documents_replies_and_deadline_history(db):
    call_command("seed_demo")
    notices = Notice.objects.all()
    assert set(notices.values_list("kind", flat=True)) == set(Notice.Kind.values)
    assert notices.filter(reply__isnull=False).exists()
    assert notices.filter(subject__isnull=False, org__level="township").exists()
    assert notices.reply_overdue(datetime.date.today()).exists()
    decisions = set(DeadlineExtension.objects.values_list("decision", flat=True))
    assert {DeadlineExtension.Decision.APPROVED, DeadlineExtension.Decision.PENDING} <= decisions
    moved = ItemTransition.objects.filter(action="extend_approve").first()
    assert moved.previous.deadline < moved.deadline


def test_demo_transition_log_agrees_with_the_items(db):
    call_command("seed_demo")
    now = datetime.datetime.now(datetime.UTC)
    latest = figures.states_at(now)
    assert latest.count() == RectificationItem.objects.count()
    assert not latest.exclude(to_status=F("item__status")).exists()
    latest = ItemTransition.objects.filter(next__isnull=True)
    assert not latest.exclude(deadline=F("item__deadline")).exclude(deadline=None, item__deadline=None).exists()
    assert not latest.exclude(org=F("item__problem__org")).exists()
    assert ItemTransition.objects.values("item").annotate(n=Count("id")).filter(n=0).count() == 0



def test_demo_updates_have_their_history_as_if_saved_one_by_one(db):
    call_command("seed_demo")
    updates = ProgressUpdate.objects.order_by("id").values_list("id", "item_id", "month", "percent", "text",
                                                                "author_id", "created_at")
    history = ProgressUpdate.history.filter(history_type="+").order_by("id").values_list(
        "id", "item_id", "month", "percent", "text", "author_id", "created_at")
    assert updates.exists() and list(history) == list(updates)
