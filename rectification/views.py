from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgs.models import Organization
from partybuild.kernel import audit, xlsx
from partybuild.kernel.dates import month_start
from partybuild.kernel.errors import ServiceError
from partybuild.kernel.imports import import_views
from partybuild.kernel.pdf import render_pdf
from partybuild.kernel.policy import can, can_edit, require
from partybuild.kernel.uploads import download, download_name

from . import excel, queries, services
from .filters import LedgerFilter
from .forms import CommentForm, FollowUpForm, MilestoneForm, PlanForm, ProblemForm, ProgressForm, SupervisionForm
from .models import Evidence, Milestone, Problem, RectificationItem, SupervisionNotice
from .workflow import BUTTON_ACTIONS, TRANSITIONS

PER_PAGE = 30


def _items(request):
    """The user's ledger (problems archived by an administrator are not in ``visible_to``)."""
    return RectificationItem.objects.visible_to(request.user).select_related(
        "problem__org", "problem__category__dimension")


def _item(request, pk):
    return get_object_or_404(_items(request), pk=pk)


def _editable_item(request, pk):
    """404 outside the scope; 403 for roles that may read the item but not work on it."""
    item = _item(request, pk)
    if not can_edit(request.user, item):
        raise PermissionDenied
    return item


def ledger(request):
    today = timezone.localdate()
    items = _items(request).with_month_report(month_start(today))
    filtered = LedgerFilter(request.GET, queryset=items, request=request)
    page = Paginator(filtered.qs, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "rectification/ledger.html", {
        "filter": filtered, "page": page, "today": today, "query": query.urlencode(),
        "counts": queries.status_counts(filtered.qs.order_by(), today),
    })


def ledger_export(request):
    filtered = LedgerFilter(request.GET, queryset=_items(request), request=request)
    audit.record(request, audit.Action.EXPORT, _("整改台账"), filter=request.GET.urlencode())
    return download(excel.export_workbook(filtered.qs), f"整改台账-{timezone.localdate():%Y%m%d}.xlsx",
                    xlsx.XLSX_CONTENT_TYPE)


def problem_new(request):
    require(request.user, "ledger.work")
    manages = can(request.user, "ledger.manage")
    initial = {"found_on": timezone.localdate()}
    own = Organization.objects.for_action(request.user, "ledger.own").first()
    if own and not manages:
        initial["org_code"] = own.code
    form = ProblemForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        source = Problem.Source.FEEDBACK if manages else Problem.Source.SELF_CHECK
        problem = services.raise_problem(
            org=data["org_code"], description=data["description"], source=source, raised_by=request.user,
            found_on=data["found_on"], category=data["category"], severity=data["severity"],
            measures=data["measures"], responsible_person=data["responsible_person"], deadline=data["deadline"],
            kind=data["kind"])
        messages.success(request, _("问题已登记，并已生成整改事项。"))
        return redirect("rectification:item", problem.item.pk)
    return render(request, "rectification/problem_form.html", {"form": form})


def item_detail(request, pk):
    item = _item(request, pk)
    return _render_item(request, item)


def _render_item(request, item, **forms):
    editable = can_edit(request.user, item)
    context = {
        "item": item,
        "timeline": queries.timeline(item),
        "actions": services.allowed_actions(request.user, item, BUTTON_ACTIONS),
        "can_edit": editable and item.status != RectificationItem.Status.CLOSED,
        "plan_form": forms.get("plan_form") or PlanForm(instance=item, initial={"version": item.version}),
        "progress_form": forms.get("progress_form") or ProgressForm(),
        "follow_up_form": forms.get("follow_up_form") or FollowUpForm(),
        "can_follow_up": item.status == RectificationItem.Status.CLOSED
        and services.refusal(request.user, item, "reopen") is None,
        "comment_form": CommentForm(initial={"version": item.version}),
        "notices": item.supervision_notices.all(),
        "milestones": item.milestones.all(),
        "milestone_form": MilestoneForm(),
    }
    return render(request, "rectification/item.html", context, status=200 if not forms else 400)


@require_POST
def item_action(request, pk, action):
    item = _item(request, pk)
    if action not in TRANSITIONS:
        raise PermissionDenied
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("表单已过期，请刷新页面后重试。"))
        return redirect("rectification:item", item.pk)
    try:
        services.perform(request.user, item, action, comment=form.cleaned_data["comment"],
                         expected_version=form.cleaned_data["version"])
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已%(action)s。") % {"action": TRANSITIONS[action].label})
    return redirect("rectification:item", item.pk)


@require_POST
def item_plan(request, pk):
    item = _editable_item(request, pk)
    form = PlanForm(request.POST, instance=RectificationItem(pk=item.pk))
    if form.is_valid():
        plan = {field: form.cleaned_data[field] for field in services.PLAN_FIELDS}
        try:
            services.update_plan(request.user, item, expected_version=form.cleaned_data["version"], **plan)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("整改方案已保存。"))
            return redirect("rectification:item", item.pk)
    return _render_item(request, item, plan_form=form)


@require_POST
def item_progress(request, pk):
    item = _editable_item(request, pk)
    form = ProgressForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_progress(request.user, item, text=form.cleaned_data["text"],
                                  percent=form.cleaned_data["percent"], files=form.cleaned_data["files"])
        except (ServiceError, ValidationError) as exc:
            form.add_error(None, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("本月整改进展已报送。"))
            return redirect("rectification:item", item.pk)
    return _render_item(request, item, progress_form=form)


@require_POST
def item_follow_up(request, pk):
    item = _item(request, pk)
    require(request.user, "ledger.manage", item)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            check = services.record_follow_up(request.user, item, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("回头看已记录。") if check.passed else _("回头看未通过，事项已重新打开整改。"))
            return redirect("rectification:item", item.pk)
    return _render_item(request, item, follow_up_form=form)


@require_POST
def item_milestone(request, pk):
    item = _editable_item(request, pk)
    form = MilestoneForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError(_("请填写阶段目标和计划完成日期。"))
        services.add_milestone(request.user, item, **form.cleaned_data)
    except ServiceError as exc:
        messages.error(request, str(exc))
    return redirect("rectification:item", item.pk)


@require_POST
def milestone_done(request, pk):
    milestone = get_object_or_404(Milestone.objects.filter(item__in=_items(request)), pk=pk)
    try:
        services.complete_milestone(request.user, milestone)
    except ServiceError as exc:
        raise PermissionDenied(str(exc)) from exc
    return redirect("rectification:item", milestone.item_id)


def evidence_download(request, pk):
    evidence = get_object_or_404(Evidence.objects.visible_to(request.user), pk=pk)
    audit.record(request, audit.Action.DOWNLOAD, audit.describe(evidence), file=evidence.original_name)
    return FileResponse(evidence.file.open("rb"), as_attachment=False, filename=download_name(evidence.original_name))


def follow_ups_due(request):
    require(request.user, "ledger.manage")
    items = queries.follow_ups_due(_items(request), timezone.localdate()).order_by("closed_on", "id")
    page = Paginator(items, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "rectification/follow_ups.html", {"page": page})


def overdue(request):
    require(request.user, "ledger.manage")
    today = timezone.localdate()
    items = _items(request).overdue_on(today).order_by("problem__org__path", "deadline")
    page = Paginator(items, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "rectification/overdue.html", {"page": page, "today": today})


def supervise(request, pk):
    org = get_object_or_404(Organization.objects.visible_to(request.user), pk=pk)
    require(request.user, "ledger.manage", org)
    overdue_items = (RectificationItem.objects.for_action(request.user, "ledger.manage")
                     .overdue_on(timezone.localdate()).filter(problem__org=org).select_related("problem"))
    form = SupervisionForm(request.POST or None, overdue_items=overdue_items,
                           initial={"items": list(overdue_items)})
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.issue_supervision(request.user, org, form.cleaned_data["items"],
                                                requirement=form.cleaned_data["requirement"],
                                                reply_by=form.cleaned_data["reply_by"])
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("督办通知 %(n)s 已签发。") % {"n": notice.number})
            return redirect("rectification:notice_pdf", notice.pk)
    return render(request, "rectification/supervise.html", {"form": form, "org": org})


def notice_pdf(request, pk):
    notice = get_object_or_404(SupervisionNotice.objects.visible_to(request.user), pk=pk)
    items = notice.items.select_related("problem__category")
    pdf = render_pdf("reports/supervision_notice.html", {"notice": notice, "items": items},
                     title=_("督办通知"), scope=notice.org.name, period=notice.number)
    audit.record(request, audit.Action.DOWNLOAD, audit.describe(notice), scope=notice.org.name)
    return _pdf_response(pdf, f"supervision-{notice.pk}.pdf")


def rectification_notice_pdf(request, pk):
    org = get_object_or_404(Organization.objects.visible_to(request.user), pk=pk)
    items = (RectificationItem.objects.visible_to(request.user).open().filter(problem__org=org)
             .select_related("problem__category").order_by("deadline", "id"))
    pdf = render_pdf("reports/rectification_notice.html", {"org": org, "items": items},
                     title=_("整改通知单"), scope=org.name, period=timezone.localdate().strftime("%Y年%m月%d日"))
    audit.record(request, audit.Action.DOWNLOAD, _("整改通知单"), scope=org.name)
    return _pdf_response(pdf, f"rectification-notice-{org.code}.pdf")


def _pdf_response(pdf, filename):
    return download(pdf, filename, "application/pdf", inline=True)


ledger_import, ledger_import_confirm = import_views(
    excel.IMPORT, template="rectification/import.html", done_url="rectification:ledger",
    may_import=lambda user: can(user, "ledger.manage"))
