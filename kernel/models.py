"""The kernel's own rows: the audit trail, password history and sessions, and checked uploads waiting for
确认导入 (see ``kernel.imports``)."""

import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class AuditEventQuerySet(models.QuerySet):
    """The audit trail is append-only: rows are inserted by ``audit.record`` and only pruned by age."""

    def update(self, **kwargs):
        raise PermissionError("审计记录不能修改。")

    def delete(self):
        raise PermissionError("审计记录不能删除，只能按保存期限清理(audit.prune)。")

    def _prune(self):
        """Delete without the guard; used by audit.prune only."""
        return models.QuerySet.delete(self)


class AuditEvent(models.Model):
    """One security-relevant event: who, when, from which address, what, on what."""

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", null=True, blank=True,
                             on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    username = models.CharField("账号", max_length=150, blank=True, db_index=True)
    ip = models.GenericIPAddressField("地址", null=True, blank=True)
    action = models.CharField("事件", max_length=40, db_index=True)
    target = models.CharField("对象", max_length=300, blank=True)
    details = models.JSONField("详情", default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "审计记录"
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username or '-'} {self.action} {self.target}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("审计记录不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计记录不能删除。")


class PasswordHistory(models.Model):
    """Every password a user has had (its hash), newest last; ``must_change`` marks one set by someone else."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE,
                             related_name="password_history")
    password = models.CharField("密码摘要", max_length=128)
    set_at = models.DateTimeField("设置时间", auto_now_add=True)
    must_change = models.BooleanField("须在登录后修改", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "密码历史"
        ordering = ["-set_at", "-id"]
        indexes = [models.Index(fields=["user", "-set_at"])]

    def __str__(self):
        return f"{self.user} {self.set_at:%Y-%m-%d %H:%M}"


class LoginSession(models.Model):
    """A signed-in session (so an administrator can list a user's sessions and end them)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE,
                             related_name="login_sessions")
    session_key = models.CharField("会话", max_length=40, unique=True)
    ip = models.GenericIPAddressField("地址", null=True, blank=True)
    user_agent = models.CharField("浏览器", max_length=300, blank=True)
    started_at = models.DateTimeField("登录时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "登录会话"
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.user} {self.started_at:%Y-%m-%d %H:%M}"


class UnescapedJSONEncoder(DjangoJSONEncoder):
    """JSON with Chinese text as it is: an escape such as ``\\u4e2d`` per character would make stored rows six
    times their text."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **{**kwargs, "ensure_ascii": False})


class PendingImport(models.Model):
    """A workbook being read or whose preview is shown, kept as the rows read from it. A large file is read in
    the background (``kernel.tasks.preview_import``), and confirmed there too (``confirm_import``):
    the upload is kept only until it is read, with the progress; what the preview shows is kept as ``summary``.
    Its id is the confirmation token: confirming locks the row and marks it confirmed, so the same upload is
    imported once however often 确认导入 is pressed. The rows are dropped on confirmation; a row never confirmed
    is deleted with them (``purge_unconfirmed``)."""

    class Status(models.TextChoices):
        READING = "reading", "读取中"
        CHECKED = "checked", "已检查"
        CONFIRMING = "confirming", "导入中"

    token = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField("导入类型", max_length=30)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name="上传人")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.CHECKED)
    progress = models.PositiveSmallIntegerField("读取进度(%)", default=0)
    upload = models.BinaryField("待读取的文件", null=True, blank=True)
    summary = models.JSONField("预览结果", default=dict, blank=True, encoder=UnescapedJSONEncoder)
    rows = models.JSONField("读取的数据", default=list, blank=True, encoder=UnescapedJSONEncoder)
    original_name = models.CharField("原文件名", max_length=200, blank=True)
    size = models.PositiveBigIntegerField("文件大小(字节)", default=0)
    extra = models.JSONField("导入选项", default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField("上传时间", default=timezone.now, db_index=True)
    confirmed_at = models.DateTimeField("确认导入时间", null=True, blank=True)
    result = models.CharField("导入结果", max_length=200, blank=True)

    class Meta:
        verbose_name = "Excel 导入"
        verbose_name_plural = "Excel 导入"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.kind} {self.original_name}"
