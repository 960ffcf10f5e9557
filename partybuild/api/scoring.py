"""Assessments, their published results and one organisation's score sheet."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from kernel.policy import NotAllowed
from orgs.models import Organization
from scoring import queries, services
from scoring.models import Assessment, Result

from .base import ApiView, ReadOnlyViewSet
from .fields import OrgBrief


class AssessmentOut(serializers.ModelSerializer):
    root = OrgBrief()
    scheme = serializers.StringRelatedField()
    status_label = serializers.CharField(source="get_status_display")
    may_read_results = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = ["id", "name", "period", "scheme", "root", "status", "status_label", "closes_on", "published_at",
                  "may_read_results"]

    def get_may_read_results(self, assessment) -> bool:
        return services.may_read_results(self.context["request"].user, assessment)


class ResultOut(serializers.ModelSerializer):
    org = OrgBrief()

    class Meta:
        model = Result
        fields = ["org", "peer_group", "total", "subtotals", "bonus", "deduction", "ledger_deduction", "veto",
                  "rank", "group_size", "grade", "rank_change", "previous_grade", "bottom_three",
                  "bottom_three_twice"]


class RaterOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    weight = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)


class CellOut(serializers.Serializer):
    rater = serializers.IntegerField()
    points = serializers.DecimalField(max_digits=5, decimal_places=1)
    reason = serializers.CharField()


class LineOut(serializers.Serializer):
    indicator = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    max_points = serializers.DecimalField(max_digits=5, decimal_places=1)
    scores = CellOut(many=True)


class GroupOut(serializers.Serializer):
    group = serializers.CharField(allow_null=True)
    lines = LineOut(many=True)


class SheetOut(serializers.Serializer):
    assessment = serializers.IntegerField()
    result = ResultOut()
    raters = RaterOut(many=True)
    groups = GroupOut(many=True)


def _readable(user, assessment):
    if not services.may_read_results(user, assessment):
        raise NotAllowed()
    return assessment


class AssessmentViewSet(ReadOnlyViewSet):
    """Assessments the user oversees, rates, or sees published (a secretary sees none before publication)."""

    queryset = Assessment.objects.none()
    serializer_class = AssessmentOut
    filterset_fields = ["status"]
    ordering_fields = ["id", "closes_on"]

    def get_queryset(self):
        return Assessment.objects.visible_to(self.request.user).select_related("scheme", "root")

    @extend_schema(parameters=[OpenApiParameter("org", str, description="组织编码：只看其下级")],
                   responses=ResultOut(many=True), filters=False)
    @action(detail=True, pagination_class=None, filter_backends=[])
    def results(self, request, pk=None):
        """The ranked results, per peer group (published, or before that for staff and leaders)."""
        assessment = _readable(request.user, self.get_object())
        code = request.query_params.get("org", "").strip()
        scope_org = Organization.objects.visible_to(request.user).filter(code=code).first() if code else None
        if code and scope_org is None:
            return Response([])
        return Response(ResultOut(queries.ranking_rows(assessment, scope_org), many=True).data)


class ScoreSheet(ApiView):
    @extend_schema(responses=SheetOut)
    def get(self, request, pk, org_pk):
        """One organisation's score sheet: every indicator × rater body, and its result (e.g. a secretary's own)."""
        assessment = get_object_or_404(Assessment.objects.visible_to(request.user), pk=pk)
        result = get_object_or_404(Result.objects.visible_to(request.user).select_related("org"),
                                   assessment=assessment, org_id=org_pk)
        _readable(request.user, assessment)
        sheet = queries.score_sheet(assessment, result)
        raters = [{"id": r.pk, "name": r.name, "weight": r.weight, "total": total}
                  for r, total in sheet["rater_totals"]]
        groups = [{"group": group.name if group else None, "lines": [
            {"indicator": item.pk, "code": item.code, "name": item.name, "kind": item.kind,
             "max_points": item.max_points,
             "scores": [{"rater": s.rater_id, "points": s.points, "reason": s.reason} for _column, s in scores if s]}
            for item, scores in items]} for group, items in sheet["lines"]]
        return Response(SheetOut({"assessment": assessment.pk, "result": result, "raters": raters,
                                  "groups": groups}).data)
