"""Personal API tokens: issued on the profile page, stored as a SHA-256 digest, shown once, revocable, expiring."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone

from kernel import audit
from kernel.errors import ServiceError

from .models import ApiToken

SECRET_PREFIX = "pb_"
#: the validity periods a user may choose, in days
LIFETIMES = (30, 90, 180, 365)
#: ``last_used_at`` is written at most this often per token
USE_RECORDED_EVERY = datetime.timedelta(minutes=5)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def issue(user, *, name, days) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it with its secret (never stored, so shown only now)."""
    name = name.strip()
    if not name:
        raise ServiceError("请给令牌起一个名称，例如“手机”。")
    if days not in LIFETIMES or days > settings.API_TOKEN_MAX_DAYS:
        allowed = "、".join(str(d) for d in LIFETIMES if d <= settings.API_TOKEN_MAX_DAYS)
        raise ServiceError(f"有效期只能选择 {allowed} 天。")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name[:50], prefix=secret[:10], digest=digest(secret),
                                    expires_at=timezone.now() + datetime.timedelta(days=days))
    audit.record(user, audit.Action.TOKEN_CREATED, str(token), days=days)
    return token, secret


def revoke(user, token) -> ApiToken:
    """Only the token's owner revokes it (the page fetches it among the user's own tokens)."""
    if token.user_id != user.pk:
        raise ServiceError("只能撤销自己的令牌。")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(user, audit.Action.TOKEN_REVOKED, str(token))
    return token


def end_all(user, reason) -> int:
    """Revoke every active token of ``user`` (their password was set or changed, or they were deactivated)."""
    ended = ApiToken.objects.active().filter(user=user).update(revoked_at=timezone.now())
    if ended:
        audit.record(None, audit.Action.TOKEN_REVOKED, user.get_username(), tokens=ended, reason=reason)
    return ended


def _account_saved(sender, instance, created, raw=False, **kwargs):
    """A password set (by the user or by an administrator) or a deactivation ends the tokens, like the sessions."""
    if raw or created:
        return
    if getattr(instance, "_password", None) is not None:  # kept by AbstractBaseUser.save until after post_save
        end_all(instance, "密码已重设或修改")
    elif not instance.is_active:
        end_all(instance, "账号已停用")


def connect():
    post_save.connect(_account_saved, sender=get_user_model(), dispatch_uid="tokens.account_saved")


def resolve(secret: str) -> ApiToken | None:
    """The active token with this secret, of an active user, or None."""
    if not secret.startswith(SECRET_PREFIX):
        return None
    now = timezone.now()
    token = (ApiToken.objects.active(now).select_related("user").filter(digest=digest(secret))
             .first())
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > USE_RECORDED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
