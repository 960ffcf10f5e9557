from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from kernel import audit, paging, xlsx
from kernel.dates import month_start
from kernel.errors import ServiceError
from kernel.imports import import_views
from kernel.lists import per_page, query_without
from kernel.pages import run_service
from kernel.policy import can, can_edit, require
from kernel.uploads import download, download_name
from orgs.models import Organization

from . import excel, figures, queries, services
from .filters import LedgerFilter
from .forms import (
    CommentForm,
    CorrectionForm,
    DecisionForm,
    ExtensionForm,
    FollowUpForm,
    MilestoneForm,
    PlanForm,
    ProblemForm,
    ProgressForm,
)
from .models import DeadlineExtension, Evidence, Milestone, Notice, Problem, RectificationItem
from .workflow import BULK_ACTIONS, BUTTON_ACTIONS, TRANSITIONS

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


FIGURE_PARAMS = ("figure", "org", "month", "category")


def _figure(request):
    """The figure a dashboard card, chart element or report line opened, or None for the plain ledger.

    ``?figure=overdue&org=<code>&month=2026-10[&category=<id>|none]``: exactly the items that figure counts
    (``rectification.figures``), including those archived since, as they stand today.
    """
    name = request.GET.get("figure")
    if not name:
        return None
    scope = Organization.objects.visible_to(request.user).filter(code=request.GET.get("org", "").strip()).first()
    category = request.GET.get("category") or None
    if scope is None or name not in figures.LABELS or (category not in (None, "none") and not category.isdigit()):
        raise Http404
    try:
        period = figures.Period.parse(request.GET.get("month") or f"{timezone.localdate():%Y-%m}")
    except ValueError:
        raise Http404 from None
    coverage = figures.Coverage.for_user(request.user, scope)
    return {"name": name, "label": figures.LABELS[name], "scope": coverage, "period": period, "category": category,
            "items": figures.figure_items(name, coverage, period, category)}


def _ledger_query(request):
    """(items, filter data, figure): the figure's items or the user's ledger, and the remaining filters.

    A figure's list is exactly the items it counts, as they stand today: in a past month or a month's flows
    that includes items archived since or moved out of the scope (转出), which were in it when counted; the
    figure itself is only opened for an organisation the user may read (``_figure``)."""
    figure = _figure(request)
    if figure is None:
        return _items(request), request.GET, None
    items = (RectificationItem.objects.filter(pk__in=figure["items"].values("pk"))
             .select_related("problem__org", "problem__category__dimension"))
    data = request.GET.copy()
    for key in FIGURE_PARAMS:
        data.pop(key, None)
    return items, data, figure


def ledger(request):
    """The ledger list: its filters, counts and page, read afresh on every request (the indexes of
    ``rectification/migrations`` serve its order, filters and keyword search)."""
    today = timezone.localdate()
    bulk_actions = [TRANSITIONS[a] for a in BULK_ACTIONS] if can(request.user, "ledger.manage") else []
    items, data, figure = _ledger_query(request)
    filtered = LedgerFilter(data, queryset=items.with_month_report(month_start(today)), request=request)
    query = query_without(request, "page")
    counts = queries.status_counts(filtered.qs.order_by(), today)
    page = paging.NarrowCountedPaginator(filtered.qs, per_page(request, PER_PAGE), counts["total"]).get_page(
        request.GET.get("page"))
    return render(request, "rectification/ledger.html", {
        "filter": filtered, "page": page, "today": today, "query": query, "figure": figure,
        "bulk_actions": bulk_actions, "counts": counts, "print_max": excel.PRINT_MAX_ROWS})


@require_POST
def bulk_action(request):
    """验收销号 or 退回整改 on the ticked items of the ledger list; each item is checked and saved on its own."""
    require(request.user, "ledger.manage")
    action = request.POST.get("action", "")
    chosen = [pk for pk in request.POST.getlist("items") if pk.isdigit()]
    back = request.POST.get("next", "")
    back = back if url_has_allowed_host_and_scheme(back, {request.get_host()}) else reverse("rectification:ledger")
    if action not in BULK_ACTIONS or not chosen:
        messages.error(request, "请先勾选事项并选择要进行的操作。")
        return redirect(back)
    done, refused = 0, []
    for item in _items(request).filter(pk__in=chosen).order_by("problem__org__path", "id"):
        try:
            services.perform(request.user, item, action, comment=request.POST.get("comment", "").strip())
        except ServiceError as exc:
            refused.append(f"{item.problem.org.name}“{item.problem.description[:20]}”：{exc}")
        else:
            done += 1
    if done:
        messages.success(request, f"已对 {done} 个事项{TRANSITIONS[action].label}。")
    for reason in refused:
        messages.error(request, reason)
    return redirect(back)


def ledger_export(request):
    """The filtered ledger as XLSX, or with ``format=pdf`` as the same lines printed (A4 landscape)."""
    items, data, _figure_ = _ledger_query(request)
    filtered = LedgerFilter(data, queryset=items, request=request)
    name = f"整改台账-{timezone.localdate():%Y%m%d}"
    if request.GET.get("format") == "pdf":
        if filtered.qs.count() > excel.PRINT_MAX_ROWS:
            messages.error(request, f"打印版最多 {excel.PRINT_MAX_ROWS} 条事项：请先按组织、状态等筛选，或导出 Excel。")
            return redirect(f"{reverse('rectification:ledger')}?{query_without(request, 'format')}")
        audit.record(request, audit.Action.EXPORT, "整改台账(打印版)", filter=request.GET.urlencode())
        return download(excel.printed_ledger(filtered.qs), f"{name}.pdf", "application/pdf")
    audit.record(request, audit.Action.EXPORT, "整改台账", filter=request.GET.urlencode())
    return download(excel.export_workbook(filtered.qs, with_hashes=request.GET.get("hashes") == "1"),
                    f"{name}.xlsx", xlsx.XLSX_CONTENT_TYPE)


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
        messages.success(request, "问题已登记，并已生成整改事项。")
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
        "plan_form": forms.get("plan_form") or _plan_form(request, item),
        "extension_form": forms.get("extension_form") or ExtensionForm(),
        "may_request_extension": editable and item.deadline is not None
        and not services.is_issuer_of(request.user, item),
        "extensions": item.extensions.select_related("requested_by", "decided_by"),
        "decision_form": DecisionForm(),
        "is_issuer": services.is_issuer_of(request.user, item),
        "under_supervision": services.under_supervision(item),
        "correction_form": forms.get("correction_form") or CorrectionForm(user=request.user, initial={
            "org_code": item.problem.org.code, "category": item.problem.category_id}),
        "progress_form": forms.get("progress_form") or ProgressForm(),
        "follow_up_form": forms.get("follow_up_form") or FollowUpForm(),
        "can_follow_up": item.status == RectificationItem.Status.CLOSED
        and services.refusal(request.user, item, "reopen") is None,
        "comment_form": CommentForm(initial={"version": item.version}),
        # only the notices the user may open (a 督办 to the township is not the branch secretary's to read)
        "notices": item.notices.filter(pk__in=Notice.objects.visible_to(request.user).values("pk"))
        .select_related("reply", "superseded_by"),
        "milestones": item.milestones.all(),
        "milestone_form": MilestoneForm(),
        # the secretary's next step first: this month's progress, then 申请销号
        "progress_first": can(request.user, "ledger.own", item),
        "waiting_acceptance": item.status == RectificationItem.Status.SUBMITTED
        and services.refusal(request.user, item, "accept") is not None,
        "reported_this_month": item.updates.filter(month=month_start(timezone.localdate())).first(),
        "origin_url": _origin_url(request.user, item.problem),
    }
    return render(request, "rectification/item.html", context, status=200 if not forms else 400)


def _origin_url(user, problem):
    """The page of the record a problem was raised from, when its reader may open it (else no link)."""
    origin = problem.origin
    if origin is None or not hasattr(origin, "get_absolute_url"):
        return None
    page = origin.page_object() if hasattr(origin, "page_object") else origin
    return origin.get_absolute_url() if type(page).objects.visible_to(user).filter(pk=page.pk).exists() else None


@require_POST
def item_action(request, pk, action):
    item = _item(request, pk)
    if action not in TRANSITIONS:
        raise PermissionDenied
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "表单已过期，请刷新页面后重试。")
        return redirect("rectification:item", item.pk)
    try:
        services.perform(request.user, item, action, comment=form.cleaned_data["comment"],
                         expected_version=form.cleaned_data["version"])
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已{TRANSITIONS[action].label}。")
    return redirect("rectification:item", item.pk)


@require_POST
def item_plan(request, pk):
    item = _editable_item(request, pk)
    form = _plan_form(request, item, request.POST)
    if form.is_valid():
        plan = {field: form.cleaned_data[field] for field in services.PLAN_FIELDS}
        try:
            services.update_plan(request.user, item, expected_version=form.cleaned_data["version"], **plan)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "整改方案已保存。")
            return redirect("rectification:item", item.pk)
    return _render_item(request, item, plan_form=form)


def _plan_form(request, item, data=None):
    """The plan form; the deadline is read-only for the organisation once set, and for everyone under 督办."""
    form = PlanForm(data, instance=RectificationItem(pk=item.pk, deadline=item.deadline) if data else item,
                    initial={"version": item.version})
    locked = services.under_supervision(item) or (item.deadline is not None
                                                 and not services.is_issuer_of(request.user, item))
    if locked:
        form.fields["deadline"].disabled = True
        form.fields["deadline"].help_text = ("正在督办，时限以督办通知为准。" if services.under_supervision(item)
                                             else "时限已确定；如需调整，请提交延期申请。")
    return form


@require_POST
def item_extension(request, pk):
    item = _editable_item(request, pk)
    form = ExtensionForm(request.POST)
    if form.is_valid():
        try:
            services.request_extension(request.user, item, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "延期申请已提交，等待组织部审批。")
            return redirect("rectification:item", item.pk)
    return _render_item(request, item, extension_form=form)


@require_POST
def extension_decide(request, pk):
    extension = get_object_or_404(DeadlineExtension.objects.visible_to(request.user), pk=pk)
    require(request.user, "ledger.manage", extension)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择同意或不同意。")
    else:
        run_service(request, lambda: services.decide_extension(request.user, extension, **form.cleaned_data),
                    "已审批。")
    return redirect("rectification:item", extension.item_id)


def extensions(request):
    """Pending 延期申请 the user may decide (staff)."""
    require(request.user, "ledger.manage")
    pending = (DeadlineExtension.objects.for_action(request.user, "ledger.manage")
               .filter(decision=DeadlineExtension.Decision.PENDING)
               .select_related("item__problem__org", "requested_by").order_by("requested_at"))
    page = Paginator(pending, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "rectification/extensions.html", {"page": page, "decision_form": DecisionForm()})


@require_POST
def item_correct(request, pk):
    item = _item(request, pk)
    require(request.user, "ledger.manage", item)
    form = CorrectionForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.correct_problem(request.user, item, org=form.cleaned_data["org_code"],
                                     category=form.cleaned_data["category"], reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已更正。")
            return redirect("rectification:item", item.pk)
    return _render_item(request, item, correction_form=form)


@require_POST
def item_progress(request, pk):
    item = _editable_item(request, pk)
    form = ProgressForm(request.POST, request.FILES)
    if form.is_valid():
        earlier = item.updates.filter(month=month_start(timezone.localdate())).first()
        try:
            update = services.add_progress(request.user, item, text=form.cleaned_data["text"],
                                           percent=form.cleaned_data["percent"], files=form.cleaned_data["files"])
        except (ServiceError, ValidationError) as exc:
            form.add_error(None, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, "本月整改进展已报送。")
            if earlier and update.percent < earlier.percent:
                messages.warning(request, f"注意：这次报送的完成进度({update.percent}%)低于本月前一次报送的 "
                                          f"{earlier.percent}%，两次报送都已记录。")
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
            messages.success(request, "回头看已记录。" if check.passed else "回头看未通过，事项已重新打开整改。")
            return redirect("rectification:item", item.pk)
    return _render_item(request, item, follow_up_form=form)


@require_POST
def item_milestone(request, pk):
    item = _editable_item(request, pk)
    form = MilestoneForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError("请填写阶段目标和计划完成日期。")
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
    today = timezone.localdate()
    items = queries.follow_ups_due(_items(request), today).order_by("closed_on", "id")
    page = Paginator(items, per_page(request, PER_PAGE)).get_page(request.GET.get("page"))
    return render(request, "rectification/follow_ups.html", {"page": page})


def overdue(request):
    require(request.user, "ledger.manage")
    today = timezone.localdate()
    # items waiting on staff (申请销号) are not the organisation's delay: they are on the ledger page
    items = (_items(request).overdue_on(today).exclude(status=RectificationItem.Status.SUBMITTED)
             .order_by("problem__org__path", "deadline"))
    page = Paginator(items, per_page(request, PER_PAGE)).get_page(request.GET.get("page"))
    return render(request, "rectification/overdue.html", {"page": page, "today": today})


ledger_import, ledger_import_confirm = import_views(
    excel.IMPORT, template="rectification/import.html", done_url="rectification:ledger",
    may_import=lambda user: can(user, "ledger.manage"))
