from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from kernel.events import emit
from kernel.policy import Role
from kernel.querysets import ScopedQuerySet


class Level(models.TextChoices):
    CITY = "city", "市"
    COUNTY = "county", "县(市、区)"
    TOWNSHIP = "township", "乡镇"
    STREET = "street", "街道"
    VILLAGE = "village", "村"
    COMMUNITY = "community", "社区"
    UNIT = "unit", "机关企事业单位"
    BRANCH = "branch", "支部"
    GROUP = "group", "党小组"


class Kind(models.TextChoices):
    COMMITTEE = "committee", "党委"
    WORK_COMMITTEE = "work_committee", "党工委"
    GENERAL_BRANCH = "general_branch", "党总支"
    BRANCH = "branch", "党支部"
    JOINT_BRANCH = "joint_branch", "联合党支部"
    GROUP = "group", "党小组"


BRANCH_KINDS = (Kind.BRANCH, Kind.JOINT_BRANCH)
COMMITTEE_KINDS = (Kind.COMMITTEE, Kind.WORK_COMMITTEE)


class Sector(models.TextChoices):
    TERRITORIAL = "territorial", "综合(地方党委)"
    RURAL = "rural", "农村"
    COMMUNITY = "community", "社区"
    ORGAN = "organ", "机关"
    INSTITUTION = "institution", "事业单位"
    SCHOOL = "school", "学校"
    STATE_ENTERPRISE = "state_enterprise", "国有企业"
    PRIVATE_ENTERPRISE = "private_enterprise", "非公企业"
    SOCIAL_ORG = "social_org", "社会组织"
    VILLAGE_TO_COMMUNITY = "village_to_community", "村转社区"


class OrganizationQuerySet(ScopedQuerySet, MP_NodeQuerySet):
    org_lookup = ""
    edit_action = "orgs.manage"

    def subtree_of(self, org):
        """The organisation and everything below it: one prefix match on the indexed path."""
        return self.filter(path__startswith=org.path)

    def ancestors_of_paths(self, paths, steplen):
        """All ancestors of the given paths (and the paths themselves) in one query."""
        prefixes = {p[:i] for p in paths for i in range(steplen, len(p) + 1, steplen)}
        return self.filter(path__in=prefixes)


class OrganizationManager(MP_NodeManager.from_queryset(OrganizationQuerySet)):
    def get_queryset(self):
        return OrganizationQuerySet(self.model, using=self._db).order_by("path")

    @transaction.atomic
    def move(self, node, target, pos=None):
        """Move a subtree (pages, the admin and imports all come here); the apps that keep snapshots of paths
        are told in the same transaction (``org_moved``)."""
        super().move(node, target, pos)
        emit("org_moved", org=self.get(pk=node.pk))


class Organization(MP_Node):
    """A node of the organisation tree (组织体系): committee, general branch, branch or group."""

    steplen = 4

    code = models.CharField("组织编码", max_length=32, unique=True)
    name = models.CharField("组织名称", max_length=100, db_index=True)
    level = models.CharField("层级", max_length=16, choices=Level.choices)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    sector = models.CharField("领域", max_length=24, choices=Sector.choices)
    is_active = models.BooleanField("有效", default=True)

    history = HistoricalRecords(excluded_fields=["numchild"])
    objects = OrganizationManager()

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        ordering = ["path"]

    def __str__(self):
        return self.name

    @property
    def is_branch(self):
        return self.kind in BRANCH_KINDS

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("orgs:detail", args=[self.pk])


class OrgStatisticsQuerySet(ScopedQuerySet):
    edit_action = "orgs.statistics"


class OrgStatistics(models.Model):
    """Aggregate figures of one organisation for one year. No register of individual members."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="statistics",
                            verbose_name="党组织")
    year = models.PositiveSmallIntegerField("统计年度")
    full_members = models.PositiveIntegerField("正式党员", default=0)
    probationary_members = models.PositiveIntegerField("预备党员", default=0)
    women_members = models.PositiveIntegerField("女党员", default=0)
    age_35_under = models.PositiveIntegerField("35岁及以下", default=0)
    age_36_45 = models.PositiveIntegerField("36至45岁", default=0)
    age_46_59 = models.PositiveIntegerField("46至59岁", default=0)
    age_60_over = models.PositiveIntegerField("60岁及以上", default=0)
    edu_college = models.PositiveIntegerField("大专及以上学历", default=0)
    edu_high_school = models.PositiveIntegerField("高中、中专学历", default=0)
    edu_middle_or_below = models.PositiveIntegerField("初中及以下学历", default=0)
    activists = models.PositiveIntegerField("入党积极分子", default=0)
    candidates = models.PositiveIntegerField("发展对象", default=0)
    has_secretary = models.BooleanField("书记已配备", default=True)
    has_deputy_secretary = models.BooleanField("副书记已配备", default=False)
    fulltime_workers = models.PositiveIntegerField("专职党务工作者", default=0)
    venue_area = models.PositiveIntegerField("活动场所面积(平方米)", default=0)
    venue_meets_standard = models.BooleanField("活动场所达标", default=False)
    last_election = models.DateField("上次换届日期", null=True, blank=True)
    next_election = models.DateField("下次换届日期", null=True, blank=True)
    collective_income = models.DecimalField("村集体经济收入(万元)", max_digits=10, decimal_places=2,
                                            null=True, blank=True)
    units_total = models.PositiveIntegerField("覆盖单位总数", default=0)
    units_with_org = models.PositiveIntegerField("已建党组织单位数", default=0)
    units_with_work = models.PositiveIntegerField("已开展党的工作单位数", default=0)

    history = HistoricalRecords()
    objects = OrgStatisticsQuerySet.as_manager()

    class Meta:
        verbose_name = "党组织统计数据"
        verbose_name_plural = "党组织统计数据"
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="one_statistics_per_org_year")]
        ordering = ["-year"]

    def __str__(self):
        return f"{self.org} {self.year}"

    @property
    def total_members(self):
        return self.full_members + self.probationary_members

    def clean(self):
        errors = {}
        total = self.total_members
        if self.women_members > total:
            errors["women_members"] = "女党员人数不能多于党员总数。"
        age_sum = self.age_35_under + self.age_36_45 + self.age_46_59 + self.age_60_over
        if age_sum != total:
            errors["age_35_under"] = f"各年龄段人数之和({age_sum})应等于党员总数({total})。"
        edu_sum = self.edu_college + self.edu_high_school + self.edu_middle_or_below
        if edu_sum != total:
            errors["edu_college"] = f"各学历人数之和({edu_sum})应等于党员总数({total})。"
        if self.units_with_org > self.units_total or self.units_with_work > self.units_total:
            errors["units_with_org"] = "已建党组织或已开展党的工作的单位数不能多于覆盖单位总数。"
        if self.last_election and self.next_election and self.next_election <= self.last_election:
            errors["next_election"] = "下次换届日期应晚于上次换届日期。"
        if errors:
            raise ValidationError(errors)


class RoleAssignmentQuerySet(ScopedQuerySet):
    edit_action = "orgs.manage"


class RoleAssignment(models.Model):
    """A role granted on an organisation, for that organisation alone or its whole subtree."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="role_assignments", verbose_name="用户")
    role = models.CharField("角色", max_length=16, choices=Role.choices)
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="role_assignments",
                            verbose_name="党组织")
    recursive = models.BooleanField("含下级组织", default=True)

    history = HistoricalRecords()
    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = "角色分配"
        verbose_name_plural = "角色分配"
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "org"], name="one_role_per_user_org"),
        ]

    def __str__(self):
        suffix = "及下级" if self.recursive else ""
        return f"{self.user} · {self.get_role_display()} · {self.org}{suffix}"

