"""Problems, ledger items, their history, workflow steps, plans and monthly progress with evidence."""

from django.db.models import Prefetch
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from kernel import audit
from kernel.errors import ServiceError
from kernel.policy import NotAllowed, can, can_edit, require
from kernel.uploads import download_name
from orgs.models import Organization
from rectification import services
from rectification.filters import LedgerFilter
from rectification.models import (
    DeadlineExtension,
    Evidence,
    ItemTransition,
    Problem,
    ProblemCategory,
    ProgressUpdate,
    RectificationItem,
)
from rectification.validators import not_after_today
from rectification.workflow import BUTTON_ACTIONS, TRANSITIONS, action_label

from .base import UPLOAD_PARSERS, GenericApi, ReadOnlyViewSet, idempotent
from .errors import Stale
from .fields import Files, OrgBrief, file_url, user_name
from .schema import STALE, file_responses


class ProblemBrief(serializers.ModelSerializer):
    org = OrgBrief()
    category = serializers.CharField(read_only=True, allow_null=True)
    source_label = serializers.CharField(source="get_source_display")
    severity_label = serializers.CharField(source="get_severity_display")

    class Meta:
        model = Problem
        fields = ["id", "org", "source", "source_label", "category", "severity", "severity_label", "description",
                  "found_on", "created_at"]


class ProblemOut(ProblemBrief):
    item = serializers.PrimaryKeyRelatedField(read_only=True, help_text="整改事项 id")

    class Meta(ProblemBrief.Meta):
        fields = [*ProblemBrief.Meta.fields, "item"]


#: the limits of the model's fields, as the forms and the Excel import have them
MEASURES_LIMIT = RectificationItem._meta.get_field("measures").max_length


class ProblemIn(serializers.Serializer):
    org = serializers.IntegerField(help_text="党组织 id(须在本人可登记问题的范围内)")
    description = serializers.CharField(max_length=Problem._meta.get_field("description").max_length)
    severity = serializers.ChoiceField(choices=Problem.Severity.choices, default=Problem.Severity.GENERAL)
    category = serializers.PrimaryKeyRelatedField(queryset=ProblemCategory.objects.filter(is_active=True),
                                                  required=False, allow_null=True)
    found_on = serializers.DateField(required=False, validators=[not_after_today])
    measures = serializers.CharField(max_length=MEASURES_LIMIT, required=False, allow_blank=True, default="")
    responsible_person = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    deadline = serializers.DateField(required=False, allow_null=True, default=None)
    kind = serializers.ChoiceField(choices=RectificationItem.Kind.choices, default=RectificationItem.Kind.DEADLINE)

    def validate_org(self, value):
        org = Organization.objects.for_action(self.context["request"].user, "ledger.work").filter(pk=value).first()
        if org is None:
            raise serializers.ValidationError("组织不存在或不在您的管理范围内。")
        return org


class ItemOut(serializers.ModelSerializer):
    problem = ProblemBrief()
    status_label = serializers.CharField(source="get_status_display")
    kind_label = serializers.CharField(source="get_kind_display")
    is_overdue = serializers.BooleanField()
    actions = serializers.SerializerMethodField(help_text="当前用户此刻可执行的流程操作")
    editable = serializers.SerializerMethodField(help_text="当前用户可修改方案、报送进展")

    class Meta:
        model = RectificationItem
        fields = ["id", "problem", "measures", "responsible_unit", "responsible_person", "deadline", "kind",
                  "kind_label", "status", "status_label", "closed_on", "cycle", "is_recurrence", "escalations",
                  "version", "updated_at", "is_overdue", "actions", "editable"]

    def get_actions(self, item) -> list[str]:
        return [t.action for t in services.allowed_actions(self.context["request"].user, item, BUTTON_ACTIONS)]

    def get_editable(self, item) -> bool:
        return can_edit(self.context["request"].user, item) and item.status != RectificationItem.Status.CLOSED


class TransitionOut(serializers.ModelSerializer):
    action_label = serializers.SerializerMethodField()
    actor = serializers.SerializerMethodField()

    class Meta:
        model = ItemTransition
        fields = ["id", "action", "action_label", "from_status", "to_status", "cycle", "actor", "comment",
                  "happened_at"]

    def get_action_label(self, transition) -> str:
        return str(action_label(transition.action))

    def get_actor(self, transition) -> str:
        return user_name(transition.actor)


class ActionIn(serializers.Serializer):
    action = serializers.ChoiceField(choices=[(t.action, t.label) for t in TRANSITIONS.values()
                                              if t.action in BUTTON_ACTIONS])
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(help_text="读取事项时的 version；已被他人修改时返回 409")


class PlanIn(serializers.Serializer):
    version = serializers.IntegerField(help_text="读取事项时的 version；已被他人修改时返回 409")
    measures = serializers.CharField(max_length=MEASURES_LIMIT, allow_blank=True)
    responsible_unit = serializers.CharField(max_length=100, allow_blank=True)
    responsible_person = serializers.CharField(max_length=50, allow_blank=True)
    deadline = serializers.DateField(allow_null=True)
    kind = serializers.ChoiceField(choices=RectificationItem.Kind.choices)


class ExtensionOut(serializers.ModelSerializer):
    decision_label = serializers.CharField(source="get_decision_display")
    requested_by = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField()

    class Meta:
        model = DeadlineExtension
        fields = ["id", "item", "current_deadline", "proposed_deadline", "reason", "requested_by", "requested_at",
                  "decision", "decision_label", "decided_by", "decided_at", "note"]

    def get_requested_by(self, extension) -> str:
        return user_name(extension.requested_by)

    def get_decided_by(self, extension) -> str:
        return user_name(extension.decided_by)


class ExtensionIn(serializers.Serializer):
    proposed_deadline = serializers.DateField(help_text="申请延至")
    reason = serializers.CharField(max_length=2000, help_text="延期理由")


class DecisionIn(serializers.Serializer):
    approve = serializers.BooleanField(help_text="true 同意延期，false 不同意(须写明理由)")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class EvidenceOut(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["id", "original_name", "size", "url"]

    def get_url(self, evidence) -> str:
        return file_url(self.context["request"], "api:evidence", evidence.pk)


class ProgressOut(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    evidence = EvidenceOut(many=True)

    class Meta:
        model = ProgressUpdate
        fields = ["id", "item", "month", "text", "percent", "author", "created_at", "evidence"]

    def get_author(self, update) -> str:
        return user_name(update.author)


class ProgressIn(serializers.Serializer):
    text = serializers.CharField(max_length=4000)
    percent = serializers.IntegerField(min_value=0, max_value=100)
    files = Files(help_text="佐证材料：图片、PDF 或 Office 文档，每个不超过 10 MB")


def visible_items(user):
    return RectificationItem.objects.visible_to(user).select_related("problem__org", "problem__category__dimension")


class ItemFilter(LedgerFilter):
    sort = None  # the API orders with ``ordering``


class ProblemViewSet(ReadOnlyViewSet):
    """问题清单 of the user's scope; creating one creates its ledger item (待整改) too."""

    queryset = Problem.objects.none()
    serializer_class = ProblemOut
    filterset_fields = ["source", "severity", "category", "org"]
    ordering_fields = ["id", "found_on", "created_at"]

    def get_queryset(self):
        return Problem.objects.visible_to(self.request.user).select_related("org", "category__dimension", "item")

    @extend_schema(request=ProblemIn, responses={201: ProblemOut})
    @idempotent
    def create(self, request):
        require(request.user, "ledger.work")
        serializer = ProblemIn(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        source = Problem.Source.FEEDBACK if can(request.user, "ledger.manage", data["org"]) \
            else Problem.Source.SELF_CHECK
        problem = services.raise_problem(raised_by=request.user, source=source, **data)
        return Response(ProblemOut(self.get_queryset().get(pk=problem.pk), context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


class ItemViewSet(ReadOnlyViewSet):
    """整改台账: the items of the user's scope, their history, workflow steps, plan and monthly progress."""

    queryset = RectificationItem.objects.none()
    serializer_class = ItemOut
    filterset_class = ItemFilter
    ordering_fields = ["id", "updated_at"]

    def get_queryset(self):
        return visible_items(self.request.user)

    def _editable(self):
        item = self.get_object()
        if not can_edit(self.request.user, item):
            raise NotAllowed("您的角色不能修改这个整改事项。")
        return item

    def _answer(self, item, code=status.HTTP_200_OK):
        return Response(ItemOut(visible_items(self.request.user).get(pk=item.pk),
                                context={"request": self.request}).data, status=code)

    @extend_schema(responses=TransitionOut(many=True), filters=False)
    @action(detail=True, pagination_class=None, filter_backends=[])
    def history(self, request, pk=None):
        """The append-only log of the item's workflow steps (ItemTransition), oldest first."""
        item = self.get_object()
        transitions = ItemTransition.objects.filter(item=item).select_related("actor")
        return Response(TransitionOut(transitions, many=True).data)

    @extend_schema(request=ActionIn, responses={200: ItemOut, 409: STALE})
    @action(detail=True, methods=["post"], url_path="actions", filter_backends=[])
    @idempotent
    def perform(self, request, pk=None):
        """A workflow step (开始整改, 申请销号, 验收销号, 退回整改) through the declared workflow."""
        item = self.get_object()
        data = ActionIn(data=request.data)
        data.is_valid(raise_exception=True)
        step = data.validated_data
        try:
            item = services.perform(request.user, item, step["action"], comment=step["comment"],
                                    expected_version=step["version"])
        except services.ConflictError as exc:
            raise Stale(exc, RectificationItem.objects.get(pk=item.pk).version) from exc
        except ServiceError as exc:
            if not can(request.user, TRANSITIONS[step["action"]].permission, item):
                raise NotAllowed(str(exc)) from exc
            raise
        return self._answer(item)

    @extend_schema(request=PlanIn, responses={200: ItemOut, 409: STALE})
    @action(detail=True, methods=["put"], filter_backends=[])
    def plan(self, request, pk=None):
        """The rectification plan: measures, people, deadline and kind."""
        item = self._editable()
        data = PlanIn(data=request.data)
        data.is_valid(raise_exception=True)
        plan = dict(data.validated_data)
        version = plan.pop("version")
        try:
            item = services.update_plan(request.user, item, expected_version=version, **plan)
        except services.ConflictError as exc:
            raise Stale(exc, RectificationItem.objects.get(pk=item.pk).version) from exc
        return self._answer(item)

    @extend_schema(responses=ProgressOut(many=True), filters=False)
    @action(detail=True, pagination_class=None, filter_backends=[], parser_classes=UPLOAD_PARSERS)
    def progress(self, request, pk=None):
        """The item's monthly progress reports with their evidence files, newest first."""
        updates = ProgressUpdate.objects.filter(item=self.get_object()).select_related("author").prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.order_by("id")))
        return Response(ProgressOut(updates, many=True, context={"request": request}).data)

    @extend_schema(request={"multipart/form-data": ProgressIn}, responses={201: ProgressOut})
    @progress.mapping.post
    @idempotent
    def report_progress(self, request, pk=None):
        """This month's progress report with evidence files (the same checks as the page)."""
        item = self._editable()
        data = ProgressIn(data=request.data)
        data.is_valid(raise_exception=True)
        update = services.add_progress(request.user, item, **data.validated_data)
        return Response(ProgressOut(update, context={"request": request}).data, status=status.HTTP_201_CREATED)


    @extend_schema(request=ExtensionIn, responses={201: ExtensionOut})
    @action(detail=True, methods=["post"], filter_backends=[])
    @idempotent
    def extension(self, request, pk=None):
        """延期申请: ask the issuing staff to move the item's deadline."""
        item = self._editable()
        data = ExtensionIn(data=request.data)
        data.is_valid(raise_exception=True)
        extension = services.request_extension(request.user, item, **data.validated_data)
        return Response(ExtensionOut(extension).data, status=status.HTTP_201_CREATED)


class ExtensionViewSet(ReadOnlyViewSet):
    """延期申请 on the items of the user's scope; staff above the organisation decide them."""

    queryset = DeadlineExtension.objects.none()
    serializer_class = ExtensionOut
    filterset_fields = ["decision", "item"]
    ordering_fields = ["id", "requested_at"]

    def get_queryset(self):
        return DeadlineExtension.objects.visible_to(self.request.user).select_related("requested_by", "decided_by")

    @extend_schema(request=DecisionIn, responses={200: ExtensionOut})
    @action(detail=True, methods=["post"], filter_backends=[])
    def decide(self, request, pk=None):
        """Approve (the deadline moves, the item's version goes up) or refuse with a reason."""
        extension = self.get_object()
        require(request.user, "ledger.manage", extension)
        data = DecisionIn(data=request.data)
        data.is_valid(raise_exception=True)
        extension = services.decide_extension(request.user, extension, **data.validated_data)
        return Response(ExtensionOut(self.get_queryset().get(pk=extension.pk)).data)


class EvidenceFile(GenericApi):
    @extend_schema(responses=file_responses("佐证材料文件"))
    def get(self, request, pk):
        """A progress report's evidence file (only within the scope)."""
        evidence = get_object_or_404(Evidence.objects.visible_to(request.user), pk=pk)
        audit.record(request, audit.Action.DOWNLOAD, audit.describe(evidence), file=evidence.original_name)
        return FileResponse(evidence.file.open("rb"), filename=download_name(evidence.original_name))
