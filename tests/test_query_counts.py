"""Pages take the same number of queries on the demo county and on the demo city."""


import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orgs.models import Kind, Level, Organization
from rectification.models import RectificationItem

MAX_QUERIES = 18
#: the leader dashboard on the home page, before anything is cached: 4 queries for each of 6 months, 3 for what
#: the past months depend on (once they are cached, only the current month is counted again), 4 for the ranking
PAGE_MAX = {"home": 37}


def page_queries(client, user):
    """Query counts of the tree, search, children and detail pages for the largest organisations in scope."""
    client.force_login(user)
    visible = Organization.objects.visible_to(user)
    root = visible.order_by("depth").first()
    township = visible.filter(level__in=[Level.TOWNSHIP, Level.VILLAGE]).order_by("-numchild").first()
    branch = visible.filter(kind=Kind.BRANCH).first()
    pages = {
        "home": "/", "tree": "/orgs/", "search": "/orgs/?q=村",
        "root children": f"/orgs/{root.pk}/children/", "township children": f"/orgs/{township.pk}/children/",
        "root detail": f"/orgs/{root.pk}/", "township detail": f"/orgs/{township.pk}/",
        "branch detail": f"/orgs/{branch.pk}/",
        "ledger": "/rectification/", "ledger filtered": "/rectification/?overdue=true&sort=org",
        "ledger missing reports": "/rectification/?missing_report=true",
        "item": f"/rectification/items/{RectificationItem.objects.visible_to(user).order_by('pk').first().pk}/",
        "tasks": "/rectification/tasks/", "self checks": "/rectification/self-checks/",
    }
    counts = {}
    for page, url in pages.items():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[page] = len(queries)
    return counts


@pytest.mark.bench  # seeds the city
@pytest.mark.django_db(transaction=True)  # --reset flushes, which PostgreSQL refuses inside a transaction
def test_tree_and_detail_pages_keep_their_query_count_from_county_to_city(client):
    users = get_user_model().objects
    call_command("seed_demo")
    county = {name: page_queries(client, users.get(username=name)) for name in ("staff", "admin", "secretary")}
    call_command("seed_demo", "--scale", "city", "--reset")
    city = {name: page_queries(client, users.get(username=name)) for name in ("staff", "admin", "secretary")}
    for name in county:
        for page, count in city[name].items():
            # an empty page skips its prefetches, so the two may differ by those few queries, never by the data
            assert abs(count - county[name][page]) <= 2, (name, page, county[name][page], count)
            bound = PAGE_MAX.get(page, MAX_QUERIES)
            assert count <= bound and county[name][page] <= bound, (name, page)


@pytest.mark.smoke
def test_home_page_query_count_is_bounded(client, world, django_assert_max_num_queries):
    client.force_login(world.users["staff"])
    for _fetch in range(2):  # the dashboard is counted afresh every time (past months may come from the cache)
        with django_assert_max_num_queries(PAGE_MAX["home"]):
            client.get("/")
