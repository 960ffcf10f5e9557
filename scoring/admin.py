from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from simple_history.admin import SimpleHistoryAdmin

from kernel.admin import AppendOnlyAdmin
from kernel.errors import ServiceError

from . import services
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
class ScoreForm(forms.ModelForm):
    correction_reason = forms.CharField(label="更正理由", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                        help_text="考核结束后修改分数必须填写，结果随即重新计算。")

    class Meta:
        model = Score
        fields = ["points", "reason"]


@admin.register(Score)
class ScoreAdmin(SimpleHistoryAdmin):
    """A score is changed here as on the grid: through ``services.enter_score`` (its checks, the results computed
    again, a correction after closing with its reason, and the reports built from them marked 已过期)."""

    form = ScoreForm
    list_display = ["assessment", "org", "indicator", "rater", "member", "points"]
    raw_id_fields = ["assessment", "org", "indicator", "rater", "member", "entered_by"]
    readonly_fields = ["assessment", "org", "indicator", "rater", "member", "entered_by", "evidence"]

    def has_add_permission(self, request):
        return False  # scores are entered on the grid or by import

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.enter_score(request.user, rater=obj.rater, org=obj.org, indicator=obj.indicator, points=obj.points,
                             reason=obj.reason, correction_reason=form.cleaned_data["correction_reason"],
                             member=obj.member)

    def changeform_view(self, request, *args, **kwargs):
        try:
            return super().changeform_view(request, *args, **kwargs)
        except ServiceError as exc:  # refused: nothing was saved (the admin's transaction rolled back)
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
admin.site.register(SheetDecision, list_display=["assessment", "org", "rater", "member", "count", "reason",
                                                 "decided_by", "decided_at"],
                    raw_id_fields=["assessment", "org", "rater", "member", "decided_by"])
admin.site.register(Plaque, SimpleHistoryAdmin, list_display=["org", "title", "grade", "year", "named_on", "removed_on",
                                                             "removal_reason"],
                    list_filter=["title", "grade", "year"], search_fields=["org__name", "org__code"],
                    raw_id_fields=["org", "assessment", "named_by", "removed_by"])
admin.site.register(Consequence, list_display=["assessment", "org", "kind", "basis", "decided_by", "decided_at"],
                    list_filter=["kind"], raw_id_fields=["assessment", "org", "decided_by"])


@admin.register(Result)
class ResultAdmin(AppendOnlyAdmin, SimpleHistoryAdmin):
    """Shown, never edited: results are computed from the scores (``services.compute``); correct a score instead."""

    list_display = ["assessment", "org", "peer_group", "total", "rank", "grade"]
    list_filter = ["rated", "grade", "veto", "bottom_three"]


@admin.register(Trial)
class TrialAdmin(admin.ModelAdmin):
    """Trials are read here; they are made, reopened and applied on the assessment's 规则试算 pages."""

    list_display = ["name", "assessment", "created_by", "created_at", "applied_at"]
    readonly_fields = ["assessment", "name", "rules", "seconds", "created_by", "created_at", "applied_by",
                       "applied_at"]
    exclude = ["comparison"]

    def has_add_permission(self, request):
        return False
