"""Hand-computed cases from seeds 003 and 004 run through a real assessment: sheets entered by several panel
members, closed, published, and read back from the results page, the score sheets and the ranked report's XLSX.

Seed 004's “五个好” scheme (三大块 of 15 / 20 / 15 items, 2 points each; 两档制 达标 ≥ 70, 先进 ≥ 90 and 达标
last year; 经济建设、计划生育、社会治安 vetoes: 不达标) with seed 003's 4 : 3 : 3 — 述职 on a one-score form (the
upper committee's, entered by staff), 评议 by three 党代表 (one highest and one lowest sheet dropped), 年度考核 (staff).

    last year (述职 only)   A 95 达标 · E 85 达标 · F 78 达标 · G 72 达标 · C 65 不达标 · B 60 不达标 · D 缺评
    this year
      E  100 (all full)                                        vetoed 计划生育 → 不达标, still ranked 1
      B  0.4×98 + 0.3×100 + 0.3×100 = 99.2, − 1        = 98.2     达标 (不达标 last year: no 先进 yet)
      A  0.4×92 + 0.3×90 (90/100/80 trimmed) + 0.3×95 = 92.3   先进
      F  述职 80, 年度考核 80, no 评议: (4×80 + 3×80) / 7 = 80   达标
      G  述职 75 alone                                 = 75     达标
      C  0.4×70 + 0.3×65 (60, 70; a half sheet left out) + 0.3×65 = 67, − 1 = 66   不达标 → a problem
      D  nobody scored                                          缺评
    (− 1: the problem B and C were given last year is still open at closing: 1 point per unaccepted item)
"""

import datetime
import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from kernel.errors import ServiceError
from kernel.reports import builder_for
from rectification.models import Problem
from scoring import schemes, services
from scoring.models import Assessment, Consequence, Indicator, Plaque, Result, Scheme
from tests.factories import OrganizationFactory

FORM = schemes.REPORT_FORM["name"]
TWO_TIERS = schemes.SCHEME_004["name"]


@pytest.fixture
def case(world):
    orgs = {"A": world.branch, "B": world.sibling, "C": world.far_branch}
    for letter, town in (("D", world.town_a), ("E", world.town_b), ("F", world.town_b), ("G", world.town_a)):
        orgs[letter] = OrganizationFactory(parent=town, name=f"{letter}村党支部", level="village")
    panel = [world.user_with("inspector", world.county, username=f"daibiao{i}") for i in (1, 2, 3)]
    return world, orgs, panel


def sheet(user, assessment, rater_name, org, points=None, *, per_item=None, only_block=None, **extra):
    """Save one member's sheet: ``points`` on the one-score form, or ``per_item`` on every score item."""
    rater = assessment.raters.get(name=rater_name)
    items = list(services.rater_items(rater))
    cells = {}
    for item in items:
        if item.kind == Indicator.Kind.SCORE and (only_block is None or item.parent.name == only_block):
            cells[(org, item)] = (D(points) if points is not None else D(per_item), "")
        if item.name in extra:
            cells[(org, item)] = (D(1), extra[item.name])
    services.save_sheet(user, rater=rater, cells=cells)


def last_year(world, orgs):
    staff = world.users["staff"]
    assessment = services.create_assessment(
        staff, scheme=Scheme.objects.get(name=TWO_TIERS, year=2025), name="2025年度“五个好”考评", period="2025年度",
        root=world.county, closes_on=datetime.date(2025, 12, 31), levels=["village"],
        raters=[("述职评议", 1, [staff], {"form": Scheme.objects.get(name=FORM, year=2026)})])
    for letter, points in {"A": 95, "E": 85, "F": 78, "G": 72, "C": 65, "B": 60}.items():
        sheet(staff, assessment, "述职评议", orgs[letter], points)
    services.close(staff, assessment)
    return services.publish(staff, Assessment.objects.get(pk=assessment.pk))


def this_year(world, orgs, panel, previous):
    staff = world.users["staff"]
    assessment = services.create_assessment(
        staff, scheme=Scheme.objects.get(name=TWO_TIERS, year=2026), name="2026年度“五个好”考评", period="2026年度",
        root=world.county, closes_on=datetime.date(2026, 12, 31), levels=["village"], previous=previous,
        raters=[("述职评议", 4, [staff], {"form": Scheme.objects.get(name=FORM, year=2026)}),
                ("评议", 3, panel, {"trimmed": True}), ("年度考核", 3, [staff])])
    for letter, points in {"E": 100, "B": 98, "A": 92, "F": 80, "G": 75, "C": 70}.items():
        sheet(staff, assessment, "述职评议", orgs[letter], points)
    for member, per_item in zip(panel, ("1.8", "2", "1.6"), strict=True):
        sheet(member, assessment, "评议", orgs["A"], per_item=per_item)
    for member in panel:
        sheet(member, assessment, "评议", orgs["B"], per_item="2")
        sheet(member, assessment, "评议", orgs["E"], per_item="2")
    sheet(panel[0], assessment, "评议", orgs["C"], per_item="1.2")
    sheet(panel[1], assessment, "评议", orgs["C"], per_item="1.4")
    sheet(panel[2], assessment, "评议", orgs["C"], per_item="1.2", only_block="党组织履行职责方面的措施要求")
    for letter, per_item in {"A": "1.9", "B": "2", "C": "1.3", "F": "1.6"}.items():
        sheet(staff, assessment, "年度考核", orgs[letter], per_item=per_item)
    sheet(staff, assessment, "年度考核", orgs["E"], per_item="2", **{"计划生育一票否决": "超生两例"})
    return assessment


def test_seed_003_and_004_through_a_real_assessment(case, login, tmp_path):
    world, orgs, panel = case
    staff = world.users["staff"]
    previous = last_year(world, orgs)
    assert {r.org.name[0]: r.grade for r in previous.results.select_related("org")} == {
        "东": "达标", "E": "达标", "F": "达标", "G": "达标", "南": "不达标", "西": "不达标", "D": "缺评"}
    assessment = this_year(world, orgs, panel, previous)

    with pytest.raises(ServiceError, match="1 张未填完的评分表"):
        services.close(staff, assessment)
    services.decide_sheet(staff, assessment, org=orgs["C"], rater=assessment.raters.get(name="评议"),
                          member=panel[2], count=False, reason="该代表只评了第一大块，按缺评处理")
    services.close(staff, assessment)
    assessment = services.publish(staff, Assessment.objects.get(pk=assessment.pk))

    results = {letter: Result.objects.get(assessment=assessment, org=org) for letter, org in orgs.items()}
    expected = {"E": (1, "100.00", "不达标"), "B": (2, "98.20", "达标"), "A": (3, "92.30", "先进"),
                "F": (4, "80.00", "达标"), "G": (5, "75.00", "达标"), "C": (6, "66.00", "不达标")}
    assert {k: (r.rank, str(r.total), r.grade) for k, r in results.items() if r.rated} == expected
    assert (results["D"].rated, results["D"].grade) == (False, "缺评")
    assert [results[x].ledger_deduction for x in "BCA"] == [D(1), D(1), D(0)]
    assert results["E"].vetoes == ["计划生育一票否决"] and "上一期未达标" in results["B"].grade_note
    a = results["A"]
    assert a.subtotals == {FORM: "36.80", "党组织履行职责方面的措施要求": "16.65",
                           "农村基层组织和党员队伍建设方面的目标要求": "22.20",
                           "两个文明建设方面成效的综合要求": "16.65"}
    assert {r.org for r in Result.objects.filter(assessment=assessment, bottom_three_twice=True)} == {
        orgs["G"], orgs["C"]}
    assert results["F"].bottom_three and not results["F"].bottom_three_twice

    # problems: 不达标 only (E by veto, C by score), released on publication; none for 缺评 D
    problems = Problem.objects.filter(source=Problem.Source.ASSESSMENT, origin_id__in=[r.pk for r in results.values()])
    assert {p.org for p in problems} == {orgs["E"], orgs["C"]}
    assert not problems.filter(withheld_for__isnull=False).exists()

    # plaques: A climbs to 先进, E loses its plaque (摘牌), F and G keep theirs, B is named 达标
    active = {p.org: p.grade for p in Plaque.objects.active()}
    assert active == {orgs["A"]: "先进", orgs["B"]: "达标", orgs["F"]: "达标", orgs["G"]: "达标"}
    removed = Plaque.objects.get(org=orgs["E"])
    assert removed.removed_on and "不达标" in removed.removal_reason and removed.removed_by == staff
    kinds = {(c.org, c.kind) for c in Consequence.objects.filter(assessment=assessment)}
    assert kinds == {(orgs["E"], Consequence.Kind.PLAQUE_REMOVED),
                     (orgs["F"], Consequence.Kind.NO_HONOURS), (orgs["F"], Consequence.Kind.ADMONITION),
                     *{(orgs[x], kind) for x in "GC" for kind in (Consequence.Kind.NO_HONOURS,
                                                                  Consequence.Kind.RESHUFFLE,
                                                                  Consequence.Kind.DISMISSAL)}}

    dynamic = login(world.users["leader"]).get(f"/scoring/{assessment.pk}/dynamic/").content.decode()
    for words in ("各类评优一票否决(共 3 个)", "诫勉谈话(共 1 个)", "领导班子调整(共 2 个)", "负责人免职(共 2 个)",
                  "摘牌(共 1 个)", "排名后三位，连续两期"):
        assert words in dynamic, words

    # the results page, filtered, as a secretary reads it after publication
    client = login(world.users["secretary"])
    page = client.get(f"/scoring/{assessment.pk}/results/?grade=先进").content.decode()
    assert "东山村党支部" in page and "西山村党支部" not in page and "92.30" in page
    assert "D村党支部" in client.get(f"/scoring/{assessment.pk}/results/?grade=缺评").content.decode()
    mine = client.get(f"/scoring/{assessment.pk}/results/?mine=on").context["page"]
    assert [r.org for r in mine] == [orgs["A"]]

    # A's score sheet: every panel member's entries, the sum behind the total
    sheet_page = client.get(f"/scoring/{assessment.pk}/orgs/{orgs['A'].pk}/").content.decode()
    assert all((m.get_full_name() or m.username) in sheet_page for m in panel)
    assert "去掉一个最高分和一个最低分" in sheet_page
    assert "总分 92.30 = " in sheet_page and "先进" in sheet_page

    # the ranked report's XLSX: one row per organisation, the parts add up to the total
    built = builder_for("ranking").build(world.county, str(assessment.pk), lambda percent: None)
    rows = list(load_workbook(io.BytesIO(built.xlsx)).worksheets[0].iter_rows(values_only=True))
    assert rows[0][0].endswith("排名通报")  # the title row, then the header
    header, body = rows[1], [dict(zip(rows[1], row, strict=True)) for row in rows[2:]]
    blocks = [h for h in header if h in a.subtotals]
    by_name = {row["党组织"]: row for row in body}
    assert (by_name["东山村党支部"]["总分"], by_name["东山村党支部"]["等次"]) == (92.3, "先进")
    assert (by_name["D村党支部"]["名次"], by_name["D村党支部"]["等次"]) == (None, "缺评")
    for row in body:
        if row["等次"] != "缺评":
            parts = sum(D(str(row[b])) for b in blocks) + D(str(row["加分"])) - D(str(row["扣分"])) - D(
                str(row["整改扣分"]))
            assert parts == D(str(row["总分"])), row["党组织"]
