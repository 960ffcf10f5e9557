"""Deadlines belong to the issuer: the organisation proposes one only when there is none, asks for an
extension (延期申请) that staff decide, and nobody moves the deadline of an item under 督办."""

import datetime

import pytest
from django.utils import timezone

from kernel.errors import ServiceError
from rectification import notices, services
from rectification.models import DeadlineExtension, RectificationItem
from tests.rectification.helpers import item_of

Status = RectificationItem.Status
LATER = timezone.localdate() + datetime.timedelta(days=20)


def plan(item, deadline):
    return {"version": item.version, "measures": "建立记录本", "kind": "deadline", "deadline": deadline}


def test_a_secretary_proposes_a_deadline_only_when_there_is_none(world, login):
    item = item_of(world.branch)
    client = login(world.users["secretary"])
    assert client.post(f"/rectification/items/{item.pk}/plan/", plan(item, "2026-12-31")).status_code == 302
    item.refresh_from_db()
    assert item.deadline == datetime.date(2026, 12, 31)
    assert "时限已确定" in client.get(f"/rectification/items/{item.pk}/").content.decode()
    client.post(f"/rectification/items/{item.pk}/plan/", plan(item, "2027-06-30"))
    item.refresh_from_db()
    assert item.deadline == datetime.date(2026, 12, 31)  # the field is read-only for her now
    with pytest.raises(ServiceError, match="延期申请"):
        services.update_plan(world.users["secretary"], item, expected_version=item.version,
                             **{**{f: getattr(item, f) for f in services.PLAN_FIELDS},
                                "deadline": datetime.date(2027, 6, 30)})
    assert RectificationItem.objects.get(pk=item.pk).deadline == datetime.date(2026, 12, 31)


def test_an_extension_is_asked_with_a_reason_and_decided_by_staff_in_the_history(world, login):
    item = item_of(world.branch, deadline=datetime.date(2026, 12, 31), status=Status.IN_PROGRESS)
    secretary = login(world.users["secretary"])
    response = secretary.post(f"/rectification/items/{item.pk}/extension/",
                              {"proposed_deadline": "2027-03-31", "reason": "村“两委”换届"})
    assert response.status_code == 302
    extension = DeadlineExtension.objects.get()
    assert (extension.current_deadline, extension.decision) == (datetime.date(2026, 12, 31), "pending")
    with pytest.raises(ServiceError, match="上级组织部干部"):
        services.decide_extension(world.users["secretary"], extension, approve=True)
    staff = login(world.users["staff"])
    assert staff.get("/rectification/extensions/").content.decode().count("村“两委”换届") == 1
    staff.post(f"/rectification/extensions/{extension.pk}/decide/", {"approve": "yes", "note": "同意"})
    item.refresh_from_db()
    assert item.deadline == datetime.date(2027, 3, 31)
    assert [t.action for t in item.transitions.all()][-2:] == ["extend_request", "extend_approve"]
    html = staff.get(f"/rectification/items/{item.pk}/").content.decode()
    assert "申请延期" in html and "同意延期" in html and "已同意" in html


def test_a_refusal_needs_a_reason_and_keeps_the_deadline(world):
    item = item_of(world.branch, deadline=datetime.date(2026, 12, 31))
    extension = services.request_extension(world.users["secretary"], item, proposed_deadline=datetime.date(2027, 1, 31),
                                           reason="人手不足")
    with pytest.raises(ServiceError, match="理由"):
        services.decide_extension(world.users["staff"], extension, approve=False)
    services.decide_extension(world.users["staff"], extension, approve=False, note="时限内可以完成")
    assert RectificationItem.objects.get(pk=item.pk).deadline == datetime.date(2026, 12, 31)
    assert item.transitions.last().action == "extend_refuse"


@pytest.mark.parametrize("proposed, reason, message", [
    (datetime.date(2026, 12, 1), "换届", "应晚于原整改时限"),
    (datetime.date(2027, 3, 31), " ", "延期理由"),
])
def test_bad_extension_requests_are_refused_in_chinese(world, proposed, reason, message):
    item = item_of(world.branch, deadline=datetime.date(2026, 12, 31))
    with pytest.raises(ServiceError, match=message):
        services.request_extension(world.users["secretary"], item, proposed_deadline=proposed, reason=reason)
    assert not DeadlineExtension.objects.exists()


def test_an_item_under_supervision_keeps_its_supervised_deadline(world, login):
    item = item_of(world.branch, deadline=datetime.date(2026, 1, 31), status=Status.IN_PROGRESS)
    notice = notices.issue_supervision(world.users["staff"], world.branch, [item], requirement="限期整改",
                                       reply_by=LATER)
    item.refresh_from_db()
    for user in (world.users["secretary"], world.users["staff"]):
        with pytest.raises(ServiceError, match="正在督办"):
            services.update_plan(user, item, expected_version=item.version,
                                 **{**{f: getattr(item, f) for f in services.PLAN_FIELDS},
                                    "deadline": datetime.date(2027, 6, 30)})
    with pytest.raises(ServiceError, match="正在督办"):
        services.request_extension(world.users["secretary"], item, proposed_deadline=datetime.date(2027, 6, 30),
                                   reason="换届")
    item.refresh_from_db()
    assert item.deadline == datetime.date(2026, 1, 31) and item.is_overdue
    assert notice.lines[0]["deadline"] == "2026-01-31"
    html = login(world.users["secretary"]).get(f"/rectification/items/{item.pk}/").content.decode()
    assert "正在督办" in html
