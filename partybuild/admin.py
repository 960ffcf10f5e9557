from django.contrib import admin
from django.utils import timezone

from .models import ApiToken, Notification, Report


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
