"""Operations pages: the audit trail (search and export), a user's sessions, and /readyz."""

import csv

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import audit, health, sessions
from .audit import Action
from .lists import query_without

CATEGORIES = [("", "全部事件"), ("login", "登录(成功、失败、锁定)"), ("logout", "退出登录"), ("password", "密码"),
              ("sessions", "结束会话"), ("access", "拒绝访问"), ("export", "导出"), ("download", "下载"),
              ("import", "导入"), ("report", "报告"), ("assessment", "考核发布和更正"), ("role", "角色分配"),
              ("account", "账号"), ("admin", "后台操作")]
EXPORT_LIMIT = 50_000


class AuditSearchForm(forms.Form):
    q = forms.CharField(label="账号或对象", required=False, max_length=100)
    category = forms.ChoiceField(label="事件", choices=CATEGORIES, required=False)
    ip = forms.GenericIPAddressField(label="地址", required=False)
    since = forms.DateField(label="从", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="到", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError("开始日期不能晚于结束日期。")
        return data

    def events(self, events):
        if not self.is_valid():
            return events.none()
        data = self.cleaned_data
        if data["q"]:
            events = events.filter(username=data["q"]) | events.filter(target__icontains=data["q"])
        if data["category"]:
            events = events.filter(action__startswith=data["category"])
        if data["ip"]:
            events = events.filter(ip=data["ip"])
        if data["since"]:
            events = events.filter(at__date__gte=data["since"])
        if data["until"]:
            events = events.filter(at__date__lte=data["until"])
        return events


def _searched_events(request):
    """The events the request's user may read (403 for one who may read none), narrowed by the search form."""
    if not audit.may_view_audit(request.user):
        raise PermissionDenied
    form = AuditSearchForm(request.GET or None)
    events = audit.visible_events(request.user)
    return form, form.events(events) if request.GET else events


def audit_trail(request):
    form, events = _searched_events(request)
    page = Paginator(events.order_by("-at", "-id"), 50).get_page(request.GET.get("page"))
    for event in page:
        event.label, event.words = audit.label(event.action), audit.in_words(event)
    return render(request, "kernel/audit.html", {"form": form, "page": page, "query": query_without(request, "page"),
                                                 "retention": settings.AUDIT_RETENTION_DAYS})


AUDIT_HEADER = ["时间", "账号", "地址", "事件", "事件代码", "对象", "详情"]


def audit_rows(events):
    yield AUDIT_HEADER
    for event in events.iterator(chunk_size=2000):
        details = "；".join(audit.in_words(event))
        yield [timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"), event.username, event.ip or "",
               audit.label(event.action), event.action, event.target, details]


def _as_text(value):
    """A cell a spreadsheet will not run as a formula (user text may start with = + - @)."""
    value = str(value)
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


class _Echo:
    def write(self, value):
        return value


def export_response(request, events, what):
    """The events as a CSV download that Excel opens (UTF-8 with BOM), streamed; the export is itself recorded."""
    count = events.count()
    recorded = audit.record(request, Action.EXPORT, "审计记录", filter=what, rows=min(count, EXPORT_LIMIT))
    events = events.filter(pk__lt=recorded.pk).order_by("-at", "-id")[:EXPORT_LIMIT]  # not the export itself
    writer = csv.writer(_Echo())
    lines = (writer.writerow([_as_text(cell) for cell in row]) for row in audit_rows(events))
    response = StreamingHttpResponse(_with_bom(lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{timezone.localdate():%Y%m%d}.csv"'
    return response


def _with_bom(lines):
    yield "\ufeff"
    yield from lines


def audit_export(request):
    _form, events = _searched_events(request)
    return export_response(request, events, request.GET.urlencode())


def _session_admin(request):
    if not (request.user.is_active and request.user.is_staff and request.user.has_perm("auth.change_user")):
        raise PermissionDenied


def user_sessions(request, user_pk):
    """An administrator's page: the user's signed-in sessions, each with a button to end it, and one for all."""
    _session_admin(request)
    user = get_object_or_404(get_user_model(), pk=user_pk)
    return render(request, "kernel/sessions.html", {"subject": user, "sessions": sessions.active(user),
                                                    "session_age": settings.SESSION_COOKIE_AGE})


@require_POST
def end_sessions(request, user_pk):
    _session_admin(request)
    user = get_object_or_404(get_user_model(), pk=user_pk)
    pks = [int(pk) for pk in request.POST.getlist("session") if pk.isdigit()] or None
    ended = sessions.end(user, pks)
    audit.record(request, Action.SESSIONS_ENDED, user.get_username(), sessions=ended)
    messages.success(request, f"已结束 {user.get_username()} 的 {ended} 个会话。")
    return redirect("kernel:sessions", user.pk)


@login_not_required
def readyz(request):
    ready, checks = health.readiness()
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)
