"""Pages of issued documents: issuing 督办通知, 整改通知单 and 目标责任书, the list, one document with its
reply, corrections, and the PDF in the 公文 layout."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kernel import audit
from kernel.errors import ServiceError
from kernel.pdf import render_document
from kernel.policy import require
from kernel.uploads import download, download_name
from orgs.models import Organization

from . import notices
from .forms import NoticeForm, ReplyForm, SupervisionForm
from .models import Notice, NoticeReplyFile

PER_PAGE = 30


def _staff_org(request, pk):
    org = get_object_or_404(Organization.objects.visible_to(request.user), pk=pk)
    require(request.user, "ledger.manage", org)
    return org


def _issuing_page(request, org, form, issue, title):
    """Every issuing page: the form, then the issued document (or the refusal, on the form)."""
    if request.method == "POST" and form.is_valid():
        try:
            notice = issue(form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{notice.get_kind_display()} {notice.number} 已签发。")
            return redirect(notice)
    return render(request, "rectification/notice_form.html", {"form": form, "org": org, "title": title})


def supervise(request, pk):
    """督办 to any organisation of the scope: open items below it and/or one 突出问题."""
    org = _staff_org(request, pk)
    open_items = notices.supervisable_items(request.user, org)
    form = SupervisionForm(request.POST or None, open_items=open_items, org=org,
                           problems=notices.nameable_subjects(request.user, org),
                           initial={"items": [item for item in open_items if item.is_overdue]})
    return _issuing_page(request, org, form, lambda data: notices.issue_supervision(
        request.user, org, data["items"], requirement=data["requirement"], reply_by=data["reply_by"],
        subject=data["subject"]), "签发督办通知")


PICK_LIMIT = 15


def subject_pick(request, pk):
    """The 突出问题 picker's matches: problems a 督办 to the organisation may name, found by their description;
    with ``current``, the chosen problem."""
    org = _staff_org(request, pk)
    problems = notices.nameable_subjects(request.user, org)
    if "current" in request.GET:
        current = request.GET["current"]
        chosen = problems.filter(pk=current).first() if current.isdigit() else None
        return render(request, "rectification/_subject_current.html", {"problem": chosen})
    text = next((value for key, value in request.GET.items() if key.endswith("_search")), "").strip()[:50]
    if text:
        problems = problems.filter(Q(description__icontains=text) | Q(org__name__icontains=text))
    found = list(problems.order_by("org__path", "-found_on", "-id")[:PICK_LIMIT + 1])
    return render(request, "rectification/_subject_picks.html", {
        "matches": found[:PICK_LIMIT], "more": len(found) > PICK_LIMIT, "text": text})


def rectification_notice(request, pk):
    """整改通知单 of one organisation: its open items as they stand, issued as a numbered document."""
    org = _staff_org(request, pk)
    form = NoticeForm(request.POST or None, initial={"requirement":
        "请按下表明确的措施、责任人和时限抓好整改，每月上报整改进展，整改完成后申请验收销号。"})
    return _issuing_page(request, org, form, lambda data: notices.issue_rectification_notice(
        request.user, org, **data), "签发整改通知单")


def responsibility_letter(request, pk, year):
    org = _staff_org(request, pk)
    text = "现将你单位%(y)s年度基层党建工作目标责任书印发给你们，请对照责任清单抓好落实，签字盖章后按期报回。"
    form = NoticeForm(request.POST or None, initial={"requirement": text % {"y": year}})
    return _issuing_page(request, org, form, lambda data: notices.issue_responsibility_letter(
        request.user, org, year, **data), f"印发 {year} 年目标责任书")


def notice_list(request):
    """Documents in scope; ``?overdue=1``: 督办 whose reply is past due (staff's follow-up list)."""
    rows = Notice.objects.visible_to(request.user).select_related("org", "issuer", "reply", "superseded_by")
    kind = request.GET.get("kind", "")
    if kind in Notice.Kind.values:
        rows = rows.filter(kind=kind)
    overdue = request.GET.get("overdue") == "1"
    if overdue:
        rows = rows.reply_overdue(timezone.localdate())
    page = Paginator(rows.order_by("-issued_at", "-id"), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "rectification/notices.html", {
        "page": page, "kind": kind, "overdue": overdue, "kinds": Notice.Kind.choices, "today": timezone.localdate(),
        "count": page.paginator.count, "query": request.GET.urlencode()})


def _notice(request, pk):
    return get_object_or_404(Notice.objects.visible_to(request.user).select_related(
        "org", "issuer", "issued_by", "subject__org", "supersedes", "superseded_by"), pk=pk)


def notice_detail(request, pk, reply_form=None, correct_form=None):
    notice = _notice(request, pk)
    reply = getattr(notice, "reply", None)
    in_force = not hasattr(notice, "superseded_by")
    may_correct = (in_force and reply is None and notice.kind != Notice.Kind.BULLETIN
                   and notices.issuer_for(request.user, notice.org) == notice.issuer)
    lines, withheld = notices.lines_for(request.user, notice)
    return render(request, "rectification/notice.html", {
        "notice": notice, "reply": reply, "in_force": in_force, "lines": lines, "withheld": withheld,
        "may_reply": in_force and reply is None and notices.may_reply(request.user, notice),
        "may_correct": may_correct, "reply_form": reply_form or ReplyForm(),
        "correct_form": correct_form or NoticeForm(initial={"requirement": notice.requirement,
                                                            "reply_by": notice.reply_by}),
        "today": timezone.localdate(),
    }, status=400 if reply_form or correct_form else 200)


@require_POST
def notice_reply(request, pk):
    notice = _notice(request, pk)
    if not notices.may_reply(request.user, notice):
        raise PermissionDenied
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            notices.reply(request.user, notice, text=form.cleaned_data["text"], files=form.cleaned_data["files"])
        except (ServiceError, ValidationError) as exc:
            form.add_error(None, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, "书面反馈已提交。")
            return redirect(notice)
    return notice_detail(request, pk, reply_form=form)


@require_POST
def notice_correct(request, pk):
    notice = _notice(request, pk)
    require(request.user, "ledger.manage", notice)
    form = NoticeForm(request.POST)
    if form.is_valid():
        try:
            corrected = notices.correct(request.user, notice, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已印发更正文件 {corrected.number}，原文件作废。")
            return redirect(corrected)
    return notice_detail(request, pk, correct_form=form)


def notice_pdf(request, pk):
    notice = _notice(request, pk)
    audit.record(request, audit.Action.DOWNLOAD, audit.describe(notice), scope=notice.org.name)
    if notice.document:
        return download(notice.document.read(), f"{notice.title}-{notice.number}.pdf", "application/pdf", inline=True)
    lines, withheld = notices.lines_for(request.user, notice)
    pdf = render_document("reports/document.html", {
        "notice": notice, "issuer_name": notices.issuer_name(notice.issuer), "lines": lines, "withheld": withheld},
        title=notice.title)
    return download(pdf, f"{notice.title}-{notice.number}.pdf", "application/pdf", inline=True)


def reply_file(request, pk):
    upload = get_object_or_404(NoticeReplyFile.objects.visible_to(request.user), pk=pk)
    audit.record(request, audit.Action.DOWNLOAD, audit.describe(upload), file=upload.original_name)
    return FileResponse(upload.file.open("rb"), filename=download_name(upload.original_name))
