"""The assessment arithmetic, from plain data (no Django): check it by hand, benchmark it, trust it.

Raters of weight 0 (自评, self-assessment) are shown but never counted.
Per organisation and rater: scored items (each capped at its maximum) + bonus items (capped together at the
scheme's bonus cap) − deduction items; a veto item with points > 0 is a failed veto (一票否决).
Composite: the raters' totals weighted; when a rater has entered nothing for an organisation, the weights of
the raters present are re-normalised (stated in ``missing_raters``). Closed-loop deductions (from the
rectification ledger) come off the composite; totals never drop below zero.
Ranking inside each peer group: higher total first; equal totals share a rank and the next rank is skipped
(1, 2, 2, 4): 同分并列，名次相同，不再细分. Grades by rule; a failed veto keeps the organisation out of the top
grade whatever its score. Bottom three: the organisations whose rank is among the last three of the group.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

TIE_RULE = "同分并列，名次相同，后续名次顺延(如 1、2、2、4)。"
CENT = Decimal("0.01")
ZERO = Decimal(0)


@dataclass(frozen=True)
class Item:
    id: object
    dimension: str
    kind: str  # "score" | "bonus" | "deduction" | "veto"
    max_points: Decimal


@dataclass(frozen=True)
class Entry:
    org: object
    item: object
    rater: object
    points: Decimal


@dataclass(frozen=True)
class Grading:
    """kind "thresholds": ``steps`` = [(minimum total, label), …] best first, ``fallback`` below all;
    kind "proportions": ``steps`` = [(share of the group in %, label), …] best first, the rest ``fallback``."""

    kind: str
    steps: tuple
    fallback: str

    @property
    def labels(self):
        return [label for _bound, label in self.steps] + [self.fallback]


THRESHOLDS = Grading("thresholds", ((90, "好"), (80, "较好"), (60, "一般")), "较差")
TOP_20_PERCENT = Grading("proportions", ((20, "先进"),), "达标")
THREE_CLASSES = Grading("thresholds", ((85, "一类"), (70, "二类")), "三类")
STARS = Grading("thresholds", ((90, "五星"), (80, "四星"), (70, "三星"), (60, "二星")), "一星")
GRADINGS = {"four_grades": THRESHOLDS, "two_tiers": TOP_20_PERCENT, "three_classes": THREE_CLASSES, "stars": STARS}


@dataclass(frozen=True)
class Previous:
    rank: int
    grade: str
    bottom_three: bool


@dataclass
class OrgResult:
    org: object
    group: object
    rater_totals: dict = field(default_factory=dict)
    subtotals: dict = field(default_factory=dict)
    bonus: Decimal = ZERO
    deduction: Decimal = ZERO
    extra_deduction: Decimal = ZERO
    veto: bool = False
    missing_raters: tuple = ()
    total: Decimal = ZERO
    rank: int = 0
    grade: str = ""
    rank_change: int | None = None
    previous_grade: str = ""
    bottom_three: bool = False
    bottom_three_twice: bool = False


def compute(items, raters, targets, entries, *, bonus_cap=None, grading=THRESHOLDS, extra_deductions=None,
            previous=None):
    """``raters``: {rater: weight}; ``targets``: {org: peer group}; returns OrgResults best first per group."""
    by_id = {item.id: item for item in items}
    sheets = defaultdict(lambda: defaultdict(list))  # org → rater → entries
    for entry in entries:
        sheets[entry.org][entry.rater].append(entry)
    results = [_score_org(org, group, sheets.get(org, {}), by_id, raters, bonus_cap,
                          (extra_deductions or {}).get(org, ZERO))
               for org, group in targets.items()]
    groups = defaultdict(list)
    for result in results:
        groups[result.group].append(result)
    ranked = []
    for members in groups.values():
        ranked += _rank_and_grade(members, grading, previous or {})
    return ranked


def _score_org(org, group, sheet, items, raters, bonus_cap, extra_deduction):
    result = OrgResult(org=org, group=group, extra_deduction=extra_deduction)
    present = {rater: weight for rater, weight in raters.items() if weight > 0 and sheet.get(rater)}
    result.missing_raters = tuple(rater for rater, weight in raters.items() if weight > 0 and rater not in present)
    weight_sum = sum(present.values())
    dimension_totals = defaultdict(lambda: ZERO)
    for rater in raters:
        if sheet.get(rater):
            result.rater_totals[rater] = _rater_sheet(sheet[rater], items, bonus_cap)[0]
    for rater, weight in present.items():
        _total, dimensions, bonus, deduction, veto = _rater_sheet(sheet[rater], items, bonus_cap)
        share = Decimal(weight) / Decimal(weight_sum)
        for dimension, value in dimensions.items():
            dimension_totals[dimension] += value * share
        result.bonus += bonus * share
        result.deduction += deduction * share
        result.veto = result.veto or veto
    composite = sum((result.rater_totals[r] * Decimal(w) / Decimal(weight_sum) for r, w in present.items()), ZERO)
    result.subtotals = {d: v.quantize(CENT, ROUND_HALF_UP) for d, v in dimension_totals.items()}
    result.bonus, result.deduction = result.bonus.quantize(CENT), result.deduction.quantize(CENT)
    result.total = max(ZERO, composite - extra_deduction).quantize(CENT, ROUND_HALF_UP)
    return result


def _rater_sheet(entries, items, bonus_cap):
    dimensions, bonus, deduction, veto = defaultdict(lambda: ZERO), ZERO, ZERO, False
    for entry in entries:
        item = items[entry.item]
        points = min(Decimal(entry.points), item.max_points)
        if item.kind == "score":
            dimensions[item.dimension] += points
        elif item.kind == "bonus":
            bonus += points
        elif item.kind == "deduction":
            deduction += points
        elif item.kind == "veto" and points > 0:
            veto = True
    if bonus_cap is not None:
        bonus = min(bonus, Decimal(bonus_cap))
    return sum(dimensions.values(), ZERO) + bonus - deduction, dimensions, bonus, deduction, veto


def _rank_and_grade(members, grading, previous):
    members.sort(key=lambda r: -r.total)
    count, current_rank, last_total = len(members), 0, None
    for position, result in enumerate(members, start=1):
        if result.total != last_total:
            current_rank, last_total = position, result.total
        result.rank = current_rank
    for result in members:
        result.grade = _grade(result, grading, count)
        result.bottom_three = count > 3 and result.rank > count - 3
        before = previous.get(result.org)
        if before:
            result.rank_change = before.rank - result.rank
            result.previous_grade = before.grade
            result.bottom_three_twice = result.bottom_three and before.bottom_three
    return members


def _grade(result, grading, count):
    if grading.kind == "thresholds":
        label = next((label for bound, label in grading.steps if result.total >= bound), grading.fallback)
    else:
        label, covered = grading.fallback, 0
        for share, step_label in grading.steps:
            covered += share
            if result.rank <= max(1, round(count * covered / 100)):
                label = step_label
                break
    if result.veto and label == grading.labels[0]:
        label = grading.labels[1]  # 一票否决: never the top grade
    return label
