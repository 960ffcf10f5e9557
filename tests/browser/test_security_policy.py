"""Every page passes the Content-Security-Policy: Chromium reports no refused script, style or image.

(Named to run after the journeys: a transactional test's flush removes the rows data migrations seeded,
which test_inspection_journey reads.)
"""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def violations(phone):
    found = []
    phone.on("console", lambda message: found.append(message.text)
             if "Content Security Policy" in message.text else None)
    return found


def visit(page, path):
    response = page.goto(f"{page.base_url}{path}")
    page.wait_for_load_state("networkidle")
    assert response.status == 200, path
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_the_leaders_dashboard_and_the_staff_pages_pass_the_policy(phone, world, violations):
    phone.sign_in(world.users["leader"])
    visit(phone, "/")
    phone.wait_for_selector("#chart-trend canvas")
    phone.hover("#chart-units canvas")
    phone.sign_in(world.users["staff"])
    visit(phone, "/orgs/")
    phone.click(f"li[data-org='{world.county.code}'] > button")
    phone.wait_for_selector("text=中共甲镇委员会")
    for path in ("/rectification/", "/reports/", "/inspections/", "/scoring/", "/accounts/password_change/",
                 "/offline/"):
        visit(phone, path)
    assert violations == []


def test_the_administrators_pages_pass_the_policy(phone, world, violations):
    phone.sign_in(world.users["admin"])
    staff = world.users["staff"]
    for path in ("/ops/audit/", f"/ops/users/{staff.pk}/sessions/", "/admin/", "/admin/kernel/auditevent/",
                 f"/admin/auth/user/{staff.pk}/change/", "/admin/orgs/roleassignment/add/"):
        visit(phone, path)
    assert violations == []
