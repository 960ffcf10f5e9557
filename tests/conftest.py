import os
import tempfile
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.testcases import QuietWSGIRequestHandler
from pytest_django.plugin import blocking_manager_key

from kernel import policy
from orgs.models import Kind, Level, Role, Sector
from partybuild.celery import app as celery_app
from tests.factories import OrganizationFactory, RoleAssignmentFactory, UserFactory

# The policy mutation check (scripts/widen_policy.py) runs the tests with one ACTIONS entry widened by one role:
# PB_WIDEN_POLICY="records.view:auditor". Some test must then fail.
if os.environ.get("PB_WIDEN_POLICY"):
    _action, _role = os.environ["PB_WIDEN_POLICY"].split(":")
    policy.ACTIONS[_action] = (*policy.ACTIONS[_action], _role)

# The live server answers each request in two writes (head, then body): with Nagle's algorithm the body waited for
# the client's delayed acknowledgement, 40 ms a request, which made Schemathesis' thousands of requests wait, not work.
QuietWSGIRequestHandler.disable_nagle_algorithm = True

# Tasks run in the test process unless a test starts a real worker itself.
celery_app.conf.task_always_eager = True
# Playwright's sync API runs an event loop in the test thread; Django must still allow ORM calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """The slow tests first, whether they roll back or empty the database (pytest-django sorts them apart before
    this): handed out a test or two at a time (run-tests.sh), the workers then start on them together and end together
    on short ones. Any order is safe because every test finds the reference data (``pytest_runtest_teardown``)."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (a live server, ``transaction=True``) empties the database when it ends, the migrations'
    reference data (problem taxonomy, checklists, schemes) included: it is loaded again at once, so that every test
    finds it whichever worker and order it runs in. (After the last test the test database is gone.)"""
    yield
    if nextitem is not None and empties_the_database(item):
        with item.config.stash[blocking_manager_key].unblock():
            load_reference_data()


def empties_the_database(item):
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(item.fixturenames))


#: the settings every test runs with, also while a module's data is made (kept_for_the_module)
FAST_PASSWORD_HASHING = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOCAL_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture(scope="session", autouse=True)
def _no_session_left_on_the_test_database(django_db_setup, django_db_blocker):
    """The test database, made before anything else of the session and dropped after it, with every other session on
    it ended first: a client's kept-alive connection (Chromium's, httpx's) keeps a live-server request thread, and its
    database session, open, and the database could not be dropped ("being accessed by other users"). Ending only the
    live server's sessions when it stopped still left one in a whole run."""
    yield
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                           " WHERE datname = current_database() AND pid <> pg_backend_pid()")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def load_reference_data():
    """The migrations' reference data (problem taxonomy, checklists, schemes), where the database lacks it."""
    from django.apps import apps

    from inspections.checklists import load as load_checklists
    from inspections.models import ChecklistTemplate
    from rectification.models import ProblemCategory
    from rectification.taxonomy import load as load_taxonomy
    from scoring.models import Scheme
    from scoring.schemes import load as load_schemes
    from scoring.schemes import load_low_grade_category

    if not ProblemCategory.objects.exists():
        load_taxonomy(apps, None)
    if not ChecklistTemplate.objects.exists():
        load_checklists(apps, None)
    if not Scheme.objects.exists():
        load_schemes(apps, None)
        load_low_grade_category(apps, None)


@pytest.fixture(autouse=True)
def _reports_in_the_test_thread(settings):
    """Reports are built in the test's own thread and transaction (tests/partybuild/test_report_requests.py
    covers the background thread of the quick start)."""
    settings.REPORTS_IN_BACKGROUND_THREAD = False


@pytest.fixture(autouse=True)
def _local_cache(settings):
    settings.CACHES = LOCAL_CACHE
    cache.clear()  # every test starts empty: local-memory caches of one process share their store


@pytest.fixture
def world(db):
    return build_world()


@contextmanager
def kept_for_the_module(django_db_blocker):
    """What is made inside is committed, made once for a module's tests (with the tests' settings: fast password
    hashing, a local cache, media in a temporary folder) and seen by each of them in its own rolled-back
    transaction; after the module the database is emptied and the reference data loaded again, as after a
    transactional test. (Not one transaction around the module with a savepoint per test, as ``setUpTestData``
    does: a transaction of thousands of subtransactions overflows PostgreSQL's cache of them, which slows every
    other session's visibility checks while it lasts.)"""
    with django_db_blocker.unblock(), tempfile.TemporaryDirectory() as media, override_settings(
            PASSWORD_HASHERS=FAST_PASSWORD_HASHING, CACHES=LOCAL_CACHE, MEDIA_ROOT=media):
        try:
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)
            load_reference_data()


def fresh(world):
    """The module's world for one more test: the users forget the scope the last test computed on them."""
    for user in world.users.values():
        user.__dict__.pop("_partybuild_scope", None)
    return world


def build_world():
    """Two counties. In the first: two townships with villages; users of every role.

    county ─┬─ town_a ─┬─ branch (the secretary's)
            │          └─ sibling
            └─ town_b ─── far_branch
    foreign_county ─── foreign_branch
    """
    county = OrganizationFactory(name="中共测试县委员会", level=Level.COUNTY, kind=Kind.COMMITTEE,
                                 sector=Sector.TERRITORIAL)
    town_a = OrganizationFactory(parent=county, name="中共甲镇委员会", level=Level.TOWNSHIP,
                                 kind=Kind.COMMITTEE, sector=Sector.TERRITORIAL)
    town_b = OrganizationFactory(parent=county, name="中共乙镇委员会", level=Level.TOWNSHIP,
                                 kind=Kind.COMMITTEE, sector=Sector.TERRITORIAL)
    branch = OrganizationFactory(parent=town_a, name="东山村党支部", level=Level.VILLAGE)
    sibling = OrganizationFactory(parent=town_a, name="西山村党支部", level=Level.VILLAGE)
    far_branch = OrganizationFactory(parent=town_b, name="南湖村党支部", level=Level.VILLAGE)
    foreign_county = OrganizationFactory(name="中共外县委员会", level=Level.COUNTY, kind=Kind.COMMITTEE,
                                         sector=Sector.TERRITORIAL)
    foreign_branch = OrganizationFactory(parent=foreign_county, name="外县某村党支部", level=Level.VILLAGE)

    def user_with(role, org, recursive=True, **kwargs):
        user = UserFactory(**kwargs)
        RoleAssignmentFactory(user=user, role=role, org=org, recursive=recursive)
        return user

    users = {
        "admin": UserFactory(username="admin", is_superuser=True, is_staff=True),
        "staff": user_with(Role.STAFF, county),
        "inspector": user_with(Role.INSPECTOR, town_a),
        "secretary": user_with(Role.SECRETARY, branch, recursive=False),
        "leader": user_with(Role.LEADER, county),
    }
    return SimpleNamespace(county=county, town_a=town_a, town_b=town_b, branch=branch, sibling=sibling,
                           far_branch=far_branch, foreign_county=foreign_county,
                           foreign_branch=foreign_branch, users=users, user_with=user_with)


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHING
