"""Passwords as 等保 expects: complexity, no reuse of recent ones, and a forced change of a password
that someone else set (an administrator creating the account or resetting it)."""

import re

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError

from .models import PasswordHistory

CLASSES = [(re.compile(r"[a-z]"), "小写字母"), (re.compile(r"[A-Z]"), "大写字母"), (re.compile(r"[0-9]"), "数字"),
           (re.compile(r"[^a-zA-Z0-9]"), "符号")]


class ComplexityValidator:
    """At least ``min_classes`` of: lower-case letters, upper-case letters, digits, symbols."""

    def __init__(self, min_classes=3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if sum(1 for pattern, _name in CLASSES if pattern.search(password)) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return f"密码须包含小写字母、大写字母、数字、符号中的至少 {self.min_classes} 类。"


class HistoryValidator:
    """The new password may not be any of the user's last ``remember`` passwords."""

    def __init__(self, remember=5):
        self.remember = remember

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        recent = PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[:self.remember]
        if any(check_password(password, encoded) for encoded in recent):
            raise ValidationError(self.get_help_text(), code="password_reused")

    def get_help_text(self):
        return f"不能与最近 {self.remember} 次使用过的密码相同。"


def remember(user, must_change=False):
    """Keep the hash of the password the user was just given."""
    PasswordHistory.objects.create(user=user, password=user.password, must_change=must_change)


def must_change(user):
    """True when the user's current password was set by someone else and not changed since."""
    latest = PasswordHistory.objects.filter(user=user).values_list("must_change", flat=True).first()
    return bool(latest)
