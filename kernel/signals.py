"""Receivers that feed the audit trail and the password history (connected in KernelConfig.ready)."""

import functools

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry, LogEntryManager
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from . import audit, passwords, sessions
from .audit import Action
from .middleware import MUST_CHANGE_PASSWORD, renew

ACCOUNT_FIELDS = ["username", "first_name", "last_name", "email", "is_active", "is_staff", "is_superuser"]


@receiver(user_logged_in, dispatch_uid="audit.login")
def _logged_in(sender, request, user, **kwargs):
    audit.record(request, Action.LOGIN, user.get_username(), by=user)
    sessions.started(request, user)
    renew(request.session)
    if passwords.must_change(user):
        request.session[MUST_CHANGE_PASSWORD] = True


@receiver(user_logged_out, dispatch_uid="audit.logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(request, Action.LOGOUT, user.get_username())
        sessions.ended(request)


@receiver(user_login_failed, dispatch_uid="audit.login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    audit.record(request, Action.LOGIN_FAILED, username, username=username,
                 locked=bool(getattr(request, "axes_locked_out", False)))


@receiver(user_locked_out, dispatch_uid="audit.locked_out")
def _locked_out(sender, request, username, ip_address, **kwargs):
    # axes signals again on every attempt while locked; the trail keeps the moment the lock started
    if getattr(request, "axes_failures_since_start", None) == settings.AXES_FAILURE_LIMIT:
        audit.record(request, Action.LOCKED_OUT, username or "", username=username or "",
                     failures=settings.AXES_FAILURE_LIMIT)


@receiver(post_save, sender=LogEntry, dispatch_uid="audit.admin_log")
def _admin_action(sender, instance, created, **kwargs):
    """Mirror the admin's own log, except for models whose changes are recorded by their own receivers."""
    if created:
        _mirror(instance)


def _mirror_bulk_entries(log_actions):
    """The admin logs a bulk deletion with bulk_create, which sends no post_save: mirror those entries too."""

    @functools.wraps(log_actions)
    def logged(self, *args, single_object=False, **kwargs):
        entries = log_actions(self, *args, single_object=single_object, **kwargs)
        if not single_object and len(entries) > 1:
            for entry in entries:
                _mirror(entry)
        return entries

    return logged


def _mirror(instance):
    model = instance.content_type.model_class() if instance.content_type_id else None
    if model is not None and audit.is_tracked(model):
        return
    verb = {ADDITION: "add", CHANGE: "change", DELETION: "delete"}.get(instance.action_flag, "change")
    label = model._meta.label_lower if model is not None else "?"
    audit.record(instance.user, f"{Action.ADMIN}.{verb}", f"{label} #{instance.object_id} {instance.object_repr}",
                 message=instance.get_change_message())


def _password_saved(sender, instance, created, raw=False, **kwargs):
    # AbstractBaseUser.save keeps the new raw password in _password until after post_save
    if raw or getattr(instance, "_password", None) is None:
        return
    request = audit.current_request()
    by_other = request is not None and getattr(request.user, "pk", None) not in (None, instance.pk)
    passwords.remember(instance, must_change=by_other)
    if request is not None and not by_other and hasattr(request, "session"):
        request.session.pop(MUST_CHANGE_PASSWORD, None)
    if not created:
        audit.record(None, Action.PASSWORD_SET if by_other else Action.PASSWORD_CHANGED, instance.get_username())


def connect():
    if not hasattr(LogEntryManager.log_actions, "__wrapped__"):
        LogEntryManager.log_actions = _mirror_bulk_entries(LogEntryManager.log_actions)
    user_model = get_user_model()
    audit.track(user_model, "account", fields=ACCOUNT_FIELDS)
    post_save.connect(_password_saved, sender=user_model, dispatch_uid="passwords.history")
