from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Assessment, AssessmentTarget, Indicator, Rater, Result, Scheme, Score


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = ["code", "name", "parent", "kind", "max_points", "order"]
    raw_id_fields = ["parent"]


@admin.register(Scheme)
class SchemeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "year", "version", "grading", "bonus_cap", "in_use"]
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
admin.site.register(Score, SimpleHistoryAdmin, list_display=["assessment", "org", "indicator", "rater", "points"],
                    raw_id_fields=["assessment", "org", "indicator", "rater", "entered_by"])
admin.site.register(Result, SimpleHistoryAdmin, list_display=["assessment", "org", "peer_group", "total", "rank",
                                                             "grade"],
                    list_filter=["grade", "veto", "bottom_three"], raw_id_fields=["assessment", "org"])
