"""Turn a user's role assignments into one SQL filter (see partybuild.querysets.ScopedQuerySet)."""

from dataclasses import dataclass

from django.db.models import Q

from .models import Role, RoleAssignment

ALL_ROLES = tuple(Role.values)


@dataclass(frozen=True)
class Grant:
    role: str
    org_id: int
    path: str
    recursive: bool


class Scope:
    def __init__(self, user):
        self.is_admin = bool(user.is_authenticated and user.is_superuser)
        self.grants: list[Grant] = []
        if user.is_authenticated and not self.is_admin:
            rows = RoleAssignment.objects.filter(user=user, org__is_active=True).values_list(
                "role", "org_id", "org__path", "recursive")
            self.grants = [Grant(*row) for row in rows]
            self.is_admin = any(g.role == Role.ADMIN for g in self.grants)

    @property
    def roles(self) -> set[str]:
        return {Role.ADMIN} if self.is_admin else {g.role for g in self.grants}

    def has_role(self, *roles) -> bool:
        return self.is_admin or bool(self.roles & set(roles))

    def q(self, org_lookup="org", roles=ALL_ROLES) -> Q:
        """A filter matching rows whose organisation lies inside this scope for the given roles."""
        if self.is_admin:
            return Q()
        prefix = f"{org_lookup}__" if org_lookup else ""
        grants = [g for g in self.grants if g.role in roles]
        paths = _outermost({g.path for g in grants if g.recursive})
        ids = {g.org_id for g in grants if not g.recursive and not g.path.startswith(tuple(paths))}
        condition = Q(pk__in=[])
        for path in sorted(paths):
            condition |= Q(**{f"{prefix}path__startswith": path})
        if ids:
            condition |= Q(**{f"{prefix}pk__in": sorted(ids)})
        return condition

    def root_ids(self, roles=ALL_ROLES):
        return [g.org_id for g in self.grants if g.role in roles]


def _outermost(paths: set[str]) -> set[str]:
    """Drop paths that lie under another path of the set: their subtree is already included."""
    return {p for p in paths if not any(p != other and p.startswith(other) for other in paths)}


def scope_of(user) -> Scope:
    """The user's scope, computed once per user object (so once per request)."""
    scope = getattr(user, "_partybuild_scope", None)
    if scope is None:
        scope = Scope(user)
        if user.is_authenticated:
            user._partybuild_scope = scope
    return scope
