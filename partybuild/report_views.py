"""The download centre (下载中心) and the notification list."""

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from kernel import audit
from kernel.errors import ServiceError
from kernel.forms import PlainSelect
from kernel.policy import require
from kernel.reports import builder_for, builders_for
from kernel.uploads import download_name
from orgs.models import COMMITTEE_KINDS, Organization

from . import notifications as notifications_service
from . import tasks
from .models import Notification, Report


class ReportRequestForm(forms.Form):
    """Which report, over which organisation, for which period: every choice comes from the registry and the policy."""

    scope = forms.ModelChoiceField(label="范围", queryset=Organization.objects.none(),
                                   empty_label=None, widget=PlainSelect)
    report = forms.ChoiceField(label="报告和期间", widget=PlainSelect)

    def __init__(self, *args, user, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].queryset = report_scopes(user)
        self.fields["scope"].widget.attrs.update({  # choosing another scope reloads the periods it offers
            "hx-get": reverse("reports:centre"), "hx-trigger": "change", "hx-target": "body", "hx-push-url": "true"})
        self.fields["report"].choices = [
            (str(builder.label), [(f"{builder.kind}:{value}", label) for value, label in builder.periods(user, scope)])
            for builder in builders_for(user, scope)]


def report_scopes(user):
    """The organisations a user may ask reports for: the committees of their scope (not single branches)."""
    return Organization.objects.for_action(user, "reports.request").filter(kind__in=COMMITTEE_KINDS)


def centre(request):
    require(request.user, "reports.request")
    scopes = report_scopes(request.user)
    scope_pk = request.GET.get("scope", "")
    scope = scopes.filter(pk=scope_pk if scope_pk.isdigit() else 0).first() or scopes.order_by("depth", "path").first()
    download = request.GET.get("download", "")
    return render(request, "reports/centre.html", {
        "reports": Report.objects.visible_to(request.user).select_related("scope")[:50],
        # the report asked for with "下载排名通报": its PDF is downloaded as soon as it is ready
        "download": int(download) if download.isdigit() else None,
        "form": ReportRequestForm(user=request.user, scope=scope, initial={"scope": scope}) if scope else None,
    })


@require_POST
def request_report(request):
    require(request.user, "reports.request")
    scope_pk = request.POST.get("scope", "")
    scope = get_object_or_404(report_scopes(request.user), pk=scope_pk if scope_pk.isdigit() else 0)
    kind, _sep, period = request.POST.get("report", "").partition(":")
    kinds = {builder.kind for builder in builders_for(request.user, scope)}
    if kind not in kinds or period not in dict(builder_for(kind).periods(request.user, scope)):
        raise Http404  # another county's assessment, or a period this report does not have
    try:
        report = tasks.request_report(request.user, kind=kind, scope=scope, period=period)
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("reports:centre")
    audit.record(request, audit.Action.REPORT_REQUESTED, builder_for(report.kind).label, report=report.pk,
                 scope=scope.name, period=report.period)
    messages.success(request, f"“{report.title}”正在生成，进度见下方，完成后即可下载。")
    if request.POST.get("download"):
        return redirect(f"{reverse('reports:centre')}?download={report.pk}#report-{report.pk}")
    return redirect("reports:centre")


def _report(request, pk):
    return get_object_or_404(Report.objects.visible_to(request.user).select_related("scope"), pk=pk)


def row(request, pk):
    """One report's line, polled by htmx while it is being generated."""
    report = _report(request, pk)
    return render(request, "reports/_row.html", {"report": report,
                                                 "download": report.pk if request.GET.get("download") else None})


@require_POST
def retry(request, pk):
    report = _report(request, pk)
    require(request.user, builder_for(report.kind).action, report.scope)
    try:
        tasks.request_report(request.user, kind=report.kind, scope=report.scope, period=report.period)
    except ServiceError as exc:
        messages.error(request, str(exc))
    return redirect("reports:centre")


def download(request, pk, fmt):
    if fmt not in ("pdf", "xlsx"):
        raise Http404
    report = _report(request, pk)
    stored = report.pdf if fmt == "pdf" else report.xlsx
    if report.status != Report.Status.DONE or not stored:
        raise Http404
    audit.record(request, audit.Action.DOWNLOAD, f"{report.title}({fmt})", report=report.pk,
                 scope=report.scope.name, period=report.period)
    return FileResponse(stored.open("rb"), as_attachment=fmt == "xlsx" or "attachment" in request.GET,
                        filename=download_name(f"{report.title}.{fmt}"))


def _own_notifications(request):
    require(request.user, "records.view")
    return Notification.objects.filter(user=request.user)


def notifications(request):
    mine = _own_notifications(request)
    return render(request, "reports/notifications.html", {
        "items": mine[:100], "unread": mine.filter(read=False).count()})


@require_POST
def notification_open(request, pk):
    """Mark one notification read and go where it points."""
    notification = get_object_or_404(_own_notifications(request), pk=pk)
    notifications_service.mark_read(request.user, notification.pk)
    return redirect(url_has_allowed_host_and_scheme(notification.url, None) and notification.url
                    or "reports:notifications")


@require_POST
def notifications_read(request):
    _own_notifications(request)
    notifications_service.mark_read(request.user)
    return redirect("reports:notifications")
