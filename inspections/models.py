"""Inspection rounds, teams, visits, findings, evidence, checklists and observation tours (观摩)."""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from kernel.policy import scope_of
from kernel.querysets import ScopedQuerySet
from kernel.uploads import RandomName
from orgs.models import Organization
from rectification.models import ProblemCategory


class TeamScopedQuerySet(ScopedQuerySet):
    """Inspectors see only what belongs to their own team; every other role sees its organisation scope."""

    team_lookup = "team"

    def visible_to(self, user):
        scope = scope_of(user)
        if scope.is_admin:
            return self.all()
        members = Team.members.through.objects.filter(team=OuterRef(self.team_lookup), user=user)
        return self.filter(scope.q(self.org_lookup, action="inspections.all_targets")
                           | (scope.q(self.org_lookup, action="inspections.team") & Q(Exists(members))))


class TakingPartQuerySet(ScopedQuerySet):
    """Rounds and tours: staff and leaders over the root's scope, and whoever takes part in them.

    Subclasses define ``taking_part(user)``: an Exists(...) true for the rows the user takes part in.
    """

    org_lookup = "root"

    def visible_to(self, user):
        scope = scope_of(user)
        if scope.is_admin:
            return self.all()
        return self.filter(scope.q("root", action="inspections.oversee") | Q(self.taking_part(user)))


class RoundQuerySet(TakingPartQuerySet):
    def taking_part(self, user):
        return Exists(Team.members.through.objects.filter(team__round=OuterRef("pk"), user=user))


class Round(models.Model):
    class Kind(models.TextChoices):
        ASSESSMENT = "assessment", "专项考核"
        SUPERVISION = "supervision", "督查"
        OBSERVATION = "observation", "观摩"
        SPOT_CHECK = "spot_check", "随机抽查"

    class Status(models.TextChoices):
        PLANNED = "planned", "计划中"
        ACTIVE = "active", "进行中"
        FINISHED = "finished", "已结束"

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    root = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name="范围")
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PLANNED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()
    objects = RoundQuerySet.as_manager()

    class Meta:
        verbose_name = "督查考核轮次"
        verbose_name_plural = "督查考核轮次"
        ordering = ["-starts_on", "-id"]

    def __str__(self):
        return self.name


class Team(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField("考核组", max_length=50)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="inspection_teams",
                                     verbose_name="成员")

    class Meta:
        verbose_name = "考核组"
        verbose_name_plural = "考核组"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["round", "name"], name="unique_team_name_per_round")]

    def __str__(self):
        return self.name


class TargetQuerySet(TeamScopedQuerySet):
    org_lookup = "org"


class RoundTarget(models.Model):
    """An organisation inspected in a round, and the team that goes there."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="targets")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name="被检查组织")
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="targets",
                             verbose_name="考核组")

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = "检查对象"
        verbose_name_plural = "检查对象"
        ordering = ["org__path"]
        constraints = [models.UniqueConstraint(fields=["round", "org"], name="one_target_per_round_and_org")]

    def __str__(self):
        return f"{self.round} · {self.org}"


class Method(models.TextChoices):
    HEARING = "hearing", "听取汇报"
    RECORDS = "records", "查阅资料"
    FIELD = "field", "实地走访"
    SEMINAR = "seminar", "座谈"
    SURVEY = "survey", "问卷"
    UNANNOUNCED = "unannounced", "明察暗访"


class VisitQuerySet(TeamScopedQuerySet):
    org_lookup = "target__org"
    team_lookup = "target__team"
    edit_action = "inspections.visit"


class Visit(models.Model):
    target = models.ForeignKey(RoundTarget, on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField("走访日期", default=timezone.localdate)
    methods = models.JSONField("检查方式", default=list)
    summary = models.TextField("总体情况", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="记录人")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = "走访记录"
        verbose_name_plural = "走访记录"
        ordering = ["-visited_on", "-id"]

    def __str__(self):
        return f"{self.target.org} {self.visited_on}"

    @property
    def method_labels(self):
        labels = dict(Method.choices)
        return [str(labels[m]) for m in self.methods if m in labels]


class FindingQuerySet(TeamScopedQuerySet):
    org_lookup = "visit__target__org"
    team_lookup = "visit__target__team"


def _visit_url(visit_id):
    from django.urls import reverse

    return reverse("inspections:visit", args=[visit_id])


class Finding(models.Model):
    class Kind(models.TextChoices):
        STRENGTH = "strength", "亮点和经验做法"
        PROBLEM = "problem", "问题"

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="findings")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    text = models.TextField("内容")
    category = models.ForeignKey(ProblemCategory, on_delete=models.PROTECT, null=True, blank=True,
                                 verbose_name="问题类别")
    severity = models.CharField("严重程度", max_length=12, blank=True)
    to_spread = models.BooleanField("值得推广", default=False)

    history = HistoricalRecords()
    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = "发现"
        verbose_name_plural = "发现"
        ordering = ["id"]

    def __str__(self):
        return self.text[:40]

    def get_absolute_url(self):
        return _visit_url(self.visit_id)

    def page_object(self):
        """The record whose page ``get_absolute_url`` opens (its visibility decides whether to link it)."""
        return self.visit


class EvidenceQuerySet(TeamScopedQuerySet):
    org_lookup = "visit__target__org"
    team_lookup = "visit__target__team"


class VisitEvidence(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="evidence")
    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, null=True, blank=True, related_name="evidence")
    file = models.FileField("文件", upload_to=RandomName("inspections/evidence"))
    thumbnail = models.ImageField("缩略图", upload_to=RandomName("inspections/thumbs"), blank=True)
    original_name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小")

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = "检查佐证"
        verbose_name_plural = "检查佐证"

    def __str__(self):
        return self.original_name


class ChecklistTemplate(models.Model):
    name = models.CharField("清单名称", max_length=60, unique=True)
    description = models.TextField("说明", blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "检查清单"
        verbose_name_plural = "检查清单"
        ordering = ["id"]

    def __str__(self):
        return self.name


class ChecklistItem(models.Model):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    group = models.CharField("分组", max_length=30, blank=True)
    text = models.CharField("检查项", max_length=200)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "检查项"
        verbose_name_plural = "检查项"
        ordering = ["order", "id"]

    def __str__(self):
        return self.text


class AnswerQuerySet(TeamScopedQuerySet):
    org_lookup = "visit__target__org"
    team_lookup = "visit__target__team"


class ChecklistAnswer(models.Model):
    """One ticked line of a checklist filled during a visit."""

    class Verdict(models.TextChoices):
        PASS = "pass", "合格"
        FAIL = "fail", "不合格"
        NOT_APPLICABLE = "na", "不适用"

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="answers")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    verdict = models.CharField("结论", max_length=4, choices=Verdict.choices)
    note = models.CharField("说明", max_length=300, blank=True)
    photo = models.ImageField("照片", upload_to=RandomName("inspections/checklist"), blank=True)

    history = HistoricalRecords()
    objects = AnswerQuerySet.as_manager()

    class Meta:
        verbose_name = "检查清单结果"
        verbose_name_plural = "检查清单结果"
        ordering = ["item__order", "item_id"]
        constraints = [models.UniqueConstraint(fields=["visit", "item"], name="one_answer_per_visit_and_item")]

    def __str__(self):
        return f"{self.item} {self.get_verdict_display()}"

    def get_absolute_url(self):
        return _visit_url(self.visit_id)

    def page_object(self):
        """The record whose page ``get_absolute_url`` opens (its visibility decides whether to link it)."""
        return self.visit


# Observation tours (观摩) ------------------------------------------------------------------------------

class TourQuerySet(TakingPartQuerySet):
    def taking_part(self, user):
        return Exists(Tour.participants.through.objects.filter(tour=OuterRef("pk"), user=user))


class Tour(models.Model):
    class Kind(models.TextChoices):
        CIRCUIT = "circuit", "巡回观摩"
        CROSS = "cross", "交叉观摩"
        DEMONSTRATION = "demonstration", "示范观摩"

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    root = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name="范围")
    held_on = models.DateField("观摩日期")
    drop_extremes = models.BooleanField("去掉一个最高分和一个最低分", default=False)
    top_share = models.PositiveSmallIntegerField("先进比例(%)", default=33)
    bottom_share = models.PositiveSmallIntegerField("后进比例(%)", default=33)
    participants = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="tours", verbose_name="评分人")
    filed_at = models.DateTimeField("归档时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()
    objects = TourQuerySet.as_manager()

    class Meta:
        verbose_name = "观摩评比"
        verbose_name_plural = "观摩评比"
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return self.name


class TourStop(models.Model):
    tour = models.ForeignKey(Tour, on_delete=models.CASCADE, related_name="stops")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name="观摩点")
    order = models.PositiveSmallIntegerField("顺序")
    mean = models.DecimalField("平均分", max_digits=6, decimal_places=2, null=True, blank=True)
    rank = models.PositiveSmallIntegerField("名次", null=True, blank=True)
    standing = models.CharField("等次", max_length=8, blank=True)

    class Meta:
        verbose_name = "观摩点"
        verbose_name_plural = "观摩点"
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["tour", "org"], name="one_stop_per_tour_and_org")]

    def __str__(self):
        return f"{self.order}. {self.org}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("inspections:tour", args=[self.tour_id])

    def page_object(self):
        return self.tour


class TourScore(models.Model):
    """One participant's on-site score (0–100) for one stop; changed freely until the tour is filed."""

    stop = models.ForeignKey(TourStop, on_delete=models.CASCADE, related_name="scores")
    participant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField("得分", max_digits=5, decimal_places=1)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "现场打分"
        verbose_name_plural = "现场打分"
        constraints = [models.UniqueConstraint(fields=["stop", "participant"], name="one_score_per_stop_and_rater")]

    def __str__(self):
        return f"{self.stop} {self.points}"
