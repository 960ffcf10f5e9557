"""Rule trials (规则模拟): what another grading rule would do to a closed or published assessment.

A trial takes the assessment's engine inputs (``services.engine_inputs``: the same scores, sheets decided at
closing, ledger deductions and previous period), changes the rules staff chose (grading, thresholds or shares,
rater weights, vetoes, 扣完为止, bonus cap, plaque grades), runs the same engine as closing and compares the
outcome with the stored results. Nothing is written to the results; the trial keeps its rules and comparison.
Applying a trial to the scheme is a separate, explicit action, before publication only.
"""

import time
from collections import Counter
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kernel import xlsx
from kernel.errors import ServiceError
from kernel.policy import require

from . import engine, services
from .models import Assessment, Indicator, Rater, Scheme, Trial

#: a veto the trial leaves out (its failures change nothing)
VETO_OFF = "off"
VETO_CHOICES = [*engine.CONSEQUENCES.items(), (VETO_OFF, "不作为否决项")]
#: the scheme's settings a trial may change, as the scheme stores them
SCHEME_RULES = ["grading", "basis", "thresholds", "shares", "advanced_cap", "advanced_needs_pass",
                "deductions_in_block", "bonus_cap", "plaque_grades"]
SIMULATED = (Assessment.Status.CLOSED, Assessment.Status.PUBLISHED)


def current_rules(assessment) -> dict:
    """The rules the assessment was computed by, in a trial's form (the starting point of a new trial)."""
    scheme = assessment.scheme
    rules = {name: _plain(getattr(scheme, name)) for name in SCHEME_RULES}
    rules["weights"] = {str(r.pk): r.weight for r in assessment.raters.all()}
    rules["vetoes"] = {str(i.pk): i.consequence or engine.NOT_TOP for i in veto_items(assessment)}
    return rules


def veto_items(assessment):
    return Indicator.objects.filter(scheme=assessment.scheme, kind=Indicator.Kind.VETO).order_by("order", "id")


def _plain(value):
    return str(value) if isinstance(value, Decimal) else value


def trial_scheme(assessment, rules) -> Scheme:
    """An unsaved copy of the assessment's scheme under the trial's rules, checked by the scheme's own rules."""
    scheme = Scheme.objects.get(pk=assessment.scheme_id)
    for name in SCHEME_RULES:
        setattr(scheme, name, rules[name])
    try:
        scheme.clean()
    except ValidationError as exc:
        raise ServiceError(" ".join(exc.messages)) from None
    return scheme


def _check_weights(assessment, weights):
    raters = {str(r.pk): r for r in assessment.raters.all()}
    if set(weights) != set(raters) or any(not isinstance(w, int) or w < 0 for w in weights.values()):
        raise ServiceError("每个评分主体都要有权重，权重为不小于 0 的整数。")
    if not any(w > 0 for key, w in weights.items() if not raters[key].is_self):
        raise ServiceError("至少要有一个评分主体的权重大于 0。")
    if any(w > 0 for key, w in weights.items() if raters[key].is_self):
        raise ServiceError("自评只作对照，权重只能为 0。")


@transaction.atomic
def run(user, assessment, *, name, rules) -> Trial:
    """Compute the trial and keep it with its rules and its comparison with the real results."""
    require(user, "scoring.manage", assessment.root)
    if assessment.status not in SIMULATED:
        raise ServiceError("评分结束后才能试算其他规则。")
    if not name.strip():
        raise ServiceError("请给这次试算起个名称。")
    started = time.perf_counter()
    scheme = trial_scheme(assessment, rules)
    _check_weights(assessment, rules["weights"])
    inputs = services.engine_inputs(assessment)
    inputs.update(grading=scheme.grading_rule, bonus_cap=scheme.bonus_cap,
                  deductions_in_block=scheme.deductions_in_block,
                  raters={key: engine.Rater(Decimal(rules["weights"][str(key)]), rater.required, rater.trimmed)
                          for key, rater in inputs["raters"].items()},
                  items=[_veto_as_tried(item, rules["vetoes"]) for item in inputs["items"]])
    comparison = compare(assessment, scheme, services.run_engine(inputs))
    comparison["settings"] = describe(assessment, scheme, rules)
    return Trial.objects.create(assessment=assessment, name=name.strip()[:60], rules=rules, comparison=comparison,
                                created_by=user, seconds=Decimal(time.perf_counter() - started).quantize(engine.CENT))


def describe(assessment, scheme, rules) -> list:
    """The trial's rules as sentences (the trial's page and its workbook)."""
    raters = assessment.raters.all()
    consequences = dict(VETO_CHOICES)
    lines = [scheme.grading_rule.describe(),
             "权重：" + " : ".join(f"{r.name} {rules['weights'][str(r.pk)]}" for r in raters),
             "扣分在所属维度内扣完为止" if scheme.deductions_in_block else "扣分从总分中扣除",
             f"加分上限 {scheme.bonus_cap} 分" if scheme.bonus_cap is not None else "加分不设上限",
             f"命名授牌的等次：{'、'.join(scheme.plaque_labels)}"]
    lines += [f"否决项“{veto.name}”：{consequences[rules['vetoes'][str(veto.pk)]]}" for veto in veto_items(assessment)
              if str(veto.pk) in rules["vetoes"]]
    return lines


def _veto_as_tried(item, vetoes):
    tried = vetoes.get(str(item.id))
    if item.kind != Indicator.Kind.VETO or tried is None:
        return item
    if tried == VETO_OFF:
        return engine.Item(item.id, item.block, engine.IGNORED, item.max_points)
    return engine.Item(item.id, item.block, item.kind, item.max_points, tried)


def compare(assessment, scheme, tried) -> dict:
    """The trial beside the real results: grade distribution, every organisation's rank and grade, the bottom
    three entering and leaving (with the consequences of seed 003) and the plaques named or no longer named."""
    names = dict(assessment.targets.values_list("org_id", "org__name"))
    real = {row[0]: row for row in assessment.results.values_list(
        "org_id", "rated", "total", "rank", "grade", "bottom_three", "bottom_three_twice", "group_size")}
    sizes = Counter(r.group for r in tried if r.rated)
    real_plaques, tried_plaques = set(assessment.scheme.plaque_labels), set(scheme.plaque_labels)
    rows, entering, leaving, named, unnamed = [], [], [], [], []
    for result in tried:
        _org, rated, total, rank, grade, bottom, twice, size = real.get(
            result.org, (result.org, False, 0, None, engine.UNRATED, False, False, 0))
        name = names.get(result.org, "")
        rows.append([result.org, name, result.group, str(total) if rated else "", rank, grade,
                     str(result.total) if result.rated else "", result.rank, result.grade])
        if result.bottom_three and not bottom:
            entering.append(_bottom_row(result.org, name, result.group, result.rank, sizes[result.group],
                                        result.bottom_three_twice))
        elif bottom and not result.bottom_three:
            leaving.append(_bottom_row(result.org, name, result.group, rank, size, twice))
        if rated and result.rated and (grade in real_plaques) != (result.grade in tried_plaques):
            (named if result.grade in tried_plaques else unnamed).append([result.org, name, grade, result.grade])
    labels = list(dict.fromkeys([*assessment.scheme.grading_rule.labels, *scheme.grading_rule.labels,
                                 engine.UNRATED]))
    real_counts, tried_counts = Counter(r[5] for r in rows), Counter(r[8] for r in rows)
    return {
        "distribution": [[label, real_counts[label], tried_counts[label]] for label in labels],
        "rule": scheme.grading_rule.describe(), "real_rule": assessment.scheme.grading_rule.describe(),
        "rows": rows, "entering": entering, "leaving": leaving, "named": named, "unnamed": unnamed,
        "plaque_title": scheme.plaque_title or scheme.name,
        "rank_moves": sum(1 for r in rows if r[4] != r[7]), "grade_moves": sum(1 for r in rows if r[5] != r[8])}


def _bottom_row(org, name, group, rank, size, twice):
    kinds = services.bottom_three_consequences(twice)
    return [org, name, group, rank, size, "、".join(str(kind.label) for kind in kinds)]


@transaction.atomic
def apply(user, trial) -> Trial:
    """Make the trial's rules the assessment's own before publication: the scheme's settings, the vetoes'
    consequences and the raters' weights change (their history keeps the old values), the results are computed
    again and organisations now graded low get their (withheld) problems."""
    assessment = Assessment.objects.select_for_update().select_related("scheme", "root").get(pk=trial.assessment_id)
    require(user, "scoring.manage", assessment.root)
    if assessment.status != Assessment.Status.CLOSED:
        raise ServiceError("只有已结束评分、尚未发布的考核可以应用试算规则；已发布的结果不再改变。")
    rules = trial.rules
    if VETO_OFF in rules["vetoes"].values():
        raise ServiceError("这次试算取消了一票否决指标，细则不能这样应用：请在细则中调整后重新试算。")
    scheme = assessment.scheme
    if Assessment.objects.filter(scheme=scheme).exclude(pk=assessment.pk).exists():
        raise ServiceError("该细则还被其他考核使用，不能只为本次考核修改。")
    scheme = trial_scheme(assessment, rules)
    scheme.save()
    for indicator in veto_items(assessment):
        indicator.consequence = rules["vetoes"].get(str(indicator.pk), indicator.consequence)
        indicator.save()
    for rater in assessment.raters.all():
        Rater.objects.filter(pk=rater.pk).update(weight=rules["weights"][str(rater.pk)])
    assessment.scheme = scheme
    services.compute(assessment)
    services.raise_low_grade_problems(user, assessment)
    trial.applied_by, trial.applied_at = user, timezone.now()
    trial.save()
    return trial


WORKBOOK_COLUMNS = [xlsx.Column(header, str(n)) for n, header in enumerate(
    ["组织", "排名分组", "实际总分", "实际名次", "实际等次", "试算总分", "试算名次", "试算等次", "名次变化"])]
BOTTOM_COLUMNS = [xlsx.Column(header, str(n)) for n, header in enumerate(
    ["组织", "排名分组", "名次", "组内数量", "将要承担或免于的处理"])]


def workbook(trial) -> bytes:
    """The trial in Excel: its rules, the distribution, every organisation side by side, the bottom three and the
    plaques."""
    c = trial.comparison
    rows = [(name, group, real_total, real_rank, real_grade, total, rank, grade,
             real_rank - rank if real_rank and rank else "")
            for _org, name, group, real_total, real_rank, real_grade, total, rank, grade in c["rows"]]
    plaques = [(name, change, real, tried) for change, key in (("将命名", "named"), ("不再命名", "unnamed"))
               for _org, name, real, tried in c[key]]
    return xlsx.write_sheets([
        ("试算规则", [xlsx.Column("规则", "0")], [(line,) for line in c["settings"]]),
        ("等次分布", [xlsx.Column(h, str(n)) for n, h in enumerate(["等次", "实际", "试算"])], c["distribution"]),
        ("名次与等次", WORKBOOK_COLUMNS, rows),
        ("进入后三名", BOTTOM_COLUMNS, [row[1:] for row in c["entering"]]),
        ("退出后三名", BOTTOM_COLUMNS, [row[1:] for row in c["leaving"]]),
        (c["plaque_title"], [xlsx.Column(h, str(n)) for n, h in enumerate(["组织", "变化", "实际等次", "试算等次"])],
         plaques),
    ], heading=f"{trial.assessment.name} · 规则试算“{trial.name}”")
