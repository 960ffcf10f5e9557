"""A phone client written only from the schema: a branch secretary's month, then staff accepting the item."""

import datetime
import re

from django.utils import timezone

from partybuild import notifications
from rectification.models import RectificationItem
from tests.api.schema_client import SchemaClient
from tests.rectification.helpers import item_of, photo

Status = RectificationItem.Status


def token_from_profile_page(client, user):
    """What a person does: log in, open 个人中心, create a token, copy it from the page (shown once)."""
    client.force_login(user)
    client.post("/accounts/profile/tokens/", {"name": "我的手机", "days": 90})
    page = client.get("/accounts/profile/").content.decode()
    secret = re.search(r'value="(pb_[^"]+)"', page).group(1)
    assert secret not in client.get("/accounts/profile/").content.decode()  # shown once
    client.logout()
    return secret


def test_a_secretary_reports_progress_and_applies_for_closing_then_staff_accepts(client, world):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    item = item_of(world.branch, status=Status.IN_PROGRESS, deadline=yesterday, description="组织生活会记录不全")
    item_of(world.sibling, description="别的村的事项")
    notifications.send_daily()
    api = SchemaClient(client, token_from_profile_page(client, world.users["secretary"]))

    me = api.call("me_retrieve", expect=200).json()
    assert me["roles"] == ["secretary"] and me["scope"][0]["org"] == world.branch.pk
    assert "ledger.work" in me["actions"] and "ledger.manage" not in me["actions"]

    mine = api.call("items_list", query={"status": "in_progress"}, expect=200).json()
    assert [row["id"] for row in mine["results"]] == [item.pk]
    assert mine["results"][0]["is_overdue"] and mine["results"][0]["actions"] == ["submit"]
    assert mine["results"][0]["updated_at"].endswith("+08:00")
    version = mine["results"][0]["version"]

    report = {"text": "已补齐本月组织生活会记录", "percent": 100}
    first = api.call("items_progress_create", path={"id": item.pk}, body=report, files={"files": [photo()]},
                     headers={"Idempotency-Key": "month-report-1"}, expect=201)
    again = api.call("items_progress_create", path={"id": item.pk}, body=report, files={"files": [photo()]},
                     headers={"Idempotency-Key": "month-report-1"}, expect=201)
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    updates = api.call("items_progress_list", path={"id": item.pk}, expect=200).json()
    assert len(updates) == 1 and updates[0]["evidence"][0]["original_name"] == "现场照片.png"
    assert updates[0]["month"] == timezone.localdate().replace(day=1).isoformat()
    assert client.get(updates[0]["evidence"][0]["url"], HTTP_AUTHORIZATION=api.headers["HTTP_AUTHORIZATION"]
                      ).status_code == 200

    applied = api.call("items_actions_create", path={"id": item.pk}, expect=200,
                       body={"action": "submit", "comment": "已整改到位", "version": version}).json()
    assert applied["status"] == "submitted" and applied["version"] == version + 1
    refused = api.call("items_actions_create", path={"id": item.pk}, expect=403,
                       body={"action": "accept", "version": applied["version"]}).json()
    assert refused["detail"] == "您的角色不能验收销号。"

    inbox = api.call("notifications_list", query={"read": "false"}, expect=200).json()["results"]
    overdue = next(n for n in inbox if "逾期" in n["text"])
    assert api.call("notifications_read_create", path={"id": overdue["id"]}, expect=200).json()["read"]
    unread = api.call("notifications_list", query={"read": "false"}, expect=200).json()["results"]
    assert [n["id"] for n in unread] == [n["id"] for n in inbox if n["id"] != overdue["id"]]
    api.call("notifications_read_all_create", expect=200)
    assert api.call("notifications_list", query={"read": "false"}, expect=200).json()["results"] == []

    staff = SchemaClient(client, token_from_profile_page(client, world.users["staff"]))
    waiting = staff.call("items_list", query={"status": "submitted"}, expect=200).json()["results"]
    assert [row["id"] for row in waiting] == [item.pk] and waiting[0]["actions"] == ["accept", "return"]
    accepted = staff.call("items_actions_create", path={"id": item.pk}, expect=200,
                          body={"action": "accept", "version": applied["version"]}).json()
    assert accepted["status"] == "closed" and accepted["closed_on"] == timezone.localdate().isoformat()
    history = staff.call("items_history_list", path={"id": item.pk}, expect=200).json()
    assert [step["action"] for step in history] == ["raise", "submit", "accept"]
    assert history[-1]["action_label"] == "验收销号" and history[-1]["happened_at"].endswith("+08:00")
