from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kernel.admin import AppendOnlyAdmin

from .models import (
    DeadlineExtension,
    Evidence,
    FollowUpCheck,
    ItemTransition,
    LedgerCheckpoint,
    Milestone,
    Notice,
    NoticeReply,
    NoticeReplyFile,
    Problem,
    ProblemCategory,
    ProblemDimension,
    ProgressUpdate,
    RectificationItem,
    ResponsibilityEntry,
    ResponsibilityLetter,
    SelfCheckPush,
    SelfCheckRequest,
    Task,
)
from .services import archive_problems


class CategoryInline(admin.TabularInline):
    model = ProblemCategory
    extra = 1


@admin.register(ProblemDimension)
class ProblemDimensionAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]
    inlines = [CategoryInline]


@admin.register(ProblemCategory)
class ProblemCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "dimension", "order", "is_active"]
    list_filter = ["dimension", "is_active"]


@admin.register(Problem)
class ProblemAdmin(SimpleHistoryAdmin):
    """Administrators archive problems; nobody deletes them."""

    list_display = ["description", "org", "source", "category", "severity", "found_on", "archived"]
    list_filter = ["source", "severity", "archived", "category__dimension"]
    search_fields = ["description", "org__name", "org__code"]
    raw_id_fields = ["org", "raised_by"]
    list_select_related = ["org", "category"]
    #: organisation, category and archiving change through the ledger's services, which log them
    readonly_fields = ["origin_type", "origin_id", "org", "category", "archived"]
    actions = ["archive"]

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="归档所选问题")
    def archive(self, request, queryset):
        archive_problems(request.user, queryset)


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(RectificationItem)
class RectificationItemAdmin(SimpleHistoryAdmin):
    list_display = ["problem", "status", "kind", "deadline", "responsible_person", "cycle", "escalations"]
    list_filter = ["status", "kind", "is_recurrence"]
    search_fields = ["problem__description", "responsible_person", "problem__org__name"]
    raw_id_fields = ["problem"]
    list_select_related = ["problem"]
    readonly_fields = ["status", "closed_on", "cycle", "version", "escalations", "deadline"]
    inlines = [MilestoneInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ItemTransition)
class ItemTransitionAdmin(AppendOnlyAdmin):
    """The log is append-only: shown, never changed."""

    list_display = ["item", "action", "from_status", "to_status", "deadline", "org", "actor", "happened_at", "hash"]
    list_filter = ["action", "to_status"]
    list_select_related = ["item__problem", "actor", "org"]


@admin.register(LedgerCheckpoint)
class LedgerCheckpointAdmin(AppendOnlyAdmin):
    """Recorded by the beat job of the 1st; checked by verify_ledger."""

    list_display = ["month", "items", "digest", "recorded_at"]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(SimpleHistoryAdmin):
    list_display = ["item", "month", "percent", "author", "created_at"]
    raw_id_fields = ["item", "author"]
    list_select_related = ["item__problem", "author"]

    def get_readonly_fields(self, request, obj=None):
        # which item reported in which month is what past months' 本月未报送 counts (and caches): fixed once saved
        return ["item", "month"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(Evidence, list_display=["original_name", "update", "size"], raw_id_fields=["update"])
admin.site.register(FollowUpCheck, list_display=["item", "cycle", "checked_on", "passed", "checker"],
                    raw_id_fields=["item", "checker"])
@admin.register(Notice)
class NoticeAdmin(AppendOnlyAdmin):
    list_display = ["number", "kind", "issuer", "org", "issued_on", "reply_by", "issued_by"]
    list_filter = ["kind", "year"]
    search_fields = ["number", "title", "org__name", "org__code"]
    list_select_related = ["issuer", "org", "issued_by"]


admin.site.register(NoticeReply, AppendOnlyAdmin, list_display=["notice", "author", "submitted_at"])
admin.site.register(NoticeReplyFile, AppendOnlyAdmin, list_display=["original_name", "reply", "size"])
admin.site.register(DeadlineExtension, AppendOnlyAdmin, list_filter=["decision"], list_display=[
    "item", "current_deadline", "proposed_deadline", "decision", "requested_by", "decided_by"])
admin.site.register(SelfCheckPush, list_display=["description", "root", "reply_by", "created_by"],
                    raw_id_fields=["root", "created_by"])
admin.site.register(SelfCheckRequest, SimpleHistoryAdmin, list_display=["push", "org", "answer", "answered_at"],
                    list_filter=["answer"], raw_id_fields=["push", "org", "answered_by"])
admin.site.register(Task, SimpleHistoryAdmin, list_display=["title", "org", "year", "quarter", "done"],
                    list_filter=["year", "quarter", "done"], raw_id_fields=["org", "assigned_by"])
admin.site.register(ResponsibilityEntry, SimpleHistoryAdmin, list_display=["org", "year", "post", "person"],
                    list_filter=["year", "post"], raw_id_fields=["org"])
admin.site.register(ResponsibilityLetter, list_display=["original_name", "org", "year", "uploaded_at"],
                    raw_id_fields=["org", "uploaded_by"])
