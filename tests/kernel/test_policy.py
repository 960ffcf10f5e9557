"""The one permission policy, seen over HTTP: rater membership, read-only roles, foreign ids, archived records."""

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from kernel import policy
from orgs.models import RoleAssignment
from partybuild.models import Report
from rectification.models import Problem
from scoring.models import Score
from tests.rectification.helpers import item_of
from tests.scoring.helpers import assessment_for, published_for


def indicator_of(assessment):
    return assessment.scheme.indicators.exclude(kind="group").order_by("order").first()


def cell_url(assessment, rater):
    return f"/scoring/{assessment.pk}/raters/{rater.pk}/cell/"


def test_roles_and_actions_are_declared_once():
    assert {spec.name for spec in policy.ROLES} == set(policy.Role.values)
    read_only = {spec.name for spec in policy.ROLES if spec.read_only}
    assert read_only == {"leader", "auditor"}
    for action in ("ledger.work", "ledger.manage", "orgs.manage", "scoring.rate", "scoring.manage",
                   "inspections.visit", "inspections.manage"):
        assert not read_only & set(policy.ACTIONS[action]), action


def test_a_rater_scores_only_inside_their_own_scope(world, login):
    """The township inspector rates 评议 for the whole county: the grid shows town A's villages only, and a
    score for a village of town B or of another county is refused in place (the grid's cells always answer 200:
    htmx swaps nothing else) without being stored."""
    assessment = assessment_for(world)
    rater = assessment.raters.get(name="评议")
    client = login(world.users["inspector"])
    grid = client.get(f"/scoring/{assessment.pk}/raters/{rater.pk}/grid/")
    assert {t.org for t, _cells in grid.context["rows"]} == {world.branch, world.sibling}
    indicator = indicator_of(assessment)
    for org in (world.far_branch, world.foreign_branch):
        answer = client.post(cell_url(assessment, rater), {f"p-{org.pk}-{indicator.pk}": "1"})
        assert answer.status_code == 200 and 'data-ok="0"' in answer.content.decode(), org
    ok = client.post(cell_url(assessment, rater), {f"p-{world.branch.pk}-{indicator.pk}": "1"})
    assert ok.status_code == 200 and "已保存" in ok.content.decode()
    assert list(Score.objects.values_list("org", flat=True)) == [world.branch.pk]


def test_a_read_only_leader_never_scores_even_as_a_rater_member(world, login):
    assessment = assessment_for(world)
    rater = assessment.raters.get(name="评议")
    rater.members.add(world.users["leader"])
    client = login(world.users["leader"])
    assert client.get(f"/scoring/{assessment.pk}/raters/{rater.pk}/grid/").status_code == 403
    answer = client.post(cell_url(assessment, rater), {f"p-{world.branch.pk}-{indicator_of(assessment).pk}": "1"})
    assert answer.status_code == 403
    assert not Score.objects.exists()


def test_a_ranked_report_of_another_countys_assessment_is_not_found(world, login):
    foreign = published_for(world, world.foreign_county)
    client = login(world.users["staff"])
    answer = client.post("/reports/request/", {"scope": world.county.pk, "report": f"ranking:{foreign.pk}"})
    assert answer.status_code == 404
    assert "中共外县" not in client.get("/reports/").content.decode()
    assert not Report.objects.exists()


def test_the_download_centre_offers_only_periods_of_the_chosen_scope(world, login):
    ours, foreign = published_for(world), published_for(world, world.foreign_county)
    choices = dict(login(world.users["staff"]).get("/reports/").context["form"].fields["report"].choices)
    offered = dict(choices["考核排名通报"])
    assert f"ranking:{ours.pk}" in offered and f"ranking:{foreign.pk}" not in offered
    assert f"monthly:{timezone.localdate():%Y-%m}" in dict(choices["月度整改进展报告"])


@pytest.fixture
def archived_item(world):
    item = item_of(world.branch, description="已归档的旧问题", deadline=timezone.localdate().replace(year=2020))
    Problem.objects.filter(pk=item.problem_id).update(archived=True)
    return item


def test_archived_problems_leave_every_page_a_secretary_sees(world, login, archived_item):
    kept = item_of(world.branch, description="仍在整改的问题")
    client = login(world.users["secretary"])
    for url in ("/", "/rectification/", "/rectification/?overdue=true"):
        page = client.get(url)
        if page.status_code == 200:
            assert "已归档的旧问题" not in page.content.decode(), url
    assert "仍在整改的问题" in client.get("/rectification/").content.decode()
    assert client.get(f"/rectification/items/{archived_item.pk}/").status_code == 404
    assert client.get(f"/rectification/items/{kept.pk}/").status_code == 200
    export = client.get("/rectification/export/")
    cells = [str(value) for sheet in load_workbook(io.BytesIO(export.content))
             for row in sheet.iter_rows(values_only=True) for value in row]
    assert "仍在整改的问题" in cells and "已归档的旧问题" not in cells  # the workbook's cells, not its zipped bytes


def test_archived_problems_are_not_counted_in_the_month_figures(world, archived_item):
    from rectification.figures import Period, month_figures

    figures = month_figures(world.county, Period.current())
    assert figures.open == 0 and figures.overdue == 0


def test_a_scope_names_its_grants_per_action_and_the_nearest_one(world):
    user = world.user_with("staff", world.county)
    RoleAssignment.objects.create(user=user, role="staff", org=world.branch, recursive=False)
    RoleAssignment.objects.create(user=user, role="leader", org=world.town_b)
    scope = policy.Scope(user)
    assert [g.org_id for g in scope.grants_for("ledger.manage")] == [world.county.pk, world.branch.pk]
    assert [g.org_id for g in scope.grants_for("dashboard.view")] == [world.county.pk, world.town_b.pk, world.branch.pk]
    assert scope.nearest_grant(world.branch.path, "ledger.manage").org_id == world.branch.pk
    assert scope.nearest_grant(world.sibling.path, "ledger.manage").org_id == world.county.pk
    assert scope.nearest_grant(world.foreign_branch.path, "ledger.manage") is None
    assert scope.own_org_ids() == {world.county.pk, world.branch.pk, world.town_b.pk}
