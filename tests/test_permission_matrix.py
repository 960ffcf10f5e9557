"""Walks every URL pattern of the project for every role, on an object inside and outside the scope.

Every named URL of the project's apps must have a case in ``tests/<app>/permission_cases.py``: a new
page without one fails ``test_every_url_has_a_case``. Inside the scope the allowed roles get the
case's status and every other role 403; outside it everybody but the administrator gets 404
(existence is not told). The API's routes are walked the same way (tests/api/permission_cases.py).

The auditor and a signed-in user with no role walk every URL and route too: each may open only the pages a
case lists for them (their own account, the auditor's audit trail); everything else answers 403 or 404, and
no page they open shows an organisation's name.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from kernel.policy import PAGES_WITHOUT_RECORDS
from kernel.registry import PROJECT_APPS, app_modules
from orgs.models import Role
from tests.conftest import build_world, fresh, kept_for_the_module
from tests.permission import ROLES, WITHOUT_RECORDS

SKIPPED_NAMESPACES = {"admin"}
SKIPPED_NAMES = {"login", "logout", "password_change", "password_change_done", "password_reset",
                 "password_reset_done", "password_reset_confirm", "password_reset_complete", "healthz",
                 "readyz"}

CASES = {name: case for module in app_modules("permission_cases", [*PROJECT_APPS, "api"], "tests.")
         for name, case in module.CASES.items()}


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
    missing = sorted(set(project_url_names()) - {name.partition("#")[0] for name in CASES})
    assert not missing, f"URLs without a permission-matrix case: {missing}"


def _url(world, name, case, side):
    return reverse(name.partition("#")[0], kwargs=case.kwargs(world, side) if case.kwargs else None)


def _send(client, world, name, case, side):
    extra = {"content_type": "application/json"} if case.json else {}
    return getattr(client, case.method)(_url(world, name, case, side), case.data_for(world), **extra)


def _expected_inside(role, case):
    if role in case.hidden:
        return 404
    return case.ok_status if role in case.allowed else 403


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker):
    """The world of tests/conftest.py made once for the module's 1,900 cases (making it took half of each case's
    time), with the county's 审计员 and a user without any role in ``world.users``; each case's own objects and
    requests are rolled back after it."""
    with kept_for_the_module(django_db_blocker):
        world = build_world()
        world.users["auditor"] = world.user_with(Role.AUDITOR, world.county)
        world.users["no_role"] = type(world.users["staff"]).objects.create_user("no_role", password="x")
        yield world


@pytest.fixture
def world(module_world, db):
    return fresh(module_world)


#: what a page of one's own may show: no organisation's name (but the one the auditor's own role is on)
ORGANISATION_NAMES = ("甲镇", "乙镇", "东山村", "外县")


def _sent_to_own_page(response):
    """A redirect to a page of one's own (the home page sends such a user to their start page)."""
    return response.status_code == 302 and resolve(response["Location"].split("?")[0]).view_name in (
        PAGES_WITHOUT_RECORDS)


@pytest.mark.parametrize("role", WITHOUT_RECORDS)
@pytest.mark.parametrize("name", sorted(CASES))
def test_users_without_records_open_only_their_own_pages(client, world, name, role):
    case = CASES[name]
    client.force_login(world.users[role])
    response = _send(client, world, name, case, "own")
    if role not in case.allowed:
        assert response.status_code in (403, 404) or _sent_to_own_page(response), (name, role, response.status_code)
        return
    assert response.status_code == case.ok_status, (name, role)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    shown = body.decode(errors="replace") if response.get("Content-Type", "").startswith(
        ("text/", "application/json")) else ""
    assert not any(org_name in shown for org_name in ORGANISATION_NAMES), (name, role)


@pytest.mark.parametrize("name", sorted(CASES))
def test_anonymous_visitors_are_sent_to_login(client, world, name):
    case = CASES[name]
    response = getattr(client, case.method)(_url(world, name, case, "own"))
    if case.anonymous_status != 302:
        assert response.status_code == case.anonymous_status, name
        return
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(CASES))
def test_inside_the_scope(client, world, name, role):
    case = CASES[name]
    client.force_login(world.users[role])
    response = _send(client, world, name, case, "own")
    assert response.status_code == _expected_inside(role, case), (name, role)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items() if c.kwargs and c.scoped))
def test_outside_the_scope_is_not_found(client, world, name, role):
    case = CASES[name]
    client.force_login(world.users[role])
    response = _send(client, world, name, case, "foreign")
    expected = _expected_inside(role, case) if role == "admin" else 404
    assert response.status_code == expected, (name, role)
