"""The assessment arithmetic, from plain data (no Django): check it by hand, benchmark it, trust it.

Sheets. Every member of a rater body keeps their own sheet per organisation. A sheet is complete when every
score item of the body's form has an entry; an incomplete sheet counts only if staff decided so at closing
(``decisions``), otherwise it is left out (and listed). Per sheet: score items (each capped at its maximum)
summed per block; deductions either come off their own block, which never drops below 0 (扣完为止,
``deductions_in_block``), or off the total; bonus items are capped together at the scheme's bonus cap;
a veto item with points > 0 is a failed veto (一票否决) with the item's consequence.

Bodies. A body's score is the mean of its counted members' sheets; with ``trimmed`` and three or more
sheets, the sheets with the highest and the lowest total are dropped first (去掉一个最高分和一个最低分).
Raters of weight 0 (自评) are shown but never counted.

Composite. The bodies' scores weighted; when a body has no counted sheet for an organisation the weights of
those present are re-normalised (stated in ``missing_raters``). An organisation no counting body scored is
缺评: not ranked, not graded, never bottom three. Closed-loop deductions (from the rectification ledger) come
off the composite. The total never drops below zero and always equals blocks + bonus − deductions as shown
(cents apportioned by largest remainder).

Ranking inside each peer group: higher total first; equal totals share a rank (kernel ranking, 1, 2, 2, 4);
an organisation whose veto puts it at the lowest grade is ranked after all others. Grades by the scheme's
rule (``Grading``). Bottom three: the rated organisations ranked among the last three of a group of four+.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import NamedTuple

from kernel.ranking import TIE_RULE, rank_by, ranked

__all__ = ["TIE_RULE", "compute"]

CENT = Decimal("0.01")
ZERO = Decimal(0)
UNRATED = "缺评"
#: the kind of an item whose points count for nothing (a veto a rule trial leaves out)
IGNORED = "ignored"

NOT_TOP, NOT_PASSING, LOWEST = "not_top", "not_passing", "lowest"
CONSEQUENCES = {NOT_TOP: "不得评为最高等次", NOT_PASSING: "不得评为达标(定为最低等次)",
                LOWEST: "定为最低等次，排在本组最后"}
_SEVERITY = {NOT_TOP: 1, NOT_PASSING: 2, LOWEST: 3}


@dataclass(frozen=True)
class Item:
    id: object
    block: object  # the block (维度) it belongs to, None for items outside every block
    kind: str  # "score" | "bonus" | "deduction" | "veto" | IGNORED
    max_points: Decimal
    consequence: str = NOT_TOP  # of a failed veto


@dataclass(frozen=True)
class Rater:
    weight: Decimal
    #: score items a complete sheet must have (the body's own form); None: every score item
    required: frozenset | None = None
    trimmed: bool = False


class Entry(NamedTuple):
    """One score. The engine reads entries by position, so the database path hands it plain 5-tuples in this
    order (a city assessment has a million of them)."""

    org: object
    item: object
    rater: object
    points: Decimal | str  # anything Decimal() reads exactly: the database path hands text
    member: object = None


@dataclass(frozen=True)
class Grading:
    """``labels`` best first, the last one below every bar.

    ``thresholds``: the minimum total of each label but the last. ``shares`` (four grades only): the share in %
    of each label but the last within the peer group, ties sharing the better grade. 两档制 (``two_tiers``):
    labels 先进/达标/不达标 by thresholds only; ``advanced_cap`` optionally caps the share of 先进 and
    ``advanced_needs_pass`` asks for 达标 or better in the previous period."""

    kind: str
    labels: tuple
    thresholds: tuple = ()
    shares: tuple = ()
    advanced_cap: Decimal | None = None
    advanced_needs_pass: bool = False

    @property
    def top(self):
        return self.labels[0]

    @property
    def lowest(self):
        return self.labels[-1]

    @property
    def needs_rectification(self):
        """Grades that must analyse causes and rectify (一般/较差, 不达标, the lowest class or star)."""
        return self.labels[-2:] if self.kind == "four_grades" else self.labels[-1:]

    def describe(self):
        if self.shares:
            steps = "、".join(f"{label}{share}%" for label, share in zip(self.labels, self.shares, strict=False))
            text = f"按组内比例：{steps}，其余为{self.lowest}；同分同等次"
        else:
            steps = "、".join(f"{label}≥{bound}分"
                             for label, bound in zip(self.labels, self.thresholds, strict=False))
            text = f"按分数线：{steps}，以下为{self.lowest}"
        if self.kind == "two_tiers":
            text = f"两档制，逐档升创：{text}"
            if self.advanced_needs_pass:
                text += "；先进须上一期达标"
            if self.advanced_cap:
                text += f"；先进不超过本组的{self.advanced_cap}%"
        return text + "。缺评组织不排名、不定等次。"


FOUR_GRADES = ("好", "较好", "一般", "较差")
TWO_TIERS = ("先进", "达标", "不达标")
THREE_CLASSES = ("一类", "二类", "三类")
STARS = ("五星", "四星", "三星", "二星", "一星", "不定星")
LABELS = {"four_grades": FOUR_GRADES, "two_tiers": TWO_TIERS, "three_classes": THREE_CLASSES, "stars": STARS}
DEFAULT_THRESHOLDS = {"four_grades": (90, 80, 60), "two_tiers": (85, 60), "three_classes": (85, 70),
                      "stars": (90, 80, 70, 60, 50)}
THRESHOLDS = Grading("four_grades", FOUR_GRADES, DEFAULT_THRESHOLDS["four_grades"])


@dataclass(frozen=True)
class Previous:
    rank: int | None
    grade: str
    bottom_three: bool


@dataclass
class Sheet:
    total: Decimal = ZERO
    blocks: dict = field(default_factory=dict)
    bonus: Decimal = ZERO
    deduction: Decimal = ZERO
    vetoes: tuple = ()
    complete: bool = True


@dataclass
class OrgResult:
    org: object
    group: object
    rated: bool = False
    rater_totals: dict = field(default_factory=dict)
    subtotals: dict = field(default_factory=dict)
    bonus: Decimal = ZERO
    deduction: Decimal = ZERO
    extra_deduction: Decimal = ZERO
    vetoes: tuple = ()  # item ids of failed vetoes
    consequence: str = ""  # the harshest consequence of its failed vetoes
    missing_raters: tuple = ()
    #: (rater, member) sheets left out because incomplete and undecided
    incomplete: tuple = ()
    total: Decimal = ZERO
    rank: int | None = None
    grade: str = UNRATED
    grade_note: str = ""
    rank_change: int | None = None
    previous_grade: str = ""
    bottom_three: bool = False
    bottom_three_twice: bool = False

    @property
    def veto(self):
        return bool(self.vetoes)


def compute(items, raters, targets, entries, *, bonus_cap=None, grading=THRESHOLDS, extra_deductions=None,
            previous=None, deductions_in_block=False, decisions=None):
    """``raters``: {rater: Rater or weight}; ``targets``: {org: peer group}; ``decisions``: {(org, rater,
    member): True to count an incomplete sheet as entered, False to leave it out}. Returns OrgResults, best
    first per group, unrated ones last."""
    raters = {key: value if isinstance(value, Rater) else Rater(Decimal(value)) for key, value in raters.items()}
    by_id = {item.id: item for item in items}
    score_items = frozenset(item.id for item in items if item.kind == "score")
    sheets = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))  # org → rater → member → entries
    for entry in entries:
        org, _item, rater, _points, member = entry
        sheets[org][rater][member].append(entry)
    rules = _Rules(by_id, score_items, Decimal(bonus_cap) if bonus_cap is not None else None, deductions_in_block,
                   decisions or {})
    groups = defaultdict(list)
    for org, group in targets.items():
        groups[group].append(_score_org(org, group, sheets.get(org, {}), raters, rules,
                                        Decimal((extra_deductions or {}).get(org, ZERO))))
    results = []
    for members in groups.values():
        results += _rank_and_grade(members, grading, previous or {})
    return results


@dataclass(frozen=True)
class _Rules:
    items: dict
    score_items: frozenset
    bonus_cap: Decimal | None
    deductions_in_block: bool
    decisions: dict


def _score_org(org, group, sheet, raters, rules, extra_deduction):
    result = OrgResult(org=org, group=group)
    bodies, vetoes, incomplete = {}, set(), []
    for rater_key, rater in raters.items():
        counted = []
        for member, entries in sheet.get(rater_key, {}).items():
            member_sheet = _member_sheet(entries, rules, rater.required or rules.score_items)
            decided = rules.decisions.get((org, rater_key, member))
            if member_sheet.complete or decided or rater.weight == 0:  # 自评 is shown as entered
                counted.append(member_sheet)
            elif decided is None:
                incomplete.append((rater_key, member))
        if counted:
            bodies[rater_key] = _mean(counted, rater.trimmed)
            result.rater_totals[rater_key] = bodies[rater_key].total.quantize(CENT, ROUND_HALF_UP)
            if rater.weight > 0:
                vetoes.update(v for s in counted for v in s.vetoes)
    result.incomplete = tuple(incomplete)
    present = {key: rater.weight for key, rater in raters.items() if rater.weight > 0 and key in bodies}
    result.missing_raters = tuple(key for key, rater in raters.items() if rater.weight > 0 and key not in present)
    if not present:
        return result
    result.rated = True
    composite = _weighted([bodies[key] for key in present], [present[key] for key in present])
    result.vetoes = tuple(sorted(vetoes, key=str))
    consequences = [rules.items[v].consequence for v in result.vetoes]
    result.consequence = max(consequences, key=_SEVERITY.get) if consequences else ""
    _apportion(result, composite, extra_deduction)
    return result


def _member_sheet(entries, rules, required):
    blocks, block_deductions = defaultdict(Decimal), defaultdict(Decimal)  # Decimal() is 0
    bonus = deduction = ZERO
    vetoes = []
    items = rules.items
    for _org, item_id, _rater, points, _member in entries:  # a city's million: no call that can be spared
        item = items[item_id]
        points = Decimal(points)
        if points > item.max_points:
            points = item.max_points
        kind = item.kind
        if kind == "score":
            blocks[item.block] += points
        elif kind == "bonus":
            bonus += points
        elif kind == "deduction" and rules.deductions_in_block and item.block is not None:
            block_deductions[item.block] += points
        elif kind == "deduction":
            deduction += points
        elif kind == "veto" and points > 0:
            vetoes.append(item.id)
    for block, points in block_deductions.items():
        blocks[block] = max(ZERO, blocks[block] - points)  # 扣完为止
    if rules.bonus_cap is not None:
        bonus = min(bonus, rules.bonus_cap)
    subtotal = sum(blocks.values(), ZERO) + bonus
    deduction = min(deduction, subtotal)  # never below zero, and the parts still add up
    entered = {entry[1] for entry in entries}  # the items
    return Sheet(subtotal - deduction, dict(blocks), bonus, deduction, tuple(vetoes), required <= entered)


def _mean(sheets, trimmed):
    if trimmed and len(sheets) >= 3:
        ordered = sorted(sheets, key=lambda s: s.total)
        sheets = ordered[1:-1]
    return _weighted(sheets, [1] * len(sheets))


def _weighted(sheets, weights):
    weight_sum = Decimal(sum(weights))
    out = Sheet()
    blocks = defaultdict(lambda: ZERO)
    for sheet, weight in zip(sheets, weights, strict=True):
        share = Decimal(weight) / weight_sum
        for block, value in sheet.blocks.items():
            blocks[block] += value * share
        out.bonus += sheet.bonus * share
        out.deduction += sheet.deduction * share
        out.total += sheet.total * share
    out.blocks = dict(blocks)
    return out


def _apportion(result, composite, extra_deduction):
    """Cents: the total is rounded once; blocks and bonus are rounded so that they add up to it exactly."""
    deduction = composite.deduction.quantize(CENT, ROUND_HALF_UP)
    extra = min(extra_deduction, composite.total).quantize(CENT, ROUND_HALF_UP)
    total = max(ZERO, (composite.total - extra).quantize(CENT, ROUND_HALF_UP))
    parts = [*composite.blocks.items(), (_BONUS, composite.bonus)]
    floors = [(key, value.quantize(CENT, ROUND_DOWN)) for key, value in parts]
    spare = int((total + deduction + extra - sum(v for _k, v in floors)) / CENT)
    by_remainder = sorted(range(len(parts)), key=lambda i: parts[i][1] - floors[i][1], reverse=True)
    bumped = set(by_remainder[:max(0, min(spare, len(parts)))])
    values = {key: value + (CENT if i in bumped else ZERO) for i, (key, value) in enumerate(floors)}
    result.bonus = values.pop(_BONUS)
    result.subtotals = values
    result.deduction, result.extra_deduction, result.total = deduction, extra, total


_BONUS = object()


def _rank_and_grade(members, grading, previous):
    rated = [r for r in members if r.rated]
    ordered = rank_by(rated, key=lambda r: (r.consequence != LOWEST, r.total))
    count = len(ordered)
    for rank, result in ordered:
        result.rank = rank
    rated = [result for _rank, result in ordered]
    _grade(rated, grading, previous)
    for result in members:
        before = previous.get(result.org)
        if before:
            result.previous_grade = before.grade
        if not result.rated:
            continue
        result.bottom_three = count > 3 and result.rank > count - 3
        if before and before.rank is not None:
            result.rank_change = before.rank - result.rank
            result.bottom_three_twice = result.bottom_three and before.bottom_three
    return rated + [r for r in members if not r.rated]


def _grade(rated, grading, previous):
    """Grade the ranked, rated members of one peer group (best first)."""
    lowest_index = len(grading.labels) - 1
    floors = {id(r): {NOT_TOP: 1, NOT_PASSING: lowest_index, LOWEST: lowest_index}.get(r.consequence, 0)
              for r in rated}
    if grading.shares:
        indexes = _by_shares(rated, grading.shares, floors)
    else:
        indexes = [max(floors[id(r)], next((i for i, bound in enumerate(grading.thresholds) if r.total >= bound),
                                           lowest_index)) for r in rated]
    notes = [CONSEQUENCES[r.consequence] if r.consequence else "" for r in rated]
    if grading.kind == "two_tiers":
        _two_tiers(rated, grading, previous, indexes, notes)
    for result, index, note in zip(rated, indexes, notes, strict=True):
        result.grade, result.grade_note = grading.labels[index], note


def _by_shares(rated, shares, floors):
    count, covered, quotas = len(rated), Decimal(0), []
    for share in shares:
        covered += Decimal(share)
        quotas.append(int((count * covered / 100).quantize(Decimal(1), ROUND_HALF_UP)))
    indexes, given = [], [0] * (len(shares) + 1)  # how many got each label
    previous = None
    for result in rated:
        floor = floors[id(result)]
        if previous and previous[0].total == result.total and previous[1] >= floor:
            index = previous[1]  # 同分同等次
        else:
            index = next((i for i in range(floor, len(shares)) if sum(given[:i + 1]) < quotas[i]), len(shares))
        given[index] += 1
        indexes.append(index)
        previous = (result, index)
    return indexes


def _two_tiers(rated, grading, previous, indexes, notes):
    """先进 needs 达标 last period (if asked) and fits under the optional cap; the rest of 先进 stay 达标."""
    passed = set(grading.labels[:2])
    candidates = []
    for position, result in enumerate(rated):
        if indexes[position] != 0:
            continue
        before = previous.get(result.org)
        if grading.advanced_needs_pass and not (before and before.grade in passed):
            indexes[position], notes[position] = 1, "上一期未达标，本期不能评为先进(逐档升创)"
        else:
            candidates.append(position)
    if grading.advanced_cap is None:
        return
    allowed = int((len(rated) * Decimal(grading.advanced_cap) / 100).quantize(Decimal(1), ROUND_HALF_UP))
    for rank, position in ranked(candidates, key=lambda p: rated[p].total):
        if rank > allowed:
            indexes[position], notes[position] = 1, f"达到先进分数线，但超出先进名额({grading.advanced_cap}%)"
