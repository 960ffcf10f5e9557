from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgs.models import Organization
from partybuild.kernel import audit, xlsx
from partybuild.kernel.errors import ServiceError
from partybuild.kernel.imports import import_views
from partybuild.kernel.pages import run_service
from partybuild.kernel.policy import can, require
from partybuild.kernel.uploads import download

from . import engine, queries, services
from . import excel as scheme_excel
from .forms import AssessmentForm, CellForm
from .models import Assessment, Indicator, Result, Scheme, Score

GRID_ROWS = 20


def schemes(request):
    return render(request, "scoring/schemes.html", {"schemes": Scheme.objects.all()})


def scheme_detail(request, pk):
    scheme = get_object_or_404(Scheme, pk=pk)
    return render(request, "scoring/scheme.html", {"scheme": scheme, "indicators": queries.indicator_tree(scheme)})


def scheme_export(request, pk):
    scheme = get_object_or_404(Scheme, pk=pk)
    return download(scheme_excel.export_workbook(scheme), f"{scheme}.xlsx", xlsx.XLSX_CONTENT_TYPE)


@require_POST
def scheme_copy(request, pk):
    require(request.user, "scoring.manage")
    copy = services.copy_scheme(get_object_or_404(Scheme, pk=pk))
    messages.success(request, _("已复制为第%(v)s版，可在管理后台修改。") % {"v": copy.version})
    return redirect("scoring:scheme", copy.pk)


def assessments(request):
    visible = Assessment.objects.visible_to(request.user).select_related("scheme", "root")
    return render(request, "scoring/assessments.html", {"assessments": visible[:100]})


def assessment_new(request):
    require(request.user, "scoring.manage")
    form = AssessmentForm(request.POST or None, user=request.user, initial={"closes_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        created = run_service(request, lambda: services.create_assessment(request.user, **form.cleaned_data),
                       _("考核已建立，评分人可以开始评分。"))
        if created:
            return redirect("scoring:assessment", created.pk)
    return render(request, "inspections/form.html", {"form": form, "title": _("建立考核")})


def _assessment(request, pk):
    return get_object_or_404(Assessment.objects.visible_to(request.user).select_related("scheme", "root"), pk=pk)


def assessment_detail(request, pk):
    assessment = _assessment(request, pk)
    raters = assessment.raters.prefetch_related("members")
    return render(request, "scoring/assessment.html", {
        "assessment": assessment, "raters": raters, "target_count": assessment.targets.count(),
        "scorable": [r for r in raters if services.may_score(request.user, r)],
        "may_read_results": _may_read_results(request.user, assessment),
    })


def _may_read_results(user, assessment):
    return assessment.status == Assessment.Status.PUBLISHED or can(user, "scoring.results", assessment)


def grid(request, pk, rater_pk):
    assessment = _assessment(request, pk)
    rater = get_object_or_404(assessment.raters, pk=rater_pk)
    if not services.may_score(request.user, rater):
        raise PermissionDenied
    items = list(assessment.scheme.indicators.exclude(kind=Indicator.Kind.GROUP).order_by("order"))
    targets = services.scorable_targets(request.user, rater)
    page = Paginator(targets, GRID_ROWS).get_page(request.GET.get("page"))
    scores = Score.objects.filter(assessment=assessment, rater=rater, org__in=[t.org_id for t in page])
    cells = {(s.org_id, s.indicator_id): s for s in scores}
    rows = [(target, [(item, cells.get((target.org_id, item.pk))) for item in items]) for target in page]
    return render(request, "scoring/grid.html", {"assessment": assessment, "rater": rater, "items": items,
                                                 "rows": rows, "page": page})


@require_POST
def cell(request, pk, rater_pk):
    """Save one cell of the grid (htmx): answers the cell again with its saved value or the Chinese error."""
    assessment = _assessment(request, pk)
    rater = get_object_or_404(assessment.raters, pk=rater_pk)
    if not services.may_score(request.user, rater):
        raise PermissionDenied
    form = CellForm(request.POST)
    if not form.is_valid():
        return _cell_status(request, _("请输入数字。"), status=400)
    data = form.cleaned_data
    target = get_object_or_404(services.scorable_targets(request.user, rater), org_id=data["org"])
    indicator = get_object_or_404(assessment.scheme.indicators, pk=data["indicator"])
    try:
        services.enter_score(request.user, rater=rater, org=target.org, indicator=indicator, points=data["points"],
                             reason=data["reason"], correction_reason=data["correction_reason"],
                             evidence=request.FILES.get("evidence"))
    except ServiceError as exc:
        return _cell_status(request, str(exc), status=400)
    except ValidationError as exc:
        return _cell_status(request, exc.messages[0], status=400)
    if assessment.status != Assessment.Status.SCORING:
        audit.record(request, audit.Action.CORRECTED, audit.describe(assessment), org=target.org.name,
                     indicator=indicator.code, points=str(data["points"]), reason=data["correction_reason"])
    return _cell_status(request, _("已保存"))


def _cell_status(request, message, status=200):
    return render(request, "scoring/_cell_status.html", {"message": message, "ok": status == 200}, status=status)


def results(request, pk):
    assessment = _assessment(request, pk)
    if not _may_read_results(request.user, assessment):
        raise PermissionDenied
    code, grade = request.GET.get("org", "").strip(), request.GET.get("grade", "").strip()
    rows = queries.ranking_rows(assessment, Organization.objects.filter(code=code).first() if code else None,
                                grade=grade)
    groups = defaultdict(list)
    for row in rows:
        groups[row.peer_group].append(row)
    return render(request, "scoring/results.html", {
        "assessment": assessment, "groups": dict(groups), "org_code": code, "tie_rule": engine.TIE_RULE,
        "dimensions": queries.dimension_names(assessment.scheme), "query": urlencode({"org": code, "grade": grade}),
        "grade": grade, "count": len(rows)})


def dynamic(request, pk):
    """命名/摘牌, 约谈 and 调整班子 lists, and the 红黑榜 of a finished assessment."""
    assessment = _assessment(request, pk)
    if not _may_read_results(request.user, assessment) or assessment.status == Assessment.Status.SCORING:
        raise PermissionDenied
    return render(request, "scoring/dynamic.html", {"assessment": assessment,
                                                    **queries.dynamic_management(assessment)})


def sheet(request, pk, org_pk):
    assessment = _assessment(request, pk)
    result = get_object_or_404(Result.objects.visible_to(request.user).select_related("org"),
                               assessment=assessment, org_id=org_pk)
    if not _may_read_results(request.user, assessment):
        raise PermissionDenied
    return render(request, "scoring/sheet.html", {"assessment": assessment, "result": result,
                                                  **queries.score_sheet(assessment, result)})


def score_evidence(request, pk):
    score = get_object_or_404(Score.objects.visible_to(request.user).exclude(evidence=""), pk=pk)
    if not _may_read_results(request.user, score.assessment) and not services.may_score(request.user, score.rater):
        raise PermissionDenied
    audit.record(request, audit.Action.DOWNLOAD, audit.describe(score), file=score.evidence.name)
    return FileResponse(score.evidence.open("rb"))


@require_POST
def close(request, pk):
    assessment = _assessment(request, pk)
    require(request.user, "scoring.manage", assessment)
    run_service(request, lambda: services.close(request.user, assessment), _("评分已结束，结果已计算。"))
    return redirect("scoring:assessment", assessment.pk)


@require_POST
def publish(request, pk):
    assessment = _assessment(request, pk)
    require(request.user, "scoring.manage", assessment)
    if run_service(request, lambda: services.publish(request.user, assessment), _("结果已发布。")):
        audit.record(request, audit.Action.PUBLISHED, audit.describe(assessment))
    return redirect("scoring:assessment", assessment.pk)




scheme_import, scheme_import_confirm = import_views(
    scheme_excel.IMPORT, template="scoring/import.html", done_url="scoring:schemes",
    form_class=scheme_excel.SchemeImportForm, may_import=lambda user: can(user, "scoring.manage"))
