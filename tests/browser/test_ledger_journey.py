"""The ledger's main journey at phone size: a secretary reports with a photo, staff accept."""

import pytest

from rectification.models import Evidence, RectificationItem
from tests.rectification.helpers import PNG, item_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_reports_with_a_photo_and_staff_accept(phone, world, tmp_path, browser, live_server):
    item = item_of(world.branch, description="“三会一课”记录不全", status=RectificationItem.Status.IN_PROGRESS)
    picture = tmp_path / "现场.png"
    picture.write_bytes(PNG)

    phone.sign_in(world.users["secretary"])
    phone.click("text=“三会一课”记录不全")
    phone.fill("textarea[name=text]", "已补齐2026年支委会和党员大会记录")
    phone.fill("input[name=percent]", "100")
    phone.set_input_files("input[name=files]", str(picture))
    phone.click("button:has-text('报送')")
    phone.wait_for_selector("text=本月整改进展已报送")
    phone.click("button:has-text('申请销号')")
    phone.wait_for_selector("text=已申请销号")
    assert Evidence.objects.get().update.item == item

    staff = browser.new_context(viewport={"width": 375, "height": 812}).new_page()
    staff.on("dialog", lambda dialog: dialog.accept())  # 验收销号 asks first
    staff.goto(f"{live_server.url}/accounts/login/")
    staff.fill("input[name=username]", world.users["staff"].username)
    staff.fill("input[name=password]", "pw-test-123")
    staff.click("main button[type=submit]")
    staff.goto(f"{live_server.url}/rectification/items/{item.pk}/")
    staff.fill("textarea[name=comment]", "记录完整，同意销号")
    staff.click("button:has-text('验收销号')")
    staff.wait_for_selector("text=已验收销号")
    timeline = staff.inner_text("ol.list-group")
    for step in ("报送", "申请销号", "验收销号", "记录完整，同意销号"):
        assert step in timeline
    assert staff.get_attribute("ol.list-group img.img-thumbnail", "alt") == "现场.png"  # the photo, as a thumbnail
    assert RectificationItem.objects.get(pk=item.pk).status == RectificationItem.Status.CLOSED
