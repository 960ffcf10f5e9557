from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    ChecklistAnswer,
    ChecklistItem,
    ChecklistTemplate,
    Finding,
    Round,
    RoundTarget,
    Team,
    Tour,
    TourScore,
    TourStop,
    Visit,
    VisitEvidence,
)


class ItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 1


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active"]
    inlines = [ItemInline]


class TeamInline(admin.TabularInline):
    model = Team
    extra = 0
    filter_horizontal = ["members"]


@admin.register(Round)
class RoundAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "root", "starts_on", "ends_on", "status"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["root", "created_by"]
    inlines = [TeamInline]


class FindingInline(admin.TabularInline):
    model = Finding
    extra = 0


@admin.register(Visit)
class VisitAdmin(SimpleHistoryAdmin):
    list_display = ["target", "visited_on", "recorded_by"]
    raw_id_fields = ["target", "recorded_by"]
    list_select_related = ["target__org", "target__round", "recorded_by"]
    inlines = [FindingInline]


class StopInline(admin.TabularInline):
    model = TourStop
    extra = 0
    raw_id_fields = ["org"]


@admin.register(Tour)
class TourAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "root", "held_on", "filed_at"]
    raw_id_fields = ["root", "created_by"]
    filter_horizontal = ["participants"]
    inlines = [StopInline]


admin.site.register(RoundTarget, list_display=["round", "org", "team"], raw_id_fields=["round", "org", "team"])
admin.site.register(Finding, SimpleHistoryAdmin, list_display=["text", "kind", "visit", "to_spread"],
                    list_filter=["kind", "to_spread"], raw_id_fields=["visit"])
admin.site.register(VisitEvidence, list_display=["original_name", "visit", "size"], raw_id_fields=["visit", "finding"])
admin.site.register(ChecklistAnswer, SimpleHistoryAdmin, list_display=["visit", "item", "verdict"],
                    list_filter=["verdict"], raw_id_fields=["visit", "item"])
admin.site.register(TourScore, SimpleHistoryAdmin, list_display=["stop", "participant", "points"],
                    raw_id_fields=["stop", "participant"])
