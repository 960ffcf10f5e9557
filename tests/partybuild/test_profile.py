"""个人中心: roles and scope, and personal API tokens that are created, shown once, and revoked."""

import datetime
import re

from django.utils import timezone

from kernel import audit
from kernel.models import AuditEvent
from partybuild import tasks, tokens
from partybuild.models import ApiToken, IdempotentRequest


def test_the_profile_shows_roles_and_scope(world, login):
    page = login(world.users["secretary"]).get("/accounts/profile/").content.decode()
    assert "支部书记 · 东山村党支部" in page and "及下级" not in page.split("API 令牌")[0]
    assert "还没有令牌" in page


def test_a_token_is_shown_once_and_only_its_digest_is_kept(world, login):
    client = login(world.users["secretary"])
    response = client.post("/accounts/profile/tokens/", {"name": "我的手机", "days": 90}, follow=True)
    page = response.content.decode()
    secret = re.search(r'value="(pb_[^"]+)"', page).group(1)
    assert "请立即复制保存" in page and "我的手机" in page
    token = ApiToken.objects.get()
    assert token.digest == tokens.digest(secret) and token.user == world.users["secretary"]
    assert (token.expires_at - timezone.now()).days in (89, 90)
    assert secret not in client.get("/accounts/profile/").content.decode()
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {secret}").status_code == 200


def test_bad_input_creates_nothing(world, login):
    client = login(world.users["staff"])
    page = client.post("/accounts/profile/tokens/", {"name": "", "days": 90}, follow=True).content.decode()
    assert "请填写令牌名称" in page
    page = client.post("/accounts/profile/tokens/", {"name": "系统", "days": 7}, follow=True).content.decode()
    assert "请填写令牌名称并选择有效期" in page
    assert not ApiToken.objects.exists()


def test_revoking_stops_the_token_at_once(world, login):
    client = login(world.users["secretary"])
    token, secret = tokens.issue(world.users["secretary"], name="旧手机", days=30)
    page = client.post(f"/accounts/profile/tokens/{token.pk}/revoke/", follow=True).content.decode()
    assert "令牌“旧手机”已撤销" in page and "已撤销" in page
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {secret}").status_code == 401
    trail = AuditEvent.objects.filter(user=world.users["secretary"], action__startswith="api_token.")
    assert list(trail.order_by("id").values_list("action", flat=True)) == [audit.Action.TOKEN_CREATED,
                                                                           audit.Action.TOKEN_REVOKED]


def test_nobody_revokes_another_users_token(world, login):
    token, _secret = tokens.issue(world.users["secretary"], name="手机", days=30)
    response = login(world.users["staff"]).post(f"/accounts/profile/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_daily_job_forgets_idempotency_keys_after_a_week(world):
    old = IdempotentRequest.objects.create(user=world.users["staff"], key="a", method="POST", path="/",
                                           created_at=timezone.now() - datetime.timedelta(days=8))
    recent = IdempotentRequest.objects.create(user=world.users["staff"], key="b", method="POST", path="/")
    tasks.daily_reminders()
    assert list(IdempotentRequest.objects.values_list("pk", flat=True)) == [recent.pk] and old.pk != recent.pk
