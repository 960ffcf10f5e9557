from django.contrib import admin

from . import audit
from .models import AuditEvent, PendingImport
from .views import export_response


class AppendOnlyAdmin(admin.ModelAdmin):
    """For logs the application appends to: shown in the admin, never added, changed or deleted there."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(AppendOnlyAdmin):
    """Read-only: entries are added by the application and never changed or deleted here."""

    list_display = ["at", "username", "ip", "action", "target"]
    list_filter = ["action", ("at", admin.DateFieldListFilter)]
    search_fields = ["username", "target", "ip"]
    date_hierarchy = "at"
    readonly_fields = ["at", "user", "username", "ip", "action", "target", "details"]
    actions = ["export_csv"]
    list_per_page = 100
    show_full_result_count = False

    def has_view_permission(self, request, obj=None):
        return audit.may_view_audit(request.user)

    def has_module_permission(self, request):
        return audit.may_view_audit(request.user)

    @admin.action(description="导出选中的审计记录(CSV，Excel 可直接打开)")
    def export_csv(self, request, queryset):
        return export_response(request, queryset, "admin")


@admin.register(PendingImport)
class PendingImportAdmin(admin.ModelAdmin):
    list_display = ["kind", "original_name", "user", "status", "progress", "created_at", "confirmed_at", "result"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["user"]
    readonly_fields = ["token", "kind", "user", "status", "progress", "original_name", "extra", "created_at",
                       "confirmed_at", "result"]
    exclude = ["rows", "upload", "summary"]
