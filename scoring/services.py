"""Writes of the assessment app: schemes, assessments, scores, computation, closing and publishing.

Closing and publishing work in bulk (a constant number of queries whatever the number of organisations).
"""

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import CharField
from django.db.models.functions import Cast
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from kernel import bulk
from kernel.dates import add_months
from kernel.errors import ServiceError
from kernel.events import emit
from kernel.policy import can, require
from kernel.uploads import check_evidence
from orgs.models import Organization
from rectification import notices
from rectification.models import Problem, ProblemCategory
from rectification.queries import items_for_assessment
from rectification.services import raise_problems, release_problems

from . import engine
from .models import (
    Assessment,
    AssessmentTarget,
    Consequence,
    Indicator,
    Plaque,
    Rater,
    Result,
    Scheme,
    Score,
    SheetDecision,
)
from .queries import ranking_rows
from .reports import RESULTS_CORRECTED, ranking_pdf

RESULT_FIELDS = ["peer_group", "total", "subtotals", "rater_totals", "bonus", "deduction", "ledger_deduction",
                 "ledger_items", "veto", "vetoes", "rated", "grade_note", "missing_raters", "incomplete_sheets",
                 "rank", "group_size", "grade", "rank_change", "previous_grade", "bottom_three",
                 "bottom_three_twice"]
LOW_GRADE_CATEGORY = "考核等次偏低"
OTHER_BLOCK = "其他"


class CellErrors(ServiceError):
    """A refused sheet (grid page or Excel import): ``errors`` maps each refused cell to its Chinese message."""

    def __init__(self, errors):
        super().__init__(f"有 {len(errors)} 个分数不符合要求，整张评分表都没有保存。")
        self.errors = errors


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


def block_overflows(rows):
    """Why an indicator tree cannot be used: {block code: Chinese sentence} for the blocks whose score items add
    up to more than the block. ``rows``: dicts with code, parent (code), kind, name and max_points."""
    blocks = {r["code"]: r for r in rows if r["kind"] == Indicator.Kind.GROUP}
    sums = {}
    for row in rows:
        if row["kind"] == Indicator.Kind.SCORE and row["parent"] in blocks:
            sums[row["parent"]] = sums.get(row["parent"], 0) + (row["max_points"] or 0)
    return {code: "“{b}”满分 {m} 分，其下计分指标合计 {s} 分，超出了维度分值。".format(
        b=blocks[code]["name"],
        m=blocks[code]["max_points"],
        s=total,
    )
        for code, total in sums.items() if total > (blocks[code]["max_points"] or 0)}


def indicator_rows(scheme):
    return [{"pk": i.pk, "code": i.code, "parent": i.parent.code if i.parent_id else "", "name": i.name,
             "kind": i.kind, "max_points": i.max_points, "guidance": i.guidance, "consequence": i.consequence}
            for i in scheme.indicators.select_related("parent").order_by("order", "id")]


@transaction.atomic
def update_scheme(user, scheme, *, settings, rows) -> Scheme:
    """The scheme editor: settings and indicator rows (existing ones by ``pk``, new ones without) in one go.
    Refused for a scheme in use (copy it as a new version) and for a tree whose items exceed their block."""
    require(user, "scoring.manage", message="只有组织部干部可以修改考核细则。")
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    if scheme.in_use:
        raise ServiceError("该细则已被考核使用，不能修改；请复制为新版本后再改。")
    codes = [row["code"] for row in rows]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise ServiceError("编号重复：{c}。".format(c="、".join(duplicates)))
    kinds = {row["code"]: row["kind"] for row in rows}
    orphans = [row["code"] for row in rows if row["parent"] and kinds.get(row["parent"]) != Indicator.Kind.GROUP]
    if orphans:
        raise ServiceError("这些指标的上级编号不存在或不是“维度”：{c}。".format(c="、".join(orphans)))
    problems = block_overflows(rows)
    if problems:
        raise ServiceError(" ".join(problems.values()))
    for name, value in settings.items():
        setattr(scheme, name, value)
    scheme.full_clean()
    scheme.save()
    existing = {i.pk: i for i in scheme.indicators.all()}
    saved = {}
    for order, row in enumerate(sorted(rows, key=lambda r: _depth(r["code"], rows)), start=1):  # parents first
        indicator = existing.get(row.get("pk")) or Indicator(scheme=scheme)
        for name in ("code", "name", "kind", "max_points", "guidance"):
            setattr(indicator, name, row[name] if row[name] is not None else "")
        indicator.consequence = row.get("consequence") or engine.NOT_TOP
        indicator.parent = saved.get(row["parent"])
        indicator.order = indicator.order if indicator.pk else len(existing) + order
        indicator.save()
        saved[indicator.code] = indicator
    return scheme


def _depth(code, rows):
    parents = {row["code"]: row["parent"] for row in rows}
    depth = 0
    while parents.get(code) and depth <= len(rows):
        code, depth = parents[code], depth + 1
    return depth


def peer_group_of(org):
    return f"{org.get_level_display()}·{org.get_sector_display()}"


@transaction.atomic
def create_assessment(user, *, scheme, name, period, root, raters, closes_on, levels=(), sectors=(),
                      previous=None, self_assessment=False) -> Assessment:
    """``raters``: [(name, weight, [users]) or (name, weight, [users], {"form": scheme, "trimmed": bool})].
    Targets: the subtree's organisations matching the filters and the scheme's 适用领域."""
    require(user, "scoring.manage", root)
    if not raters or any(spec[1] <= 0 for spec in raters):
        raise ServiceError("至少要有一个评分主体，且权重都要大于 0。")
    problems = block_overflows(indicator_rows(scheme))
    if problems:
        raise ServiceError(" ".join(problems.values()))
    orgs = Organization.objects.subtree_of(root).exclude(pk=root.pk).filter(is_active=True)
    orgs = orgs.filter(level__in=levels) if levels else orgs
    orgs = orgs.filter(sector__in=sectors) if sectors else orgs
    orgs = list(orgs.filter(sector__in=scheme.sectors) if scheme.sectors else orgs)
    if not orgs:
        raise ServiceError("所选范围和条件下没有适用该考核细则(适用领域)的被考核组织。")
    assessment = Assessment.objects.create(scheme=scheme, name=name, period=period, root=root, closes_on=closes_on,
                                           previous=previous, created_by=user)
    for rater_name, weight, members, *options in raters:
        Rater.objects.create(assessment=assessment, name=rater_name, weight=weight,
                             **(options[0] if options else {})).members.set(members)
    if self_assessment:
        Rater.objects.create(assessment=assessment, name="自评", weight=0, is_self=True)
    AssessmentTarget.objects.bulk_create([AssessmentTarget(assessment=assessment, org=org,
                                                           peer_group=peer_group_of(org)) for org in orgs],
                                         batch_size=2000)
    Scheme.objects.filter(pk__in=[scheme.pk] + [spec[3]["form"].pk for spec in raters
                                                 if len(spec) > 3 and spec[3].get("form")]).update(in_use=True)
    return assessment


def rater_items(rater):
    """The items a rater scores: its own small form, or the assessment's whole scheme."""
    scheme_id = rater.form_id or rater.assessment.scheme_id
    return Indicator.objects.filter(scheme_id=scheme_id).exclude(kind=Indicator.Kind.GROUP).order_by("order", "id")


@transaction.atomic
def issue_ranking_bulletin(user, assessment):
    """The 排名通报 of a published assessment issued as a 通报 to its root, with a 文号 from the issued-documents
    register (rectification.notices); the PDF is typeset with the 文号 and kept as issued."""
    if assessment.status != Assessment.Status.PUBLISHED:
        raise ServiceError("考核结果发布后才能印发排名通报。")
    root = assessment.root
    rows = list(ranking_rows(assessment, root))
    return notices.issue_bulletin(
        user, root, title=f"关于{assessment.name}结果的通报",
        requirement=(f"现将{assessment.name}({assessment.period})各党组织的得分、名次和等次予以通报。"
                     "排名后三位的单位按规定处理；请各单位对照查找差距，抓好整改。"),
        typeset=lambda number: ranking_pdf(assessment, root, rows, number=number))


def may_read_results(user, assessment):
    """Results and score sheets: everyone who sees a published assessment; before that staff and leaders."""
    return assessment.status == Assessment.Status.PUBLISHED or can(user, "scoring.results", assessment)


def scorable_targets(user, rater):
    """The targets ``user`` may score for ``rater``: never outside the user's own scope (a rater's membership
    does not widen it); staff of the assessment's scope may score every target; 自评: the secretary's own."""
    targets = rater.assessment.targets.all()
    if rater.is_self:
        return targets.filter(org__in=Organization.objects.for_action(user, "ledger.own"))
    if can(user, "scoring.manage", rater.assessment):
        return targets
    if not rater.members.filter(pk=user.pk).exists():
        return targets.none()
    return targets.filter(org__in=Organization.objects.for_action(user, "scoring.rate"))


def may_score(user, rater, org=None):
    targets = scorable_targets(user, rater)
    return targets.filter(org=org).exists() if org else targets.exists()


def _sheet_owner(user, rater, member):
    """Whose sheet: a panel member's (staff of the scope may enter it on their behalf), else the user's own."""
    if member is None or member == user:
        if rater.members.exists() and not rater.members.filter(pk=user.pk).exists():
            raise ServiceError(f"您不是“{rater.name}”的评分人，不能以自己的名义评分；代评分人录入时请先选择评分人。")
        return user
    if not can(user, "scoring.manage", rater.assessment):
        raise ServiceError("只有组织部干部可以代评分人录入。")
    if not rater.members.filter(pk=member.pk).exists():
        raise ServiceError(f"{member}不是“{rater.name}”的评分人。")
    return member


@transaction.atomic
def enter_score(user, *, rater, org, indicator, points, reason="", evidence=None, correction_reason="",
                member=None) -> Score:
    """One cell of the grid. After publication only staff may correct, with a reason kept in the history."""
    assessment = Assessment.objects.select_for_update().get(pk=rater.assessment_id)
    member = _sheet_owner(user, rater, member)
    _check_state(user, assessment, rater, org, correction_reason)
    message = cell_refusal(rater, indicator, points, reason)
    if message:
        raise ServiceError(message)
    if evidence:
        check_evidence(evidence)
    score, _created = Score.objects.get_or_create(
        assessment=assessment, org=org, indicator=indicator, rater=rater, member=member,
        defaults={"points": points, "reason": reason, "entered_by": user})
    score.points, score.reason, score.entered_by = points, reason, user
    if evidence:
        score.evidence = evidence
    score._change_reason = correction_reason
    score.save()
    if assessment.status != Assessment.Status.SCORING:
        _corrected(user, assessment, f"{org.name}“{indicator.name}”({rater.name})的得分", correction_reason)
    return score


@transaction.atomic
def save_sheet(user, *, rater, cells, member=None, correction_reason="") -> int:
    """Several cells of one member's sheet at once (the grid page, an Excel sheet): all or nothing.

    ``cells``: {(org, indicator): (points or None, reason)}; None clears nothing and is skipped. Raises
    CellErrors naming every refused cell."""
    if all(points is None for points, _reason in cells.values()):
        return 0  # nothing to save, whoever's sheet it would be
    assessment = Assessment.objects.select_for_update().get(pk=rater.assessment_id)
    member = _sheet_owner(user, rater, member)
    allowed = set(scorable_targets(user, rater).values_list("org_id", flat=True))
    errors = {}
    for (org, indicator), (points, reason) in cells.items():
        if points is None:
            continue
        message = ("该组织不是本次考核的对象或不在您的范围内。" if org.pk not in allowed
                   else cell_refusal(rater, indicator, points, reason))
        if message:
            errors[(org, indicator)] = message
    if errors:
        raise CellErrors(errors)
    if cells:
        _check_state(user, assessment, rater, next(iter(cells))[0], correction_reason)
    existing = {(s.org_id, s.indicator_id): s for s in Score.objects.filter(
        assessment=assessment, rater=rater, member=member, org__in={org for org, _i in cells})}
    to_create, to_update = [], []
    for (org, indicator), (points, reason) in cells.items():
        if points is None:
            continue
        score = existing.get((org.pk, indicator.pk))
        if score is None:
            to_create.append(Score(assessment=assessment, org=org, indicator=indicator, rater=rater, member=member,
                                   points=points, reason=reason, entered_by=user))
        elif (score.points, score.reason) != (points, reason):
            score.points, score.reason, score.entered_by = points, reason, user
            to_update.append(score)
    bulk_create_with_history(to_create, Score, batch_size=2000, default_user=user,
                             default_change_reason=correction_reason or None)
    bulk_update_with_history(to_update, Score, ["points", "reason", "entered_by"], batch_size=2000,
                             default_user=user, default_change_reason=correction_reason or None)
    changed = len(to_create) + len(to_update)
    if assessment.status != Assessment.Status.SCORING and changed:
        names = {org.pk: org.name for org, _indicator in cells}
        orgs = list(dict.fromkeys(names[score.org_id] for score in to_create + to_update))
        listed = "、".join(orgs[:3]) + (f"等 {len(orgs)} 个组织" if len(orgs) > 3 else "")
        _corrected(user, assessment, f"{listed}的 {changed} 个得分({rater.name})", correction_reason)
    return changed


def _corrected(user, assessment, what, correction_reason):
    """Results corrected after closing: computed again, and the composition told in this transaction (built
    reports go out of date: which scores, by whom, when and why). A later closed assessment compares with these
    results (名次变化, 上期等次, 连续两期后三名), so it is computed again too, and so on down the line."""
    compute(assessment)
    when = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    who = user.get_full_name() or user.username
    emit(RESULTS_CORRECTED, assessment=assessment, actor=user,
         summary=f"{when} {who}更正了“{assessment.name}”中{what}，理由：{correction_reason.strip()}")
    for later in Assessment.objects.filter(previous=assessment).exclude(status=Assessment.Status.SCORING):
        _corrected(user, later, f"上一期“{assessment.name}”的得分", correction_reason)


def _check_state(user, assessment, rater, org, correction_reason):
    if not assessment.targets.filter(org=org).exists():
        raise ServiceError("该组织不是本次考核的对象。")
    if assessment.status == Assessment.Status.SCORING:
        if not may_score(user, rater, org):
            raise ServiceError("您不是该评分主体的评分人，或该组织不在您的范围内。")
    else:
        require(user, "scoring.manage", assessment.root)
        if not correction_reason.strip():
            raise ServiceError("考核已结束，修改分数必须说明更正理由。")


def cell_refusal(rater, indicator, points, reason):
    """Why one cell may not take these points (a Chinese sentence), or None."""
    if indicator.scheme_id != (rater.form_id or rater.assessment.scheme_id) or indicator.kind == Indicator.Kind.GROUP:
        return f"该指标不在“{rater.name}”的评分表中。"
    if not Decimal(0) <= points <= indicator.max_points:
        return f"得分应在 0 到 {indicator.max_points} 之间。"
    if indicator.needs_reason and points > 0 and not (reason or "").strip():
        return "扣分和一票否决必须填写理由。"
    return None


@transaction.atomic
def decide_sheet(user, assessment, *, org, rater, member, count, reason) -> SheetDecision:
    """Staff decide, with a reason, how an incomplete sheet counts: as entered, or the sheet is left out."""
    require(user, "scoring.manage", assessment.root)
    if assessment.status != Assessment.Status.SCORING:
        raise ServiceError("考核已经结束。")
    if not reason.strip():
        raise ServiceError("请说明理由。")
    decision, _created = SheetDecision.objects.update_or_create(
        assessment=assessment, org=org, rater=rater, member=member,
        defaults={"count": count, "reason": reason.strip(), "decided_by": user, "decided_at": timezone.now()})
    compute(assessment)
    return decision


def _engine_items(assessment, raters):
    """Engine items of the scheme and of the raters' own forms, and each rater's required score items."""
    scheme_ids = {assessment.scheme_id} | {r.form_id for r in raters if r.form_id}
    indicators = list(Indicator.objects.filter(scheme_id__in=scheme_ids).exclude(kind=Indicator.Kind.GROUP)
                      .select_related("parent", "scheme"))
    forms = {r.form_id for r in raters if r.form_id}
    items = [engine.Item(i.pk, i.parent.name if i.parent else (i.scheme.name if i.scheme_id in forms else None),
                         i.kind, i.max_points, i.consequence or engine.NOT_TOP) for i in indicators]
    required = {}
    for scheme_id in scheme_ids:
        required[scheme_id] = frozenset(i.pk for i in indicators
                                        if i.scheme_id == scheme_id and i.kind == Indicator.Kind.SCORE)
    return items, required, {i.pk: i.name for i in indicators if i.kind == Indicator.Kind.VETO}


def engine_inputs(assessment, ledger=None) -> dict:
    """The keyword arguments of ``engine.compute`` for the assessment as its scheme and raters stand (a rule
    trial changes some of them), with ``veto_names`` and ``ledger`` besides."""
    scheme = assessment.scheme
    raters = list(assessment.raters.all())
    items, required, veto_names = _engine_items(assessment, raters)
    ledger = ledger if ledger is not None else _stored_ledger(assessment)
    return {
        "items": items, "targets": dict(assessment.targets.values_list("org_id", "peer_group")),
        "raters": {r.pk: engine.Rater(Decimal(r.weight), required[r.form_id or scheme.pk], r.trimmed)
                   for r in raters},
        "entries": _entries(assessment), "bonus_cap": scheme.bonus_cap, "grading": scheme.grading_rule,
        "extra_deductions": {org: scheme.overdue_deduction * len(found) for org, found in ledger.items()},
        "previous": _previous(assessment), "deductions_in_block": scheme.deductions_in_block,
        "decisions": {(org, rater, member): count for org, rater, member, count in
                      assessment.sheet_decisions.values_list("org_id", "rater_id", "member_id", "count")},
        "veto_names": veto_names, "ledger": ledger}


def run_engine(inputs) -> list:
    """``engine.compute`` on ``engine_inputs`` (the two entries the engine does not read left aside)."""
    with bulk.collection_paused():
        return engine.compute(**{k: v for k, v in inputs.items() if k not in ("veto_names", "ledger")})


def compute(assessment, ledger=None) -> list:
    """(Re)compute every result of the assessment from its scores; returns the engine's results."""
    inputs = engine_inputs(assessment, ledger)
    results = run_engine(inputs)
    _store(assessment, results, inputs["ledger"], inputs["veto_names"])
    return results


def _entries(assessment):
    """Every score of the assessment as engine entries, read without model instances (a city has millions).

    Points are read as text: the engine makes each a Decimal once, which is cheaper than the driver's Decimal
    followed by the engine's, and exact on SQLite too (which would hand back floats)."""
    sql, params = assessment.scores.values_list(
        "org_id", "indicator_id", "rater_id", Cast("points", CharField()), "member_id").query.sql_with_params()
    with connection.cursor() as cursor, bulk.collection_paused():
        cursor.execute(sql, params)
        return cursor.fetchall()  # tuples in engine.Entry's order


def _stored_ledger(assessment):
    return {org: items for org, items in assessment.results.values_list("org_id", "ledger_items") if items}


def _previous(assessment):
    if not assessment.previous_id:
        return {}
    rows = Result.objects.filter(assessment_id=assessment.previous_id).values_list("org_id", "rank", "grade",
                                                                                    "bottom_three")
    return {org: engine.Previous(rank, grade, bottom) for org, rank, grade, bottom in rows}


def _store(assessment, results, ledger, veto_names):
    # every other field is set below: reading them (JSON included) would be thrown away
    existing = {r.org_id: r for r in assessment.results.only("id", "assessment_id", "org_id")}
    sizes = {}
    for result in results:
        sizes[result.group] = sizes.get(result.group, 0) + result.rated
    to_create, to_update = [], []
    for result in results:
        row = existing.get(result.org) or Result(assessment=assessment, org_id=result.org)
        values = {
            "peer_group": result.group, "total": result.total, "bonus": result.bonus,
            "subtotals": {str(k or OTHER_BLOCK): str(v) for k, v in result.subtotals.items()},
            "rater_totals": {str(k): str(v) for k, v in result.rater_totals.items()},
            "deduction": result.deduction, "ledger_deduction": result.extra_deduction,
            "ledger_items": ledger.get(result.org, []), "veto": result.veto,
            "vetoes": [veto_names[v] for v in result.vetoes], "rated": result.rated, "grade_note": result.grade_note,
            "missing_raters": list(result.missing_raters),
            "incomplete_sheets": [list(sheet) for sheet in result.incomplete],
            "rank": result.rank, "group_size": sizes[result.group],
            "grade": result.grade, "rank_change": result.rank_change, "previous_grade": result.previous_grade,
            "bottom_three": result.bottom_three, "bottom_three_twice": result.bottom_three_twice}
        for name, value in values.items():
            setattr(row, name, value)
        (to_update if row.pk else to_create).append(row)
    bulk.insert_objects(Result, to_create)
    bulk.update_objects(Result, to_update, RESULT_FIELDS)


def _ledger_at_close(assessment):
    """Closed loop: per organisation, its overdue or unaccepted rectification items on the closing date."""
    if not assessment.scheme.overdue_deduction:
        return {}
    return items_for_assessment(assessment.targets.values("org_id"), assessment.closes_on)


def close(user, assessment) -> Assessment:
    """End scoring: apply the ledger deductions, compute, and raise (withheld) problems for the low grades.

    Refused while an incomplete sheet has no decision (count as entered / leave out as 缺评); the results
    computed for the refusal are kept, so the assessment's page lists exactly the sheets it counted."""
    require(user, "scoring.manage", assessment.root)
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().select_related("scheme", "root").get(pk=assessment.pk)
        if assessment.status != Assessment.Status.SCORING:
            raise ServiceError("考核已经结束。")
        results = compute(assessment, ledger=_ledger_at_close(assessment))
        undecided = sum(len(r.incomplete) for r in results)
        if not undecided:
            assessment.status = Assessment.Status.CLOSED
            assessment.save()
            raise_low_grade_problems(user, assessment)
            return assessment
    raise ServiceError(f"还有 {undecided} 张未填完的评分表没有处理：请在下方“未填完的评分表”中逐张决定"
                       "按已填分数计入或按缺评处理，并说明理由。")


def raise_low_grade_problems(user, assessment):
    """One problem per organisation graded low, withheld until publication, with a category and a deadline."""
    scheme = assessment.scheme
    low = scheme.grading_rule.needs_rectification
    blocks = {i.name: i for i in scheme.indicators.filter(kind=Indicator.Kind.GROUP, max_points__gt=0)}
    default = ProblemCategory.objects.filter(name=LOW_GRADE_CATEGORY).first()
    rows = []
    for result in assessment.results.filter(rated=True, grade__in=low):
        weakest = min(blocks.values(), key=lambda b: Decimal(result.subtotals.get(b.name, 0)) / b.max_points,
                      default=None)
        rows.append({
            "org_id": result.org_id, "origin": result,
            "category": (weakest.problem_category if weakest and weakest.problem_category_id else default),
            "description": "在“{a}”中得分{t}，评定为“{g}”{w}，须分析原因、制定措施、限期整改。".format(
                a=assessment.name,
                t=result.total,
                g=result.grade,
                w=f"，失分最多的是“{weakest.name}”" if weakest else "",
            ),
            "deadline": add_months(timezone.localdate(), scheme.rectify_months)})
    raise_problems(rows, source=Problem.Source.ASSESSMENT, raised_by=user, found_on=assessment.closes_on,
                   withheld_for=assessment.root)


@transaction.atomic
def publish(user, assessment) -> Assessment:
    """Publish: results, problems raised at close, plaques (命名/摘牌) and the consequences of the ranking."""
    require(user, "scoring.manage", assessment.root)
    assessment = Assessment.objects.select_for_update().select_related("scheme").get(pk=assessment.pk)
    if assessment.status != Assessment.Status.CLOSED:
        raise ServiceError("请先结束评分，再发布结果。")
    assessment.status, assessment.published_at = Assessment.Status.PUBLISHED, timezone.now()
    assessment.save()
    still_low = assessment.results.filter(grade__in=assessment.scheme.grading_rule.needs_rectification)
    from_results = Problem.objects.filter(origin_type=ContentType.objects.get_for_model(Result),
                                          origin_id__in=still_low.values("pk"))
    release_problems(from_results, actor=user,
                     deadline=add_months(timezone.localdate(), assessment.scheme.rectify_months),
                     comment=f"“{assessment.name}”结果已发布")
    _plaques_from_results(user, assessment)
    _consequences(user, assessment)
    # the results were written in bulk at closing; the ranking pages now read them (autovacuum may lag)
    bulk.analyze(Result)
    return assessment


def _plaques_from_results(user, assessment):
    """Name (命名授牌) organisations whose grade earns the scheme's plaque; remove (摘牌) those that lost it.
    An organisation left 缺评 keeps what it holds."""
    scheme = assessment.scheme
    title = scheme.plaque_title or scheme.name
    earning = set(scheme.plaque_labels)
    today = timezone.localdate()
    results = {r.org_id: r for r in assessment.results.filter(rated=True)}
    held = {p.org_id: p for p in Plaque.objects.active().filter(title=title, org_id__in=list(results))}
    to_remove, to_name, removed_orgs = [], [], []
    for org_id, result in results.items():
        plaque = held.get(org_id)
        if plaque and plaque.grade == result.grade:
            continue
        if plaque:
            plaque.removed_on, plaque.removed_by = today, user
            plaque.removal_reason = f"“{assessment.name}”评定为“{result.grade}”"
            to_remove.append(plaque)
            if result.grade not in earning:
                removed_orgs.append(result)
        if result.grade in earning:
            to_name.append(Plaque(org_id=org_id, title=title, grade=result.grade, year=assessment.closes_on.year,
                                  assessment=assessment, named_on=today, named_by=user,
                                  note=f"依据“{assessment.name}”结果命名"))
    bulk_update_with_history(to_remove, Plaque, ["removed_on", "removed_by", "removal_reason"], batch_size=2000,
                             default_user=user)
    bulk_create_with_history(to_name, Plaque, batch_size=2000, default_user=user)
    Consequence.objects.bulk_create([
        Consequence(assessment=assessment, org_id=r.org_id, kind=Consequence.Kind.PLAQUE_REMOVED, decided_by=user,
                    basis=f"“{title}”：本期评定为“{r.grade}”，未达到命名标准")
        for r in removed_orgs], ignore_conflicts=True)


def bottom_three_consequences(twice) -> list:
    """Seed 003: bottom three → 各类评优一票否决 and 诫勉谈话; two periods running → 领导班子调整 and 负责人免职."""
    if twice:
        return [Consequence.Kind.NO_HONOURS, Consequence.Kind.RESHUFFLE, Consequence.Kind.DISMISSAL]
    return [Consequence.Kind.NO_HONOURS, Consequence.Kind.ADMONITION]


def _consequences(user, assessment):
    rows = []
    for result in assessment.results.filter(rated=True, bottom_three=True):
        basis = f"{result.peer_group}组第{result.rank}名(共{result.group_size}个)，排名后三位"
        if result.bottom_three_twice:
            basis += "，连续两期"
        rows += [Consequence(assessment=assessment, org_id=result.org_id, kind=kind, basis=basis, decided_by=user)
                 for kind in bottom_three_consequences(result.bottom_three_twice)]
    Consequence.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)


def _plaque_scope(user, org):
    require(user, "scoring.manage", org, "只有本范围的组织部干部可以命名或摘牌。")


@transaction.atomic
def name_plaque(user, *, org, title, grade, year, reason) -> Plaque:
    """Name an organisation by hand (e.g. after a re-check), with a reason kept in the register."""
    _plaque_scope(user, org)
    if not reason.strip() or not title.strip() or not grade.strip():
        raise ServiceError("请填写称号、等次和理由。")
    if Plaque.objects.active().filter(org=org, title=title).exists():
        raise ServiceError(f"该组织已持有“{title}”牌匾，请先摘牌再重新命名。")
    return Plaque.objects.create(org=org, title=title, grade=grade, year=year, named_by=user, note=reason.strip())


@transaction.atomic
def remove_plaque(user, plaque, *, reason) -> Plaque:
    """摘牌 by hand, with a reason; the register keeps the plaque with who removed it and when."""
    _plaque_scope(user, plaque.org)
    if plaque.removed_on:
        raise ServiceError("该牌匾已经摘除。")
    if not reason.strip():
        raise ServiceError("摘牌必须说明理由。")
    plaque.removed_on, plaque.removed_by, plaque.removal_reason = timezone.localdate(), user, reason.strip()
    plaque.save()
    return plaque
