"""Hand-computed cases of the assessment arithmetic."""

from decimal import Decimal as D

from scoring import engine
from scoring.engine import Entry, Item, Previous

ITEMS = [
    Item("a1", "组织建设", "score", D(40)),
    Item("a2", "党员管理", "score", D(50)),
    Item("b1", "加分", "bonus", D(5)),
    Item("b2", "加分", "bonus", D(3)),
    Item("d1", "扣分", "deduction", D(10)),
    Item("v1", "一票否决", "veto", D(1)),
]


def sheet(org, rater, **points):
    return [Entry(org, item, rater, D(value)) for item, value in points.items()]


def by_org(results):
    return {r.org: r for r in results}


def test_bonus_over_the_cap_is_cut_to_the_cap():
    entries = sheet("甲", "上级", a1=38, a2=45, b1=5, b2=3)
    result = by_org(engine.compute(ITEMS, {"上级": 1}, {"甲": "村"}, entries, bonus_cap=5))["甲"]
    assert (result.bonus, result.total) == (D(5), D("88.00"))  # 38 + 45 + min(8, 5)


def test_points_above_an_items_maximum_count_only_up_to_it():
    result = engine.compute(ITEMS, {"上级": 1}, {"甲": "村"}, sheet("甲", "上级", a1=55, a2=50))[0]
    assert result.total == D("90.00")


def test_a_veto_keeps_the_top_scorer_out_of_the_top_grade():
    entries = sheet("甲", "上级", a1=40, a2=50, v1=1) + sheet("乙", "上级", a1=39, a2=50)
    results = by_org(engine.compute(ITEMS, {"上级": 1}, {"甲": "村", "乙": "村"}, entries))
    top = results["甲"]
    assert (top.rank, top.total, top.grade, top.veto) == (1, D(90), "较好", True)
    assert results["乙"].grade == "较好"  # 89 by threshold


def test_ties_share_a_rank_and_the_next_is_skipped():
    totals = {"甲": 30, "乙": 35, "丙": 35, "丁": 20}
    entries = [e for org, value in totals.items() for e in sheet(org, "上级", a1=value)]
    results = engine.compute(ITEMS, {"上级": 1}, dict.fromkeys(totals, "村"), entries)
    assert [(r.org, r.rank) for r in results] == [("乙", 1), ("丙", 1), ("甲", 3), ("丁", 4)]


def test_weighted_raters_4_3_3_and_a_missing_rater_renormalised():
    raters = {"述职评分": 4, "评议": 3, "年度考核": 3}
    entries = (sheet("甲", "述职评分", a1=40, a2=50) + sheet("甲", "评议", a1=30, a2=40)
               + sheet("甲", "年度考核", a1=35, a2=45)
               + sheet("乙", "述职评分", a1=40, a2=40) + sheet("乙", "评议", a1=30, a2=30))
    results = by_org(engine.compute(ITEMS, raters, {"甲": "村", "乙": "村"}, entries))
    assert results["甲"].total == D("81.00")  # 0.4×90 + 0.3×70 + 0.3×80
    assert results["乙"].total == D("71.43")  # no 年度考核: re-normalised over 4:3, (4×80 + 3×60) / 7
    assert results["乙"].missing_raters == ("年度考核",)
    assert results["甲"].subtotals == {"组织建设": D("35.50"), "党员管理": D("45.50")}


def test_deductions_and_closed_loop_deductions_come_off():
    entries = sheet("甲", "上级", a1=40, a2=50, d1=4)
    result = engine.compute(ITEMS, {"上级": 1}, {"甲": "村"}, entries, extra_deductions={"甲": D(6)})[0]
    assert (result.deduction, result.extra_deduction, result.total, result.grade) == (D(4), D(6), D(80), "较好")


def test_groups_rank_separately_and_bottom_three_twice_running_is_flagged():
    totals = {"村1": 90, "村2": 80, "村3": 70, "村4": 60, "村5": 50, "社区1": 10}
    entries = [e for org, value in totals.items() for e in sheet(org, "上级", a1=min(value, 40), a2=max(0, value - 40))]
    targets = {org: ("社区" if org.startswith("社区") else "村") for org in totals}
    previous = {"村5": Previous(rank=4, grade="一般", bottom_three=True), "村1": Previous(3, "较好", False)}
    results = by_org(engine.compute(ITEMS, {"上级": 1}, targets, entries, previous=previous))
    assert results["社区1"].rank == 1 and not results["社区1"].bottom_three
    assert [results[f"村{i}"].bottom_three for i in range(1, 6)] == [False, False, True, True, True]
    assert results["村5"].bottom_three_twice and not results["村4"].bottom_three_twice
    assert (results["村1"].rank_change, results["村5"].rank_change) == (2, -1)


def test_grading_rules():
    totals = {f"村{i}": 100 - 7 * i for i in range(10)}  # 100, 93, … 37
    entries = [e for org, value in totals.items() for e in sheet(org, "上级", a1=min(value, 40), a2=value - 40)]
    targets = dict.fromkeys(totals, "村")

    def grades(grading):
        return [r.grade for r in engine.compute(ITEMS, {"上级": 1}, targets, entries, grading=grading)]

    assert grades(engine.THRESHOLDS) == ["好", "好", "较好", "一般", "一般", "一般", "较差", "较差", "较差", "较差"]
    assert grades(engine.TOP_20_PERCENT) == ["先进", "先进"] + ["达标"] * 8
    assert grades(engine.THREE_CLASSES) == ["一类"] * 3 + ["二类"] * 2 + ["三类"] * 5
    assert grades(engine.STARS)[:6] == ["五星", "五星", "四星", "三星", "三星", "二星"]


def test_benchmark_command_prints_its_figures(capsys):
    from django.core.management import call_command

    call_command("bench_scoring", "--organisations", "40", "--runs", "1")
    assert "40 个组织 × 50 项 × 3 个评分主体(6000 个分数)：中位数" in capsys.readouterr().out


def test_a_self_assessment_of_weight_zero_is_shown_but_not_counted():
    entries = sheet("甲", "上级", a1=30, a2=40) + sheet("甲", "自评", a1=40, a2=50)
    result = engine.compute(ITEMS, {"上级": 1, "自评": 0}, {"甲": "村"}, entries)[0]
    assert result.total == D("70.00") and result.rater_totals["自评"] == D(90) and result.missing_raters == ()
