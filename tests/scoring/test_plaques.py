"""The plaque register: named and removed by hand with a reason, kept with who and when."""

import pytest

from kernel.errors import ServiceError
from scoring import services
from scoring.models import Plaque


def test_staff_name_and_remove_a_plaque_with_a_reason_and_the_register_keeps_both(world, login):
    staff = world.users["staff"]
    client = login(staff)
    response = client.post("/scoring/plaques/new/", {"org": world.branch.code, "title": "“五个好”村党支部",
                                                     "grade": "达标", "year": 2026, "reason": "复查验收合格"})
    assert response.status_code == 302
    plaque = Plaque.objects.get()
    assert (plaque.named_by, plaque.note) == (staff, "复查验收合格")
    with pytest.raises(ServiceError, match="先摘牌再重新命名"):
        services.name_plaque(staff, org=world.branch, title="“五个好”村党支部", grade="先进", year=2026, reason="x")
    client.post(f"/scoring/plaques/{plaque.pk}/remove/", {"reason": ""})
    assert Plaque.objects.get().removed_on is None  # no reason, nothing changed
    client.post(f"/scoring/plaques/{plaque.pk}/remove/", {"reason": "发生群体性事件，摘牌淘汰"})
    plaque.refresh_from_db()
    assert plaque.removed_by == staff and plaque.removal_reason == "发生群体性事件，摘牌淘汰"
    html = login(world.users["secretary"]).get("/scoring/plaques/").content.decode()
    assert "已摘牌" in html and "发生群体性事件，摘牌淘汰" in html and "复查验收合格" in html


def test_only_staff_of_the_scope_name_plaques(world):
    with pytest.raises(ServiceError, match="组织部干部"):
        services.name_plaque(world.users["leader"], org=world.branch, title="称号", grade="达标", year=2026,
                             reason="理由")
    outsider = world.user_with("staff", world.foreign_county)
    with pytest.raises(ServiceError, match="组织部干部"):
        services.name_plaque(outsider, org=world.branch, title="称号", grade="达标", year=2026, reason="理由")
