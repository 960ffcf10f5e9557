from django.db.models import Count, Q

from .models import ChecklistAnswer, Visit


def checklist_rate(user, org):
    """Share of applicable checklist lines found 合格 in the organisation's subtree (one aggregate query)."""
    figures = (ChecklistAnswer.objects.visible_to(user)
               .filter(visit__target__org__path__startswith=org.path)
               .exclude(verdict=ChecklistAnswer.Verdict.NOT_APPLICABLE)
               .aggregate(applicable=Count("id"), passed=Count("id", filter=Q(verdict=ChecklistAnswer.Verdict.PASS))))
    figures["rate"] = round(100 * figures["passed"] / figures["applicable"], 1) if figures["applicable"] else None
    return figures


def org_history(user, org, limit=10):
    return (Visit.objects.visible_to(user).filter(target__org=org)
            .select_related("target__round").order_by("-visited_on", "-id")[:limit])
