"""API lists take as many queries for 30 rows as for 3."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from partybuild import tokens
from partybuild.models import Notification
from rectification.models import RectificationItem
from tests.inspections.helpers import finding_of, visit_of
from tests.rectification.helpers import evidence_of, item_of

LISTS = ["items/", "problems/", "visits/", "findings/", "targets/", "inspection-rounds/", "organisations/",
         "notifications/", "assessments/", "tours/"]


def _add(world, n):
    for _ in range(n):
        item = item_of(world.branch, status=RectificationItem.Status.IN_PROGRESS)
        evidence_of(item, world.users["staff"])
        finding_of(world, world.branch)
        Notification.objects.create(user=world.users["staff"], text="通知", key=f"k{Notification.objects.count()}")


def _counts(client, world, secret):
    visit = visit_of(world, world.sibling)
    item = RectificationItem.objects.order_by("pk").first()
    urls = {**{url: url for url in LISTS}, "progress": f"items/{item.pk}/progress/",
            "history": f"items/{item.pk}/history/", "visit": f"visits/{visit.pk}/"}
    client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {secret}")  # the token's first use is recorded once
    counts = {}
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/v1/{url}", HTTP_AUTHORIZATION=f"Token {secret}").status_code == 200
        counts[name] = len(queries)
    return counts


def test_lists_do_not_query_per_row(client, world):
    secret = tokens.issue(world.users["staff"], name="测试", days=30)[1]
    _add(world, 3)
    few = _counts(client, world, secret)
    _add(world, 27)
    many = _counts(client, world, secret)
    assert {url: many[url] - few[url] for url in few if many[url] != few[url]} == {}
    assert max(many.values()) <= 12, many
