from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from .models import Organization, OrgStatistics, RoleAssignment


@admin.register(Organization)
class OrganizationAdmin(TreeAdmin, SimpleHistoryAdmin):
    form = movenodeform_factory(Organization)
    list_display = ["name", "code", "level", "kind", "sector", "is_active"]
    list_filter = ["level", "kind", "sector", "is_active"]
    search_fields = ["name", "code"]
    list_per_page = 100


@admin.register(OrgStatistics)
class OrgStatisticsAdmin(SimpleHistoryAdmin):
    list_display = ["org", "year", "full_members", "probationary_members", "next_election"]
    list_filter = ["year"]
    search_fields = ["org__name", "org__code"]
    raw_id_fields = ["org"]
    list_select_related = ["org"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "org", "recursive"]
    list_filter = ["role", "recursive"]
    search_fields = ["user__username", "org__name", "org__code"]
    raw_id_fields = ["org"]
    list_select_related = ["user", "org"]


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    raw_id_fields = ["org"]
    extra = 1


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class UserWithRolesAdmin(UserAdmin):
    inlines = [RoleAssignmentInline]
