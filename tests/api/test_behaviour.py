"""The API's documented behaviour: tokens, JSON errors in Chinese, 409 on stale versions, idempotency keys,
throttling, cursor pages, dates with +08:00, and the same scope rules as the pages."""

import datetime
import hashlib
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.utils import timezone

from kernel import audit
from kernel.models import AuditEvent
from partybuild import tokens
from partybuild.models import ApiToken, Notification, Report
from rectification.models import Problem, ProgressUpdate, RectificationItem
from scoring.models import Assessment
from scoring.services import close, publish
from tests.inspections.helpers import tour_of, visit_of
from tests.rectification.helpers import item_of, photo
from tests.scoring.helpers import assessment_for

Status = RectificationItem.Status


# tokens ------------------------------------------------------------------------------------------------

def test_tokens_are_stored_as_a_digest_and_work_as_token_or_bearer(client, world):
    token, secret = tokens.issue(world.users["secretary"], name="手机", days=30)
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest() and secret not in token.prefix + token.digest
    for keyword in ("Token", "Bearer"):
        response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"{keyword} {secret}")
        assert response.status_code == 200 and response.json()["username"] == world.users["secretary"].username
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize("spoil", ["revoke", "expire", "deactivate", "wrong"])
def test_a_revoked_expired_or_wrong_token_is_refused_in_chinese(client, world, spoil):
    user = world.users["secretary"]
    token, secret = tokens.issue(user, name="手机", days=30)
    if spoil == "revoke":
        tokens.revoke(user, token)
    elif spoil == "expire":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    elif spoil == "deactivate":
        type(user).objects.filter(pk=user.pk).update(is_active=False)
    else:
        secret += "x"
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {secret}")
    assert response.status_code == 401 and response.json()["detail"] == "令牌无效、已过期或已被撤销。"
    assert response["WWW-Authenticate"].startswith("Token")


def test_without_credentials_the_api_answers_401_in_json(client, world):
    response = client.get("/api/v1/items/")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_a_token_cannot_be_issued_without_a_name_or_for_an_arbitrary_time(world):
    from kernel.errors import ServiceError

    with pytest.raises(ServiceError, match="名称"):
        tokens.issue(world.users["staff"], name=" ", days=30)
    with pytest.raises(ServiceError, match="有效期"):
        tokens.issue(world.users["staff"], name="系统对接", days=10000)
    assert not ApiToken.objects.exists()


def test_session_writes_need_the_csrf_token(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.users["secretary"])
    response = browser.post("/api/v1/notifications/read-all/")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]


def test_throttling_is_per_token(settings, world, as_user):
    settings.API_THROTTLE_RATE = "3/min"
    first, second = as_user(world.users["staff"]), as_user(world.users["staff"])
    assert [first("get", "me/").status_code for _ in range(3)] == [200, 200, 200]
    refused = first("get", "me/")
    assert refused.status_code == 429 and "Retry-After" in refused and refused.json()["code"] == "throttled"
    assert second("get", "me/").status_code == 200


# errors, versions, idempotency -------------------------------------------------------------------------

def test_a_validation_error_names_the_field_in_chinese_and_saves_nothing(world, as_user):
    item = item_of(world.branch, status=Status.IN_PROGRESS)
    api = as_user(world.users["secretary"])
    response = api("post", f"items/{item.pk}/progress/", {"text": "进展", "percent": 150})
    body = response.json()
    assert response.status_code == 400 and body["field"] == "percent" and "100" in body["detail"]
    assert body["errors"]["percent"] and not ProgressUpdate.objects.exists()


@pytest.mark.parametrize(("upload", "message"), [
    (SimpleUploadedFile("病毒.exe", b"MZ..."), "不支持“.exe”文件"),
    (SimpleUploadedFile("假照片.png", b"not a png"), "内容与扩展名不符"),
])
def test_uploads_get_the_same_checks_as_the_pages(world, as_user, upload, message):
    item = item_of(world.branch, status=Status.IN_PROGRESS)
    api = as_user(world.users["secretary"])
    response = api("post", f"items/{item.pk}/progress/", {"text": "进展", "percent": 50, "files": [photo(), upload]},
                   json=False)
    assert response.status_code == 400 and message in response.json()["detail"]
    assert isinstance(response.json()["errors"], dict)  # the error schema's object, as for any other 400
    assert not ProgressUpdate.objects.exists()


def test_a_stale_version_answers_409_with_the_current_one_and_changes_nothing(world, as_user):
    item = item_of(world.branch)
    api = as_user(world.users["secretary"])
    assert api("post", f"items/{item.pk}/actions/", {"action": "start", "version": 1}).status_code == 200
    stale = api("post", f"items/{item.pk}/actions/", {"action": "submit", "version": 1})
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    assert "刚刚被其他人修改过" in stale.json()["detail"]
    plan = {"version": 1, "measures": "新措施", "responsible_unit": "", "responsible_person": "", "deadline": None,
            "kind": "deadline"}
    assert api("put", f"items/{item.pk}/plan/", plan).status_code == 409
    item.refresh_from_db()
    assert (item.status, item.version, item.measures) == (Status.IN_PROGRESS, 2, "")
    saved = api("put", f"items/{item.pk}/plan/", {**plan, "version": 2})
    assert saved.status_code == 200 and saved.json()["measures"] == "新措施" and saved.json()["version"] == 3


def test_workflow_refusals_are_the_services_chinese_sentences(world, as_user):
    item = item_of(world.branch)
    secretary, staff = as_user(world.users["secretary"]), as_user(world.users["staff"])
    early = secretary("post", f"items/{item.pk}/actions/", {"action": "submit", "version": 1})
    assert early.status_code == 400 and early.json()["detail"] == "事项当前状态为“待整改”，不能申请销号。"
    RectificationItem.objects.filter(pk=item.pk).update(status=Status.SUBMITTED)
    bare = staff("post", f"items/{item.pk}/actions/", {"action": "return", "version": 1})
    assert bare.status_code == 400 and bare.json()["detail"] == "退回整改时必须填写说明。"
    unknown = staff("post", f"items/{item.pk}/actions/", {"action": "destroy", "version": 1})
    assert unknown.status_code == 400 and unknown.json()["field"] == "action"


def test_idempotency_keys_are_per_user_and_per_request(world, as_user):
    item = item_of(world.branch, status=Status.IN_PROGRESS)
    api, other = as_user(world.users["secretary"]), as_user(world.users["staff"])
    url, key = f"items/{item.pk}/progress/", {"HTTP_IDEMPOTENCY_KEY": "k-1"}
    failed = api("post", url, {"text": "", "percent": 10}, **key)
    assert failed.status_code == 400  # an error is not kept: the key may be sent again
    first = api("post", url, {"text": "进展一", "percent": 10}, **key)
    replay = api("post", url, {"text": "进展一", "percent": 10}, **key)
    assert first.status_code == replay.status_code == 201 and replay.json() == first.json()
    assert other("post", url, {"text": "进展二", "percent": 20}, **key).status_code == 201
    reused = api("post", f"items/{item.pk}/actions/", {"action": "submit", "version": 1}, **key)
    assert reused.status_code == 422 and "另一个请求" in reused.json()["detail"]
    assert ProgressUpdate.objects.count() == 2


def test_problems_are_raised_only_for_organisations_in_the_scope(world, as_user):
    api = as_user(world.users["secretary"])
    foreign = api("post", "problems/", {"org": world.sibling.pk, "description": "别人的问题"})
    assert foreign.status_code == 400 and foreign.json()["field"] == "org"
    own = api("post", "problems/", {"org": world.branch.pk, "description": "党员学习不经常", "deadline": "2030-01-31"})
    assert own.status_code == 201 and own.json()["source"] == "self_check"
    item = api("get", f"items/{own.json()['item']}/").json()
    assert item["status"] == "pending" and item["deadline"] == "2030-01-31"


# lists -------------------------------------------------------------------------------------------------

def test_lists_are_scoped_filtered_ordered_and_cursor_paged(world, as_user):
    ids = [item_of(world.branch).pk for _ in range(3)]
    item_of(world.foreign_branch)
    item_of(world.sibling, status=Status.CLOSED)
    api = as_user(world.users["staff"])
    first = api("get", "items/", {"page_size": 2, "ordering": "id"}).json()
    assert [row["id"] for row in first["results"]] == ids[:2] and first["previous"] is None
    second = api("get", first["next"].split("/api/v1/")[1]).json()
    assert [row["id"] for row in second["results"]] == [ids[2], ids[2] + 2] and second["next"] is None
    assert len(api("get", "items/", {"status": "closed"}).json()["results"]) == 1
    secretary = as_user(world.users["secretary"])
    assert sorted(r["id"] for r in secretary("get", "items/").json()["results"]) == ids


def test_another_countys_object_is_not_found_in_json(world, as_user):
    foreign = item_of(world.foreign_branch)
    response = as_user(world.users["staff"])("get", f"items/{foreign.pk}/")
    assert response.status_code == 404 and response.json()["detail"] == "未找到，或不在您的权限范围内。"


def test_notifications_are_the_users_own(world, as_user):
    mine = Notification.objects.create(user=world.users["secretary"], text="甲", key="a")
    Notification.objects.create(user=world.users["staff"], text="乙", key="b")
    api = as_user(world.users["secretary"])
    listed = api("get", "notifications/").json()["results"]
    assert [n["id"] for n in listed] == [mine.pk] and listed[0]["created_at"].endswith("+08:00")
    assert api("post", "notifications/read-all/").json() == {"marked": 1}


# inspections, assessments and reports ------------------------------------------------------------------

def test_an_inspector_records_a_finding_with_a_photo_and_fills_a_checklist(world, as_user):
    visit = visit_of(world, world.branch)
    api = as_user(world.users["inspector"])
    today = api("get", "targets/today/").json()["results"]
    assert [t["id"] for t in today] == [visit.target_id] and today[0]["visited"]
    finding = api("post", f"visits/{visit.pk}/findings/", {"kind": "problem", "text": "党员名册未更新",
                                                            "files": [photo()]}, json=False)
    assert finding.status_code == 201 and finding.json()["evidence"][0]["thumbnail_url"].endswith("?variant=thumbnail")
    checklist = api("get", "checklists/").json()["results"][0]
    lines = [{"item": line["id"], "verdict": "pass"} for line in checklist["items"]]
    missing = api("put", f"visits/{visit.pk}/checklists/{checklist['id']}/", {"answers": lines[1:]})
    assert missing.status_code == 400 and "每一项各填写一次" in missing.json()["detail"]
    lines[0]["verdict"] = "fail"
    saved = api("put", f"visits/{visit.pk}/checklists/{checklist['id']}/", {"answers": lines})
    assert saved.status_code == 200 and saved.json()[0]["verdict"] == "fail"
    detail = api("get", f"visits/{visit.pk}/").json()
    assert len(detail["findings"]) == 1 and len(detail["answers"]) == len(lines) and detail["may_record"]
    raised = api("post", f"findings/{finding.json()['id']}/raise/")
    assert raised.status_code == 201 and RectificationItem.objects.filter(pk=raised.json()["item"]).exists()


def test_tour_scores_are_checked_by_the_service(world, as_user):
    stop = tour_of(world, world.branch, participants=("inspector",)).stops.get()
    api = as_user(world.users["inspector"])
    assert api("post", f"tour-stops/{stop.pk}/score/", {"points": "101"}).json()["field"] == "points"
    assert api("post", f"tour-stops/{stop.pk}/score/", {"points": "92.5"}).json()["points"] == 92.5
    tour = api("get", f"tours/{stop.tour_id}/").json()
    assert tour["is_participant"] and tour["stops"][0]["my_points"] == 92.5 and tour["ranking"][0]["rank"] == 1


def test_nothing_of_an_unpublished_assessment_reaches_a_secretary(world, as_user):
    assessment = assessment_for(world)
    close(world.users["staff"], assessment)
    secretary, leader = as_user(world.users["secretary"]), as_user(world.users["leader"])
    assert secretary("get", "assessments/").json()["results"] == []
    assert secretary("get", f"assessments/{assessment.pk}/results/").status_code == 404
    assert secretary("get", f"assessments/{assessment.pk}/sheets/{world.branch.pk}/").status_code == 404
    assert len(leader("get", f"assessments/{assessment.pk}/results/").json()) == 3
    publish(world.users["staff"], Assessment.objects.get(pk=assessment.pk))
    assert [a["id"] for a in secretary("get", "assessments/").json()["results"]] == [assessment.pk]
    sheet = secretary("get", f"assessments/{assessment.pk}/sheets/{world.branch.pk}/")
    assert sheet.status_code == 200 and sheet.json()["result"]["org"]["id"] == world.branch.pk
    assert {g["group"] for g in sheet.json()["groups"]} and len(sheet.json()["raters"]) == 3
    assert secretary("get", f"assessments/{assessment.pk}/sheets/{world.sibling.pk}/").status_code == 404


def test_a_report_is_requested_polled_and_downloaded(world, as_user):
    api = as_user(world.users["leader"])
    kinds = {k["kind"]: k for k in api("get", "report-kinds/", {"scope": world.county.pk}).json()}
    period = kinds["monthly"]["periods"][0]["value"]
    wrong = api("post", "reports/", {"kind": "monthly", "scope": world.county.pk, "period": "1999-01"})
    assert wrong.status_code == 400 and wrong.json()["field"] == "period"
    foreign = api("post", "reports/", {"kind": "monthly", "scope": world.foreign_county.pk, "period": period})
    assert foreign.status_code == 404
    requested = api("post", "reports/", {"kind": "monthly", "scope": world.county.pk, "period": period})
    assert requested.status_code == 202
    status = api("get", f"reports/{requested.json()['id']}/").json()
    assert status["status"] == Report.Status.DONE and status["progress"] == 100
    download = api("get", status["downloads"]["pdf"].split("/api/v1/")[1])
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    trail = AuditEvent.objects.filter(user=world.users["leader"]).order_by("id").values_list("action", flat=True)
    assert [a for a in trail if a in (audit.Action.REPORT_REQUESTED, audit.Action.DOWNLOAD)] == [
        audit.Action.REPORT_REQUESTED, audit.Action.DOWNLOAD]
    assert audit.Action.ACCESS_DENIED in trail  # the foreign county's 404 is on the trail like a page's


def test_a_checklist_sent_as_multipart_keeps_each_lines_photo(client, world, as_user):
    visit = visit_of(world, world.branch)
    api = as_user(world.users["staff"])
    checklist = api("get", "checklists/").json()["results"][0]
    url = f"/api/v1/visits/{visit.pk}/checklists/{checklist['id']}/"
    first = checklist["items"][0]["id"]
    lines = [{"item": line["id"], "verdict": "fail" if line["id"] == first else "pass"} for line in checklist["items"]]

    def put(fields):
        return client.put(url, encode_multipart(BOUNDARY, fields), content_type=MULTIPART_CONTENT,
                          HTTP_AUTHORIZATION=f"Token {api.secret}")

    response = put({"answers": json.dumps(lines), f"photo_{first}": photo()})
    assert response.status_code == 200
    saved = {a["item"]: a for a in response.json()}
    assert saved[first]["has_photo"] and not any(a["has_photo"] for pk, a in saved.items() if pk != first)
    refused = put({"answers": "不是 JSON"})
    assert refused.status_code == 400 and refused.json()["field"] == "answers"


def test_an_extension_is_requested_by_the_branch_and_decided_by_staff_above_it(world, as_user):
    item = item_of(world.branch, status=Status.IN_PROGRESS, deadline=datetime.date(2030, 1, 1))
    secretary, staff = as_user(world.users["secretary"]), as_user(world.users["staff"])
    early = secretary("post", f"items/{item.pk}/extension/", {"proposed_deadline": "2029-12-31", "reason": "换届"})
    assert early.status_code == 400 and "应晚于原整改时限" in early.json()["detail"]
    asked = secretary("post", f"items/{item.pk}/extension/", {"proposed_deadline": "2030-06-30", "reason": "换届"})
    assert asked.status_code == 201 and asked.json()["decision"] == "pending"
    extension = asked.json()["id"]
    assert secretary("post", f"extensions/{extension}/decide/", {"approve": True}).status_code == 403
    bare = staff("post", f"extensions/{extension}/decide/", {"approve": False})
    assert bare.status_code == 400 and bare.json()["detail"] == "不同意延期时请写明理由。"
    decided = staff("post", f"extensions/{extension}/decide/", {"approve": True, "note": "同意"})
    assert decided.status_code == 200 and decided.json()["decision"] == "approved"
    moved = secretary("get", f"items/{item.pk}/").json()
    assert moved["deadline"] == "2030-06-30" and moved["version"] == item.version + 1
    assert [e["id"] for e in secretary("get", "extensions/", {"decision": "approved"}).json()["results"]] == [extension]


def test_the_api_checks_a_problem_by_the_rules_of_its_fields_as_the_form_and_the_import_do(world, as_user):
    api = as_user(world.users["secretary"])
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    future = api("post", "problems/", {"org": world.branch.pk, "description": "问题", "found_on": tomorrow})
    assert future.status_code == 400 and "不能晚于今天" in str(future.json())
    long = api("post", "problems/", {"org": world.branch.pk, "description": "问题", "measures": "措" * 4001})
    assert long.status_code == 400 and "4000" in str(long.json())
    assert not Problem.objects.exists()
