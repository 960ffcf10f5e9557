"""Reports: the kinds and periods a user may ask for, requesting one, its status with progress, download."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from kernel import audit
from kernel.policy import require
from kernel.reports import builder_for, builders_for
from kernel.uploads import download_name
from partybuild import tasks
from partybuild.models import Report
from partybuild.report_views import report_scopes

from .base import ApiView, ReadOnlyViewSet, idempotent
from .errors import invalid
from .fields import OrgBrief
from .schema import file_responses

FORMATS = ("pdf", "xlsx")


class ReportOut(serializers.ModelSerializer):
    scope = OrgBrief()
    title = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    downloads = serializers.SerializerMethodField(help_text="生成完成后的下载地址")

    class Meta:
        model = Report
        fields = ["id", "kind", "title", "scope", "period", "status", "status_label", "progress", "error",
                  "requested_at", "finished_at", "outdated_reason", "downloads"]

    def get_downloads(self, report) -> dict[str, str]:
        request = self.context["request"]
        return {fmt: request.build_absolute_uri(reverse("api:report-download", kwargs={"pk": report.pk, "fmt": fmt}))
                for fmt in FORMATS if report.status == Report.Status.DONE and getattr(report, fmt)}


class ReportIn(serializers.Serializer):
    kind = serializers.CharField(help_text="报告类型，见 report-kinds")
    scope = serializers.IntegerField(help_text="范围：党组织 id(本人可申请报告的党委)")
    period = serializers.CharField(help_text="期间，见 report-kinds")


class PeriodOut(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()


class KindOut(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    periods = PeriodOut(many=True)


class ReportKinds(ApiView):
    @extend_schema(parameters=[OpenApiParameter("scope", int, required=True, description="范围：党组织 id")],
                   responses=KindOut(many=True))
    def get(self, request):
        """Every report kind with the periods the user may choose for this scope (from the report registry)."""
        require(request.user, "reports.request")
        scope_id = request.query_params.get("scope", "")
        if not scope_id.isdigit():
            raise invalid("scope", "请用 scope 给出党组织 id(整数)。")
        scope = get_object_or_404(report_scopes(request.user), pk=scope_id)
        return Response(KindOut([{"kind": b.kind, "label": str(b.label), "periods": [
            {"value": value, "label": str(label)} for value, label in b.periods(request.user, scope)]}
            for b in builders_for(request.user, scope)], many=True).data)


class ReportViewSet(ReadOnlyViewSet):
    """Reports requested within the user's scope, with their status and progress."""

    queryset = Report.objects.none()
    serializer_class = ReportOut
    filterset_fields = ["kind", "status", "scope"]
    ordering_fields = ["id", "requested_at"]

    def get_queryset(self):
        return Report.objects.visible_to(self.request.user).select_related("scope")

    @extend_schema(request=ReportIn, responses={202: ReportOut})
    @idempotent
    def create(self, request):
        """Ask for a report: it is queued and built in the background; poll it for progress."""
        require(request.user, "reports.request")
        data = ReportIn(data=request.data)
        data.is_valid(raise_exception=True)
        wanted = data.validated_data
        scope = get_object_or_404(report_scopes(request.user), pk=wanted["scope"])
        if wanted["kind"] not in {builder.kind for builder in builders_for(request.user, scope)}:
            raise serializers.ValidationError({"kind": ["没有这种报告。"]})
        if wanted["period"] not in dict(builder_for(wanted["kind"]).periods(request.user, scope)):
            raise serializers.ValidationError({"period": ["这个期间不可选。"]})
        report = tasks.request_report(request.user, kind=wanted["kind"], scope=scope, period=wanted["period"])
        audit.record(request, audit.Action.REPORT_REQUESTED, builder_for(report.kind).label, report=report.pk,
                     scope=scope.name, period=report.period)
        report = self.get_queryset().get(pk=report.pk)
        return Response(ReportOut(report, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(operation_id="reports_download", filters=False, responses=file_responses("PDF 或 Excel", (
        "application/pdf", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))
    @action(detail=True, url_path=r"(?P<fmt>pdf|xlsx)", filter_backends=[], pagination_class=None)
    def download(self, request, pk=None, fmt=None):
        """The finished report as PDF or Excel."""
        report = self.get_object()
        stored = getattr(report, fmt)
        if report.status != Report.Status.DONE or not stored:
            raise Http404
        audit.record(request, audit.Action.DOWNLOAD, f"{report.title}({fmt})", report=report.pk,
                     scope=report.scope.name, period=report.period)
        return FileResponse(stored.open("rb"), as_attachment=fmt == "xlsx",
                            filename=download_name(f"{report.title}.{fmt}"))
