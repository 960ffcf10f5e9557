"""Who is calling: a personal token (``Authorization: Token <secret>`` or ``Bearer``) or the web session."""

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.throttling import SimpleRateThrottle

from partybuild import tokens
from partybuild.models import ApiToken

KEYWORDS = (b"token", b"bearer")


class TokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        words = get_authorization_header(request).split()
        if not words or words[0].lower() not in KEYWORDS:
            return None
        if len(words) != 2:
            raise AuthenticationFailed("令牌格式不正确，应为“Token 令牌”。")
        token = tokens.resolve(words[1].decode("latin-1"))
        if token is None:
            raise AuthenticationFailed("令牌无效、已过期或已被撤销。")
        return token.user, token

    def authenticate_header(self, request):
        return 'Token realm="api"'


class PerTokenThrottle(SimpleRateThrottle):
    """One budget per token (a user's tokens do not share it), per user for sessions, per address otherwise."""

    scope = "api"

    def get_rate(self):
        return settings.API_THROTTLE_RATE

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"addr-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = TokenAuthentication
    name = "token"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Token <secret>` (or `Bearer <secret>`): a personal token from the profile page."}
