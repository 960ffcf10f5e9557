"""Assessment schemes (考核细则), assessments, scores and their computed, rankable results."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from kernel.policy import scope_of
from kernel.querysets import ScopedQuerySet
from kernel.uploads import RandomName
from orgs.models import Organization

from . import engine


class Scheme(models.Model):
    """A versioned indicator tree; once an assessment uses it, it is never edited in place."""

    class Grading(models.TextChoices):
        FOUR_GRADES = "four_grades", "好/较好/一般/较差"
        TWO_TIERS = "two_tiers", "两档制：先进/达标/不达标"
        THREE_CLASSES = "three_classes", "一类/二类/三类"
        STARS = "stars", "一至五星/不定星"

    class Basis(models.TextChoices):
        THRESHOLDS = "thresholds", "按分数线"
        SHARES = "shares", "按组内比例(仅四个等次)"

    name = models.CharField("名称", max_length=100)
    year = models.PositiveSmallIntegerField("年度")
    version = models.PositiveSmallIntegerField("版本", default=1)
    sectors = models.JSONField("适用领域", default=list, blank=True)
    grading = models.CharField("评定等次", max_length=16, choices=Grading.choices, default=Grading.FOUR_GRADES)
    basis = models.CharField("定等方式", max_length=12, choices=Basis.choices, default=Basis.THRESHOLDS)
    thresholds = models.JSONField("分数线(由高到低，不填用默认)", default=list, blank=True)
    shares = models.JSONField("各等次比例%(由高到低)", default=list, blank=True)
    advanced_cap = models.DecimalField("先进比例上限%(两档制，不填不限)", max_digits=4, decimal_places=1,
                                       null=True, blank=True)
    advanced_needs_pass = models.BooleanField("先进须上一期达标(两档制)", default=False)
    deductions_in_block = models.BooleanField("扣分在所属维度内扣完为止", default=False)
    rectify_months = models.PositiveSmallIntegerField("整改期限(月)", default=3)
    plaque_title = models.CharField("命名称号(如“五个好”村党支部)", max_length=40, blank=True)
    plaque_grades = models.JSONField("命名授牌的等次(不填为最高等次)", default=list, blank=True)
    bonus_cap = models.DecimalField("加分上限", max_digits=5, decimal_places=1, null=True, blank=True)
    overdue_deduction = models.DecimalField("每个逾期或未销号整改事项扣分", max_digits=4, decimal_places=1,
                                            default=0)
    in_use = models.BooleanField("已被使用", default=False, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "考核细则"
        verbose_name_plural = "考核细则"
        ordering = ["-year", "name", "-version"]
        constraints = [models.UniqueConstraint(fields=["name", "year", "version"], name="unique_scheme_version")]

    def __str__(self):
        return f"{self.name}({self.year}年 第{self.version}版)"

    @property
    def grading_rule(self) -> engine.Grading:
        by_shares = self.grading == self.Grading.FOUR_GRADES and self.basis == self.Basis.SHARES
        return engine.Grading(
            self.grading, engine.LABELS[self.grading],
            thresholds=() if by_shares else tuple(self.thresholds or engine.DEFAULT_THRESHOLDS[self.grading]),
            shares=tuple(self.shares) if by_shares else (),
            advanced_cap=self.advanced_cap if self.grading == self.Grading.TWO_TIERS else None,
            advanced_needs_pass=self.advanced_needs_pass and self.grading == self.Grading.TWO_TIERS)

    @property
    def plaque_labels(self):
        return list(self.plaque_grades or self.grading_rule.labels[:1])

    def clean(self):
        labels = engine.LABELS[self.grading]
        if self.thresholds and (len(self.thresholds) != len(labels) - 1
                                or list(self.thresholds) != sorted(self.thresholds, reverse=True)):
            raise ValidationError({"thresholds": f"分数线应有 {len(labels) - 1} 个，由高到低。"})
        if self.basis == self.Basis.SHARES:
            if self.grading != self.Grading.FOUR_GRADES:
                raise ValidationError({"basis": "只有“好/较好/一般/较差”可以按比例定等。"})
            if len(self.shares) != 3 or sum(self.shares) > 100 or min(self.shares) < 0:
                raise ValidationError({"shares": "按比例定等须填写好、较好、一般三个比例，合计不超过 100。"})
        unknown = set(self.plaque_grades) - set(labels)
        if unknown:
            raise ValidationError({"plaque_grades": "没有这些等次：{g}。".format(g="、".join(sorted(unknown)))})


class Indicator(models.Model):
    """A node of the indicator tree: a dimension (no points of its own) or an item under it (≤ 3 levels)."""

    class Kind(models.TextChoices):
        GROUP = "group", "维度"
        SCORE = "score", "计分"
        BONUS = "bonus", "加分"
        DEDUCTION = "deduction", "扣分"
        VETO = "veto", "一票否决"

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="indicators")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    code = models.CharField("编号", max_length=12)
    name = models.CharField("指标", max_length=200)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    max_points = models.DecimalField("分值", max_digits=5, decimal_places=1, default=0)
    guidance = models.TextField("评分标准", blank=True)
    consequence = models.CharField("否决后果", max_length=12, choices=list(engine.CONSEQUENCES.items()),
                                   default=engine.NOT_TOP, blank=True)
    problem_category = models.ForeignKey("rectification.ProblemCategory", on_delete=models.PROTECT, null=True,
                                         blank=True, related_name="+", verbose_name="失分时的问题类别")
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "考核指标"
        verbose_name_plural = "考核指标"
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
        SCORING = "scoring", "评分中"
        CLOSED = "closed", "已结束"
        PUBLISHED = "published", "已发布"

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="assessments", verbose_name="考核细则")
    name = models.CharField("名称", max_length=100)
    period = models.CharField("考核期", max_length=30)
    root = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name="考核范围")
    previous = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                 verbose_name="上一期(用于比较)")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.SCORING)
    closes_on = models.DateField("考核截止日期", default=timezone.localdate)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    history = HistoricalRecords()
    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = "考核"
        verbose_name_plural = "考核"
        ordering = ["-closes_on", "-id"]

    def __str__(self):
        return self.name


class Rater(models.Model):
    """A rating body with its weight (e.g. 述职评分 4 : 评议 3 : 年度考核 3) and the people who enter its scores."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="raters")
    name = models.CharField("评分主体", max_length=30)
    weight = models.PositiveSmallIntegerField("权重")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="rater_roles", verbose_name="评分人")
    #: 自评: each organisation's secretary scores it first; weight 0, shown beside the others, never counted
    is_self = models.BooleanField("自评", default=False)
    #: a body may score on its own small form (e.g. 述职评议 on one 0–100 score) instead of the whole tree
    form = models.ForeignKey("Scheme", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name="评分表(不填为考核细则的全部指标)")
    trimmed = models.BooleanField("去掉一个最高分和一个最低分(3人及以上)", default=False)

    class Meta:
        verbose_name = "评分主体"
        verbose_name_plural = "评分主体"
        ordering = ["id"]

    def __str__(self):
        return f"{self.name}({self.weight})"


class TargetQuerySet(ScopedQuerySet):
    org_lookup = "org"


class AssessmentTarget(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="targets")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name="被考核组织")
    peer_group = models.CharField("排名分组", max_length=60)

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = "被考核组织"
        verbose_name_plural = "被考核组织"
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
    #: whose sheet the score is on (a panel member; the secretary for 自评)
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name="评分人")
    points = models.DecimalField("得分", max_digits=5, decimal_places=1)
    reason = models.CharField("理由", max_length=300, blank=True)
    evidence = models.FileField("佐证", upload_to=RandomName("scoring/evidence"), blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()
    objects = ScoreQuerySet.as_manager()

    class Meta:
        verbose_name = "评分"
        verbose_name_plural = "评分"
        constraints = [models.UniqueConstraint(fields=["assessment", "org", "indicator", "rater", "member"],
                                               name="one_score_per_member_cell")]

    def __str__(self):
        return f"{self.org} {self.indicator.code} {self.points}"


class ResultQuerySet(ScopedQuerySet):
    org_lookup = "org"


class Result(models.Model):
    """The computed standing of one organisation in one assessment (recomputed until published)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="results")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    peer_group = models.CharField("排名分组", max_length=60)
    total = models.DecimalField("总分", max_digits=6, decimal_places=2)
    subtotals = models.JSONField("维度得分", default=dict)
    rater_totals = models.JSONField("各评分主体得分", default=dict)
    bonus = models.DecimalField("加分", max_digits=5, decimal_places=2, default=0)
    deduction = models.DecimalField("扣分", max_digits=5, decimal_places=2, default=0)
    ledger_deduction = models.DecimalField("整改扣分", max_digits=5, decimal_places=2, default=0)
    ledger_items = models.JSONField("扣分的整改事项", default=list)
    veto = models.BooleanField("一票否决", default=False)
    vetoes = models.JSONField("否决事项", default=list)
    rated = models.BooleanField("已评", default=True)
    grade_note = models.CharField("定等说明", max_length=100, blank=True)
    missing_raters = models.JSONField("缺评主体", default=list)
    incomplete_sheets = models.JSONField("未填完且未处理的评分表([评分主体, 评分人])", default=list)
    rank = models.PositiveIntegerField("名次", null=True, blank=True)
    group_size = models.PositiveIntegerField("组内数量")
    grade = models.CharField("等次", max_length=8)
    rank_change = models.IntegerField("名次变化", null=True, blank=True)
    previous_grade = models.CharField("上期等次", max_length=8, blank=True)
    bottom_three = models.BooleanField("后三名", default=False)
    bottom_three_twice = models.BooleanField("连续两期后三名", default=False)

    history = HistoricalRecords()
    objects = ResultQuerySet.as_manager()

    class Meta:
        verbose_name = "考核结果"
        verbose_name_plural = "考核结果"
        ordering = ["peer_group", "rank", "org__path"]
        constraints = [models.UniqueConstraint(fields=["assessment", "org"], name="one_result_per_org")]
        # a page of a city's ranking reads its fifty rows in order instead of sorting thousands
        indexes = [models.Index(fields=["assessment", "peer_group", "-rated", "rank"], name="result_ranking_order"),
                   # the best and the worst totals of a whole assessment (the dashboard's ends of the ranking)
                   models.Index(fields=["assessment", "total"], name="result_rated_total",
                                condition=Q(rated=True))]

    def __str__(self):
        return f"{self.org} {self.total} 第{self.rank}名" if self.rated else f"{self.org} {engine.UNRATED}"



class SheetDecision(models.Model):
    """Staff's reasoned decision, at closing, on one incomplete sheet: count it as entered or leave it out."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="sheet_decisions")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    rater = models.ForeignKey(Rater, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    count = models.BooleanField("按已填分数计入")
    reason = models.CharField("理由", max_length=200)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("决定时间", default=timezone.now)

    objects = ScoreQuerySet.as_manager()

    class Meta:
        verbose_name = "未填完评分表的处理"
        verbose_name_plural = "未填完评分表的处理"
        constraints = [models.UniqueConstraint(fields=["assessment", "org", "rater", "member"],
                                               name="one_decision_per_sheet")]

    def __str__(self):
        return f"{self.org} {self.rater.name} {'计入' if self.count else '按缺评'}"


class PlaqueQuerySet(ScopedQuerySet):
    org_lookup = "org"

    def active(self):
        return self.filter(removed_on__isnull=True)


class Plaque(models.Model):
    """The plaque register (命名授牌 / 摘牌): named from published results, removed with a reason."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="plaques", verbose_name="党组织")
    title = models.CharField("称号", max_length=40)
    grade = models.CharField("等次", max_length=8)
    year = models.PositiveSmallIntegerField("命名年度")
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name="依据的考核")
    named_on = models.DateField("命名日期", default=timezone.localdate)
    named_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name="命名人")
    removed_on = models.DateField("摘牌日期", null=True, blank=True)
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name="摘牌决定人")
    removal_reason = models.CharField("摘牌理由", max_length=200, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    history = HistoricalRecords()
    objects = PlaqueQuerySet.as_manager()

    class Meta:
        verbose_name = "命名授牌"
        verbose_name_plural = "命名授牌登记"
        ordering = ["org__path", "-year", "-id"]
        constraints = [models.UniqueConstraint(fields=["org", "title"], condition=Q(removed_on__isnull=True),
                                               name="one_active_plaque_per_title")]

    def __str__(self):
        return f"{self.org} {self.year}年 {self.title}({self.grade})"


class Consequence(models.Model):
    """A consequence of a published ranking (seed 003): who it hit, who decided it and when."""

    class Kind(models.TextChoices):
        NO_HONOURS = "no_honours", "各类评优一票否决"
        ADMONITION = "admonition", "诫勉谈话"
        RESHUFFLE = "reshuffle", "领导班子调整"
        DISMISSAL = "dismissal", "负责人免职"
        PLAQUE_REMOVED = "plaque_removed", "摘牌"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="consequences")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name="党组织")
    kind = models.CharField("处理", max_length=16, choices=Kind.choices)
    basis = models.CharField("依据", max_length=200)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="决定人")
    decided_at = models.DateTimeField("决定时间", default=timezone.now)

    objects = ResultQuerySet.as_manager()

    class Meta:
        verbose_name = "考核结果运用"
        verbose_name_plural = "考核结果运用"
        ordering = ["kind", "org__path"]
        constraints = [models.UniqueConstraint(fields=["assessment", "org", "kind"], name="one_consequence_each")]

    def __str__(self):
        return f"{self.org} {self.get_kind_display()}"


class TrialQuerySet(ScopedQuerySet):
    """Rule trials are staff's working papers: only those who manage assessments over the scope see them."""

    org_lookup = "assessment__root"

    def visible_to(self, user):
        return self.for_action(user, "scoring.manage")


class Trial(models.Model):
    """A rule trial (规则模拟) on a closed or published assessment: other grading settings computed by the engine
    against the same scores, compared with the real results. Never written to the results; kept to reopen."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="trials", verbose_name="考核")
    name = models.CharField("名称", max_length=60)
    rules = models.JSONField("试算规则")
    comparison = models.JSONField("对比结果", default=dict)
    seconds = models.DecimalField("计算用时(秒)", max_digits=6, decimal_places=2, default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="试算人")
    created_at = models.DateTimeField("试算时间", default=timezone.now)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name="应用人")
    applied_at = models.DateTimeField("应用到细则的时间", null=True, blank=True)

    objects = TrialQuerySet.as_manager()

    class Meta:
        verbose_name = "规则试算"
        verbose_name_plural = "规则试算"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.assessment} · {self.name}"
