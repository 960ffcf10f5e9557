"""Where a user's role assignments come from: registered with the kernel's policy (orgs.apps)."""

from .models import RoleAssignment


def load_grants(user):
    """(role, org_id, org_path, recursive) of each assignment on an active organisation: one query."""
    return RoleAssignment.objects.filter(user=user, org__is_active=True).values_list(
        "role", "org_id", "org__path", "recursive")
