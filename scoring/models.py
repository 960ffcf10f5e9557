"""Assessment schemes (考核细则), assessments, scores and their computed, rankable results."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from orgs.models import Organization
from partybuild.kernel.policy import scope_of
from partybuild.kernel.querysets import ScopedQuerySet
from partybuild.kernel.uploads import RandomName

from .engine import GRADINGS


class Scheme(models.Model):
    """A versioned indicator tree; once an assessment uses it, it is never edited in place."""

    class Grading(models.TextChoices):
        FOUR_GRADES = "four_grades", _("好/较好/一般/较差(≥90/≥80/≥60)")
        TWO_TIERS = "two_tiers", _("先进/达标(前20%为先进)")
        THREE_CLASSES = "three_classes", _("一类/二类/三类(≥85/≥70)")
        STARS = "stars", _("一至五星(≥90/≥80/≥70/≥60)")

    name = models.CharField(_("名称"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年度"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    sectors = models.JSONField(_("适用领域"), default=list, blank=True)
    grading = models.CharField(_("评定等次"), max_length=16, choices=Grading.choices, default=Grading.FOUR_GRADES)
    bonus_cap = models.DecimalField(_("加分上限"), max_digits=5, decimal_places=1, null=True, blank=True)
    overdue_deduction = models.DecimalField(_("每个逾期或未销号整改事项扣分"), max_digits=4, decimal_places=1,
                                            default=0)
    in_use = models.BooleanField(_("已被使用"), default=False, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("考核细则")
        verbose_name_plural = _("考核细则")
        ordering = ["-year", "name", "-version"]
        constraints = [models.UniqueConstraint(fields=["name", "year", "version"], name="unique_scheme_version")]

    def __str__(self):
        return f"{self.name}({self.year}年 第{self.version}版)"

    @property
    def grading_rule(self):
        return GRADINGS[self.grading]


class Indicator(models.Model):
    """A node of the indicator tree: a dimension (no points of its own) or an item under it (≤ 3 levels)."""

    class Kind(models.TextChoices):
        GROUP = "group", _("维度")
        SCORE = "score", _("计分")
        BONUS = "bonus", _("加分")
        DEDUCTION = "deduction", _("扣分")
        VETO = "veto", _("一票否决")

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="indicators")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    code = models.CharField(_("编号"), max_length=12)
    name = models.CharField(_("指标"), max_length=200)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    max_points = models.DecimalField(_("分值"), max_digits=5, decimal_places=1, default=0)
    guidance = models.TextField(_("评分标准"), blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="unique_indicator_code")]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def needs_reason(self):
        return self.kind in (self.Kind.DEDUCTION, self.Kind.VETO)


class AssessmentQuerySet(ScopedQuerySet):
    """Staff and leaders see assessments over their scope; raters the ones they score; others published ones."""

    org_lookup = "root"

    def visible_to(self, user):
        scope = scope_of(user)
        if scope.is_admin:
            return self.all()
        rating = Rater.members.through.objects.filter(rater__assessment=models.OuterRef("pk"), user=user)
        targets_here = AssessmentTarget.objects.filter(assessment=models.OuterRef("pk"))
        published_here = Q(status=Assessment.Status.PUBLISHED) & Q(models.Exists(targets_here.visible_to(user)))
        self_rating = Q(models.Exists(Rater.objects.filter(assessment=models.OuterRef("pk"), is_self=True))) & Q(
            models.Exists(targets_here.for_action(user, "ledger.own")))
        return self.filter(scope.q("root", action="scoring.results") | Q(models.Exists(rating)) | published_here
                           | self_rating)


class Assessment(models.Model):
    class Status(models.TextChoices):
        SCORING = "scoring", _("评分中")
        CLOSED = "closed", _("已结束")
        PUBLISHED = "published", _("已发布")

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("考核细则"))
    name = models.CharField(_("名称"), max_length=100)
    period = models.CharField(_("考核期"), max_length=30)
    root = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("考核范围"))
    previous = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                 verbose_name=_("上一期(用于比较)"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.SCORING)
    closes_on = models.DateField(_("考核截止日期"), default=timezone.localdate)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    history = HistoricalRecords()
    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核")
        verbose_name_plural = _("考核")
        ordering = ["-closes_on", "-id"]

    def __str__(self):
        return self.name


class Rater(models.Model):
    """A rating body with its weight (e.g. 述职评分 4 : 评议 3 : 年度考核 3) and the people who enter its scores."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="raters")
    name = models.CharField(_("评分主体"), max_length=30)
    weight = models.PositiveSmallIntegerField(_("权重"))
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="rater_roles", verbose_name=_("评分人"))
    #: 自评: each organisation's secretary scores it first; weight 0, shown beside the others, never counted
    is_self = models.BooleanField(_("自评"), default=False)

    class Meta:
        verbose_name = _("评分主体")
        verbose_name_plural = _("评分主体")
        ordering = ["id"]

    def __str__(self):
        return f"{self.name}({self.weight})"


class TargetQuerySet(ScopedQuerySet):
    org_lookup = "org"


class AssessmentTarget(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="targets")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("被考核组织"))
    peer_group = models.CharField(_("排名分组"), max_length=60)

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("被考核组织")
        verbose_name_plural = _("被考核组织")
        ordering = ["peer_group", "org__path"]
        constraints = [models.UniqueConstraint(fields=["assessment", "org"], name="one_target_per_assessment")]

    def __str__(self):
        return f"{self.assessment} · {self.org}"


class ScoreQuerySet(ScopedQuerySet):
    org_lookup = "org"


class Score(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    rater = models.ForeignKey(Rater, on_delete=models.PROTECT, related_name="scores")
    points = models.DecimalField(_("得分"), max_digits=5, decimal_places=1)
    reason = models.CharField(_("理由"), max_length=300, blank=True)
    evidence = models.FileField(_("佐证"), upload_to=RandomName("scoring/evidence"), blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()
    objects = ScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("评分")
        verbose_name_plural = _("评分")
        constraints = [models.UniqueConstraint(fields=["assessment", "org", "indicator", "rater"],
                                               name="one_score_per_cell")]

    def __str__(self):
        return f"{self.org} {self.indicator.code} {self.points}"


class ResultQuerySet(ScopedQuerySet):
    org_lookup = "org"


class Result(models.Model):
    """The computed standing of one organisation in one assessment (recomputed until published)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="results")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    peer_group = models.CharField(_("排名分组"), max_length=60)
    total = models.DecimalField(_("总分"), max_digits=6, decimal_places=2)
    subtotals = models.JSONField(_("维度得分"), default=dict)
    rater_totals = models.JSONField(_("各评分主体得分"), default=dict)
    bonus = models.DecimalField(_("加分"), max_digits=5, decimal_places=2, default=0)
    deduction = models.DecimalField(_("扣分"), max_digits=5, decimal_places=2, default=0)
    ledger_deduction = models.DecimalField(_("整改扣分"), max_digits=5, decimal_places=2, default=0)
    ledger_items = models.JSONField(_("扣分的整改事项"), default=list)
    veto = models.BooleanField(_("一票否决"), default=False)
    missing_raters = models.JSONField(_("缺评主体"), default=list)
    rank = models.PositiveIntegerField(_("名次"))
    group_size = models.PositiveIntegerField(_("组内数量"))
    grade = models.CharField(_("等次"), max_length=8)
    rank_change = models.IntegerField(_("名次变化"), null=True, blank=True)
    previous_grade = models.CharField(_("上期等次"), max_length=8, blank=True)
    bottom_three = models.BooleanField(_("后三名"), default=False)
    bottom_three_twice = models.BooleanField(_("连续两期后三名"), default=False)

    history = HistoricalRecords()
    objects = ResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核结果")
        verbose_name_plural = _("考核结果")
        ordering = ["peer_group", "rank", "org__path"]
        constraints = [models.UniqueConstraint(fields=["assessment", "org"], name="one_result_per_org")]

    def __str__(self):
        return f"{self.org} {self.total} 第{self.rank}名"
