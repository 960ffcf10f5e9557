"""Rules on a field that a person's entry must meet, shared by the form, the API and the Excel import."""

from django.core.exceptions import ValidationError
from django.utils import timezone


def not_after_today(day):
    """A date a person enters (发现日期, 销号日期) cannot be in the future. Dates the system records itself are
    not entered and not checked: a problem raised when an assessment closes is dated its closing day, and an
    exported item imported again keeps it."""
    today = timezone.localdate()
    if day and day > today:
        raise ValidationError(f"不能晚于今天({today.isoformat()})。")
