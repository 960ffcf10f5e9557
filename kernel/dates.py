"""Month arithmetic shared by the ledger, its reports and the dashboard."""

import calendar
import datetime

from django.utils import timezone


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def parse_month(period: str) -> datetime.date:
    """"2026-10" → 2026-10-01; ValueError with a Chinese sentence otherwise."""
    try:
        return datetime.date.fromisoformat(f"{period}-01")
    except ValueError:
        raise ValueError("月份应写成 2026-10 的形式。") from None


def recent_months(today: datetime.date, count: int) -> list[datetime.date]:
    """The first days of the ``count`` months up to and including ``today``'s, newest first."""
    return [add_months(month_start(today), -i) for i in range(count)]


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The moment ``day`` begins in the site's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
