"""Writes of the assessment app: schemes, assessments, scores, computation, closing and publishing."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from orgs.models import Organization
from partybuild.kernel.errors import ServiceError
from partybuild.kernel.policy import can, require
from partybuild.kernel.uploads import check_evidence
from rectification.models import Problem
from rectification.queries import items_for_assessment
from rectification.services import raise_problem

from . import engine
from .models import Assessment, AssessmentTarget, Indicator, Rater, Result, Scheme, Score

RESULT_FIELDS = ["peer_group", "total", "subtotals", "rater_totals", "bonus", "deduction", "ledger_deduction",
                 "ledger_items", "veto", "missing_raters", "rank", "group_size", "grade", "rank_change",
                 "previous_grade", "bottom_three", "bottom_three_twice"]




@transaction.atomic
def copy_scheme(scheme) -> Scheme:
    """A new version with the same indicator tree: schemes in use are never edited in place."""
    latest = Scheme.objects.filter(name=scheme.name, year=scheme.year).order_by("-version").first()
    indicators = list(scheme.indicators.order_by("id"))
    scheme.pk, scheme.version, scheme.in_use = None, latest.version + 1, False
    scheme.save()
    copies = {}
    for indicator in indicators:  # parents were created before their children
        old_pk, parent_pk = indicator.pk, indicator.parent_id
        indicator.pk, indicator.scheme, indicator.parent = None, scheme, copies.get(parent_pk)
        indicator.save()
        copies[old_pk] = indicator
    return scheme


def peer_group_of(org):
    return f"{org.get_level_display()}·{org.get_sector_display()}"


@transaction.atomic
def create_assessment(user, *, scheme, name, period, root, raters, closes_on, levels=(), sectors=(),
                      previous=None, self_assessment=False) -> Assessment:
    """``raters``: [(name, weight, [users])]. Targets: the subtree's organisations matching the filters."""
    require(user, "scoring.manage", root)
    if not raters or any(weight <= 0 for _n, weight, _m in raters):
        raise ServiceError(_("至少要有一个评分主体，且权重都要大于 0。"))
    orgs = Organization.objects.subtree_of(root).exclude(pk=root.pk).filter(is_active=True)
    orgs = orgs.filter(level__in=levels) if levels else orgs
    orgs = orgs.filter(sector__in=sectors) if sectors else orgs
    orgs = list(orgs)
    if not orgs:
        raise ServiceError(_("所选范围和条件下没有被考核组织。"))
    assessment = Assessment.objects.create(scheme=scheme, name=name, period=period, root=root, closes_on=closes_on,
                                           previous=previous, created_by=user)
    for rater_name, weight, members in raters:
        Rater.objects.create(assessment=assessment, name=rater_name, weight=weight).members.set(members)
    if self_assessment:
        Rater.objects.create(assessment=assessment, name=_("自评"), weight=0, is_self=True)
    AssessmentTarget.objects.bulk_create([AssessmentTarget(assessment=assessment, org=org,
                                                           peer_group=peer_group_of(org)) for org in orgs],
                                         batch_size=2000)
    Scheme.objects.filter(pk=scheme.pk).update(in_use=True)
    return assessment


def may_score(user, rater, org=None):
    """Staff of the assessment's scope; a rater body's members for the targets inside their own (writing) scope;
    for 自评, the organisation's own secretary. Membership of a rater body never widens anyone's scope."""
    if rater.is_self:
        own = Organization.objects.for_action(user, "ledger.own").filter(
            pk__in=rater.assessment.targets.values("org"))
        return own.filter(pk=org.pk).exists() if org else own.exists()
    if can(user, "scoring.manage", rater.assessment):
        return True
    if not rater.members.filter(pk=user.pk).exists():
        return False
    return can(user, "scoring.rate", org) if org else can(user, "scoring.rate")


def scorable_targets(user, rater):
    """The targets whose row ``user`` fills in on ``rater``'s grid."""
    targets = rater.assessment.targets.select_related("org")
    if rater.is_self:
        return targets.filter(org__in=Organization.objects.for_action(user, "ledger.own"))
    if can(user, "scoring.manage", rater.assessment):
        return targets
    return targets.filter(org__in=Organization.objects.for_action(user, "scoring.rate"))


@transaction.atomic
def enter_score(user, *, rater, org, indicator, points, reason="", evidence=None, correction_reason="") -> Score:
    """One cell of the grid. After publication only staff may correct, with a reason kept in the history."""
    assessment = Assessment.objects.select_for_update().get(pk=rater.assessment_id)
    _check_cell(user, assessment, rater, org, indicator, points, reason, correction_reason)
    if evidence:
        check_evidence(evidence)
    score, _created = Score.objects.get_or_create(
        assessment=assessment, org=org, indicator=indicator, rater=rater,
        defaults={"points": points, "reason": reason, "entered_by": user})
    score.points, score.reason, score.entered_by = points, reason, user
    if evidence:
        score.evidence = evidence
    score._change_reason = correction_reason
    score.save()
    if assessment.status != Assessment.Status.SCORING:
        compute(assessment)
    return score


def _check_cell(user, assessment, rater, org, indicator, points, reason, correction_reason):
    if assessment.status == Assessment.Status.SCORING:
        if not may_score(user, rater, org):
            raise ServiceError(_("您不是该评分主体的评分人。"))
    else:
        require(user, "scoring.manage", assessment.root)
        if not correction_reason.strip():
            raise ServiceError(_("考核已结束，修改分数必须说明更正理由。"))
    if indicator.scheme_id != assessment.scheme_id or indicator.kind == Indicator.Kind.GROUP:
        raise ServiceError(_("该指标不属于本次考核。"))
    if not assessment.targets.filter(org=org).exists():
        raise ServiceError(_("该组织不是本次考核的对象。"))
    if not Decimal(0) <= points <= indicator.max_points:
        raise ServiceError(_("得分应在 0 到 %(max)s 之间。") % {"max": indicator.max_points})
    if indicator.needs_reason and points > 0 and not reason.strip():
        raise ServiceError(_("扣分和一票否决必须填写理由。"))


def compute(assessment, ledger=None) -> int:
    """(Re)compute every result of the assessment from its scores; returns how many were written."""
    scheme = assessment.scheme
    indicators = scheme.indicators.exclude(kind=Indicator.Kind.GROUP).select_related("parent")
    items = [engine.Item(i.pk, i.parent.name if i.parent else i.name, i.kind, i.max_points) for i in indicators]
    raters = {r.pk: r.weight for r in assessment.raters.all()}
    targets = dict(assessment.targets.values_list("org_id", "peer_group"))
    entries = [engine.Entry(*row) for row in
               assessment.scores.values_list("org_id", "indicator_id", "rater_id", "points").iterator()]
    ledger = ledger if ledger is not None else _stored_ledger(assessment)
    results = engine.compute(
        items, raters, targets, entries, bonus_cap=scheme.bonus_cap, grading=scheme.grading_rule,
        extra_deductions={org: scheme.overdue_deduction * len(found) for org, found in ledger.items()},
        previous=_previous(assessment))
    _store(assessment, results, ledger)
    return len(results)


def _stored_ledger(assessment):
    return {org: items for org, items in assessment.results.values_list("org_id", "ledger_items") if items}


def _previous(assessment):
    if not assessment.previous_id:
        return {}
    rows = Result.objects.filter(assessment_id=assessment.previous_id).values_list("org_id", "rank", "grade",
                                                                                    "bottom_three")
    return {org: engine.Previous(rank, grade, bottom) for org, rank, grade, bottom in rows}


def _store(assessment, results, ledger):
    existing = {r.org_id: r for r in assessment.results.all()}
    sizes = {}
    for result in results:
        sizes[result.group] = sizes.get(result.group, 0) + 1
    to_create, to_update = [], []
    for result in results:
        row = existing.get(result.org) or Result(assessment=assessment, org_id=result.org)
        values = {
            "peer_group": result.group, "total": result.total, "bonus": result.bonus,
            "subtotals": {k: str(v) for k, v in result.subtotals.items()},
            "rater_totals": {str(k): str(v) for k, v in result.rater_totals.items()},
            "deduction": result.deduction, "ledger_deduction": result.extra_deduction,
            "ledger_items": ledger.get(result.org, []), "veto": result.veto,
            "missing_raters": list(result.missing_raters), "rank": result.rank, "group_size": sizes[result.group],
            "grade": result.grade, "rank_change": result.rank_change, "previous_grade": result.previous_grade,
            "bottom_three": result.bottom_three, "bottom_three_twice": result.bottom_three_twice}
        for name, value in values.items():
            setattr(row, name, value)
        (to_update if row.pk else to_create).append(row)
    if to_create:
        bulk_create_with_history(to_create, Result, batch_size=2000)
    if to_update:
        bulk_update_with_history(to_update, Result, RESULT_FIELDS, batch_size=2000)


def _ledger_at_close(assessment):
    """Closed loop: per organisation, its overdue or unaccepted rectification items on the closing date."""
    if not assessment.scheme.overdue_deduction:
        return {}
    found = items_for_assessment(list(assessment.targets.values_list("org_id", flat=True)), assessment.closes_on)
    return {org: [{"id": item.pk, "description": item.problem.description[:80],
                   "deadline": item.deadline.isoformat() if item.deadline else "",
                   "overdue": item.is_overdue_on(assessment.closes_on)} for item in items]
            for org, items in found.items()}


LOW_GRADES = {"一般", "较差"}


@transaction.atomic
def close(user, assessment) -> Assessment:
    """End scoring: apply the ledger deductions, compute, and raise problems for the low grades."""
    require(user, "scoring.manage", assessment.root)
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status != Assessment.Status.SCORING:
        raise ServiceError(_("考核已经结束。"))
    compute(assessment, ledger=_ledger_at_close(assessment))
    assessment.status = Assessment.Status.CLOSED
    assessment.save()
    lowest = assessment.scheme.grading_rule.fallback
    for result in assessment.results.filter(grade__in=LOW_GRADES | {lowest}).select_related("org"):
        raise_problem(org=result.org, source=Problem.Source.ASSESSMENT, raised_by=user,
                      found_on=assessment.closes_on, origin=result,
                      description=_("在“%(a)s”中得分%(t)s，评定为“%(g)s”，须分析原因、制定措施、限期整改。") % {
                          "a": assessment.name, "t": result.total, "g": result.grade})
    return assessment


@transaction.atomic
def publish(user, assessment) -> Assessment:
    require(user, "scoring.manage", assessment.root)
    if assessment.status != Assessment.Status.CLOSED:
        raise ServiceError(_("请先结束评分，再发布结果。"))
    assessment.status, assessment.published_at = Assessment.Status.PUBLISHED, timezone.now()
    assessment.save()
    return assessment
