from django.contrib.auth.decorators import login_not_required
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from orgs import queries
from orgs.models import Role
from orgs.scoping import scope_of
from rectification import queries as rectification_queries
from rectification.models import RectificationItem, month_start
from rectification.reports import month_figures
from scoring.models import Assessment


def home(request):
    """A role-aware start page: the organisations in the user's scope with their key figures."""
    scope = scope_of(request.user)
    year = timezone.localdate().year
    roots = list(queries.visible_roots(request.user)[:10])
    cards = [(org, queries.rollup(org, queries.latest_year(org) or year)) for org in roots]
    leads = scope.has_role(Role.STAFF, Role.LEADER)
    return render(request, "home.html", {
        "cards": cards,
        "my_items": _my_ledger(request.user, scope),
        "dashboard": _dashboard(request.user, roots[0]) if leads and roots else None,
        "is_secretary_only": scope.roles == {Role.SECRETARY},
        "role_labels": sorted(Role(r).label for r in scope.roles),
    })


@login_not_required
def healthz(request):
    return HttpResponse("ok")


def _my_ledger(user, scope):
    """A secretary's start: their organisation's open items, what is due this month first."""
    if not scope.has_role(Role.SECRETARY) or scope.is_admin:
        return None
    today = timezone.localdate()
    items = RectificationItem.objects.for_roles(user, (Role.SECRETARY,)).with_month_report(month_start(today))
    return rectification_queries.due_first(items.select_related("problem__org", "problem__category"), today)[:20]


def _dashboard(user, root):
    """A leader's key figures for the scope: this month's ledger and the latest published ranking."""
    today = timezone.localdate()
    latest = (Assessment.objects.visible_to(user).filter(status=Assessment.Status.PUBLISHED, root=root)
              .order_by("-published_at").first())
    grades = (latest.results.order_by().values_list("grade").annotate(n=Count("id")) if latest else [])
    return {"root": root, "month": today.strftime("%Y-%m"), "ledger": month_figures(root, month_start(today)),
            "latest": latest, "grades": sorted(grades, key=lambda pair: -pair[1])}
