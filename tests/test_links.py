"""Only links that open: every demo role follows every kind of link reachable from its home page, and none
answers 403 or 404 (or fails)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tests.crawler import crawl, links_of

DEMO_USERS = ("admin", "staff", "leader", "inspector", "secretary", "secretary2", "auditor")


@pytest.mark.slow
@pytest.mark.django_db
def test_every_demo_role_finds_no_link_it_cannot_open(client):
    call_command("seed_demo")
    users = get_user_model().objects
    broken, reached = {}, {}
    for name in DEMO_USERS:
        client.force_login(users.get(username=name))
        result = crawl(client, per_kind=2, limit=120)
        reached[name] = len(result.pages)
        if result.broken:
            broken[name] = result.broken
        client.logout()
    assert not broken, broken
    # the crawl really walked the application, not just the home page
    assert reached["staff"] > 40 and reached["secretary"] > 15 and reached["inspector"] > 15, reached


def test_the_crawler_reads_links_and_htmx_targets_and_reports_what_does_not_open(client, world):
    html = ('<a href="/rectification/">a</a><a href="#x">b</a><a href="https://example.org/">c</a>'
            '<button hx-get="/orgs/1/children/">d</button><a href="items/5/?x=1">e</a>')
    assert links_of(html, "/rectification/") == ["/rectification/", "/orgs/1/children/", "/rectification/items/5/?x=1"]
    client.force_login(world.users["secretary"])
    result = crawl(client, start=f"/orgs/{world.foreign_branch.pk}/")  # another county's branch
    assert result.broken == [(f"/orgs/{world.foreign_branch.pk}/", 404, None)]
