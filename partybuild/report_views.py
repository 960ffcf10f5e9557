"""The download centre (下载中心) and the notification list."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from orgs.models import Organization
from orgs.scoping import scope_of
from scoring.models import Assessment

from . import jobs
from .models import Notification, Report
from .reports import builder_for

REPORT_ROLES = ("staff", "leader")


class ReportRequestForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("报告"), choices=[("monthly", gettext_lazy("月度整改进展报告")),
                                                                 ("ranking", gettext_lazy("考核排名通报"))])
    scope = forms.CharField(label=gettext_lazy("范围(组织编码)"), max_length=32)
    period = forms.CharField(label=gettext_lazy("月份(如 2026-10)或考核编号"), max_length=20)


def _may_request(user):
    return scope_of(user).has_role(*REPORT_ROLES)


def centre(request):
    if not _may_request(request.user):
        raise PermissionDenied
    root = Organization.objects.for_roles(request.user, REPORT_ROLES).order_by("depth").first()
    month = (timezone.localdate().replace(day=1) - timezone.timedelta(days=1)).strftime("%Y-%m")
    return render(request, "reports/centre.html", {
        "reports": Report.objects.visible_to(request.user).select_related("scope")[:50],
        "form": ReportRequestForm(initial={"scope": root.code if root else "", "period": month}),
        "published": Assessment.objects.visible_to(request.user).filter(status=Assessment.Status.PUBLISHED)[:20],
    })


@require_POST
def request_report(request):
    if not _may_request(request.user):
        raise PermissionDenied
    form = ReportRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写报告类型、范围和期间。"))
        return redirect("reports:centre")
    scope = Organization.objects.visible_to(request.user).filter(code=form.cleaned_data["scope"].strip()).first()
    if scope is None:
        messages.error(request, _("组织不存在或不在您的范围内。"))
        return redirect("reports:centre")
    try:
        jobs.request_report(request.user, kind=form.cleaned_data["kind"], scope=scope,
                            period=form.cleaned_data["period"].strip())
    except jobs.ReportError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已开始生成，进度见下方。"))
    return redirect("reports:centre")


def _report(request, pk):
    return get_object_or_404(Report.objects.visible_to(request.user).select_related("scope"), pk=pk)


def row(request, pk):
    """One report's line, polled by htmx while it is being generated."""
    return render(request, "reports/_row.html", {"report": _report(request, pk)})


@require_POST
def retry(request, pk):
    report = _report(request, pk)
    if not _may_request(request.user):
        raise PermissionDenied
    try:
        jobs.request_report(request.user, kind=report.kind, scope=report.scope, period=report.period)
    except jobs.ReportError as exc:
        messages.error(request, str(exc))
    return redirect("reports:centre")


def download(request, pk, fmt):
    if fmt not in ("pdf", "xlsx"):
        raise Http404
    report = _report(request, pk)
    stored = report.pdf if fmt == "pdf" else report.xlsx
    if report.status != Report.Status.DONE or not stored:
        raise Http404
    label = builder_for(report.kind).label
    return FileResponse(stored.open("rb"), as_attachment=fmt == "xlsx",
                        filename=f"{label}-{report.scope.name}-{report.period}.{fmt}")


def notifications(request):
    items = Notification.objects.filter(user=request.user)[:100]
    Notification.objects.filter(user=request.user, read=False).update(read=True)
    return render(request, "reports/notifications.html", {"items": items})
