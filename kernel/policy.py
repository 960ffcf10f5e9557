"""The one permission policy: roles, scope and what each role may do.

- Roles are declared once, in ``ROLES``; ``Role`` (the model choices) is built from it.
- A user's scope comes from their role assignments (a role on an organisation, for it alone or its
  subtree). The domain app that stores assignments registers a loader with ``set_grant_loader``,
  so the kernel imports no app.
- ``ACTIONS`` names every kind of decision and the roles that may take it. ``can(user, action, obj)``
  answers it for an object (its organisation must lie in the part of the scope granted through one of
  those roles); querysets ask ``Scope.q`` for the same thing in SQL (see ``querysets.ScopedQuerySet``).
- The administrator may do everything. A read-only role is never listed for an action that writes.

Nothing outside this module names a role, and no view, service or template decides permissions
another way.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, TextChoices

from .errors import ServiceError


@dataclass(frozen=True)
class RoleSpec:
    name: str
    label: str
    #: may only read: never listed for an action that changes data
    read_only: bool
    #: a new assignment covers the organisation's subtree unless told otherwise
    covers_subtree: bool
    #: the URL name of the page the role starts on
    start_page: str = "home"


#: where a signed-in user without any role lands: their own profile (nothing of the organisations)
NO_ROLE_START_PAGE = "profile"


ROLES = [
    RoleSpec("admin", "系统管理员", read_only=False, covers_subtree=True),
    RoleSpec("staff", "组织部干部", read_only=False, covers_subtree=True),
    RoleSpec("inspector", "考核组成员", read_only=False, covers_subtree=True, start_page="inspections:today"),
    RoleSpec("secretary", "支部书记", read_only=False, covers_subtree=False),
    RoleSpec("leader", "领导", read_only=True, covers_subtree=True),
    RoleSpec("auditor", "审计员", read_only=True, covers_subtree=True, start_page="kernel:audit"),
]
ROLE_SPECS = {spec.name: spec for spec in ROLES}

Role = TextChoices("Role", [(spec.name.upper(), (spec.name, spec.label)) for spec in ROLES])

_STAFF, _INSPECTOR, _SECRETARY, _LEADER, _AUDITOR = "staff", "inspector", "secretary", "leader", "auditor"
#: the roles that read business records (the auditor reads only the audit trail)
_READERS = (_STAFF, _INSPECTOR, _SECRETARY, _LEADER)

#: action → the roles that may take it (on an object: granted on an organisation above or at the object's)
ACTIONS: dict[str, tuple[str, ...]] = {
    # pages every role that reads records has
    "home.view": _READERS,
    "records.view": _READERS,  # what ``visible_to`` shows, notifications, the schemes (考核细则): the auditor sees none
    # the organisation tree
    "orgs.manage": (_STAFF,),
    "orgs.manage_top": (),  # create or move a top-level organisation: the administrator only
    "orgs.statistics": (_STAFF, _SECRETARY),
    # the three lists and the ledger
    "ledger.work": (_STAFF, _SECRETARY),  # raise own problems, plan, report progress, apply for 销号
    "ledger.own": (_SECRETARY,),  # the secretary's own organisation (start page, 自评, answers to 举一反三)
    "ledger.manage": (_STAFF,),  # accept, send back, reopen, 督办, follow-ups, push, tasks, import
    "ledger.self_checks": (_STAFF, _SECRETARY),
    # inspections and observation tours
    "inspections.view": (_STAFF, _LEADER, _INSPECTOR),
    "inspections.manage": (_STAFF,),
    "inspections.visit": (_STAFF,),  # plus the members of the team assigned to the target (see inspections)
    "inspections.team": (_INSPECTOR,),  # sees and visits only what their own team was given
    "inspections.all_targets": (_STAFF, _SECRETARY, _LEADER),  # sees inspection records over the whole scope
    "inspections.oversee": (_STAFF, _LEADER),  # sees every round and tour over the scope
    # assessments
    "scoring.manage": (_STAFF,),
    "scoring.results": (_STAFF, _LEADER),  # read results before publication
    "scoring.rate": (_STAFF, _INSPECTOR),  # a rater body's member scores inside this part of scope
    # the leader dashboard, reports and the download centre
    "dashboard.view": (_STAFF, _LEADER),
    "reports.request": (_STAFF, _LEADER),
    # the audit trail
    "audit.view": (_AUDITOR,),
}

#: pages (URL names) open to a signed-in user whose roles read no records, and the action each asks for (None:
#: anybody signed in): their own account, and the audit trail for the auditor. Every other page and API route
#: answers 403 to such a user before its view runs (``may_open``, asked by ``kernel.middleware`` and the API).
PAGES_WITHOUT_RECORDS = {
    "home": None, "start": None,  # both send the user on to their own start page
    "profile": None, "token_new": None, "token_revoke": None, "api:me": None,
    "logout": None, "password_change": None, "password_change_done": None,
    "kernel:audit": "audit.view", "kernel:audit_export": "audit.view",
}

#: what a refusal says, where more can be said than "no permission"
REFUSALS = {
    "orgs.manage": "只有本范围的组织部干部可以维护组织体系。",
    "ledger.work": "您的角色不能修改这个整改事项。",
    "ledger.manage": "只有本范围的组织部干部可以进行此操作。",
    "inspections.manage": "只有本范围的组织部干部可以安排督查考核。",
    "scoring.manage": "只有本范围的组织部干部可以进行此操作。",
    "reports.request": "您不能生成这个范围的报告。",
}

# A read-only role must never be granted an action that writes.
_WRITING = {"orgs.manage", "orgs.manage_top", "orgs.statistics", "ledger.work", "ledger.manage", "inspections.manage",
            "inspections.visit", "scoring.manage", "scoring.rate"}
assert not any(ROLE_SPECS[r].read_only for action in _WRITING for r in ACTIONS[action]), "read-only role writes"


class NotAllowed(ServiceError, PermissionDenied):
    """A refused action: a service error (shown in Chinese) and, if uncaught, a 403."""

    def __init__(self, message=None):
        super().__init__(message or "您没有进行此操作的权限。")


@dataclass(frozen=True)
class Grant:
    role: str
    org_id: int
    path: str
    recursive: bool


_grant_loader = None
_member_loader = None


def set_grant_loader(loader, members):
    """``loader(user) -> [(role, org_id, org_path, recursive)]`` and ``members(user, action)``, the ids of the
    people holding a role on an organisation of the user's scope for ``action`` (a values queryset), registered
    by the app that stores the assignments."""
    global _grant_loader, _member_loader
    _grant_loader, _member_loader = loader, members


def members_in_scope(user, action):
    """The people whose roles lie in ``user``'s scope for ``action``: whose own records (the audit trail's
    events) that scope covers."""
    return _member_loader(user, action)


class Scope:
    """What a user's role assignments cover; computed once per request (see ``scope_of``)."""

    def __init__(self, user):
        self.is_admin = bool(user.is_authenticated and user.is_superuser)
        self.grants: list[Grant] = []
        if user.is_authenticated and not self.is_admin:
            self.grants = [Grant(*row) for row in _grant_loader(user)]
            self.is_admin = any(g.role == Role.ADMIN for g in self.grants)

    @property
    def roles(self) -> set[str]:
        return {Role.ADMIN} if self.is_admin else {g.role for g in self.grants}

    @property
    def role_labels(self):
        return sorted(str(ROLE_SPECS[r].label) for r in self.roles)

    @property
    def start_page(self):
        """The start page of the user's first role in declaration order (a user without a role: the profile)."""
        return next((spec.start_page for spec in ROLES if spec.name in self.roles), NO_ROLE_START_PAGE)

    def root_ids(self):
        """The organisations the user's roles are granted on."""
        return [g.org_id for g in self.grants]

    def own_org_ids(self) -> set[int]:
        """The user's own organisations: those a role of theirs is granted on (a secretary's branch, a staff
        member's committee), whatever the role. Highlighted in lists and rankings, and never the ones whose
        items the user accepts or sends back (``rectification.services.is_own_organisation``)."""
        return {g.org_id for g in self.grants}

    def grants_for(self, action) -> list[Grant]:
        """The grants that carry ``action``, outermost first: each is one part of the scope (its organisation, and
        its subtree when recursive), e.g. one set of dashboard figures per grant."""
        return sorted((g for g in self.grants if g.role in ACTIONS[action]), key=lambda g: (len(g.path), g.path))

    def nearest_grant(self, path, action):
        """The innermost grant for ``action`` whose part of the scope holds the organisation at ``path``, or None
        (the administrator's, too, is None: they hold no grant)."""
        holding = [g for g in self.grants_for(action) if g.path == path or (g.recursive and path.startswith(g.path))]
        return holding[-1] if holding else None

    def allows(self, action) -> bool:
        """The user may take ``action`` somewhere in their scope."""
        return self.is_admin or bool(self.roles & set(ACTIONS[action]))

    def covers(self, path, action) -> bool:
        """The organisation with materialised ``path`` lies in the part of the scope granted for ``action``."""
        return self.is_admin or self.nearest_grant(path, action) is not None

    def covers_subtree(self, path, action="records.view") -> bool:
        """The organisation at ``path`` and all its subordinates lie in the scope (a grant 含下级 reaches it)."""
        return self.is_admin or any(g.recursive and path.startswith(g.path)
                                    for g in self.grants if g.role in ACTIONS[action])

    def q(self, org_lookup="org", action=None) -> Q:
        """A filter matching rows whose organisation lies in the scope (granted for ``action``, or to read records)."""
        if self.is_admin:
            return Q()
        prefix = f"{org_lookup}__" if org_lookup else ""
        roles = ACTIONS[action or "records.view"]
        grants = [g for g in self.grants if g.role in roles]
        paths = _outermost({g.path for g in grants if g.recursive})
        ids = {g.org_id for g in grants if not g.recursive and not g.path.startswith(tuple(paths))}
        condition = Q(pk__in=[])
        for path in sorted(paths):
            condition |= Q(**{f"{prefix}path__startswith": path})
        if ids:
            condition |= Q(**{f"{prefix}pk__in": sorted(ids)})
        return condition


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


def org_path_of(obj) -> str:
    """The materialised path of the organisation an object belongs to (its queryset's ``org_lookup``)."""
    lookup = getattr(type(obj).objects.none(), "org_lookup", None)
    if lookup is None:
        raise TypeError(f"{type(obj).__name__} is not scoped by organisation")
    target = obj
    for attribute in filter(None, lookup.split("__")):
        target = getattr(target, attribute)
    return target.path


def can(user, action, obj=None) -> bool:
    """May ``user`` take ``action`` (on ``obj``, an organisation or a scoped object)?"""
    scope = scope_of(user)
    if obj is None:
        return scope.allows(action)
    return scope.covers(org_path_of(obj), action)


def roles_for(*actions) -> set[str]:
    """The roles that may take one of ``actions`` (to find the people who could be given a task)."""
    return {role for action in actions for role in ACTIONS[action]}


def role_may(role, action) -> bool:
    """Does a grant of ``role`` carry ``action`` (for work done per assignment, such as reminders)?"""
    return role == Role.ADMIN or role in ACTIONS[action]


def can_edit(user, obj) -> bool:
    """May ``user`` change ``obj`` (its queryset's ``edit_action``)?"""
    return can(user, type(obj).objects.none().edit_action, obj)


def may_open(user, view_name) -> bool:
    """May ``user`` open the page or API route named ``view_name`` at all? Those who read records may (the view
    decides the rest); others only the pages of ``PAGES_WITHOUT_RECORDS``. The admin site checks its own."""
    if view_name.startswith("admin:") or can(user, "records.view"):
        return True
    if view_name not in PAGES_WITHOUT_RECORDS:
        return False
    action = PAGES_WITHOUT_RECORDS[view_name]
    return action is None or can(user, action)


def require(user, action, obj=None, message=None):
    """Raise NotAllowed (a Chinese refusal, or 403 when uncaught) unless ``can(user, action, obj)``."""
    if not can(user, action, obj):
        raise NotAllowed(message or REFUSALS.get(action))
