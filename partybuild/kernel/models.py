"""The kernel's own rows: checked uploads waiting for 确认导入 (see ``partybuild.kernel.imports``)."""

import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PendingImport(models.Model):
    """A workbook whose preview passed, kept as the rows read from it (the file itself is not stored). Its id is
    the confirmation token: confirming locks the row and marks it confirmed, so the same upload is imported once
    however often 确认导入 is pressed. The rows are dropped on confirmation; a row never confirmed is deleted
    with them (``purge_unconfirmed``)."""

    token = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("导入类型"), max_length=30)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("上传人"))
    rows = models.JSONField(_("读取的数据"), default=list, blank=True, encoder=DjangoJSONEncoder)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    extra = models.JSONField(_("导入选项"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now, db_index=True)
    confirmed_at = models.DateTimeField(_("确认导入时间"), null=True, blank=True)
    result = models.CharField(_("导入结果"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("Excel 导入")
        verbose_name_plural = _("Excel 导入")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.kind} {self.original_name}"
