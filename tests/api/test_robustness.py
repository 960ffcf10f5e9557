"""Whatever a client sends, the API answers JSON in Chinese and never 500: unknown addresses, bad ids, NUL
bytes, malformed or oversize bodies, OPTIONS; lists page stably and refuse wrongly typed query values;
idempotency keys are bound to the request; wrong tokens are throttled; tokens end with the password."""

import datetime

import pytest
from django.conf import settings
from django.test import Client

from partybuild.models import ApiToken
from rectification.models import Problem
from tests.inspections.helpers import tour_of
from tests.rectification.helpers import item_of


def assert_chinese_json(response, status):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] and any("\u4e00" <= char <= "\u9fff" for char in body["detail"]), body
    return body


# item 2: JSON in Chinese, never 500 ---------------------------------------------------------------------

@pytest.mark.parametrize("method, url", [
    ("get", "nothing-here/"), ("get", "items/abc/"), ("post", "notifications/abc/read/"),
    ("get", "items/-1/"), ("options", "items/abc/history/"),
])
def test_unknown_addresses_and_ids_that_match_no_route_are_a_json_404(world, as_user, method, url):
    assert_chinese_json(as_user(world.users["staff"])(method, url), 404)


def test_unknown_addresses_are_json_without_credentials_too(client, world):
    assert_chinese_json(client.get("/api/v1/nothing-here/"), 404)


def test_a_missing_slash_is_named_and_never_turns_a_post_into_a_get(world, as_user):
    body = assert_chinese_json(as_user(world.users["secretary"])("post", "problems", {"description": "x"}), 404)
    assert body["code"] == "missing_slash" and body["detail"].endswith("/api/v1/problems/")
    assert not Problem.objects.exists()
    unknown = as_user(world.users["secretary"])("post", "nothing-here")
    assert assert_chinese_json(unknown, 404)["code"] == "not_found"


def test_malformed_json_and_an_oversize_body_are_refused_in_chinese(client, world, as_user):
    api = as_user(world.users["secretary"])
    malformed = client.post("/api/v1/problems/", "{not json", content_type="application/json",
                            HTTP_AUTHORIZATION=f"Token {api.secret}")
    assert assert_chinese_json(malformed, 400)["code"] == "parse_error"
    huge = b" " * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    oversize = client.post("/api/v1/problems/", huge, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Token {api.secret}")
    assert assert_chinese_json(oversize, 400)["code"] == "too_large"


def test_a_session_write_without_csrf_is_refused_in_chinese(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.users["secretary"])
    assert assert_chinese_json(browser.post("/api/v1/problems/", {}), 403)["code"] == "csrf_failed"


def test_nul_bytes_in_query_values_and_idempotency_keys_are_a_400(world, as_user):
    api = as_user(world.users["staff"])
    assert assert_chinese_json(api("get", "assessments/2/results/", {"org": "\x00"}), 400)["field"] == "org"
    assert assert_chinese_json(api("get", "problems/", {"source": "a\x00"}), 400)["field"] == "source"
    refused = api("post", "problems/", {"org": world.branch.pk, "description": "x"}, HTTP_IDEMPOTENCY_KEY="a\x00b")
    assert assert_chinese_json(refused, 400)["field"] == "Idempotency-Key"
    assert not Problem.objects.exists()


def test_options_answers_on_every_route(world, as_user):
    api = as_user(world.users["inspector"])
    stop = tour_of(world, world.branch).stops.get()
    for url in [f"tour-stops/{stop.pk}/score/", "items/", "me/", "report-kinds/", "problems/"]:
        response = api("options", url)
        assert response.status_code == 200 and "name" in response.json(), url


# item 3: stable paging, typed query values ---------------------------------------------------------------

@pytest.mark.parametrize("ordering", ["found_on", "-found_on", "created_at", "-created_at"])
def test_following_next_returns_every_row_once_even_when_the_ordered_field_ties(world, as_user, ordering):
    found = datetime.date(2026, 3, 1)
    for day in range(23):  # many rows per date: ties on found_on
        item_of(world.branch, found_on=found + datetime.timedelta(days=day % 3))
    api = as_user(world.users["staff"])
    seen, url = [], f"problems/?ordering={ordering}&page_size=4"
    while url:
        page = api("get", url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"] and page["next"].split("/api/v1/")[1]
    assert sorted(seen) == sorted(Problem.objects.values_list("id", flat=True))
    previous = api("get", f"problems/?ordering={ordering}&page_size=4").json()
    assert len(set(seen)) == len(seen) and previous["previous"] is None


@pytest.mark.parametrize("query, field", [
    ({"page_size": "abc"}, "page_size"), ({"page_size": "0"}, "page_size"), ({"page_size": "201"}, "page_size"),
    ({"overdue": "0.596"}, "overdue"), ({"ordering": "nonsense"}, "ordering"), ({"ordering": "id,x"}, "ordering"),
    ({"cursor": "%%%"}, "cursor"), ({"cursor": "cD1hYmM="}, "cursor"), ({"status": "x"}, "status"),
])
def test_wrongly_typed_query_values_and_unknown_orderings_are_a_400_naming_the_field(world, as_user, query, field):
    item_of(world.branch)
    body = assert_chinese_json(as_user(world.users["staff"])("get", "items/", query), 400)
    assert body["field"] == field


def test_statistics_and_report_kinds_refuse_a_year_or_scope_that_is_not_a_number(world, as_user):
    api = as_user(world.users["staff"])
    assert assert_chinese_json(api("get", f"organisations/{world.county.pk}/statistics/", {"year": "x"}),
                               400)["field"] == "year"
    assert assert_chinese_json(api("get", "report-kinds/", {"scope": "x"}), 400)["field"] == "scope"


# item 4: idempotency fingerprint, throttled failures, tokens end with the password -------------------

def test_the_same_idempotency_key_with_another_body_is_a_422(world, as_user):
    api = as_user(world.users["secretary"])
    key = {"HTTP_IDEMPOTENCY_KEY": "problem-1"}
    first = api("post", "problems/", {"org": world.branch.pk, "description": "第一条"}, **key)
    assert first.status_code == 201
    other = api("post", "problems/", {"org": world.branch.pk, "description": "第二条"}, **key)
    assert assert_chinese_json(other, 422)["code"] == "idempotency_key_reused"
    replay = api("post", "problems/", {"description": "第一条", "org": world.branch.pk}, **key)
    assert replay.status_code == 201 and replay.json() == first.json()
    assert Problem.objects.count() == 1


def test_wrong_tokens_are_throttled_per_address(settings, client, world, as_user):
    settings.API_AUTH_FAILURE_RATE = "3/min"
    good = as_user(world.users["staff"])
    wrong = [client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token pb_wrong{n}").status_code for n in range(4)]
    assert wrong == [401, 401, 401, 429]
    throttled = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {good.secret}")
    assert assert_chinese_json(throttled, 429)["code"] == "throttled" and int(throttled["Retry-After"]) > 0
    elsewhere = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {good.secret}", REMOTE_ADDR="10.0.0.9")
    assert elsewhere.status_code == 200


@pytest.mark.parametrize("ending", ["reset_by_admin", "changed", "deactivated"])
def test_a_password_reset_or_change_or_a_deactivation_ends_the_users_tokens(client, world, as_user, ending):
    user = world.users["secretary"]
    api = as_user(user)
    assert api("get", "me/").status_code == 200
    if ending == "reset_by_admin":
        client.force_login(world.users["admin"])
        response = client.post(f"/admin/auth/user/{user.pk}/password/",
                               {"password1": "Xin-mima-2026!", "password2": "Xin-mima-2026!"})
        assert response.status_code == 302
        client.logout()
    elif ending == "changed":
        user.set_password("Wo-de-xin-mima-9")
        user.save()
    else:
        user.is_active = False
        user.save()
    assert api("get", "me/").status_code == 401
    assert not ApiToken.objects.active().filter(user=user).exists()
