"""Rule trials (规则模拟): another rule computed by the closing engine beside the real results, kept, exported,
applied to the scheme only by an explicit action before publication, and never shown to anyone but staff.

Five villages; 述职评分 gives village i 100 − i, 年度考核 gives it 96 + i (评议 scores nobody). At 4 : 3 : 3 the
first village leads ((688 − i) / 7); a trial weighting 述职 1 : 年度考核 3 turns the ranking round ((388 + 2i) / 4),
so the last three change places with the first two.
"""

import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from kernel.audit import Action, AuditEvent
from kernel.errors import ServiceError
from scoring import services, trials
from scoring.models import Assessment, Indicator, Rater, Result, Trial
from tests.factories import OrganizationFactory

from .helpers import assessment_for, full_marks


@pytest.fixture
def closed(world):
    for number in (1, 2):
        OrganizationFactory(parent=world.town_b, name=f"新村{number}党支部", level="village")
    assessment = assessment_for(world)
    for minus, target in enumerate(assessment.targets.order_by("org__path")):
        full_marks(assessment, target.org, minus=minus)
        full_marks(assessment, target.org, minus=4 - minus, rater="年度考核")
    services.close(world.users["staff"], assessment)
    return Assessment.objects.get(pk=assessment.pk)


def villages(assessment):
    return [t.org for t in assessment.targets.order_by("org__path")]


def form_data(assessment, **changes):
    """The trial form as posted: the assessment's own rules unless changed."""
    rules = trials.current_rules(assessment)
    data = {"name": "述职 1 : 年度考核 3", "grading": rules["grading"], "basis": rules["basis"],
            "thresholds": ",".join(str(t) for t in rules["thresholds"]), "shares": "", "plaque_grades": "",
            "bonus_cap": rules["bonus_cap"] or "", "advanced_cap": ""}
    data |= {f"weight_{r.pk}": r.weight for r in assessment.raters.all()}
    data |= {f"veto_{key}": value for key, value in rules["vetoes"].items()}
    return data | changes


def reweighted(assessment, **changes):
    raters = {r.name: r.pk for r in assessment.raters.all()}
    return form_data(assessment, **{f"weight_{raters['述职评分']}": 1, f"weight_{raters['年度考核']}": 3}, **changes)


def standing(assessment):
    return list(Result.objects.filter(assessment=assessment).order_by("org__path")
                .values_list("org_id", "total", "rank", "grade", "bottom_three"))


def test_a_trial_compares_another_rule_with_the_real_results_and_changes_none_of_them(world, login, closed):
    before = standing(closed)
    client = login(world.users["staff"])
    response = client.post(f"/scoring/{closed.pk}/trials/", reweighted(closed, thresholds="99.5,98.5,97.5"))
    trial = Trial.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/scoring/{closed.pk}/trials/{trial.pk}/"
    assert standing(closed) == before  # nothing written to the results
    first, second, third, fourth, fifth = (v.pk for v in villages(closed))
    c = trial.comparison
    by_org = {row[0]: row for row in c["rows"]}
    assert [by_org[org][7] for org in (first, second, third, fourth, fifth)] == [5, 4, 3, 2, 1]
    assert [by_org[org][4] for org in (first, second, third, fourth, fifth)] == [1, 2, 3, 4, 5]
    # (388 + 2i) / 4: 97, 97.5, 98, 98.5, 99 against 99.5 / 98.5 / 97.5
    assert [by_org[org][8] for org in (first, second, third, fourth, fifth)] == ["较差", "一般", "一般", "较好", "较好"]
    assert {row[0] for row in c["entering"]} == {first, second}
    assert {row[0] for row in c["leaving"]} == {fourth, fifth}
    assert all(row[5] == "各类评优一票否决、诫勉谈话" for row in c["entering"] + c["leaving"])
    assert c["distribution"][:4] == [["好", 5, 0], ["较好", 0, 2], ["一般", 0, 2], ["较差", 0, 1]]
    assert {row[0] for row in c["unnamed"]} == {v.pk for v in villages(closed)} and c["named"] == []
    assert (c["rank_moves"], c["grade_moves"]) == (4, 5)
    assert AuditEvent.objects.filter(action=Action.TRIAL).count() == 1
    html = client.get(response["Location"]).content.decode()
    assert "将进入后三名(2 个)" in html and "将承担各类评优一票否决、诫勉谈话" in html
    assert "权重：述职评分 1 : 评议 3 : 年度考核 3" in html and "不再命名或将摘牌" in html


def test_the_rules_the_results_were_computed_by_move_nobody(world, closed):
    """The same engine as closing: tried with the assessment's own rules, every total, rank and grade is equal."""
    trial = trials.run(world.users["staff"], closed, name="原规则", rules=trials.current_rules(closed))
    real = {org: (str(total), rank, grade) for org, total, rank, grade, _bottom in standing(closed)}
    assert {row[0]: (row[6], row[7], row[8]) for row in trial.comparison["rows"]} == real
    assert (trial.comparison["rank_moves"], trial.comparison["grade_moves"]) == (0, 0)


def test_a_veto_left_out_or_made_harsher(world, closed):
    veto = Indicator.objects.get(scheme=closed.scheme, kind=Indicator.Kind.VETO)
    first = villages(closed)[0]
    services.enter_score(world.users["staff"], rater=closed.raters.get(name="述职评分"), org=first, indicator=veto,
                         points=D(1), reason="违纪", correction_reason="补录否决")
    assert Result.objects.get(assessment=closed, org=first).grade == "较好"  # not_top
    rules = trials.current_rules(closed)
    off = trials.run(world.users["staff"], closed, name="不否决",
                     rules=rules | {"vetoes": {str(veto.pk): trials.VETO_OFF}})
    harsher = trials.run(world.users["staff"], closed, name="最低等次",
                         rules=rules | {"vetoes": {str(veto.pk): "lowest"}})
    assert {row[0]: row[8] for row in off.comparison["rows"]}[first.pk] == "好"
    assert {row[0]: (row[7], row[8]) for row in harsher.comparison["rows"]}[first.pk] == (5, "较差")


def test_wrong_rules_are_refused_in_chinese_and_nothing_is_kept(world, login, closed):
    client = login(world.users["staff"])
    html = client.post(f"/scoring/{closed.pk}/trials/", form_data(closed, thresholds="90,80")).content.decode()
    assert "分数线应有 3 个，由高到低。" in html
    raters = {r.name: r.pk for r in closed.raters.all()}
    zero = {f"weight_{pk}": 0 for pk in raters.values()}
    response = client.post(f"/scoring/{closed.pk}/trials/", form_data(closed, **zero), follow=True)
    assert "至少要有一个评分主体的权重大于 0。" in response.content.decode()
    html = client.post(f"/scoring/{closed.pk}/trials/", form_data(closed, thresholds="九十")).content.decode()
    assert "分数线应为用逗号分隔的数字。" in html
    assert not Trial.objects.exists() and not AuditEvent.objects.filter(action=Action.TRIAL).exists()


def test_trials_are_refused_while_scoring(world):
    assessment = assessment_for(world)
    with pytest.raises(ServiceError, match="评分结束后才能试算"):
        trials.run(world.users["staff"], assessment, name="x", rules=trials.current_rules(assessment))


def test_only_staff_of_the_scope_find_trials(world, login, closed):
    trial = trials.run(world.users["staff"], closed, name="原规则", rules=trials.current_rules(closed))
    services.publish(world.users["staff"], closed)  # the secretary and the leader now see the assessment
    outsider = world.user_with("staff", world.foreign_county)
    for user in (world.users["secretary"], world.users["leader"], world.users["inspector"], outsider):
        client = login(user)
        for url in (f"/scoring/{closed.pk}/trials/", f"/scoring/{closed.pk}/trials/{trial.pk}/",
                    f"/scoring/{closed.pk}/trials/{trial.pk}/export/"):
            assert client.get(url).status_code == 404, (user, url)
        assert client.post(f"/scoring/{closed.pk}/trials/{trial.pk}/apply/").status_code == 404
        assert "规则试算" not in client.get(f"/scoring/{closed.pk}/").content.decode()
    assert Trial.objects.visible_to(world.users["secretary"]).count() == 0


def test_a_trial_is_reopened_and_exported(world, login, closed):
    client = login(world.users["staff"])
    client.post(f"/scoring/{closed.pk}/trials/", reweighted(closed, thresholds="99.5,98.5,97.5"))
    trial = Trial.objects.get()
    html = client.get(f"/scoring/{closed.pk}/trials/?from={trial.pk}").content.decode()
    assert "以“述职 1 : 年度考核 3”为基础再试算" in html and 'value="99.5,98.5,97.5"' in html
    response = client.get(f"/scoring/{closed.pk}/trials/{trial.pk}/export/")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["试算规则", "等次分布", "名次与等次", "进入后三名", "退出后三名", "先进村(社区)党组织"]
    rows = list(book["名次与等次"].iter_rows(min_row=3, values_only=True))
    assert len(rows) == 5 and rows[0][6:8] == (1, "较好")
    assert AuditEvent.objects.filter(action=Action.EXPORT, target__contains="规则试算").count() == 1


def test_applying_a_trial_before_publication_is_explicit_and_logged(world, login, closed):
    client = login(world.users["staff"])
    client.post(f"/scoring/{closed.pk}/trials/", reweighted(closed, thresholds="99.5,98.5,97.5"))
    trial = Trial.objects.get()
    assert standing(closed)[0][3] == "好"
    client.post(f"/scoring/{closed.pk}/trials/{trial.pk}/apply/")
    closed.refresh_from_db()
    assert closed.scheme.thresholds == [99.5, 98.5, 97.5]
    assert dict(Rater.objects.filter(assessment=closed).values_list("name", "weight")) == {
        "述职评分": 1, "评议": 3, "年度考核": 3}
    assert [row[2:4] for row in standing(closed)] == [(5, "较差"), (4, "一般"), (3, "一般"), (2, "较好"), (1, "较好")]
    assert AuditEvent.objects.filter(action=Action.TRIAL_APPLIED).count() == 1
    trial.refresh_from_db()
    assert trial.applied_by == world.users["staff"]
    services.publish(world.users["staff"], Assessment.objects.get(pk=closed.pk))
    with pytest.raises(ServiceError, match="尚未发布的考核"):
        trials.apply(world.users["staff"], trial)
    assert "应用到考核细则</button>" not in client.get(f"/scoring/{closed.pk}/trials/{trial.pk}/").content.decode()
    assert AuditEvent.objects.filter(action=Action.TRIAL_APPLIED).count() == 1


def test_a_shared_scheme_is_not_changed_for_one_assessment(world, closed):
    trial = trials.run(world.users["staff"], closed, name="原规则", rules=trials.current_rules(closed))
    assessment_for(world)  # a second assessment on the same scheme
    with pytest.raises(ServiceError, match="还被其他考核使用"):
        trials.apply(world.users["staff"], trial)
