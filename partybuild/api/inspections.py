"""Inspection rounds, today's targets, visits, findings with photos, checklists and observation-tour scoring."""

import json

from django.db.models import Count, Exists, OuterRef, Q
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from inspections import services
from inspections.models import (
    ChecklistAnswer,
    ChecklistItem,
    ChecklistTemplate,
    Finding,
    Method,
    Round,
    RoundTarget,
    Tour,
    TourScore,
    TourStop,
    Visit,
    VisitEvidence,
)
from kernel import audit
from kernel.policy import NotAllowed, require
from kernel.uploads import download_name
from rectification.models import Problem, ProblemCategory

from .base import UPLOAD_PARSERS, GenericApi, ReadOnlyViewSet, idempotent
from .fields import Files, OrgBrief, file_url, user_name
from .schema import file_responses


class RoundOut(serializers.ModelSerializer):
    root = OrgBrief()
    kind_label = serializers.CharField(source="get_kind_display")
    status_label = serializers.CharField(source="get_status_display")
    target_count = serializers.IntegerField()
    visited_count = serializers.IntegerField()

    class Meta:
        model = Round
        fields = ["id", "name", "kind", "kind_label", "root", "starts_on", "ends_on", "status", "status_label",
                  "target_count", "visited_count"]


class TargetOut(serializers.ModelSerializer):
    org = OrgBrief()
    round = serializers.PrimaryKeyRelatedField(read_only=True)
    round_name = serializers.CharField(source="round.name")
    team = serializers.CharField(read_only=True, allow_null=True)
    visited = serializers.BooleanField()

    class Meta:
        model = RoundTarget
        fields = ["id", "round", "round_name", "org", "team", "visited"]


class VisitEvidenceOut(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = VisitEvidence
        fields = ["id", "original_name", "size", "url", "thumbnail_url"]

    def get_url(self, evidence) -> str:
        return file_url(self.context["request"], "api:inspection-evidence", evidence.pk)

    def get_thumbnail_url(self, evidence) -> str | None:
        if not evidence.thumbnail:
            return None
        return file_url(self.context["request"], "api:inspection-evidence", evidence.pk) + "?variant=thumbnail"


class FindingOut(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    category = serializers.CharField(read_only=True, allow_null=True)
    evidence = VisitEvidenceOut(many=True)

    class Meta:
        model = Finding
        fields = ["id", "visit", "kind", "kind_label", "text", "category", "severity", "to_spread", "evidence"]


class AnswerOut(serializers.ModelSerializer):
    template = serializers.IntegerField(source="item.template_id")
    text = serializers.CharField(source="item.text")
    verdict_label = serializers.CharField(source="get_verdict_display")
    has_photo = serializers.SerializerMethodField()

    class Meta:
        model = ChecklistAnswer
        fields = ["id", "template", "item", "text", "verdict", "verdict_label", "note", "has_photo"]

    def get_has_photo(self, answer) -> bool:
        return bool(answer.photo)


class VisitOut(serializers.ModelSerializer):
    org = OrgBrief(source="target.org")
    round = serializers.IntegerField(source="target.round_id")
    recorded_by = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = ["id", "target", "round", "org", "visited_on", "methods", "summary", "recorded_by", "created_at"]

    def get_recorded_by(self, visit) -> str:
        return user_name(visit.recorded_by)


class VisitDetailOut(VisitOut):
    findings = FindingOut(many=True)
    answers = AnswerOut(many=True)
    evidence = serializers.SerializerMethodField()
    may_record = serializers.SerializerMethodField()

    class Meta(VisitOut.Meta):
        fields = [*VisitOut.Meta.fields, "findings", "answers", "evidence", "may_record"]

    def get_evidence(self, visit) -> VisitEvidenceOut(many=True):
        files = [e for e in visit.evidence.all() if e.finding_id is None]
        return VisitEvidenceOut(files, many=True, context=self.context).data

    def get_may_record(self, visit) -> bool:
        return services.may_record_visit(self.context["request"].user, visit.target)


class VisitIn(serializers.Serializer):
    visited_on = serializers.DateField(required=False)
    methods = serializers.ListField(child=serializers.ChoiceField(choices=Method.choices), allow_empty=False)
    summary = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    files = Files(help_text="现场照片或材料")


class FindingIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Finding.Kind.choices)
    text = serializers.CharField(max_length=2000)
    category = serializers.PrimaryKeyRelatedField(queryset=ProblemCategory.objects.filter(is_active=True),
                                                  required=False, allow_null=True, default=None)
    severity = serializers.ChoiceField(choices=Problem.Severity.choices, required=False, allow_blank=True, default="")
    to_spread = serializers.BooleanField(required=False, default=False)
    files = Files(help_text="照片")


class ChecklistItemOut(serializers.ModelSerializer):
    class Meta:
        model = ChecklistItem
        fields = ["id", "group", "text", "order"]


class ChecklistOut(serializers.ModelSerializer):
    items = ChecklistItemOut(many=True)

    class Meta:
        model = ChecklistTemplate
        fields = ["id", "name", "description", "items"]


class AnswerIn(serializers.Serializer):
    item = serializers.IntegerField()
    verdict = serializers.ChoiceField(choices=ChecklistAnswer.Verdict.choices)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ChecklistIn(serializers.Serializer):
    answers = AnswerIn(many=True, help_text="清单的每一项各一条")


#: the checklist as multipart: answers as JSON text, each line's photo under ``photo_<item id>``
CHECKLIST_UPLOAD = {
    "type": "object", "required": ["answers"],
    "properties": {"answers": {"type": "string", "description": "JSON 数组：[{\"item\": 清单项 id, \"verdict\": 结论, "
                                                                "\"note\": 说明}]，清单的每一项各一条"}},
    "additionalProperties": {"type": "string", "format": "binary", "description": "photo_<清单项 id>：该项的照片"},
}


RaisedOut = inline_serializer("Raised", {"problem": serializers.IntegerField(help_text="问题 id"),
                                         "item": serializers.IntegerField(help_text="整改事项 id")})


class StopOut(serializers.ModelSerializer):
    org = OrgBrief()
    my_points = serializers.SerializerMethodField()

    class Meta:
        model = TourStop
        fields = ["id", "order", "org", "mean", "rank", "standing", "my_points"]

    def get_my_points(self, stop) -> float | None:
        return self.context["mine"].get(stop.pk)


class StandingOut(serializers.Serializer):
    stop = serializers.IntegerField()
    mean = serializers.DecimalField(max_digits=6, decimal_places=2)
    rank = serializers.IntegerField()
    standing = serializers.CharField()


class TourOut(serializers.ModelSerializer):
    root = OrgBrief()
    kind_label = serializers.CharField(source="get_kind_display")

    class Meta:
        model = Tour
        fields = ["id", "name", "kind", "kind_label", "root", "held_on", "drop_extremes", "top_share",
                  "bottom_share", "filed_at"]


class TourDetailOut(TourOut):
    stops = serializers.SerializerMethodField()
    is_participant = serializers.SerializerMethodField()
    ranking = serializers.SerializerMethodField(help_text="归档前为实时排名")

    class Meta(TourOut.Meta):
        fields = [*TourOut.Meta.fields, "stops", "is_participant", "ranking"]

    def get_stops(self, tour) -> StopOut(many=True):
        user = self.context["request"].user
        mine = dict(TourScore.objects.filter(stop__tour=tour, participant=user).values_list("stop_id", "points"))
        return StopOut(tour.stops.select_related("org"), many=True, context={**self.context, "mine": mine}).data

    def get_is_participant(self, tour) -> bool:
        return tour.participants.filter(pk=self.context["request"].user.pk).exists()

    def get_ranking(self, tour) -> StandingOut(many=True):
        if tour.filed_at:
            rows = [{"stop": s.pk, "mean": s.mean, "rank": s.rank, "standing": s.standing}
                    for s in tour.stops.exclude(rank=None).order_by("rank")]
        else:
            rows = [{"stop": s.key, "mean": s.mean, "rank": s.rank, "standing": s.standing}
                    for s in services.live_ranking(tour)]
        return StandingOut(rows, many=True).data


class ScoreIn(serializers.Serializer):
    points = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=0, max_value=100)


class ScoreOut(serializers.ModelSerializer):
    class Meta:
        model = TourScore
        fields = ["id", "stop", "points"]


def _recordable(user, target):
    if not services.may_record_visit(user, target):
        raise NotAllowed("只有负责该对象的考核组成员可以记录走访。")
    return target


class RoundViewSet(ReadOnlyViewSet):
    """督查考核轮次 the user oversees or takes part in."""

    queryset = Round.objects.none()
    serializer_class = RoundOut
    filterset_fields = ["kind", "status"]
    ordering_fields = ["id", "starts_on"]

    def get_queryset(self):
        if self.action == "list":  # like the page: the list is for those who oversee; a round itself is just found
            require(self.request.user, "inspections.view")
        return Round.objects.visible_to(self.request.user).select_related("root").annotate(
            target_count=Count("targets", distinct=True),
            visited_count=Count("targets", filter=Q(targets__visits__isnull=False), distinct=True))


class TargetViewSet(ReadOnlyViewSet):
    """Round targets the user sees; ``today`` lists the user's own team's targets of active rounds."""

    queryset = RoundTarget.objects.none()
    serializer_class = TargetOut
    filterset_fields = ["round"]
    ordering_fields = ["id"]

    def get_queryset(self):
        return (RoundTarget.objects.visible_to(self.request.user).select_related("org", "round", "team")
                .annotate(visited=Exists(Visit.objects.filter(target=OuterRef("pk")))))

    @extend_schema(responses=TargetOut(many=True))
    @action(detail=False)
    def today(self, request):
        """今日检查对象: the targets of the user's own teams in active rounds (``visited`` says which are done)."""
        targets = self.get_queryset().filter(round__status=Round.Status.ACTIVE, team__members=request.user)
        page = self.paginate_queryset(self.filter_queryset(targets))
        return self.get_paginated_response(TargetOut(page, many=True).data)

    @extend_schema(request={"multipart/form-data": VisitIn}, responses={201: VisitDetailOut})
    @action(detail=True, methods=["post"], filter_backends=[], parser_classes=UPLOAD_PARSERS)
    @idempotent
    def visits(self, request, pk=None):
        """Record a visit to the target (a member of its team, or staff), with photos."""
        target = _recordable(request.user, self.get_object())
        data = VisitIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.setdefault("visited_on", timezone.localdate())
        visit = services.record_visit(request.user, target, **values)
        return Response(VisitDetailOut(_visits(request.user).get(pk=visit.pk), context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


def _visits(user):
    return Visit.objects.visible_to(user).select_related("target__org", "target__team", "recorded_by")


class VisitViewSet(ReadOnlyViewSet):
    """走访记录 the user sees (inspectors: their own team's)."""

    queryset = Visit.objects.none()

    filterset_fields = ["visited_on", "target", "target__round"]
    ordering_fields = ["id", "visited_on"]

    def get_serializer_class(self):
        return VisitDetailOut if self.action == "retrieve" else VisitOut

    def get_queryset(self):
        visits = _visits(self.request.user)
        if self.action == "retrieve":
            visits = visits.prefetch_related("findings__evidence", "findings__category__dimension",
                                             "answers__item", "evidence")
        return visits

    @extend_schema(request={"multipart/form-data": FindingIn}, responses={201: FindingOut})
    @action(detail=True, methods=["post"], filter_backends=[], parser_classes=UPLOAD_PARSERS)
    @idempotent
    def findings(self, request, pk=None):
        """A finding (亮点 or 问题) with photos."""
        visit = self.get_object()
        _recordable(request.user, visit.target)
        data = FindingIn(data=request.data)
        data.is_valid(raise_exception=True)
        finding = services.add_finding(request.user, visit, **data.validated_data)
        return Response(FindingOut(finding, context={"request": request}).data, status=status.HTTP_201_CREATED)

    @extend_schema(request={"multipart/form-data": CHECKLIST_UPLOAD}, responses={200: AnswerOut(many=True)})
    @action(detail=True, methods=["put"], url_path=r"checklists/(?P<template_pk>\d+)", filter_backends=[],
            parser_classes=UPLOAD_PARSERS, pagination_class=None)
    def checklist(self, request, pk=None, template_pk=None):
        """Fill (or refill) one checklist during the visit: every item of the template once."""
        visit = self.get_object()
        _recordable(request.user, visit.target)
        template = get_object_or_404(ChecklistTemplate.objects.filter(is_active=True), pk=template_pk)
        answers = _checklist_answers(request, template)
        saved = services.fill_checklist(request.user, visit, answers)
        return Response(AnswerOut(saved, many=True).data)


def _checklist_answers(request, template):
    raw = request.data.get("answers")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise serializers.ValidationError({"answers": ["answers 应为 JSON 数组。"]}) from None
    data = ChecklistIn(data={"answers": raw})
    data.is_valid(raise_exception=True)
    items = {item.pk: item for item in template.items.all()}
    given = {a["item"]: a for a in data.validated_data["answers"]}
    if set(given) != set(items) or len(given) != len(data.validated_data["answers"]):
        raise serializers.ValidationError({"answers": [
            f"请对“{template.name}”的每一项各填写一次结论(共 {len(items)} 项)。"]})
    return [(items[pk], a["verdict"], a["note"], request.FILES.get(f"photo_{pk}")) for pk, a in given.items()]


class FindingViewSet(ReadOnlyViewSet):
    """Findings (亮点 and 问题) of the visits the user sees."""

    queryset = Finding.objects.none()
    serializer_class = FindingOut
    filterset_fields = ["kind", "visit"]
    ordering_fields = ["id"]

    def get_queryset(self):
        return Finding.objects.visible_to(self.request.user).select_related(
            "visit__target", "category__dimension").prefetch_related("evidence")

    @extend_schema(request=None, responses={201: RaisedOut})
    @action(detail=True, methods=["post"], url_path="raise", filter_backends=[])
    @idempotent
    def raise_problem(self, request, pk=None):
        """Turn a problem finding into a problem (and ledger item) of the visited organisation."""
        finding = self.get_object()
        _recordable(request.user, finding.visit.target)
        problem = services.raise_from_finding(request.user, finding)
        return Response({"problem": problem.pk, "item": problem.item.pk}, status=status.HTTP_201_CREATED)


class ChecklistViewSet(ReadOnlyViewSet):
    """The active checklist templates (the same for everyone)."""

    queryset = ChecklistTemplate.objects.none()
    serializer_class = ChecklistOut
    ordering_fields = ["id"]

    def get_queryset(self):
        return ChecklistTemplate.objects.filter(is_active=True).prefetch_related("items")


class TourViewSet(ReadOnlyViewSet):
    """观摩评比 the user oversees or scores."""

    queryset = Tour.objects.none()

    filterset_fields = ["kind"]
    ordering_fields = ["id", "held_on"]

    def get_serializer_class(self):
        return TourDetailOut if self.action == "retrieve" else TourOut

    def get_queryset(self):
        return Tour.objects.visible_to(self.request.user).select_related("root")


class StopScore(GenericApi):
    @extend_schema(request=ScoreIn, responses={200: ScoreOut})
    def post(self, request, pk):
        """A participant's on-site score (0-100) for one stop; again to change it until the tour is filed."""
        stop = get_object_or_404(TourStop.objects.filter(tour__in=Tour.objects.visible_to(request.user)), pk=pk)
        if not stop.tour.participants.filter(pk=request.user.pk).exists():
            raise NotAllowed("您不是本次观摩的评分人。")
        data = ScoreIn(data=request.data)
        data.is_valid(raise_exception=True)
        score = services.score_stop(request.user, stop, data.validated_data["points"])
        return Response(ScoreOut(score).data)


class InspectionEvidenceFile(GenericApi):
    @extend_schema(parameters=[OpenApiParameter("variant", str, enum=["thumbnail"], description="thumbnail：缩略图")],
                   responses=file_responses("照片或材料文件"))
    def get(self, request, pk):
        """A visit's photo or file; ``?variant=thumbnail`` for the small image."""
        evidence = get_object_or_404(VisitEvidence.objects.visible_to(request.user), pk=pk)
        wants_thumbnail = request.query_params.get("variant") == "thumbnail" and evidence.thumbnail
        stored = evidence.thumbnail if wants_thumbnail else evidence.file
        if not wants_thumbnail:
            audit.record(request, audit.Action.DOWNLOAD, audit.describe(evidence), file=evidence.original_name)
        return FileResponse(stored.open("rb"), filename=download_name(evidence.original_name))
