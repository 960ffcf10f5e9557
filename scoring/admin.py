from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Assessment,
    AssessmentTarget,
    Consequence,
    Indicator,
    Plaque,
    Rater,
    Result,
    Scheme,
    Score,
    SheetDecision,
    Trial,
)


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = ["code", "name", "parent", "kind", "max_points", "consequence", "problem_category", "guidance", "order"]
    raw_id_fields = ["parent"]


@admin.register(Scheme)
class SchemeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "year", "version", "grading", "basis", "bonus_cap", "in_use"]
    inlines = [IndicatorInline]

    def has_change_permission(self, request, obj=None):
        return not (obj and obj.in_use) and super().has_change_permission(request, obj)


class RaterInline(admin.TabularInline):
    model = Rater
    extra = 0
    filter_horizontal = ["members"]


@admin.register(Assessment)
class AssessmentAdmin(SimpleHistoryAdmin):
    list_display = ["name", "scheme", "period", "root", "status"]
    list_filter = ["status"]
    raw_id_fields = ["root", "created_by", "previous"]
    inlines = [RaterInline]


admin.site.register(AssessmentTarget, list_display=["assessment", "org", "peer_group"],
                    raw_id_fields=["assessment", "org"])
admin.site.register(Score, SimpleHistoryAdmin, list_display=["assessment", "org", "indicator", "rater", "member",
                                                            "points"],
                    raw_id_fields=["assessment", "org", "indicator", "rater", "member", "entered_by"])
admin.site.register(SheetDecision, list_display=["assessment", "org", "rater", "member", "count", "reason",
                                                 "decided_by", "decided_at"],
                    raw_id_fields=["assessment", "org", "rater", "member", "decided_by"])
admin.site.register(Plaque, SimpleHistoryAdmin, list_display=["org", "title", "grade", "year", "named_on", "removed_on",
                                                             "removal_reason"],
                    list_filter=["title", "grade", "year"], search_fields=["org__name", "org__code"],
                    raw_id_fields=["org", "assessment", "named_by", "removed_by"])
admin.site.register(Consequence, list_display=["assessment", "org", "kind", "basis", "decided_by", "decided_at"],
                    list_filter=["kind"], raw_id_fields=["assessment", "org", "decided_by"])
admin.site.register(Result, SimpleHistoryAdmin, list_display=["assessment", "org", "peer_group", "total", "rank",
                                                             "grade"],
                    list_filter=["rated", "grade", "veto", "bottom_three"], raw_id_fields=["assessment", "org"])


@admin.register(Trial)
class TrialAdmin(admin.ModelAdmin):
    """Trials are read here; they are made, reopened and applied on the assessment's 规则试算 pages."""

    list_display = ["name", "assessment", "created_by", "created_at", "applied_at"]
    readonly_fields = ["assessment", "name", "rules", "seconds", "created_by", "created_at", "applied_by",
                       "applied_at"]
    exclude = ["comparison"]

    def has_add_permission(self, request):
        return False
