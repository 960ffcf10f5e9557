from django.contrib import admin

from .models import Notification, Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["kind", "scope", "period", "status", "progress", "attempts", "requested_at", "finished_at"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["scope", "requested_by"]
    readonly_fields = ["status", "progress", "attempts", "error"]


admin.site.register(Notification, list_display=["user", "text", "created_at", "read"], raw_id_fields=["user"])
