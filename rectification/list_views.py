"""Pages of 举一反三, the task list (任务清单) and the responsibility list (责任清单)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from kernel import audit, paging
from kernel.lists import per_page
from kernel.policy import can, can_edit, require
from kernel.uploads import download_name
from orgs.models import Organization

from . import lists
from .forms import AnswerForm, LetterForm, PushForm, ResponsibilityForm, TaskBatchForm, TaskReportForm
from .models import Notice, ResponsibilityEntry, ResponsibilityLetter, SelfCheckPush, SelfCheckRequest, Task
from .notices import issuer_for
from .services import ServiceError

PER_PAGE = 30


def self_checks(request):
    pushes = lists.push_progress(SelfCheckPush.objects.visible_to(request.user).select_related("root")).order_by(
        "-created_at")
    requests = (SelfCheckRequest.objects.for_action(request.user, "ledger.own")
                .select_related("push", "org").order_by("answer", "-push__created_at"))
    return render(request, "rectification/self_checks.html", {
        "pushes": Paginator(pushes, per_page(request, PER_PAGE)).get_page(request.GET.get("page")),
        "requests": requests[:50], "answer_form": AnswerForm(),
    })


def self_check_new(request):
    require(request.user, "ledger.manage")
    form = PushForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            push = lists.push_self_check(request.user, data["root_code"], description=data["description"],
                                         reply_by=data["reply_by"], category=data["category"], sector=data["sector"])
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已推送到 {push.requests.count()} 个基层党组织。")
            return redirect("rectification:self_checks")
    return render(request, "rectification/subtree_form.html", {"form": form, "title": "举一反三：推送自查问题"})


@require_POST
def self_check_answer(request, pk):
    check = get_object_or_404(SelfCheckRequest.objects.visible_to(request.user), pk=pk)
    require(request.user, "ledger.work", check)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            lists.answer_self_check(request.user, check, **form.cleaned_data)
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已反馈。")
    else:
        messages.error(request, "请选择反馈结果。")
    return redirect("rectification:self_checks")


def _year(request):
    try:
        return int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        raise Http404 from None


def tasks(request):
    year = _year(request)
    visible = Task.objects.visible_to(request.user).filter(year=year)
    org_code = request.GET.get("org", "").strip()
    if org_code:
        root = Organization.objects.visible_to(request.user).filter(code=org_code).first()
        visible = visible.filter(org__path__startswith=root.path) if root else visible.none()
    rows = visible.select_related("org").order_by("quarter", "org__path", "id")
    figures = lists.task_completion(visible)
    page = paging.CountedPaginator(rows, per_page(request, PER_PAGE), figures["total"]).get_page(
        request.GET.get("page"))
    editable = set(Task.objects.editable_by(request.user).filter(pk__in=[t.pk for t in page])
                   .values_list("pk", flat=True))
    return render(request, "rectification/tasks.html", {
        "year": year, "org_code": org_code, "figures": figures, "page": page,
        "editable": editable, "query": urlencode({"year": year, "org": org_code}),
    })


def task_new(request):
    require(request.user, "ledger.manage")
    form = TaskBatchForm(request.POST or None, user=request.user, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            count = lists.assign_tasks(request.user, data["root_code"], title=data["title"], year=data["year"],
                                       quarter=data["quarter"], sector=data["sector"])
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已向 {count} 个基层党组织下达任务。")
            return redirect(f"{reverse('rectification:tasks')}?year={data['year']}")
    return render(request, "rectification/subtree_form.html", {"form": form, "title": "下达任务清单"})


@require_POST
def task_report(request, pk):
    task = get_object_or_404(Task.objects.visible_to(request.user), pk=pk)
    if not can_edit(request.user, task):
        raise PermissionDenied
    form = TaskReportForm(request.POST)
    form.is_valid()
    try:
        lists.report_task(request.user, task, done=form.cleaned_data.get("done", False),
                          note=form.cleaned_data.get("note", ""))
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "任务完成情况已报告。")
    return redirect(f"{reverse('rectification:tasks')}?year={task.year}")


#: the years a responsibility list may be kept for (the form's limits)
RESPONSIBILITY_YEARS = range(2000, 2101)


def responsibilities(request, pk, year):
    org = get_object_or_404(Organization.objects.visible_to(request.user), pk=pk)
    if year not in RESPONSIBILITY_YEARS:
        raise Http404
    may_edit = can(request.user, "ledger.work", org)
    entry_form, letter_form = ResponsibilityForm(), LetterForm()
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        entry_form, letter_form, saved = _save_responsibility(request, org, year)
        if saved:
            return redirect(request.path)
    return render(request, "rectification/responsibilities.html", {
        "org": org, "year": year, "may_edit": may_edit,
        # the neighbouring years, only where a page exists for them
        "previous_year": year - 1 if year - 1 in RESPONSIBILITY_YEARS else None,
        "next_year": year + 1 if year + 1 in RESPONSIBILITY_YEARS else None,
        "entry_form": entry_form, "letter_form": letter_form,
        "entries": ResponsibilityEntry.objects.visible_to(request.user).filter(org=org, year=year),
        "letters": ResponsibilityLetter.objects.visible_to(request.user).filter(org=org, year=year),
        "issued": Notice.objects.visible_to(request.user).filter(kind=Notice.Kind.RESPONSIBILITY, org=org, year=year),
        "may_issue": issuer_for(request.user, org) is not None,
    })


def _save_responsibility(request, org, year):
    entry_form, letter_form = ResponsibilityForm(), LetterForm()
    if "letter" in request.FILES:
        letter_form = LetterForm(request.POST, request.FILES)
        if letter_form.is_valid():
            try:
                lists.upload_letter(request.user, org, year, letter_form.cleaned_data["letter"])
            except ValidationError as exc:
                letter_form.add_error("letter", exc.messages[0])
            else:
                messages.success(request, "目标责任书已上传。")
                return entry_form, letter_form, True
        return entry_form, letter_form, False
    entry_form = ResponsibilityForm(request.POST)
    if entry_form.is_valid():
        lists.add_responsibility(request.user, org, year, **entry_form.cleaned_data)
        messages.success(request, "责任清单已更新。")
        return entry_form, letter_form, True
    return entry_form, letter_form, False


def letter_download(request, pk):
    letter = get_object_or_404(ResponsibilityLetter.objects.visible_to(request.user), pk=pk)
    audit.record(request, audit.Action.DOWNLOAD, audit.describe(letter), file=letter.original_name)
    return FileResponse(letter.file.open("rb"), filename=download_name(letter.original_name))
