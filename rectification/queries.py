"""Reads of the ledger. Callers pass querysets already scoped with ``visible_to``."""

from collections import defaultdict

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery

from kernel.dates import add_months

from .models import FollowUpCheck, ProgressUpdate, RectificationItem

Status = RectificationItem.Status


def items_for_assessment(org_ids, as_of):
    """Per organisation, its items that on ``as_of`` were overdue or not yet accepted (未销号), as a closing
    records them: id, description (80 characters), deadline and whether it was overdue then. Plain rows, read
    in one query: a city's closing reads tens of thousands. ``org_ids`` may be a subquery."""
    rows = (RectificationItem.objects.unarchived()
            .filter(problem__org_id__in=org_ids, problem__found_on__lte=as_of)
            .exclude(status=Status.CLOSED, closed_on__lte=as_of)
            .order_by("problem__org_id", "deadline", "id")
            .values_list("problem__org_id", "pk", "problem__description", "deadline", "status"))
    by_org = defaultdict(list)
    for org, pk, description, deadline, status in rows:
        by_org[org].append({"id": pk, "description": description[:80],
                            "deadline": deadline.isoformat() if deadline else "",
                            "overdue": status != Status.CLOSED and deadline is not None and deadline < as_of})
    return dict(by_org)


def latest_progress(items):
    """Annotate the text and percentage of each item's newest progress update."""
    newest = ProgressUpdate.objects.filter(item=OuterRef("pk")).order_by("-created_at", "-id")
    return items.annotate(latest_progress=Subquery(newest.values("text")[:1]),
                          latest_percent=Subquery(newest.values("percent")[:1]))


def follow_ups_due(items, today):
    """Closed items whose 回头看 is due (closed N months ago or more) and not yet done for this cycle."""
    checked = FollowUpCheck.objects.filter(item=OuterRef("pk"), cycle=OuterRef("cycle"))
    closed_before = add_months(today, -settings.RECTIFICATION_FOLLOW_UP_MONTHS)
    return items.filter(status=Status.CLOSED, closed_on__lte=closed_before).exclude(Exists(checked))


def status_counts(items, today):
    return items.aggregate(
        total=Count("id"),
        open=Count("id", filter=~Q(status=Status.CLOSED)),
        overdue=Count("id", filter=~Q(status=Status.CLOSED) & Q(deadline__lt=today)),
        submitted=Count("id", filter=Q(status=Status.SUBMITTED)),
        closed=Count("id", filter=Q(status=Status.CLOSED)),
    )


def timeline(item):
    """Everything that happened to an item, oldest first: workflow steps, progress, follow-ups, plan edits."""
    events = [("transition", t.happened_at, t) for t in item.transitions.select_related("actor")]
    updates = item.updates.select_related("author").prefetch_related("evidence")
    events += [("progress", u.created_at, u) for u in updates]
    return sorted(events, key=lambda event: event[1])


def due_first(items, today):
    """Open items: overdue first, then those due this month, then by deadline; without a deadline last."""
    end_of_month = add_months(today.replace(day=1), 1)
    # an item without a deadline is never "due now" (its comparison is NULL, which PostgreSQL sorts first)
    return (items.open().annotate(due_now=Q(deadline__lt=end_of_month, deadline__isnull=False))
            .order_by(F("due_now").desc(nulls_last=True), F("deadline").asc(nulls_last=True), "id"))
