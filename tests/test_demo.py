"""What the county demo (`seed_demo`) shows: every state of the ledger, balanced months, documents, every
assessment rule, the figures of seed 004, and accounts that sign in. Seeded once for the module: each test reads
it in its own rolled-back transaction."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db.models import Count, F
from django.test import Client

from kernel.dates import add_months
from orgs.demo import DEMO_PASSWORD
from orgs.models import Organization, OrgStatistics, RoleAssignment
from rectification import figures, queries
from rectification.chain import first_breaks
from rectification.figures import Period, month_figures
from rectification.models import DeadlineExtension, ItemTransition, Notice, Problem, ProgressUpdate, RectificationItem
from scoring.models import Assessment, Consequence, Plaque, Result
from tests.conftest import kept_for_the_module
from tests.kernel.test_audit import sign_in
from tests.orgs.test_seed_demo import counts

Status = RectificationItem.Status


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo county, seeded once; what the command printed."""
    with kept_for_the_module(django_db_blocker):
        printed = io.StringIO()
        call_command("seed_demo", stdout=printed)
        yield printed


@pytest.fixture
def demo(seeded, db):
    return seeded


def test_demo_ledger_has_every_state_and_the_awkward_cases(demo):
    today = datetime.date.today()
    items = RectificationItem.objects.all()
    assert set(items.values_list("status", flat=True)) == set(Status.values)
    assert items.overdue_on(today).exists()
    assert items.filter(is_recurrence=True, cycle=2).exists()
    assert figures.missing_report(Organization.objects.get(depth=1), Period.current()).exists()
    assert queries.follow_ups_due(items, today).exists()
    secretary_org = RoleAssignment.objects.get(user__username="secretary").org_id
    assert items.filter(problem__org_id=secretary_org, problem__origin_id__isnull=True).count() == 5


def test_demo_months_balance_and_every_chain_holds(demo):
    root = Organization.objects.get(depth=1)
    current = Period.current()
    for back in range(12):
        month = Period(add_months(current.month, -back), current.today)
        figures = month_figures(root, month)
        assert figures.balances, month.key
        assert figures.opening == month_figures(root, month.previous).open
    assert first_breaks() == []


def test_demo_has_documents_replies_and_deadline_history(demo):
    notices = Notice.objects.all()
    assert set(notices.values_list("kind", flat=True)) == set(Notice.Kind.values)
    assert notices.filter(reply__isnull=False).exists()
    assert notices.filter(subject__isnull=False, org__level="township").exists()
    assert notices.reply_overdue(datetime.date.today()).exists()
    decisions = set(DeadlineExtension.objects.values_list("decision", flat=True))
    assert {DeadlineExtension.Decision.APPROVED, DeadlineExtension.Decision.PENDING} <= decisions
    moved = ItemTransition.objects.filter(action="extend_approve").first()
    assert moved.previous.deadline < moved.deadline


def test_demo_transition_log_agrees_with_the_items(demo):
    now = datetime.datetime.now(datetime.UTC)
    latest = figures.states_at(now)
    assert latest.count() == RectificationItem.objects.count()
    assert not latest.exclude(to_status=F("item__status")).exists()
    latest = ItemTransition.objects.filter(next__isnull=True)
    assert not latest.exclude(deadline=F("item__deadline")).exclude(deadline=None, item__deadline=None).exists()
    assert not latest.exclude(org=F("item__problem__org")).exists()
    assert ItemTransition.objects.values("item").annotate(n=Count("id")).filter(n=0).count() == 0


def test_demo_updates_have_their_history_as_if_saved_one_by_one(demo):
    updates = ProgressUpdate.objects.order_by("id").values_list("id", "item_id", "month", "percent", "text",
                                                                "author_id", "created_at")
    history = ProgressUpdate.history.filter(history_type="+").order_by("id").values_list(
        "id", "item_id", "month", "percent", "text", "author_id", "created_at")
    assert updates.exists() and list(history) == list(updates)


def test_demo_shows_every_rule(demo):
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


@pytest.mark.smoke
def test_county_demo_has_the_figures_of_seed_004(demo):
    figures = counts()
    assert (figures["committees"], figures["branches"], figures["rural_branches"], figures["members"]) == (
        27, 389, 168, 7760)
    out = demo.getvalue()
    assert "pb-demo-2026" in out and "secretary" in out and "组织部干部" in out
    assert Organization.objects.find_problems() == ([], [], [], [], [])


def test_demo_statistics_pass_the_model_rules(demo):
    for stats in OrgStatistics.objects.order_by("?")[:50]:
        stats.full_clean()


def test_the_demo_accounts_sign_in_without_being_sent_to_change_their_password(demo):
    for username in ("admin", "staff", "leader", "inspector", "secretary", "auditor"):
        client = Client()
        assert sign_in(client, username, DEMO_PASSWORD).status_code == 302, username
        assert client.get("/", follow=True).status_code == 200, username
    assert 'href="/ops/audit/"' in client.get("/", follow=True).content.decode()  # the auditor's menu
