"""Who is calling: a personal token (``Authorization: Token <secret>`` or ``Bearer``) or the web session."""

from django.conf import settings
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, SessionAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied, Throttled
from rest_framework.throttling import SimpleRateThrottle

from partybuild import tokens
from partybuild.models import ApiToken

KEYWORDS = (b"token", b"bearer")


class TokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        words = get_authorization_header(request).split()
        if not words or words[0].lower() not in KEYWORDS:
            return None
        failures = FailedTokens(request)
        if len(words) != 2:
            failures.add()
            raise AuthenticationFailed("令牌格式不正确，应为“Token 令牌”。")
        token = tokens.resolve(words[1].decode("latin-1"))
        if token is None:
            failures.add()
            raise AuthenticationFailed("令牌无效、已过期或已被撤销。")
        return token.user, token

    def authenticate_header(self, request):
        return 'Token realm="api"'


class SessionWithCsrf(SessionAuthentication):
    """The web session; its writes need the CSRF token, refused in Chinese without it."""

    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except PermissionDenied:
            raise PermissionDenied("缺少或错误的 CSRF 令牌：用会话调用时须带 X-CSRFToken 请求头。",
                                   code="csrf_failed") from None


class FailedTokens(SimpleRateThrottle):
    """Wrong tokens are counted per address: past API_AUTH_FAILURE_RATE, every token from it answers 429."""

    scope = "token_failures"

    def __init__(self, request):
        super().__init__()
        self.key = self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
        self.now = self.timer()
        self.history = [at for at in self.cache.get(self.key, []) if at > self.now - self.duration]
        if len(self.history) >= self.num_requests:
            raise Throttled(self.wait())

    def get_rate(self):
        return settings.API_AUTH_FAILURE_RATE

    def add(self):
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)


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


class SessionWithCsrfScheme(SessionScheme):
    target_class = SessionWithCsrf
