"""Signed-in sessions of a user: listed from LoginSession rows whose Django session is still alive."""

from importlib import import_module

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from .models import LoginSession


def started(request, user):
    if request.session.session_key is None:  # login() flushed another user's session
        request.session.save()
    LoginSession.objects.update_or_create(session_key=request.session.session_key, defaults={
        "user": user, "ip": request.META.get("REMOTE_ADDR") or None,
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300]})


def ended(request):
    if request.session.session_key:
        LoginSession.objects.filter(session_key=request.session.session_key).delete()


def active(user):
    """The user's live sessions, newest first, each with ``last_seen`` (to the minute: SessionActivityMiddleware)."""
    now = timezone.now()
    expiries = dict(Session.objects.filter(
        session_key__in=LoginSession.objects.filter(user=user).values("session_key"), expire_date__gt=now,
    ).values_list("session_key", "expire_date"))
    rows = list(LoginSession.objects.filter(user=user, session_key__in=list(expiries)))
    age = timezone.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    for row in rows:
        row.last_seen = expiries[row.session_key] - age
    return rows


@transaction.atomic
def end(user, pks=None):
    """End the user's sessions (those of ``pks``, or all); returns how many were alive."""
    rows = LoginSession.objects.filter(user=user)
    if pks is not None:
        rows = rows.filter(pk__in=pks)
    keys = list(rows.values_list("session_key", flat=True))
    alive = Session.objects.filter(session_key__in=keys, expire_date__gt=timezone.now()).count()
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in keys:  # through the engine: a cached_db session lives in the cache as well
        store(session_key=key).delete()
    rows.delete()
    return alive


def forget_dead():
    """Drop the rows of sessions that expired or were removed (beat, with the audit pruning)."""
    return LoginSession.objects.exclude(session_key__in=Session.objects.filter(
        expire_date__gt=timezone.now()).values("session_key")).delete()[0]
