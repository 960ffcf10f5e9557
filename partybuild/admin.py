from django.contrib import admin
from django.db import models
from django.utils import timezone

from . import robots
from .models import ApiToken, GroupRobot, Notification, Report, RobotMessage


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["kind", "scope", "period", "status", "progress", "attempts", "requested_at", "finished_at"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["scope", "requested_by"]
    readonly_fields = ["status", "progress", "attempts", "error", "outdated_at", "outdated_reason"]


admin.site.register(Notification, list_display=["user", "text", "created_at", "read"], raw_id_fields=["user"])


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created by their owners on the profile page; here they can only be seen and revoked."""

    list_display = ["name", "user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    raw_id_fields = ["user"]
    readonly_fields = ["user", "name", "prefix", "digest", "created_at", "expires_at", "last_used_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="撤销所选令牌")
    def revoke(self, request, queryset):
        queryset.filter(revoked_at=None).update(revoked_at=timezone.now())


@admin.register(GroupRobot)
class GroupRobotAdmin(admin.ModelAdmin):
    list_display = ["org", "kind", "is_active"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_filter = ["kind", "is_active"]
    raw_id_fields = ["org"]


@admin.register(RobotMessage)
class RobotMessageAdmin(admin.ModelAdmin):
    """The outbox: what went to which group and when; a message given up on can be sent again."""

    list_display = ["created_at", "robot", "text", "status", "attempts", "last_error", "sent_at"]
    list_filter = ["status"]
    search_fields = ["text", "key"]
    readonly_fields = [f.name for f in RobotMessage._meta.fields]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="重新发送所选的发送失败消息")
    def send_again(self, request, queryset):
        failed = queryset.filter(status=RobotMessage.Status.FAILED)
        pks = list(failed.values_list("pk", flat=True))
        failed.update(status=RobotMessage.Status.PENDING, attempts=0)
        robots.queue(pks)
