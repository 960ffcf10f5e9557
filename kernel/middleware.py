import time

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from . import audit
from .audit import Action
from .policy import NotAllowed, may_open

#: session key: the signed-in user's password was set by someone else and must be changed first
MUST_CHANGE_PASSWORD = "pb_must_change_password"
#: session key: when the session's expiry was last moved forward (seconds since the epoch)
RENEWED_AT = "pb_renewed_at"


def renew(session):
    """Move the session's expiry to SESSION_COOKIE_AGE from now (it is written with the response)."""
    session[RENEWED_AT] = int(time.time())


class SessionActivityMiddleware:
    """Idle timeout: a signed-in session expires SESSION_COOKIE_AGE seconds after its last use.

    The expiry moves forward when the session is saved; saving it on every request would cost a write
    per page, so it is renewed at most once per SESSION_RENEW_SECONDS (the timeout is that precise).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            last = request.session.get(RENEWED_AT, 0)
            if time.time() - last >= settings.SESSION_RENEW_SECONDS:
                renew(request.session)
        return self.get_response(request)


class AuditMiddleware:
    """Makes the request known to audit receivers and records refusals (403, and 404 on a real route)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = audit.bind_request(request)
        try:
            response = self.get_response(request)
            if response.status_code in (403, 404) and request.resolver_match is not None \
                    and request.user.is_authenticated:
                audit.record(request, Action.ACCESS_DENIED, request.path[:300], status=response.status_code,
                             method=request.method)
            return response
        finally:
            audit.unbind_request(token)


class PasswordChangeRequiredMiddleware:
    """Sends a user whose password was set by an administrator to the password change page first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.session.get(MUST_CHANGE_PASSWORD) and request.user.is_authenticated:
            allowed = {reverse("password_change"), reverse("password_change_done"), reverse("logout")}
            if request.path_info not in allowed:
                return redirect("password_change")
        return self.get_response(request)


class RecordsOnlyMiddleware:
    """A signed-in user whose roles read no records (the auditor, a user not yet given a role) opens only the
    pages of their own (``policy.may_open``): everything else answers 403 before its view runs, so a page that
    forgets to ask the policy still shows such a user nothing. API token users are checked by the API itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.user.is_authenticated and not may_open(request.user, request.resolver_match.view_name):
            raise NotAllowed
        return None
