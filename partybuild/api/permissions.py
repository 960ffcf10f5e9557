"""The API's default permission (settings ``REST_FRAMEWORK``), apart from the views so that DRF can load it early."""

from rest_framework.permissions import BasePermission

from kernel.policy import may_open


class MayOpen(BasePermission):
    """The policy's ``may_open`` for the route (token users are known only once the API has authenticated them)."""

    def has_permission(self, request, view):
        return may_open(request.user, request.resolver_match.view_name)
