import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from kernel import passwords
from kernel.audit import Action
from kernel.middleware import RENEWED_AT
from kernel.models import AuditEvent
from tests.kernel.test_audit import PASSWORD, only, sign_in

NEW_PASSWORD = "Xk9!pq-long"


@pytest.mark.parametrize("password", ["abcdefgh1", "ABCDEFGH1", "abcdefgh!", "Abcdefghi"])
def test_a_password_needs_three_kinds_of_characters(world, password):
    with pytest.raises(ValidationError, match="至少 3 类"):
        validate_password(password, world.users["staff"])


def test_a_recent_password_cannot_be_used_again(world, login):
    user = world.users["secretary"]
    client = login(user)
    response = client.post("/accounts/password_change/", {
        "old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    response = client.post("/accounts/password_change/", {
        "old_password": NEW_PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD})
    assert "不能与最近 5 次使用过的密码相同" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert only(Action.PASSWORD_CHANGED, user=user).target == user.username


def test_lockout_after_five_failures_from_one_address_with_a_chinese_message(world):
    user = world.users["staff"]
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, user.username, "wrong-password").status_code == 200
    locked = sign_in(client, user.username, "wrong-password")
    assert locked.status_code == 429 and "连续 5 次密码错误，已锁定 30 分钟" in locked.content.decode()
    assert sign_in(client, user.username).status_code == 429  # even the right password
    assert "_auth_user_id" not in client.session
    assert only(Action.LOCKED_OUT).username == user.username
    assert len([e for e in AuditEvent.objects.filter(action=Action.LOGIN_FAILED)]) == 6
    other = Client(REMOTE_ADDR="10.0.0.9")  # per user and address: the same user elsewhere may still sign in
    assert sign_in(other, user.username).status_code == 302


def test_an_administrator_unlocks_by_deleting_the_attempt(world, login):
    user = world.users["staff"]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(Client(), user.username, "wrong-password")
    attempt = AccessAttempt.objects.get(username=user.username)
    admin = login(world.users["admin"])
    assert admin.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"}).status_code == 302
    assert sign_in(Client(), user.username).status_code == 302


def test_a_password_set_by_an_administrator_must_be_changed_first(world, login):
    admin = login(world.users["admin"])
    response = admin.post("/admin/auth/user/add/", {"username": "newcomer", "password1": NEW_PASSWORD,
                                                    "password2": NEW_PASSWORD, "usable_password": "true",
                                                    "role_assignments-TOTAL_FORMS": "0",
                                                    "role_assignments-INITIAL_FORMS": "0"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    newcomer = get_user_model().objects.get(username="newcomer")
    assert passwords.must_change(newcomer)
    client = Client()
    assert sign_in(client, "newcomer", NEW_PASSWORD).status_code == 302
    page = client.get("/", follow=True)
    assert page.redirect_chain[-1][0] == "/accounts/password_change/"
    assert "请先修改为只有您自己知道的密码" in page.content.decode()
    assert client.get("/rectification/").status_code == 302
    response = client.post("/accounts/password_change/", {
        "old_password": NEW_PASSWORD, "new_password1": "Mine-2026-ok", "new_password2": "Mine-2026-ok"})
    assert response.status_code == 302
    assert client.get("/", follow=True).redirect_chain == [("/accounts/profile/", 302)]  # no role yet
    assert not passwords.must_change(newcomer)


def test_a_password_reset_by_an_administrator_must_be_changed_too(world, login):
    user = world.users["leader"]
    admin = login(world.users["admin"])
    response = admin.post(f"/admin/auth/user/{user.pk}/password/", {
        "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"})
    assert response.status_code == 302
    assert passwords.must_change(user)
    assert only(Action.PASSWORD_SET).user == world.users["admin"]
    client = Client()
    sign_in(client, user.username, NEW_PASSWORD)
    assert client.get("/").url == "/accounts/password_change/"


def test_accounts_made_without_an_administrator_are_not_forced(world, client):
    """Demo users (seed_demo) and the tests' users get their passwords outside any request."""
    assert not passwords.must_change(world.users["secretary"])
    sign_in(client, world.users["secretary"].username)
    assert client.get("/").status_code == 200


def test_sessions_expire_after_a_working_day_of_inactivity(world, client):
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    sign_in(client, world.users["staff"].username)
    session = Session.objects.get(session_key=client.session.session_key)
    assert abs((session.expire_date - timezone.now()).total_seconds() - 8 * 3600) < 60
    idle = client.session  # as if the last page had been eight hours ago: the session lives one more second
    idle.set_expiry(1)
    idle.save()
    time.sleep(1.5)
    assert client.get("/").status_code == 302


def test_use_moves_the_expiry_forward_at_most_once_a_minute(world, client):
    sign_in(client, world.users["staff"].username)
    key = client.session.session_key
    soon = timezone.now() + timedelta(hours=1)
    Session.objects.filter(pk=key).update(expire_date=soon)
    client.get("/reports/notifications/")
    assert Session.objects.get(pk=key).expire_date == soon  # renewed at sign-in, less than a minute ago
    session = client.session
    session[RENEWED_AT] -= settings.SESSION_RENEW_SECONDS
    session.save()
    Session.objects.filter(pk=key).update(expire_date=soon)
    client.get("/reports/notifications/")
    assert Session.objects.get(pk=key).expire_date > timezone.now() + timedelta(hours=7, minutes=59)


def test_an_administrator_sees_a_users_sessions_and_ends_them(world, login):
    user = world.users["staff"]
    phone, desk = Client(HTTP_USER_AGENT="手机浏览器"), Client(HTTP_USER_AGENT="办公电脑")
    sign_in(phone, user.username)
    sign_in(desk, user.username)
    admin = login(world.users["admin"])
    page = admin.get(f"/ops/users/{user.pk}/sessions/").content.decode()
    assert "手机浏览器" in page and "办公电脑" in page
    assert f"/ops/users/{user.pk}/sessions/" in admin.get(f"/admin/auth/user/{user.pk}/change/").content.decode()
    response = admin.post(f"/ops/users/{user.pk}/sessions/end/", follow=True)
    assert "已结束" in response.content.decode() and "2 个会话" in response.content.decode()
    assert phone.get("/").status_code == 302 and desk.get("/").status_code == 302
    assert only(Action.SESSIONS_ENDED).details == {"sessions": 2}


def test_only_administrators_see_or_end_sessions(world, login):
    client = login(world.users["staff"])
    user = world.users["leader"]
    assert client.get(f"/ops/users/{user.pk}/sessions/").status_code == 403
    assert client.post(f"/ops/users/{user.pk}/sessions/end/").status_code == 403
