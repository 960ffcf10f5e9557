from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kernel import audit, xlsx
from kernel.pages import run_service
from kernel.policy import require
from kernel.uploads import download, download_name
from rectification.models import Problem

from . import services
from .forms import ChecklistForm, FindingForm, RoundForm, ScoreForm, TeamForm, TourForm, VisitForm
from .models import (
    ChecklistAnswer,
    ChecklistTemplate,
    Finding,
    Round,
    RoundTarget,
    Tour,
    TourScore,
    TourStop,
    Visit,
    VisitEvidence,
)


def rounds(request):
    require(request.user, "inspections.view")
    visible = Round.objects.visible_to(request.user).select_related("root").annotate(
        target_count=Count("targets", distinct=True)).order_by("-starts_on", "-id")
    return render(request, "inspections/rounds.html", {"rounds": visible[:100]})


def round_new(request):
    require(request.user, "inspections.manage")
    form = RoundForm(request.POST or None, user=request.user, initial={"starts_on": timezone.localdate(),
                                                                      "ends_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        created = run_service(request, lambda: services.create_round(request.user, **form.cleaned_data), "已创建。")
        if created:
            return redirect("inspections:round", created.pk)
    return render(request, "inspections/form.html", {"form": form, "title": "新建督查考核"})


def round_detail(request, pk):
    inspection_round = get_object_or_404(Round.objects.visible_to(request.user), pk=pk)
    visits = Visit.objects.filter(target=OuterRef("pk"))
    targets = (RoundTarget.objects.visible_to(request.user).filter(round=inspection_round)
               .select_related("org", "team", "round").annotate(visited=Exists(visits),
                                                                findings=Count("visits__findings")))
    counts = targets.order_by().aggregate(total=Count("id", distinct=True),
                                          visited=Count("id", filter=Q(visits__isnull=False), distinct=True))
    return render(request, "inspections/round.html", {
        "round": inspection_round, "counts": counts,
        "targets": services.mark_visitable(request.user, list(_with_last_visit(request.user, targets))),
        "teams": inspection_round.teams.prefetch_related("members"),
    })


def team_new(request, pk):
    inspection_round = get_object_or_404(Round.objects.visible_to(request.user), pk=pk)
    require(request.user, "inspections.manage", inspection_round)
    form = TeamForm(request.POST or None, inspection_round=inspection_round, user=request.user)
    if request.method == "POST" and form.is_valid():
        if run_service(request, lambda: services.create_team(request.user, inspection_round, **form.cleaned_data),
                "考核组已建立。"):
            return redirect("inspections:round", inspection_round.pk)
    return render(request, "inspections/form.html", {"form": form, "title": "建立考核组"})


@require_POST
def round_finish(request, pk):
    inspection_round = get_object_or_404(Round.objects.visible_to(request.user), pk=pk)
    require(request.user, "inspections.manage", inspection_round)
    run_service(request, lambda: services.finish_round(request.user, inspection_round), "本轮督查考核已结束。")
    return redirect("inspections:round", inspection_round.pk)


def _with_last_visit(user, targets):
    """Each target with its latest visit the user can open (``last_visit``, ``last_visited_on``): a visited
    target opens that visit rather than offering a second one."""
    latest = Visit.objects.visible_to(user).filter(target=OuterRef("pk")).order_by("-visited_on", "-id")
    return targets.annotate(last_visit=Subquery(latest.values("pk")[:1]),
                            last_visited_on=Subquery(latest.values("visited_on")[:1]))


def today(request):
    """An inspector's day on a phone: one line per target of their teams, not yet visited first; a visited
    target opens its visit."""
    require(request.user, "inspections.team")
    targets = (RoundTarget.objects.visible_to(request.user)
               .filter(round__status=Round.Status.ACTIVE, team__members=request.user).distinct()
               .select_related("org", "round"))
    targets = _with_last_visit(request.user, targets).order_by(
        F("last_visited_on").desc(nulls_first=True), "org__path")
    return render(request, "inspections/today.html", {"targets": targets[:100], "today": timezone.localdate()})


def visit_new(request, pk):
    target = get_object_or_404(RoundTarget.objects.visible_to(request.user).select_related("org", "round", "team"),
                               pk=pk)
    if not services.may_record_visit(request.user, target):
        raise PermissionDenied
    form = VisitForm(request.POST or None, request.FILES or None, initial={"visited_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        visit = run_service(request, lambda: services.record_visit(request.user, target, **form.cleaned_data),
                     "走访已记录，请继续登记发现和检查清单。")
        if visit:
            return redirect("inspections:visit", visit.pk)
    return render(request, "inspections/visit_form.html", {"form": form, "target": target})


def _visit(request, pk):
    return get_object_or_404(Visit.objects.visible_to(request.user).select_related(
        "target__org", "target__round", "target__team", "recorded_by"), pk=pk)


def _recordable_visit(request, pk):
    visit = _visit(request, pk)
    if not services.may_record_visit(request.user, visit.target):
        raise PermissionDenied
    return visit


def visit_detail(request, pk):
    visit = _visit(request, pk)
    findings = visit.findings.select_related("category").prefetch_related("evidence")
    raised = _raised_problems(list(findings) + list(visit.answers.all()))
    return render(request, "inspections/visit.html", {
        "visit": visit, "findings": [(f, raised.get(("finding", f.pk))) for f in findings],
        "answers": [(a, raised.get(("checklistanswer", a.pk))) for a in
                    visit.answers.select_related("item__template")],
        "evidence": visit.evidence.filter(finding__isnull=True),
        "may_record": services.may_record_visit(request.user, visit.target),
        "finding_form": FindingForm(), "templates": ChecklistTemplate.objects.filter(is_active=True),
    })


def _raised_problems(origins):
    """Problems raised from these findings / checklist answers, keyed by (model name, id): one query."""
    by_model = {}
    for origin in origins:
        by_model.setdefault(origin._meta.model_name, []).append(origin.pk)
    condition = Q(pk__in=[])
    for model_name, ids in by_model.items():
        condition |= Q(origin_type__model=model_name, origin_type__app_label="inspections", origin_id__in=ids)
    problems = Problem.objects.filter(condition).select_related("origin_type", "item")
    return {(p.origin_type.model, p.origin_id): p for p in problems}


@require_POST
def finding_new(request, pk):
    visit = _recordable_visit(request, pk)
    form = FindingForm(request.POST, request.FILES)
    if form.is_valid():
        run_service(request, lambda: services.add_finding(request.user, visit, **form.cleaned_data), "已登记。")
    else:
        messages.error(request, "请填写发现的内容。")
    return redirect("inspections:visit", visit.pk)


@require_POST
def finding_raise(request, pk):
    finding = get_object_or_404(Finding.objects.visible_to(request.user).select_related("visit__target"), pk=pk)
    if not services.may_record_visit(request.user, finding.visit.target):
        raise PermissionDenied
    run_service(request, lambda: services.raise_from_finding(request.user, finding),
                "已转入问题清单并生成整改事项。")
    return redirect("inspections:visit", finding.visit_id)


def checklist(request, pk, template_pk):
    visit = _recordable_visit(request, pk)
    template = get_object_or_404(ChecklistTemplate.objects.filter(is_active=True), pk=template_pk)
    existing = {a.item_id: a for a in visit.answers.filter(item__template=template)}
    posted = request.method == "POST"
    form = ChecklistForm(request.POST if posted else None, request.FILES if posted else None, template=template,
                         existing=existing)
    if request.method == "POST" and form.is_valid():
        if run_service(request, lambda: services.fill_checklist(request.user, visit, form.answers()),
                "检查清单已保存。") is not None:
            return redirect("inspections:visit", visit.pk)
    answered = sum(1 for _item, verdict, *_rest in form.rows if verdict.value())
    return render(request, "inspections/checklist.html", {"form": form, "visit": visit, "template": template,
                                                          "answered": answered},
                  status=400 if form.errors else 200)


@require_POST
def accept_failures(request, pk):
    visit = _recordable_visit(request, pk)
    run_service(request, lambda: services.accept_failed_items(request.user, visit), "不合格项已全部转入问题清单。")
    return redirect("inspections:visit", visit.pk)


def evidence(request, pk, variant="file"):
    item = get_object_or_404(VisitEvidence.objects.visible_to(request.user), pk=pk)
    stored = item.thumbnail if variant == "thumbnail" and item.thumbnail else item.file
    if stored == item.file:
        audit.record(request, audit.Action.DOWNLOAD, audit.describe(item), file=item.original_name)
    return FileResponse(stored.open("rb"), filename=download_name(item.original_name))


def answer_photo(request, pk):
    answer = get_object_or_404(ChecklistAnswer.objects.visible_to(request.user), pk=pk)
    if not answer.photo:
        raise Http404
    audit.record(request, audit.Action.DOWNLOAD, audit.describe(answer), file=answer.photo.name)
    return FileResponse(answer.photo.open("rb"))


# Observation tours -----------------------------------------------------------------------------------

def tours(request):
    return render(request, "inspections/tours.html", {
        "tours": Tour.objects.visible_to(request.user).select_related("root")[:100]})


def tour_new(request):
    require(request.user, "inspections.manage")
    form = TourForm(request.POST or None, user=request.user, initial={"held_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["stops"] = data.pop("stop_codes")
        tour = run_service(request, lambda: services.create_tour(request.user, **data), "观摩已创建。")
        if tour:
            return redirect("inspections:tour", tour.pk)
    return render(request, "inspections/form.html", {"form": form, "title": "新建观摩评比"})


def _tour(request, pk):
    return get_object_or_404(Tour.objects.visible_to(request.user).select_related("root"), pk=pk)


def tour_detail(request, pk):
    tour = _tour(request, pk)
    stops = list(tour.stops.select_related("org"))
    mine = dict(TourScore.objects.filter(stop__tour=tour, participant=request.user).values_list("stop_id", "points"))
    context = {"tour": tour, "stops": [(stop, mine.get(stop.pk)) for stop in stops],
               "is_participant": tour.participants.filter(pk=request.user.pk).exists(),
               **_ranking_context(tour, stops)}
    return render(request, "inspections/tour.html", context)


def _ranking_context(tour, stops):
    by_pk = {stop.pk: stop for stop in stops}
    if tour.filed_at:
        rows = [(stop, stop.mean, stop.rank, stop.standing) for stop in sorted(stops, key=lambda s: s.rank or 10**6)]
    else:
        rows = [(by_pk[s.key], s.mean, s.rank, s.standing) for s in services.live_ranking(tour)]
    return {"ranking": rows, "score_count": TourScore.objects.filter(stop__tour=tour).count()}


def tour_ranking(request, pk):
    """The live ranking table alone, polled by htmx while participants score."""
    tour = _tour(request, pk)
    return render(request, "inspections/_tour_ranking.html",
                  {"tour": tour, **_ranking_context(tour, list(tour.stops.select_related("org")))})


@require_POST
def tour_score(request, pk):
    stop = get_object_or_404(TourStop.objects.filter(tour__in=Tour.objects.visible_to(request.user)), pk=pk)
    form = ScoreForm(request.POST)
    if form.is_valid():
        run_service(request, lambda: services.score_stop(request.user, stop, form.cleaned_data["points"]),
             f"已为“{stop.org.name}”打分。")
    else:
        messages.error(request, "得分应为 0 到 100 之间的数字。")
    return redirect("inspections:tour", stop.tour_id)


@require_POST
def tour_file(request, pk):
    tour = _tour(request, pk)
    require(request.user, "inspections.manage", tour)
    run_service(request, lambda: services.file_tour(request.user, tour), "观摩结果已归档。")
    return redirect("inspections:tour", tour.pk)


@require_POST
def tour_raise(request, pk):
    tour = _tour(request, pk)
    require(request.user, "inspections.manage", tour)
    run_service(request, lambda: services.raise_lagging(request.user, tour), "后进单位的问题已转入问题清单。")
    return redirect("inspections:tour", tour.pk)


TOUR_COLUMNS = [xlsx.Column("名次", "rank"), xlsx.Column("组织编码", "code"), xlsx.Column("观摩点", "name"),
                xlsx.Column("平均分", "mean"), xlsx.Column("等次", "standing")]


def tour_export(request, pk):
    tour = _tour(request, pk)
    rows = _ranking_context(tour, list(tour.stops.select_related("org")))["ranking"]
    records = ({"rank": r, "code": stop.org.code, "name": stop.org.name, "mean": float(mean), "standing": standing}
               for stop, mean, r, standing in rows)
    audit.record(request, audit.Action.EXPORT, audit.describe(tour))
    return download(xlsx.write_rows(tour.name, TOUR_COLUMNS, records, heading=f"{tour.name}结果"),
                    f"{tour.name}.xlsx", xlsx.XLSX_CONTENT_TYPE)
