"""Walks every URL pattern of the project for every role, on an object inside and outside the scope.

Every named URL of the project's apps must have a case here: a new page without one fails
``test_every_url_has_a_case``. A case names the roles allowed to open it; inside the scope every
other role gets 403, outside it everybody but the administrator gets 404 (existence is not told).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

ROLES = ("admin", "staff", "inspector", "secretary", "leader")
EVERYONE = frozenset(ROLES)
TREE_EDITORS = frozenset({"admin", "staff"})
SKIPPED_NAMESPACES = {"admin"}
SKIPPED_NAMES = {"login", "logout", "password_change", "password_change_done", "password_reset",
                 "password_reset_done", "password_reset_confirm", "password_reset_complete", "healthz"}


@dataclass(frozen=True)
class Case:
    #: builds the URL kwargs; side is "own" (an object of the secretary's branch) or "foreign"
    kwargs: Callable | None = None
    allowed: frozenset = EVERYONE
    method: str = "get"
    ok_status: int = 200
    data: dict = field(default_factory=dict)


def org_pk(attr="branch"):
    return lambda w, side: {"pk": getattr(w, attr if side == "own" else "foreign_branch").pk}


CASES = {
    "home": Case(),
    "orgs:tree": Case(),
    "orgs:export": Case(),
    "orgs:import": Case(allowed=TREE_EDITORS),
    "orgs:import_confirm": Case(ok_status=405),  # POST only; its POST is tested in test_import_export
    "orgs:detail": Case(org_pk()),
    "orgs:children": Case(org_pk()),
    "orgs:edit": Case(org_pk(), allowed=TREE_EDITORS),
    "orgs:add_child": Case(org_pk(), allowed=TREE_EDITORS),
    "orgs:edit_statistics": Case(lambda w, side: {**org_pk()(w, side), "year": 2026},
                                 allowed=frozenset({"admin", "staff", "secretary"})),
}


def project_url_names():
    names = []

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace in SKIPPED_NAMESPACES:
                    continue
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name and pattern.name not in SKIPPED_NAMES:
                names.append(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, None)
    return names


def test_every_url_has_a_case():
    missing = sorted(set(project_url_names()) - set(CASES))
    assert not missing, f"URLs without a permission-matrix case: {missing}"


def _url(world, name, case, side):
    return reverse(name, kwargs=case.kwargs(world, side) if case.kwargs else None)


def _expected_inside(role, case):
    return case.ok_status if role in case.allowed else 403


@pytest.mark.parametrize("name", sorted(CASES))
def test_anonymous_visitors_are_sent_to_login(client, world, name):
    case = CASES[name]
    response = getattr(client, case.method)(_url(world, name, case, "own"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(CASES))
def test_inside_the_scope(client, world, name, role):
    case = CASES[name]
    client.force_login(world.users[role])
    response = getattr(client, case.method)(_url(world, name, case, "own"), case.data)
    assert response.status_code == _expected_inside(role, case), (name, role)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items() if c.kwargs))
def test_outside_the_scope_is_not_found(client, world, name, role):
    case = CASES[name]
    client.force_login(world.users[role])
    response = getattr(client, case.method)(_url(world, name, case, "foreign"), case.data)
    expected = _expected_inside(role, case) if role == "admin" else 404
    assert response.status_code == expected, (name, role)
