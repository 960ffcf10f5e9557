from django.contrib import admin

from .models import PendingImport


@admin.register(PendingImport)
class PendingImportAdmin(admin.ModelAdmin):
    list_display = ["kind", "original_name", "user", "created_at", "confirmed_at", "result"]
    list_filter = ["kind"]
    raw_id_fields = ["user"]
    readonly_fields = ["token", "kind", "user", "original_name", "extra", "created_at", "confirmed_at", "result"]
    exclude = ["rows"]
