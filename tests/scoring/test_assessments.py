import datetime
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kernel.errors import ServiceError
from rectification.models import Problem, RectificationItem
from scoring import queries, services
from scoring.models import Assessment, Result, Scheme, Score
from tests.factories import OrganizationFactory
from tests.rectification.helpers import item_of
from tests.scoring.helpers import ALL_SCORE_ITEMS, assessment_for, fill, full_marks, indicator, scheme


def test_targets_and_peer_groups_come_from_the_subtree(world):
    assessment = assessment_for(world)
    assert {t.org for t in assessment.targets.all()} == {world.branch, world.sibling, world.far_branch}
    assert set(assessment.targets.values_list("peer_group", flat=True)) == {"村·农村"}
    assert Scheme.objects.get(pk=assessment.scheme_id).in_use


def test_the_schemes_sectors_decide_which_organisations_it_scores(world):
    OrganizationFactory(parent=world.town_a, name="光明社区党支部", level="village", sector="community")
    two_tiers = Scheme.objects.get(name="“五个好”村党支部考核管理办法", year=2026)
    assessment = assessment_for(world, scheme=two_tiers)  # 适用领域：农村 only
    assert "光明社区党支部" not in set(assessment.targets.values_list("org__name", flat=True))
    with pytest.raises(ServiceError, match="适用该考核细则"):
        assessment_for(world, scheme=two_tiers, sectors=["community"])


def test_score_validation_in_chinese(world):
    assessment = assessment_for(world)
    rater = assessment.raters.get(name="述职评分")
    staff = world.users["staff"]
    with pytest.raises(ServiceError, match="0 到 6.7"):
        services.enter_score(staff, rater=rater, org=world.branch, indicator=indicator("1.1"), points=D(7))
    with pytest.raises(ServiceError, match="必须填写理由"):
        services.enter_score(staff, rater=rater, org=world.branch, indicator=indicator("E3"), points=D(1))
    with pytest.raises(ServiceError, match="不是本次考核的对象"):
        services.enter_score(staff, rater=rater, org=world.town_a, indicator=indicator("1.1"), points=D(1))
    with pytest.raises(ServiceError, match="不是“述职评分”的评分人"):
        services.enter_score(world.users["inspector"], rater=rater, org=world.branch, indicator=indicator("1.1"),
                             points=D(1))
    assert not Score.objects.exists()


def test_a_rater_never_scores_outside_their_own_scope(world):
    """The inspector (township 甲) is a member of 评议 over the whole county: membership does not widen scope."""
    assessment = assessment_for(world)
    rater = assessment.raters.get(name="评议")
    assert set(services.scorable_targets(world.users["inspector"], rater).values_list("org", flat=True)) == {
        world.branch.pk, world.sibling.pk}
    with pytest.raises(ServiceError, match="不在您的范围内"):
        services.enter_score(world.users["inspector"], rater=rater, org=world.far_branch, indicator=indicator("1.1"),
                             points=D(1))


def test_weighted_composite_veto_bonus_cap_and_ranking_through_the_database(world):
    assessment = assessment_for(world)
    for rater in ("述职评分", "评议", "年度考核"):
        user = world.users["inspector"] if rater == "评议" else world.users["staff"]
        full_marks(assessment, world.branch, rater=rater)
        fill(assessment, world.branch, {"E1": 5, "E2": 3}, rater, user)  # 8 bonus, capped at 5
        full_marks(assessment, world.sibling, minus=2, rater=rater)
        fill(assessment, world.sibling, {"E3": 1}, rater, user)  # veto: not the top grade
    full_marks(assessment, world.far_branch, minus=6, rater="述职评分")  # only one rater entered
    services.close(world.users["staff"], assessment)
    results = {r.org: r for r in Result.objects.filter(assessment=assessment)}
    assert (results[world.branch].total, results[world.branch].rank, results[world.branch].grade) == (
        D("105.00"), 1, "好")
    assert (results[world.sibling].total, results[world.sibling].grade, results[world.sibling].vetoes) == (
        D("98.00"), "较好", ["发生严重违纪违法问题"])
    assert (results[world.far_branch].total, results[world.far_branch].rank) == (D("94.00"), 3)
    assert len(results[world.far_branch].missing_raters) == 2  # its total is 述职评分's alone, re-normalised


def test_closing_deducts_for_overdue_items_and_raises_withheld_problems_for_low_grades(world):
    assessment = assessment_for(world)
    full_marks(assessment, world.branch, minus=0)
    full_marks(assessment, world.sibling, minus=6.7)  # 93.3 − 3 ledger items = 90.3
    for _ in range(3):
        item_of(world.sibling, deadline=datetime.date(2026, 6, 1), found_on=datetime.date(2026, 3, 1),
                status=RectificationItem.Status.IN_PROGRESS)
    fill(assessment, world.far_branch, dict.fromkeys(ALL_SCORE_ITEMS, 3))  # 45: 较差
    services.close(world.users["staff"], assessment)
    sibling = Result.objects.get(assessment=assessment, org=world.sibling)
    assert (sibling.ledger_deduction, sibling.total, len(sibling.ledger_items)) == (D(3), D("90.30"), 3)
    far = Result.objects.get(assessment=assessment, org=world.far_branch)
    assert (far.total, far.grade) == (D(45), "较差")
    problem = Problem.objects.get(source=Problem.Source.ASSESSMENT)
    assert problem.org == world.far_branch and problem.origin == far
    assert problem.withheld_for == world.county and problem.category.name == "考核等次偏低"
    assert problem.item.deadline is not None
    with pytest.raises(ServiceError, match="已经结束"):
        services.close(world.users["staff"], Assessment.objects.get(pk=assessment.pk))


def test_publication_releases_the_problems_with_a_fresh_deadline_and_a_logged_step(world):
    assessment = assessment_for(world)
    full_marks(assessment, world.branch)
    fill(assessment, world.far_branch, dict.fromkeys(ALL_SCORE_ITEMS, 3))
    services.close(world.users["staff"], assessment)
    services.publish(world.users["staff"], Assessment.objects.get(pk=assessment.pk))
    item = Problem.objects.get(source=Problem.Source.ASSESSMENT).item
    assert item.problem.withheld_for is None
    assert item.deadline > datetime.date.today() + datetime.timedelta(days=80)  # 3 months (scheme setting)
    assert list(item.transitions.values_list("action", flat=True)) == ["raise", "release"]


def test_unscored_organisations_are_listed_as_unrated_and_get_no_problem(world):
    assessment = assessment_for(world)
    full_marks(assessment, world.branch)
    fill(assessment, world.sibling, {"1.1": 6})  # 1 of 15 items: incomplete
    services.decide_sheet(world.users["staff"], assessment, org=world.sibling,
                          rater=assessment.raters.get(name="述职评分"), member=world.users["staff"], count=False,
                          reason="评分人调离，按缺评处理")
    services.close(world.users["staff"], assessment)
    for org in (world.sibling, world.far_branch):
        result = Result.objects.get(assessment=assessment, org=org)
        assert (result.rated, result.rank, result.grade, result.bottom_three) == (False, None, "缺评", False)
    assert not Problem.objects.exists()


def test_closing_needs_a_reasoned_decision_on_every_incomplete_sheet(world):
    assessment = assessment_for(world)
    full_marks(assessment, world.branch)
    fill(assessment, world.sibling, {"1.1": 6})
    with pytest.raises(ServiceError, match="1 张未填完的评分表"):
        services.close(world.users["staff"], assessment)
    assert Assessment.objects.get(pk=assessment.pk).status == Assessment.Status.SCORING
    rater = assessment.raters.get(name="述职评分")
    with pytest.raises(ServiceError, match="请说明理由"):
        services.decide_sheet(world.users["staff"], assessment, org=world.sibling, rater=rater,
                              member=world.users["staff"], count=True, reason=" ")
    services.decide_sheet(world.users["staff"], assessment, org=world.sibling, rater=rater,
                          member=world.users["staff"], count=True, reason="其余指标经核实为 0 分")
    services.close(world.users["staff"], assessment)
    sibling = Result.objects.get(assessment=assessment, org=world.sibling)
    assert (sibling.rated, sibling.total, sibling.grade) == (True, D(6), "较差")


def test_publication_freezes_and_corrections_need_a_reason_kept_in_history(world):
    assessment = assessment_for(world)
    full_marks(assessment, world.branch)
    full_marks(assessment, world.sibling, minus=5)
    services.close(world.users["staff"], assessment)
    services.publish(world.users["staff"], Assessment.objects.get(pk=assessment.pk))
    rater = assessment.raters.get(name="述职评分")
    with pytest.raises(ServiceError, match="必须说明更正理由"):
        services.enter_score(world.users["staff"], rater=rater, org=world.sibling, indicator=indicator("1.1"),
                             points=D("6.7"))
    with pytest.raises(ServiceError, match="您不是“述职评分”的评分人"):
        services.enter_score(world.users["leader"], rater=rater, org=world.sibling, indicator=indicator("1.1"),
                             points=D("6.7"), correction_reason="复核")
    services.enter_score(world.users["staff"], rater=rater, org=world.sibling, indicator=indicator("1.1"),
                         points=D("6.7"), correction_reason="复核发现漏计")
    score = Score.objects.get(org=world.sibling, indicator=indicator("1.1"), rater=rater)
    assert score.history.first().history_change_reason == "复核发现漏计"
    result = Result.objects.get(assessment=assessment, org=world.sibling)
    assert result.total == D("100.00") and result.rank == 1  # tied with the branch, recomputed
    assert result.history.count() >= 2


def test_a_secretary_sees_only_the_published_ranking_and_their_own_sheet(world, login):
    assessment = assessment_for(world)
    full_marks(assessment, world.branch)
    full_marks(assessment, world.sibling, minus=3)
    client = login(world.users["secretary"])
    assert client.get(f"/scoring/{assessment.pk}/").status_code == 404
    services.close(world.users["staff"], assessment)
    assert client.get(f"/scoring/{assessment.pk}/results/").status_code == 404
    services.publish(world.users["staff"], Assessment.objects.get(pk=assessment.pk))
    ranking = client.get(f"/scoring/{assessment.pk}/results/").content.decode()
    assert "东山村党支部" in ranking and "西山村党支部" in ranking and "同分并列" in ranking
    marked = ranking.split('<tr class="pb-mine">')  # their own row stands out; only their own sheet opens
    own_row = marked[1].split("</tr>")[0]
    assert len(marked) == 2 and "东山村党支部" in own_row
    result = Result.objects.get(assessment=assessment, org=world.branch)
    blocks = queries.block_names(assessment)
    assert len(blocks) > 1 and "".join(f"<td>{result.subtotals[b]}</td>" for b in blocks) in own_row
    assert f'href="/scoring/{assessment.pk}/orgs/{world.branch.pk}/"' in ranking
    assert f'/orgs/{world.sibling.pk}/"' not in ranking
    sheet = client.get(f"/scoring/{assessment.pk}/orgs/{world.branch.pk}/").content.decode()
    assert "得分明细" in sheet and "第 <strong>1</strong> 名" in sheet
    assert client.get(f"/scoring/{assessment.pk}/orgs/{world.sibling.pk}/").status_code == 404


def page_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_grid_results_and_sheet_keep_their_query_count(world, login):
    small = assessment_for(world)
    for i in range(30):
        OrganizationFactory(parent=world.town_b, name=f"新村{i}党支部", level="village")
    large = assessment_for(world)
    for assessment in (small, large):
        for target in assessment.targets.all()[:5]:
            full_marks(assessment, target.org, minus=target.pk % 5)
        services.close(world.users["staff"], assessment)
    client = login(world.users["staff"])
    counts = []
    for assessment in (small, large):
        rater = assessment.raters.first()
        counts.append([page_queries(client, f"/scoring/{assessment.pk}/raters/{rater.pk}/grid/"),
                       page_queries(client, f"/scoring/{assessment.pk}/results/"),
                       page_queries(client, f"/scoring/{assessment.pk}/orgs/{world.branch.pk}/"),
                       page_queries(client, f"/scoring/{assessment.pk}/")])
    assert counts[0] == counts[1] and max(counts[1]) <= 14


def test_copying_a_scheme_makes_a_new_version_with_the_same_tree(world):
    original = scheme()
    copy = services.copy_scheme(Scheme.objects.get(pk=original.pk))
    assert (copy.version, copy.in_use) == (2, False)
    assert copy.indicators.count() == original.indicators.count()
    assert copy.indicators.get(code="1.1").parent.code == "1"
    assert copy.indicators.get(code="1.1").parent.scheme == copy


def test_self_assessment_by_the_secretary_first(world, login):
    assessment = assessment_for(world, self_assessment=True)
    own = assessment.raters.get(is_self=True)
    client = login(world.users["secretary"])
    assert client.get(f"/scoring/{assessment.pk}/").status_code == 200
    grid = client.get(f"/scoring/{assessment.pk}/raters/{own.pk}/grid/")
    assert [t.org for t, _cells in grid.context["rows"]] == [world.branch]
    url = f"/scoring/{assessment.pk}/raters/{own.pk}/cell/"
    saved = client.post(url, {f"p-{world.branch.pk}-{indicator('1.1').pk}": "6"})
    assert saved.status_code == 200 and "已保存" in saved.content.decode()
    refused = client.post(url, {f"p-{world.sibling.pk}-{indicator('1.1').pk}": "6"})
    assert refused.status_code == 200 and "不是该评分主体的评分人" in refused.content.decode()
    full_marks(assessment, world.branch, minus=2)
    services.close(world.users["staff"], assessment)
    result = Result.objects.get(assessment=assessment, org=world.branch)
    assert result.total == D("98.00") and result.rater_totals[str(own.pk)] == "6.00"


def test_deduction_evidence_is_checked_and_served_within_scope(world, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.rectification.helpers import photo

    assessment = assessment_for(world)
    rater = assessment.raters.get(name="述职评分")
    client = login(world.users["staff"])
    url = f"/scoring/{assessment.pk}/raters/{rater.pk}/cell/"
    key = f"{world.branch.pk}-{indicator('E3').pk}"
    cell = {f"p-{key}": "1", f"r-{key}": "严重违纪"}
    bad = client.post(url, {**cell, f"e-{key}": SimpleUploadedFile("x.exe", b"MZ")})
    assert bad.status_code == 200 and "不支持" in bad.content.decode() and not Score.objects.exists()
    assert "已保存" in client.post(url, {**cell, f"e-{key}": photo()}).content.decode()
    score = Score.objects.get()
    assert client.get(f"/scoring/scores/{score.pk}/evidence/").status_code == 200
    outsider = world.user_with("staff", world.foreign_county)
    assert login(outsider).get(f"/scoring/scores/{score.pk}/evidence/").status_code == 404


def test_the_close_page_lists_the_incomplete_sheets_the_refusal_counted(world, login):
    """Over HTTP: the refusal names a sheet, the page offers it for decision, the decision lets closing pass."""
    assessment = assessment_for(world)
    full_marks(assessment, world.branch)
    fill(assessment, world.sibling, {"1.1": 6})
    client = login(world.users["staff"])
    refused = client.post(f"/scoring/{assessment.pk}/close/", follow=True).content.decode()
    assert "还有 1 张未填完的评分表没有处理" in refused
    assert "未填完的评分表(共 1 张)" in refused and f'name="org" value="{world.sibling.pk}"' in refused
    rater = assessment.raters.get(name="述职评分")
    client.post(f"/scoring/{assessment.pk}/decide/", {"org": world.sibling.pk, "rater": rater.pk,
                                                      "member": world.users["staff"].pk, "count": "count",
                                                      "reason": "其余指标经核实为 0 分"})
    client.post(f"/scoring/{assessment.pk}/close/")
    assert Assessment.objects.get(pk=assessment.pk).status == Assessment.Status.CLOSED


def test_a_correction_reaches_the_later_assessment_that_compares_with_it(world):
    """The later assessment's 名次变化 read the earlier ranking: after a correction of the earlier one they read
    the corrected ranking, as a rebuild of the later results would."""
    staff, villages = world.users["staff"], (world.branch, world.sibling, world.far_branch)
    earlier = assessment_for(world)
    later = assessment_for(world, previous=earlier)
    for assessment in (earlier, later):
        for minus, org in enumerate(villages):
            full_marks(assessment, org, minus=minus)
        services.close(staff, assessment)
    services.publish(staff, Assessment.objects.get(pk=earlier.pk))

    def rank_changes():
        return dict(Result.objects.filter(assessment=later).values_list("org_id", "rank_change"))

    assert rank_changes()[world.branch.pk] == 0
    services.enter_score(staff, rater=earlier.raters.get(name="述职评分"), org=world.branch, indicator=indicator("1.1"),
                         points=D("0"), correction_reason="复核发现多计")
    rebuilt = {result.org: result.rank_change for result in services.run_engine(services.engine_inputs(later))}
    assert rank_changes() == rebuilt and rebuilt[world.branch.pk] != 0
