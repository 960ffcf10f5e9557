"""Hand-computed cases of the assessment arithmetic (seed 003: 4:3:3, 好/较好/一般/较差, bottom three;
seed 004: 两档制, three one-vote vetoes, 50 items in three blocks)."""

from decimal import Decimal as D

import pytest

from scoring import engine
from scoring.engine import Entry, Grading, Item, Previous, Rater

ITEMS = [
    Item("a1", "组织建设", "score", D(40)),
    Item("a2", "党员管理", "score", D(60)),
    Item("b1", None, "bonus", D(5)),
    Item("b2", None, "bonus", D(3)),
    Item("d1", None, "deduction", D(10)),
    Item("d2", "组织建设", "deduction", D(50)),
    Item("v1", None, "veto", D(1), engine.NOT_TOP),
    Item("v2", None, "veto", D(1), engine.NOT_PASSING),
    Item("v3", None, "veto", D(1), engine.LOWEST),
    Item("s1", "述职评议", "score", D(100)),  # the 述职 body's own one-score form
]
SCHEME = frozenset({"a1", "a2"})
REPORT = frozenset({"s1"})
ONE = {"上级": Rater(D(1), SCHEME)}
TWO_TIERS = Grading("two_tiers", engine.TWO_TIERS, (90, 70), advanced_needs_pass=True)


def sheet(org, rater="上级", member=None, **points):
    return [Entry(org, item, rater, D(value), member) for item, value in points.items()]


def total_of(org, value, rater="上级"):
    """A complete sheet worth ``value`` (a1 up to 40, the rest on a2)."""
    return sheet(org, rater, a1=min(value, 40), a2=value - min(value, 40))


def by_org(results):
    return {r.org: r for r in results}


def run(entries, targets, raters=ONE, **options):
    return by_org(engine.compute(ITEMS, raters, targets, entries, **options))


def test_bonus_over_the_cap_is_cut_to_the_cap():
    result = run(sheet("甲", a1=38, a2=45, b1=5, b2=3), {"甲": "村"}, bonus_cap=5)["甲"]
    assert (result.bonus, result.total) == (D(5), D("88.00"))  # 38 + 45 + min(8, 5)


def test_points_above_an_items_maximum_count_only_up_to_it():
    assert run(sheet("甲", a1=55, a2=50), {"甲": "村"})["甲"].total == D("90.00")  # 40 + 50


def test_ties_share_a_rank_and_the_next_is_skipped():
    totals = {"甲": 30, "乙": 35, "丙": 35, "丁": 20}
    entries = [e for org, value in totals.items() for e in total_of(org, value)]
    results = engine.compute(ITEMS, ONE, dict.fromkeys(totals, "村"), entries)
    assert [(r.org, r.rank) for r in results] == [("乙", 1), ("丙", 1), ("甲", 3), ("丁", 4)]


def test_seed_003_four_three_three_with_a_one_score_form_and_a_panel():
    """述职 (one 0–100 score) 4 : 评议 (two members, mean) 3 : 年度考核 3."""
    raters = {"述职": Rater(D(4), REPORT), "评议": Rater(D(3), SCHEME), "年度考核": Rater(D(3), SCHEME)}
    entries = (sheet("甲", "述职", "部长", s1=92)
               + sheet("甲", "评议", "代表1", a1=30, a2=50) + sheet("甲", "评议", "代表2", a1=40, a2=50)
               + sheet("甲", "年度考核", "考核组", a1=35, a2=45))
    result = run(entries, {"甲": "村"}, raters)["甲"]
    # 评议 = (80 + 90) / 2 = 85, not the last member's 90; 0.4×92 + 0.3×85 + 0.3×80 = 86.3
    assert result.rater_totals == {"述职": D("92.00"), "评议": D("85.00"), "年度考核": D("80.00")}
    assert result.total == D("86.30")
    assert result.subtotals == {"述职评议": D("36.80"), "组织建设": D("21.00"), "党员管理": D("28.50")}
    assert sum(result.subtotals.values()) + result.bonus - result.deduction == result.total


def test_a_trimmed_panel_drops_one_highest_and_one_lowest_sheet():
    panel = {"评议": Rater(D(1), SCHEME, trimmed=True)}
    entries = [e for member, value in (("甲委员", 60), ("乙委员", 80), ("丙委员", 85))
               for e in sheet("村", "评议", member, a1=40, a2=value - 40)]
    assert run(entries, {"村": "村"}, panel)["村"].total == D("80.00")  # the mean would be 75
    assert run(entries, {"村": "村"}, {"评议": Rater(D(1), SCHEME)})["村"].total == D("75.00")


def test_an_incomplete_sheet_is_left_out_until_staff_decide():
    raters = {"述职": Rater(D(4), SCHEME), "评议": Rater(D(3), SCHEME)}
    entries = sheet("甲", "述职", "部长", a1=40, a2=50) + sheet("甲", "评议", "代表", a1=10)  # 1 of 2 items
    result = run(entries, {"甲": "村"}, raters)["甲"]
    assert (result.total, result.missing_raters, result.incomplete) == (D("90.00"), ("评议",), (("评议", "代表"),))
    counted = run(entries, {"甲": "村"}, raters, decisions={("甲", "评议", "代表"): True})["甲"]
    assert counted.total == D("55.71") and counted.incomplete == ()  # (4×90 + 3×10) / 7
    left_out = run(entries, {"甲": "村"}, raters, decisions={("甲", "评议", "代表"): False})["甲"]
    assert (left_out.total, left_out.incomplete) == (D("90.00"), ())


def test_unscored_organisations_are_unrated_not_zero():
    totals = {"村1": 90, "村2": 80, "村3": 70, "村4": 0}
    entries = [e for org, value in totals.items() for e in total_of(org, value)] + sheet("村6", a1=20)
    results = run(entries, dict.fromkeys([*totals, "村5", "村6"], "村"))
    for org in ("村5", "村6"):  # nobody scored 村5; 村6's only sheet is incomplete
        assert (results[org].rated, results[org].rank, results[org].grade) == (False, None, "缺评")
        assert not results[org].bottom_three
    assert (results["村4"].rank, results["村4"].grade, results["村4"].bottom_three) == (4, "较差", True)
    assert [results[f"村{i}"].bottom_three for i in range(1, 5)] == [False, True, True, True]


def test_seed_004_two_tiers_are_standards_climbed_in_turn():
    totals = {"甲": 95, "乙": 93, "丙": 75, "丁": 50, "戊": 0}
    entries = [e for org, value in totals.items() for e in total_of(org, value)]
    entries += total_of("己", 98) + sheet("己", v2=1)  # the top scorer fails 计划生育
    previous = {"甲": Previous(3, "达标", False), "己": Previous(1, "先进", False)}
    results = run(entries, dict.fromkeys([*totals, "己", "庚"], "村"), grading=TWO_TIERS, previous=previous)
    grades = {org: r.grade for org, r in results.items()}
    assert grades == {"甲": "先进", "乙": "达标", "丙": "达标", "丁": "不达标", "戊": "不达标", "己": "不达标",
                      "庚": "缺评"}
    assert "上一期未达标" in results["乙"].grade_note and "不得评为达标" in results["己"].grade_note
    assert results["己"].rank == 1  # 不达标 by veto, still ranked by its score


def test_two_tiers_cap_on_the_share_of_advanced():
    grading = Grading("two_tiers", engine.TWO_TIERS, (90, 70), advanced_cap=D(20))
    totals = {"甲": 96, "乙": 94, "丙": 92, "丁": 80, "戊": 60}
    entries = [e for org, value in totals.items() for e in total_of(org, value)]
    grades = {org: r.grade for org, r in run(entries, dict.fromkeys(totals, "村"), grading=grading).items()}
    assert grades == {"甲": "先进", "乙": "达标", "丙": "达标", "丁": "达标", "戊": "不达标"}  # 20% of 5 = 1


def test_four_grades_by_shares_ties_share_the_better_grade_and_a_veto_takes_no_top_place():
    grading = Grading("four_grades", engine.FOUR_GRADES, shares=(20, 30, 30))
    totals = [99, 97, 95, 90, 90, 88, 80, 70, 60, 50]  # 10 organisations: quotas 2 / 5 / 8 cumulative
    entries = [e for i, value in enumerate(totals) for e in total_of(f"村{i}", value)] + sheet("村0", v1=1)
    results = run(entries, {f"村{i}": "村" for i in range(10)}, grading=grading)
    assert [results[f"村{i}"].grade for i in range(10)] == [
        "较好", "好", "好", "较好", "较好", "一般", "一般", "一般", "较差", "较差"]


def test_three_classes_and_stars_by_thresholds():
    totals = {"甲": 92, "乙": 85, "丙": 72, "丁": 55, "戊": 45, "己": 0}
    entries = [e for org, value in totals.items() for e in total_of(org, value)]
    targets = dict.fromkeys(totals, "非公")
    stars = run(entries, targets, grading=Grading("stars", engine.STARS, (90, 80, 70, 60, 50)))
    assert [stars[o].grade for o in totals] == ["五星", "四星", "三星", "一星", "不定星", "不定星"]
    classes = run(entries, targets, grading=Grading("three_classes", engine.THREE_CLASSES, (85, 70)))
    assert [classes[o].grade for o in totals] == ["一类", "一类", "二类", "三类", "三类", "三类"]


def test_a_veto_set_to_lowest_ranks_the_organisation_last():
    entries = total_of("甲", 95) + sheet("甲", v3=1) + total_of("乙", 60) + total_of("丙", 70)
    results = run(entries, {"甲": "村", "乙": "村", "丙": "村"})
    assert [(o, results[o].rank, results[o].grade) for o in ("丙", "乙", "甲")] == [
        ("丙", 1, "一般"), ("乙", 2, "一般"), ("甲", 3, "较差")]


def test_a_veto_not_top_drops_only_the_top_grade():
    results = run(total_of("甲", 90) + sheet("甲", v1=1) + total_of("乙", 89), {"甲": "村", "乙": "村"})
    assert (results["甲"].rank, results["甲"].grade, results["甲"].veto) == (1, "较好", True)


def test_deductions_in_their_block_stop_at_zero_and_the_parts_add_up():
    entries = sheet("甲", a1=15, a2=40, d2=20, d1=3)  # 组织建设 15 − 20 → 0 (扣完为止)
    within = run(entries, {"甲": "村"}, deductions_in_block=True)["甲"]
    assert within.subtotals == {"组织建设": D(0), "党员管理": D(40)}
    assert (within.deduction, within.total) == (D(3), D(37))
    outside = run(entries, {"甲": "村"})["甲"]  # both deductions come off the total: 55 − 23
    assert outside.subtotals == {"组织建设": D(15), "党员管理": D(40)} and outside.total == D(32)
    for result in (within, outside):
        assert sum(result.subtotals.values()) + result.bonus - result.deduction == result.total


def test_deductions_never_take_the_total_below_zero_and_still_add_up():
    result = run(sheet("甲", a1=2, a2=3, d1=10), {"甲": "村"}, extra_deductions={"甲": D(4)})["甲"]
    assert (result.total, result.deduction, result.extra_deduction) == (D(0), D(5), D(0))


def test_renormalised_weights_and_cents_apportioned_so_the_parts_add_up():
    raters = {"述职评分": Rater(D(4), SCHEME), "评议": Rater(D(3), SCHEME), "年度考核": Rater(D(3), SCHEME)}
    entries = sheet("乙", "述职评分", a1=40, a2=40) + sheet("乙", "评议", a1=30, a2=30)
    result = run(entries, {"乙": "村"}, raters)["乙"]
    assert result.total == D("71.43")  # no 年度考核: (4×80 + 3×60) / 7 = 71.428…
    assert result.missing_raters == ("年度考核",)
    assert sorted(result.subtotals.values()) == [D("35.71"), D("35.72")]  # 35.714… each, one cent apportioned


def test_closed_loop_deductions_come_off_the_composite():
    result = run(sheet("甲", a1=40, a2=50, d1=4), {"甲": "村"}, extra_deductions={"甲": D(6)})["甲"]
    assert (result.deduction, result.extra_deduction, result.total, result.grade) == (D(4), D(6), D(80), "较好")


def test_groups_rank_separately_and_bottom_three_twice_running_is_flagged():
    totals = {"村1": 90, "村2": 80, "村3": 70, "村4": 60, "村5": 50, "社区1": 10}
    entries = [e for org, value in totals.items() for e in total_of(org, value)]
    targets = {org: ("社区" if org.startswith("社区") else "村") for org in totals}
    previous = {"村5": Previous(rank=4, grade="一般", bottom_three=True), "村1": Previous(3, "较好", False),
                "村2": Previous(None, "缺评", False)}
    results = run(entries, targets, previous=previous)
    assert results["社区1"].rank == 1 and not results["社区1"].bottom_three
    assert [results[f"村{i}"].bottom_three for i in range(1, 6)] == [False, False, True, True, True]
    assert results["村5"].bottom_three_twice and not results["村4"].bottom_three_twice
    assert (results["村1"].rank_change, results["村5"].rank_change, results["村2"].rank_change) == (2, -1, None)


def test_a_self_assessment_of_weight_zero_is_shown_but_not_counted():
    raters = {"上级": Rater(D(1), SCHEME), "自评": Rater(D(0), SCHEME)}
    result = run(sheet("甲", a1=30, a2=40) + sheet("甲", "自评", a1=40, a2=50), {"甲": "村"}, raters)["甲"]
    assert result.total == D("70.00") and result.rater_totals["自评"] == D(90) and result.missing_raters == ()


def test_only_the_self_assessment_leaves_the_organisation_unrated():
    raters = {"上级": Rater(D(1), SCHEME), "自评": Rater(D(0), SCHEME)}
    assert not run(sheet("甲", "自评", a1=40, a2=50), {"甲": "村"}, raters)["甲"].rated


def test_grading_rules_describe_themselves_in_chinese():
    assert "先进须上一期达标" in TWO_TIERS.describe() and "缺评组织不排名" in TWO_TIERS.describe()
    assert "好20%" in Grading("four_grades", engine.FOUR_GRADES, shares=(20, 30, 30)).describe()


@pytest.mark.bench
def test_benchmark_command_prints_its_figures(capsys):
    from django.core.management import call_command

    call_command("bench_scoring", "--organisations", "40", "--runs", "1")
    assert "40 个组织 × 50 项 × 3 个评分主体(6000 个分数)：中位数" in capsys.readouterr().out
