from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db.models import Count, Max
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from orgs import queries
from partybuild.kernel.dates import add_months, month_start
from partybuild.kernel.policy import scope_of
from rectification import queries as rectification_queries
from rectification.models import ItemTransition, RectificationItem
from rectification.reports import breakdown, month_figures
from scoring.models import Assessment


def home(request):
    """A role-aware start page: the organisations in the user's scope with their key figures."""
    scope = scope_of(request.user)
    year = timezone.localdate().year
    roots = list(queries.visible_roots(request.user)[:10])
    cards = [(org, queries.rollup(org, queries.latest_year(org) or year)) for org in roots]
    leads = scope.allows("dashboard.view")
    return render(request, "home.html", {
        "cards": cards,
        "my_items": _my_ledger(request.user, scope),
        "dashboard": _dashboard(request.user, roots[0]) if leads and roots else None,
        "role_labels": scope.role_labels,
    })


@login_not_required
def healthz(request):
    return HttpResponse("ok")


def _my_ledger(user, scope):
    """A secretary's start: their organisation's open items, what is due this month first."""
    if scope.is_admin or not scope.allows("ledger.own"):
        return None
    today = timezone.localdate()
    items = RectificationItem.objects.for_action(user, "ledger.own").with_month_report(month_start(today))
    return rectification_queries.due_first(items.select_related("problem__org", "problem__category"), today)[:20]


DASHBOARD_TREND_MONTHS = 6


def _dashboard(user, root):
    """A leader's key figures for the scope: this month's ledger, its trend and the latest published ranking."""
    latest = (Assessment.objects.visible_to(user).filter(status=Assessment.Status.PUBLISHED, root=root)
              .order_by("-published_at").first())
    grades = sorted(latest.results.order_by().values_list("grade").annotate(n=Count("id")) if latest else [],
                    key=lambda pair: -pair[1])
    figures = _ledger_figures(root)
    if latest:
        ranked = latest.results.filter(rated=True).select_related("org").order_by("-total", "org__path")
        top = list(ranked[:5])
        ends = top + [r for r in list(ranked.reverse()[:5])[::-1] if r not in top]
        figures["charts"] = {**figures["charts"], "grades": [{"name": g, "value": n} for g, n in grades],
                             "ranked": [r.org.name for r in ends], "totals": [float(r.total) for r in ends],
                             "results_url": reverse("scoring:results", args=[latest.pk])}
    return {"root": root, "month": timezone.localdate().strftime("%Y-%m"), **figures, "latest": latest,
            "grades": grades}


def _ledger_figures(root):
    """Cached until the ledger log moves on (a new transition changes the key) or the day changes."""
    today = timezone.localdate()
    last_change = ItemTransition.objects.aggregate(last=Max("id"))["last"]
    key = f"dashboard:{root.pk}:{last_change}:{today.isoformat()}"
    figures = cache.get(key)
    if figures is None:
        months = [add_months(month_start(today), -i) for i in reversed(range(DASHBOARD_TREND_MONTHS))]
        trend = [month_figures(root, m) for m in months]
        by_unit, _by_category = breakdown(root, month_start(today))
        figures = {"ledger": trend[-1], "charts": {
            "months": [f"{m:%Y-%m}" for m in months], "open": [f.open for f in trend],
            "overdue": [f.overdue for f in trend],
            "units": [row["name"] for row in by_unit[:15]], "rates": [row["rate"] for row in by_unit[:15]]}}
        cache.set(key, figures, 3600)
    return figures
