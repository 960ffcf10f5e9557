"""The job machinery's state: one Report row per kind + scope + period (the browser polls it), and
in-app notifications. Celery's result backend is not used: the row is the truth. Also the JSON API's
personal tokens and idempotency keys (see partybuild/api), and the group robots with their outbox (see
partybuild/robots.py)."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from kernel.querysets import ScopedQuerySet
from kernel.reports import builder_for
from kernel.uploads import RandomName


class ReportQuerySet(ScopedQuerySet):
    org_lookup = "scope"
    edit_action = "reports.request"


class Report(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"
        #: built before a change of what it reports (a score corrected after publication): rebuilt on request
        OUTDATED = "outdated", "已过期"

    kind = models.CharField("报告类型", max_length=20)
    scope = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="范围")
    period = models.CharField("期间", max_length=20)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField("进度(%)", default=0)
    pdf = models.FileField("PDF", upload_to=RandomName("reports"), blank=True)
    xlsx = models.FileField("Excel", upload_to=RandomName("reports"), blank=True)
    error = models.TextField("失败原因", blank=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name="申请人", null=True, blank=True)
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    #: set by the transaction that changed what the report says, with what changed, by whom and when; a build
    #: running then ends 已过期 (``jobs.outdate_reports``)
    outdated_at = models.DateTimeField("过期时间", null=True, blank=True)
    outdated_reason = models.TextField("过期原因", blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = "报告"
        verbose_name_plural = "报告"
        ordering = ["-requested_at"]
        constraints = [models.UniqueConstraint(fields=["kind", "scope", "period"], name="one_report_per_period")]

    def __str__(self):
        return self.title

    @property
    def kind_label(self):
        return builder_for(self.kind).label

    @property
    def title(self):
        """报告类型-范围-期间, in Chinese: the row's heading and the downloaded file's name."""
        return f"{self.kind_label}-{self.scope.name}-{builder_for(self.kind).period_label(self.period)}"

    @property
    def is_running(self):
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class ReportPart(models.Model):
    """One sub-scope of a report rendered by its own task (fan-out); merged when the last part is done."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="parts")
    index = models.PositiveSmallIntegerField()
    scope = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    pdf = models.FileField(upload_to=RandomName("reports/parts"), blank=True)
    done = models.BooleanField(default=False)

    class Meta:
        ordering = ["index"]
        constraints = [models.UniqueConstraint(fields=["report", "index"], name="one_part_per_index")]

    def __str__(self):
        return f"{self.report} #{self.index}"


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    text = models.CharField("内容", max_length=300)
    url = models.CharField("链接", max_length=300, blank=True)
    key = models.CharField("去重键", max_length=100)
    created_at = models.DateTimeField("时间", default=timezone.now)
    read = models.BooleanField("已读", default=False)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="one_notification_per_key")]

    def __str__(self):
        return self.text


class ApiTokenQuerySet(models.QuerySet):
    def active(self, now=None):
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class ApiToken(models.Model):
    """A personal API token: only the SHA-256 of its secret is stored; the secret is shown once, at creation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens",
                             verbose_name="用户")
    name = models.CharField("名称", max_length=50)
    prefix = models.CharField("开头", max_length=12)
    digest = models.CharField("摘要", max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    expires_at = models.DateTimeField("到期时间")
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self):
        return self.revoked_at is None and self.expires_at > timezone.now()


class IdempotentRequest(models.Model):
    """The first answer to an API write sent with an ``Idempotency-Key``: a replay gets it again (for a week)."""

    KEPT_FOR = datetime.timedelta(days=7)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    #: partybuild.api.base.fingerprint of the first request: the key answers only the same request again
    fingerprint = models.CharField(max_length=64, default="")
    #: 0 while the first request is still being handled
    status_code = models.PositiveSmallIntegerField(default=0)
    body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "幂等请求"
        verbose_name_plural = "幂等请求"
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="one_idempotent_request_per_key")]

    def __str__(self):
        return f"{self.user_id} {self.key}"

    @classmethod
    def forget_old(cls, now=None) -> int:
        """Drop answers older than ``KEPT_FOR`` (run daily); returns how many."""
        return cls.objects.filter(created_at__lt=(now or timezone.now()) - cls.KEPT_FOR).delete()[0]


class GroupRobot(models.Model):
    """A 企业微信 or 钉钉 group robot of an organisation: the notifications addressed to people whose role is on
    that organisation are also posted to the group (robots may also be configured by ``GROUP_ROBOTS``)."""

    class Kind(models.TextChoices):
        WECOM = "wecom", "企业微信群机器人"
        DINGTALK = "dingtalk", "钉钉群机器人(加签)"

    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+", verbose_name="党组织")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    webhook = models.URLField("Webhook 地址", max_length=500)
    secret = models.CharField("加签密钥(钉钉，SEC 开头)", max_length=100, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "群机器人"
        verbose_name_plural = "群机器人"
        ordering = ["org__path", "kind"]

    def __str__(self):
        return f"{self.org} {self.get_kind_display()}"

    def clean(self):
        if self.kind == self.Kind.DINGTALK and not self.secret.startswith("SEC"):
            raise ValidationError({"secret": "钉钉机器人须使用“加签”安全设置：请填写以 SEC 开头的密钥。"})


class RobotMessage(models.Model):
    """The outbox: one row per message and group robot, written before anything is sent, so a message is never
    lost (a failed send stays pending and is retried) and never sent twice (one row per robot and key, sent
    under a row lock and marked sent in the same transaction)."""

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    robot = models.CharField("群机器人", max_length=80)
    key = models.CharField("去重键", max_length=100)
    text = models.CharField("内容", max_length=300)
    url = models.CharField("链接", max_length=300, blank=True)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.CharField("最近一次错误", max_length=300, blank=True)
    created_at = models.DateTimeField("生成时间", default=timezone.now)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "群机器人消息"
        verbose_name_plural = "群机器人消息"
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["robot", "key"], name="one_robot_message_per_key")]
        indexes = [models.Index(fields=["status", "created_at"], name="robot_message_pending")]

    def __str__(self):
        return f"{self.robot} {self.text[:30]}"
