from decimal import Decimal, InvalidOperation
from html import escape

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models.fields.json import KT
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.views.decorators.http import require_POST

from kernel import audit, xlsx
from kernel.errors import ServiceError
from kernel.imports import ImportForm, import_views
from kernel.lists import query_without
from kernel.pages import run_service
from kernel.paging import NarrowPaginator
from kernel.policy import can, require, scope_of
from kernel.uploads import download
from orgs.models import Organization

from . import engine, queries, services, sheets, trials
from . import excel as scheme_excel
from .forms import (
    AssessmentForm,
    IndicatorRows,
    PlaqueForm,
    RemovalForm,
    ResultFilterForm,
    SchemeSettingsForm,
    SheetDecisionForm,
    TrialForm,
)
from .models import Assessment, Plaque, Rater, Result, Scheme, Score, Trial

GRID_ROWS = 15
#: an indicator's name in the grid's column heading and on its line of a phone's card, cut to this many characters
GRID_NAME_CHARS = 8
RESULT_ROWS = 50


def _scheme(request, pk):
    require(request.user, "records.view")
    return get_object_or_404(Scheme, pk=pk)


def schemes(request):
    require(request.user, "records.view")
    return render(request, "scoring/schemes.html", {"schemes": Scheme.objects.all()})


def scheme_detail(request, pk):
    scheme = _scheme(request, pk)
    return render(request, "scoring/scheme.html", {
        "scheme": scheme, "indicators": queries.indicator_tree(scheme), "rule": scheme.grading_rule.describe(),
        "problems": services.block_overflows(services.indicator_rows(scheme)).values(),
        "sectors": [label for value, label in Organization._meta.get_field("sector").choices
                    if value in scheme.sectors]})


def scheme_edit(request, pk):
    """The scheme editor outside the admin: rules, blocks, items, points and 评分标准 in one page."""
    require(request.user, "scoring.manage")
    scheme = get_object_or_404(Scheme, pk=pk)
    if scheme.in_use:
        messages.error(request, "该细则已被考核使用，不能修改；请复制为新版本后再改。")
        return redirect("scoring:scheme", scheme.pk)
    form = SchemeSettingsForm(request.POST or None, instance=Scheme.objects.get(pk=scheme.pk))
    rows = IndicatorRows(request.POST or None, initial=services.indicator_rows(scheme), prefix="rows")
    if request.method == "POST" and form.is_valid() and rows.is_valid():
        entered = [row for row in rows.cleaned_data if row.get("code")]
        saved = run_service(request, lambda: services.update_scheme(request.user, scheme, settings=form.settings(),
                                                                    rows=entered), "考核细则已保存。")
        if saved:
            return redirect("scoring:scheme", scheme.pk)
    return render(request, "scoring/scheme_edit.html", {"scheme": scheme, "form": form, "rows": rows})


def scheme_export(request, pk):
    scheme = _scheme(request, pk)
    audit.record(request, audit.Action.EXPORT, f"考核细则 {scheme}")
    return download(scheme_excel.export_workbook(scheme), f"{scheme}.xlsx", xlsx.XLSX_CONTENT_TYPE)


@require_POST
def scheme_copy(request, pk):
    require(request.user, "scoring.manage")
    copy = services.copy_scheme(get_object_or_404(Scheme, pk=pk))
    messages.success(request, f"已复制为第{copy.version}版，可以修改。")
    return redirect("scoring:scheme_edit", copy.pk)


def assessments(request):
    visible = Assessment.objects.visible_to(request.user).select_related("scheme", "root")
    return render(request, "scoring/assessments.html", {"assessments": visible[:100]})


def assessment_new(request):
    require(request.user, "scoring.manage")
    form = AssessmentForm(request.POST or None, user=request.user, initial={"closes_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        created = run_service(request, lambda: services.create_assessment(request.user, **form.cleaned_data),
                       "考核已建立，评分人可以开始评分。")
        if created:
            return redirect("scoring:assessment", created.pk)
    return render(request, "inspections/form.html", {"form": form, "title": "建立考核"})


def _assessment(request, pk):
    return get_object_or_404(Assessment.objects.visible_to(request.user).select_related("scheme", "root"), pk=pk)


def assessment_detail(request, pk):
    assessment = _assessment(request, pk)
    raters = assessment.raters.prefetch_related("members").select_related("form")
    staff = can(request.user, "scoring.manage", assessment)
    return render(request, "scoring/assessment.html", {
        "assessment": assessment, "raters": raters, "target_count": assessment.targets.count(),
        "scorable": [r for r in raters if services.may_score(request.user, r)],
        "may_read_results": services.may_read_results(request.user, assessment),
        "incomplete": queries.incomplete_sheets(assessment) if staff and assessment.status == "scoring" else [],
        "decision_form": SheetDecisionForm(), "rule": assessment.scheme.grading_rule.describe(),
    })


def _rater_sheet(request, pk, rater_pk):
    """The assessment, the rater and whose sheet (a member chosen by staff, else the user's own)."""
    assessment = _assessment(request, pk)
    rater = get_object_or_404(assessment.raters.select_related("assessment"), pk=rater_pk)
    if not services.may_score(request.user, rater):
        raise PermissionDenied
    member_pk = request.POST.get("member") or request.GET.get("member")
    member = request.user
    if member_pk and member_pk != str(request.user.pk):
        member = get_object_or_404(rater.members.all(), pk=member_pk)
        if not can(request.user, "scoring.manage", assessment):
            raise PermissionDenied
    return assessment, rater, member


def grid(request, pk, rater_pk, errors=None, posted=None):
    assessment, rater, member = _rater_sheet(request, pk, rater_pk)
    items = list(services.rater_items(rater))
    targets = services.scorable_targets(request.user, rater).select_related("org").order_by("peer_group",
                                                                                         "org__path")
    text = request.GET.get("q", "").strip()
    if text:
        targets = targets.filter(org__name__contains=text)
    page = Paginator(targets, GRID_ROWS).get_page(request.GET.get("page"))
    scores = Score.objects.filter(assessment=assessment, rater=rater, member=member,
                                  org__in=[t.org_id for t in page])
    cells = {(s.org_id, s.indicator_id): s for s in scores}
    errors, posted = errors or {}, posted or {}
    rows = [(target, [(item, cells.get((target.org_id, item.pk)), errors.get((target.org_id, item.pk)),
                       posted.get((target.org_id, item.pk))) for item in items]) for target in page]
    headings = {item.pk: _grid_heading(item) for item in items}
    labels = {pk: escape(" ".join(heading)) for pk, heading in headings.items()}
    body = mark_safe("".join(_grid_row(target, row_cells, labels) for target, row_cells in rows))  # escaped
    staff = can(request.user, "scoring.manage", assessment)
    return render(request, "scoring/grid.html", {
        "assessment": assessment, "rater": rater, "member": member, "columns": [(i, headings[i.pk]) for i in items],
        "rows": rows, "body": body,
        "page": page,
        "members": rater.members.all() if staff else [], "error_count": len(errors), "q": text,
        "query": f"member={member.pk}&q={text}"}, status=200)


def _grid_heading(item):
    """An indicator's column: (code, short name, kind ≤ cap)."""
    return item.code, Truncator(item.name).chars(GRID_NAME_CHARS), f"{item.get_kind_display()}≤{item.max_points}"


def _grid_row(target, cells, labels):
    """One organisation's row of the grid, rendered in Python: a page holds a thousand cells, which the template
    engine took most of the page's time to render. Every value is escaped here. On a phone the row is a card and
    each cell a line headed by its column's label (``data-label``, escaped by the caller)."""
    org = target.org_id
    html = [f'<tr><th scope="row" id="o{org}">{escape(target.org.name)}</th>']
    for item, score, error, raw in cells:
        value = raw if raw is not None else ("" if score is None or score.points is None else score.points)
        invalid = ' class="is-invalid"' if error else ""
        html.append(f'<td data-label="{labels[item.pk]}">'
                    f'<input name="p-{org}-{item.pk}" value="{escape(str(value))}" inputmode="decimal" '
                    f'aria-labelledby="o{org} i{item.pk}"{invalid}>')
        if item.needs_reason:
            html.append(f'<input name="r-{org}-{item.pk}" value="{escape(score.reason if score else "")}" '
                        f'placeholder="理由" class="reason" aria-label="理由"><input type="file" '
                        f'name="e-{org}-{item.pk}" accept="image/*,.pdf" class="reason" aria-label="佐证材料">')
            if score is not None and score.evidence:
                url = reverse("scoring:score_evidence", args=[score.pk])
                html.append(f'<a class="small" href="{url}">佐证</a>')
        status = f'<span class="small text-danger" data-ok="0">{escape(error)}</span>' if error else ""
        html.append(f'<div class="status" role="status" aria-live="polite">{status}</div></td>')
    html.append("</tr>")
    return "".join(html)


def _posted_cells(request, assessment, rater):
    """The grid's inputs ``p-<org>-<item>`` (points) and ``r-<org>-<item>`` (reason): ({cell: (points, reason)},
    {cell: error}, {cell: raw text}) with cells as (org, indicator); blank inputs are skipped."""
    items = {i.pk: i for i in services.rater_items(rater)}
    keys = []
    for key, raw in request.POST.items():
        parts = key.split("-")
        if parts[0] == "p" and len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit() and raw.strip():
            keys.append((int(parts[1]), int(parts[2]), raw.strip(), key))
    orgs = Organization.objects.in_bulk({org for org, _i, _r, _k in keys})
    cells, errors, posted = {}, {}, {}
    for org_pk, item_pk, raw, key in keys:
        if org_pk not in orgs or item_pk not in items:
            errors[(org_pk, item_pk)] = "该指标或组织不在本评分表中。"
            continue
        posted[(org_pk, item_pk)] = raw
        try:
            points = Decimal(raw)
        except InvalidOperation:
            errors[(org_pk, item_pk)] = "请输入数字。"
            continue
        if not points.is_finite():
            errors[(org_pk, item_pk)] = "请输入数字。"
            continue
        cells[(orgs[org_pk], items[item_pk])] = (points, request.POST.get("r" + key[1:], "").strip())
    return cells, errors, posted


@require_POST
def cell(request, pk, rater_pk):
    """Save one cell (htmx). Always answers 200 with the cell's status: saved, or the Chinese refusal shown in
    place (htmx does not swap error responses, so a refusal must never come back as a 4xx)."""
    assessment, rater, member = _rater_sheet(request, pk, rater_pk)
    cells, errors, _posted = _posted_cells(request, assessment, rater)
    if errors or len(cells) != 1:
        return _cell_status(request, next(iter(errors.values()), "请输入数字。"), ok=False)
    (org, indicator), (points, reason) = next(iter(cells.items()))
    try:
        services.enter_score(request.user, rater=rater, org=org, indicator=indicator, points=points,
                             reason=reason, member=member, correction_reason=request.POST.get("correction_reason", ""),
                             evidence=request.FILES.get(f"e-{org.pk}-{indicator.pk}"))
    except ServiceError as exc:
        return _cell_status(request, str(exc), ok=False)
    except ValidationError as exc:  # an evidence file refused by the upload checks
        return _cell_status(request, exc.messages[0], ok=False)
    _audit_corrections(request, assessment, cells)
    return _cell_status(request, "已保存", ok=True)


def _audit_corrections(request, assessment, cells):
    """Scores changed after closing are corrections: each goes to the audit trail with its reason."""
    if assessment.status == Assessment.Status.SCORING:
        return
    for (org, indicator), (points, _reason) in cells.items():
        audit.record(request, audit.Action.CORRECTED, audit.describe(assessment), org=org.name,
                     indicator=indicator.code, points=str(points), reason=request.POST.get("correction_reason", ""))


def _cell_status(request, message, ok):
    return render(request, "scoring/_cell_status.html", {"message": message, "ok": ok})


@require_POST
def sheet_save(request, pk, rater_pk):
    """The whole grid page at once: all or nothing; refused cells show their error in place."""
    assessment, rater, member = _rater_sheet(request, pk, rater_pk)
    cells, errors, posted = _posted_cells(request, assessment, rater)
    if not errors:
        try:
            saved = services.save_sheet(request.user, rater=rater, cells=cells, member=member,
                                        correction_reason=request.POST.get("correction_reason", ""))
        except services.CellErrors as exc:
            errors = {(org.pk, item.pk): message for (org, item), message in exc.errors.items()}
        except ServiceError as exc:
            messages.error(request, str(exc))
            return grid(request, pk, rater_pk, posted=posted)
        else:
            _audit_corrections(request, assessment, cells)
            messages.success(request, f"已保存本页 {saved} 个分数。")
            return redirect(f"{request.path.rsplit('save/', 1)[0]}grid/?member={member.pk}"
                            f"&page={request.POST.get('page', 1)}")
    messages.error(request, f"有 {len(errors)} 个分数不符合要求，本页都没有保存，请按格中的提示修改。")
    return grid(request, pk, rater_pk, errors=errors, posted=posted)


def sheet_export(request, pk, rater_pk):
    _assessment_, rater, member = _rater_sheet(request, pk, rater_pk)
    response = HttpResponse(sheets.export(request.user, rater, member), content_type=xlsx.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="sheet-{rater.pk}-{member.pk}.xlsx"'
    return response


def sheet_import(request, pk, rater_pk):
    assessment, rater, member = _rater_sheet(request, pk, rater_pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            saved, errors = sheets.import_sheet(request.user, rater, member, form.cleaned_data["file"],
                                                request.POST.get("correction_reason", ""))
        except xlsx.SheetError as exc:
            form.add_error("file", str(exc))
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            if not errors:
                if assessment.status != Assessment.Status.SCORING:
                    audit.record(request, audit.Action.CORRECTED, audit.describe(assessment), rater=rater.name,
                                 imported=saved, reason=request.POST.get("correction_reason", ""))
                messages.success(request, f"已导入 {saved} 个分数。")
                return redirect(f"{request.path.rsplit('import/', 1)[0]}grid/?member={member.pk}")
    return render(request, "scoring/sheet_import.html", {"assessment": assessment, "rater": rater,
                                                         "member": member, "form": form, "errors": errors})


def results(request, pk):
    assessment = _assessment(request, pk)
    if not services.may_read_results(request.user, assessment):
        raise PermissionDenied
    form = ResultFilterForm(request.GET or None, assessment=assessment)
    filters = form.cleaned_data if form.is_valid() else {}
    own = Organization.objects.for_action(request.user, "ledger.own") if filters.get("mine") else None
    rows = queries.filtered_results(assessment, group=filters.get("group", ""), area=filters.get("area"),
                                    grade=filters.get("grade", ""), text=filters.get("q", ""), orgs=own)
    page = NarrowPaginator(rows, RESULT_ROWS).get_page(request.GET.get("page"))
    blocks = queries.block_names(assessment)
    for result in page:  # looked up once here: the table and the phone cards both show them
        result.block_values = [result.subtotals.get(block, "") for block in blocks]
        result.may_open_sheet = can(request.user, "records.view", result.org)
    query = query_without(request, "page")
    own = scope_of(request.user).own_org_ids()
    return render(request, "scoring/results.html", {
        # 我的名次: the user's own organisation, wherever it falls in the pages
        "mine": list(queries.filtered_results(assessment, orgs=Organization.objects.filter(pk__in=own))) if own else [],
        "assessment": assessment, "page": page, "form": form, "query": query,
        "tie_rule": engine.TIE_RULE, "rule": assessment.scheme.grading_rule.describe(), "blocks": blocks,
        "has_own": can(request.user, "ledger.own")})


def dynamic(request, pk):
    """The consequences (各类评优一票否决, 诫勉谈话, 领导班子调整, 负责人免职, 摘牌), plaques and 红黑榜."""
    assessment = _assessment(request, pk)
    if not services.may_read_results(request.user, assessment) or assessment.status == Assessment.Status.SCORING:
        raise PermissionDenied
    return render(request, "scoring/dynamic.html", {"assessment": assessment,
                                                    **queries.dynamic_management(assessment)})


def sheet(request, pk, org_pk):
    assessment = _assessment(request, pk)
    result = get_object_or_404(Result.objects.visible_to(request.user).select_related("org"),
                               assessment=assessment, org_id=org_pk)
    if not services.may_read_results(request.user, assessment):
        raise PermissionDenied
    return render(request, "scoring/sheet.html", {"assessment": assessment, "result": result,
                                                  "rule": assessment.scheme.grading_rule.describe(),
                                                  **queries.score_sheet(assessment, result)})


def score_evidence(request, pk):
    score = get_object_or_404(Score.objects.visible_to(request.user).exclude(evidence=""), pk=pk)
    assessment = score.assessment
    if not services.may_read_results(request.user, assessment) and not services.may_score(request.user, score.rater):
        raise PermissionDenied
    audit.record(request, audit.Action.DOWNLOAD, audit.describe(score), file=score.evidence.name)
    return FileResponse(score.evidence.open("rb"))


@require_POST
def decide(request, pk):
    """Staff's reasoned decision on one incomplete sheet before closing."""
    assessment = _assessment(request, pk)
    require(request.user, "scoring.manage", assessment)
    form = SheetDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择处理方式并说明理由。")
        return redirect("scoring:assessment", assessment.pk)
    data = form.cleaned_data
    target = get_object_or_404(assessment.targets.select_related("org"), org_id=data["org"])
    rater = get_object_or_404(Rater, assessment=assessment, pk=data["rater"])
    member = get_object_or_404(get_user_model(), pk=data["member"])
    run_service(request, lambda: services.decide_sheet(request.user, assessment, org=target.org, rater=rater,
                                                       member=member, count=data["count"] == "count",
                                                       reason=data["reason"]),
                "已记录处理决定。")
    return redirect("scoring:assessment", assessment.pk)


@require_POST
def close(request, pk):
    assessment = _assessment(request, pk)
    require(request.user, "scoring.manage", assessment)
    run_service(request, lambda: services.close(request.user, assessment),
                "评分已结束，结果已计算(发布前仅组织部门可见)。")
    return redirect("scoring:assessment", assessment.pk)


@require_POST
def publish(request, pk):
    assessment = _assessment(request, pk)
    require(request.user, "scoring.manage", assessment)
    if run_service(request, lambda: services.publish(request.user, assessment),
                   "结果已发布，整改问题已下达，命名和处理已登记。"):
        audit.record(request, audit.Action.PUBLISHED, audit.describe(assessment))
    return redirect("scoring:assessment", assessment.pk)


@require_POST
def bulletin(request, pk):
    """Issue the published ranking as a 通报 with a 文号 (it then lives in the issued-documents register)."""
    assessment = _assessment(request, pk)
    require(request.user, "scoring.manage", assessment)
    notice = run_service(request, lambda: services.issue_ranking_bulletin(request.user, assessment),
                         "排名通报已印发。")
    return redirect(notice) if notice else redirect("scoring:assessment", assessment.pk)


def plaques(request):
    """The plaque register (命名授牌 / 摘牌) over the user's scope."""
    rows = Plaque.objects.visible_to(request.user).select_related("org", "named_by", "removed_by")
    text = request.GET.get("q", "").strip()
    if text:
        rows = rows.filter(org__name__contains=text)
    if request.GET.get("removed"):
        rows = rows.filter(removed_on__isnull=False)
    page = Paginator(rows, RESULT_ROWS).get_page(request.GET.get("page"))
    query = query_without(request, "page")
    return render(request, "scoring/plaques.html", {
        "page": page, "q": text, "query": query, "form": PlaqueForm(user=request.user),
        "removal_form": RemovalForm(), "may_manage": can(request.user, "scoring.manage")})


@require_POST
def plaque_new(request):
    require(request.user, "scoring.manage")
    form = PlaqueForm(request.POST, user=request.user)
    if form.is_valid():
        run_service(request, lambda: services.name_plaque(request.user, **form.cleaned_data), "已命名。")
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("scoring:plaques")


@require_POST
def plaque_remove(request, pk):
    plaque = get_object_or_404(Plaque.objects.visible_to(request.user), pk=pk)
    require(request.user, "scoring.manage", plaque)
    form = RemovalForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    run_service(request, lambda: services.remove_plaque(request.user, plaque, reason=reason), "已摘牌。")
    return redirect("scoring:plaques")


def _simulated(request, pk):
    """The assessment, for staff who manage it only: anyone else (a secretary, a leader) finds no trial (404)."""
    assessment = _assessment(request, pk)
    if not can(request.user, "scoring.manage", assessment):
        raise Http404
    return assessment


def _trial(request, pk, trial_pk):
    assessment = _simulated(request, pk)
    return assessment, get_object_or_404(Trial.objects.visible_to(request.user), assessment=assessment, pk=trial_pk)


def trial_list(request, pk):
    """The rule simulator: the trials kept for the assessment and a form to try another rule (a kept trial's
    rules when reopened with ``?from=``, else the rules the results were computed by)."""
    assessment = _simulated(request, pk)
    kept = assessment.trials.select_related("created_by", "applied_by").defer("comparison").annotate(
        rank_moves=KT("comparison__rank_moves"), grade_moves=KT("comparison__grade_moves"))  # not every row
    base = get_object_or_404(kept, pk=request.GET["from"]) if request.GET.get("from", "").isdigit() else None
    form = TrialForm(request.POST or None, assessment=assessment,
                     rules=base.rules if base else trials.current_rules(assessment))
    if request.method == "POST" and form.is_valid():
        trial = run_service(request, lambda: trials.run(request.user, assessment, name=form.cleaned_data["name"],
                                                        rules=form.rules()),
                            "试算完成：实际结果没有任何改动。")
        if trial:
            audit.record(request, audit.Action.TRIAL, audit.describe(assessment), trial=trial.name, rules=trial.rules)
            return redirect("scoring:trial", assessment.pk, trial.pk)
    return render(request, "scoring/trials.html", {"assessment": assessment, "trials": kept, "form": form,
                                                   "base": base, "rule": assessment.scheme.grading_rule.describe()})


def trial_detail(request, pk, trial_pk):
    """The trial beside the real results; the organisations' list can be narrowed to those that move."""
    assessment, trial = _trial(request, pk, trial_pk)
    comparison = trial.comparison
    rows = comparison["rows"]
    group, moved = request.GET.get("group", ""), bool(request.GET.get("moved"))
    shown = [r for r in rows if (not group or r[2] == group) and (not moved or r[4] != r[7] or r[5] != r[8])]
    page = Paginator(shown, RESULT_ROWS).get_page(request.GET.get("page"))
    keys = ["org", "name", "group", "real_total", "real_rank", "real_grade", "total", "rank", "grade"]
    page.object_list = [dict(zip(keys, row, strict=True)) for row in page.object_list]
    for row in page.object_list:
        row["rank_change"] = row["real_rank"] - row["rank"] if row["real_rank"] and row["rank"] else None
        row["rated"] = bool(row["rank"])
    query = query_without(request, "page")
    return render(request, "scoring/trial.html", {
        "assessment": assessment, "trial": trial, "c": comparison, "page": page, "groups": sorted({r[2] for r in rows}),
        "group": group, "moved": moved, "query": query,
        "may_apply": assessment.status == Assessment.Status.CLOSED and not trial.applied_at})


def trial_export(request, pk, trial_pk):
    assessment, trial = _trial(request, pk, trial_pk)
    audit.record(request, audit.Action.EXPORT, audit.describe(trial))
    return download(trials.workbook(trial), f"{assessment.name}-规则试算-{trial.name}.xlsx", xlsx.XLSX_CONTENT_TYPE)


@require_POST
def trial_apply(request, pk, trial_pk):
    """The explicit action that makes a trial's rules the scheme's, before publication; logged."""
    assessment, trial = _trial(request, pk, trial_pk)
    if run_service(request, lambda: trials.apply(request.user, trial),
                   "试算规则已应用到考核细则，结果已重新计算(发布前仅组织部门可见)。"):
        audit.record(request, audit.Action.TRIAL_APPLIED, audit.describe(assessment), trial=trial.name,
                     rules=trial.rules)
        return redirect("scoring:assessment", assessment.pk)
    return redirect("scoring:trial", assessment.pk, trial.pk)


scheme_import, scheme_import_confirm = import_views(
    scheme_excel.IMPORT, template="scoring/import.html", done_url="scoring:schemes",
    form_class=scheme_excel.SchemeImportForm, may_import=lambda user: can(user, "scoring.manage"))
