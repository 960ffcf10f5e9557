import datetime

from django.utils import timezone

from rectification.models import ItemTransition, RectificationItem
from tests.rectification.helpers import item_of

Status = RectificationItem.Status


def at(day):
    return timezone.make_aware(datetime.datetime.fromisoformat(day))


def ledger_history(world):
    """Three items with a dated history:
    A raised 2026-08-05, accepted 2026-09-20 · B raised 2026-09-10, still open, deadline 2026-09-30 (overdue) ·
    C raised 2026-10-02 in the sibling branch."""
    a = item_of(world.branch, description="甲问题", deadline=datetime.date(2026, 12, 31))
    b = item_of(world.branch, description="乙问题", deadline=datetime.date(2026, 9, 30), responsible_person="王五")
    c = item_of(world.sibling, description="丙问题", deadline=datetime.date(2026, 12, 31))
    ItemTransition.objects.all().delete()
    log = [(a, "raise", "", Status.PENDING, "2026-08-05"),
           (a, "start", Status.PENDING, Status.IN_PROGRESS, "2026-08-06"),
           (a, "submit", Status.IN_PROGRESS, Status.SUBMITTED, "2026-09-15"),
           (a, "accept", Status.SUBMITTED, Status.CLOSED, "2026-09-20"),
           (b, "raise", "", Status.PENDING, "2026-09-10"), (c, "raise", "", Status.PENDING, "2026-10-02")]
    for item, action, source, target, day in log:
        ItemTransition.objects.create(item=item, action=action, from_status=source, to_status=target,
                                      happened_at=at(day))
    RectificationItem.objects.filter(pk=a.pk).update(status=Status.CLOSED)
    for item, day in ((a, "2026-08-05"), (b, "2026-09-10"), (c, "2026-10-02")):
        item.problem.found_on = datetime.date.fromisoformat(day)
        item.problem.save()
    return a, b, c
