"""``me`` and the organisation tree with its statistics."""

import re

import django_filters
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from kernel.policy import ACTIONS, ROLE_SPECS, scope_of
from orgs import queries
from orgs.models import Organization, OrgStatistics

from .base import ApiView, ReadOnlyViewSet
from .errors import invalid

YEAR = re.compile(r"[12]\d{3}")


class GrantOut(serializers.Serializer):
    role = serializers.CharField()
    role_label = serializers.CharField()
    org = serializers.IntegerField()
    org_code = serializers.CharField()
    org_name = serializers.CharField()
    recursive = serializers.BooleanField(help_text="含下级组织")


class MeOut(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()
    is_admin = serializers.BooleanField()
    roles = serializers.ListField(child=serializers.CharField())
    role_labels = serializers.ListField(child=serializers.CharField())
    scope = GrantOut(many=True)
    actions = serializers.ListField(child=serializers.CharField(), help_text="本人在范围内可进行的操作(权限策略)")


class Me(ApiView):
    @extend_schema(responses=MeOut)
    def get(self, request):
        """The calling user: roles, the organisations they are granted on, and the policy actions they may take."""
        user, scope = request.user, scope_of(request.user)
        orgs = Organization.objects.in_bulk([g.org_id for g in scope.grants])
        grants = [{"role": g.role, "role_label": str(ROLE_SPECS[g.role].label), "org": g.org_id,
                   "org_code": orgs[g.org_id].code, "org_name": orgs[g.org_id].name, "recursive": g.recursive}
                  for g in scope.grants]
        return Response(MeOut({
            "id": user.pk, "username": user.username, "name": user.get_full_name() or user.username,
            "is_admin": scope.is_admin, "roles": sorted(scope.roles), "role_labels": scope.role_labels,
            "scope": grants, "actions": sorted(a for a in ACTIONS if scope.allows(a)),
        }).data)


class OrgOut(serializers.ModelSerializer):
    level_label = serializers.CharField(source="get_level_display")
    kind_label = serializers.CharField(source="get_kind_display")
    sector_label = serializers.CharField(source="get_sector_display")

    class Meta:
        model = Organization
        fields = ["id", "code", "name", "level", "level_label", "kind", "kind_label", "sector", "sector_label",
                  "is_active", "depth", "numchild", "path"]


class OrgFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label="名称或编码开头")
    parent = django_filters.NumberFilter(method="filter_parent", label="上级组织 id：只列直接下级")

    class Meta:
        model = Organization
        fields = ["level", "kind", "sector", "is_active", "depth"]

    def filter_text(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__istartswith=value))

    def filter_parent(self, queryset, name, value):
        parent = queryset.filter(pk=value).first()
        if parent is None:
            return queryset.none()
        return queryset.filter(path__startswith=parent.path, depth=parent.depth + 1)


class StatisticsOut(serializers.Serializer):
    year = serializers.IntegerField()
    own = serializers.DictField(allow_null=True, help_text="本组织自身的年度统计")
    rollup = serializers.DictField(help_text="含全部下级的汇总")


class OrganisationViewSet(ReadOnlyViewSet):
    """The organisations of the user's scope (the tree in path order)."""

    queryset = Organization.objects.none()
    serializer_class = OrgOut
    filterset_class = OrgFilter
    ordering_fields = ["path", "id", "code"]
    ordering = ["path"]

    def get_queryset(self):
        return Organization.objects.visible_to(self.request.user)


class OrganisationStatistics(ApiView):
    @extend_schema(parameters=[OpenApiParameter("year", int, description="统计年度(四位数字)；默认最近有数据的年度")],
                   responses=StatisticsOut)
    def get(self, request, pk):
        """An organisation's own figures for a year and the rollup of its whole subtree."""
        org = get_object_or_404(Organization.objects.visible_to(request.user), pk=pk)
        year = request.query_params.get("year")
        if year is not None and not YEAR.fullmatch(year):
            raise invalid("year", "年度应为四位数字，例如 2026。")
        year = int(year) if year else (queries.latest_year(org) or timezone.localdate().year)
        own = OrgStatistics.objects.filter(org=org, year=year).values().first()
        if own:
            own = {k: v for k, v in own.items() if k not in ("id", "org_id")}
        return Response(StatisticsOut({"year": year, "own": own, "rollup": queries.rollup(org, year)}).data)


