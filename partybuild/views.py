from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db.models import Max
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from orgs import queries
from orgs.models import Organization
from partybuild.kernel.dates import add_months, month_start
from partybuild.kernel.policy import scope_of
from rectification import figures as ledger_figures
from rectification import queries as rectification_queries
from rectification.figures import Period
from rectification.models import ItemTransition, Notice, RectificationItem
from scoring import queries as scoring_queries
from scoring.models import Assessment

from .models import Report


def home(request):
    """A role-aware start page: the organisations in the user's scope with their key figures. A user whose
    roles read no records (the auditor, or nobody yet) is sent to their own start page."""
    scope = scope_of(request.user)
    if not scope.allows("home.view"):
        return redirect(scope.start_page)
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


def start(request):
    """Where a login lands: the start page of the user's role (the inspector's day, otherwise the home page)."""
    return redirect(scope_of(request.user).start_page)


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
    """A leader's key figures for the scope: this month's ledger, its trend and the latest published ranking.

    Every number is one of ``rectification.figures`` (or ``scoring.queries.grade_counts``) and links to the list
    of exactly the items or organisations it counts.
    """
    latest = (Assessment.objects.visible_to(user).filter(status=Assessment.Status.PUBLISHED, root=root)
              .order_by("-published_at").first())
    figures = _ledger_figures(root)
    grades = []
    if latest:
        results_url = reverse("scoring:results", args=[latest.pk])
        ranking = _published_ranking(latest, root)
        grades = [(grade, n, f"{results_url}?{urlencode({'grade': grade})}") for grade, n in ranking["grades"]]
        ends = ranking["ends"]
        orgs = Organization.objects.in_bulk([org_id for org_id, _total in ends])  # names as they are now
        figures["charts"] = {**figures["charts"], "grades": [{"name": g, "value": n, "url": url}
                                                             for g, n, url in grades],
                             "ranked": [orgs[org_id].name for org_id, _total in ends],
                             "totals": [float(total) for _org_id, total in ends],
                             "ranked_urls": [f"{results_url}?{urlencode({'q': orgs[org_id].code})}"
                                             for org_id, _total in ends],
                             "results_url": results_url}
    overdue_replies = Notice.objects.visible_to(user).reply_overdue(timezone.localdate()).count()
    ranking_report = (Report.objects.filter(kind="ranking", scope=root, period=str(latest.pk)).first()
                      if latest else None)
    return {"root": root, "month": timezone.localdate().strftime("%Y-%m"), **figures, "latest": latest,
            "grades": grades, "overdue_replies": overdue_replies, "ranking_report": ranking_report}


def _published_ranking(assessment, root):
    """The grade counts and the five best and worst of a published assessment: its results no longer change,
    so they are counted once (a city's ranking sorts thousands of results)."""
    key = f"dashboard-ranking:{assessment.pk}:{assessment.published_at.isoformat()}:{root.pk}:{root.path}"
    ranking = cache.get(key)
    if ranking is None:
        ranked = (assessment.results.filter(rated=True).order_by("-total", "org__path")
                  .values_list("org_id", "total"))
        top = list(ranked[:5])
        ranking = {"grades": scoring_queries.grade_counts(assessment, root),
                   "ends": top + [row for row in list(ranked.reverse()[:5])[::-1] if row not in top]}
        cache.set(key, ranking, PUBLISHED_RANKING_CACHE_SECONDS)
    return ranking


PUBLISHED_RANKING_CACHE_SECONDS = 24 * 3600


def _ledger_figures(root):
    """Cached until the ledger log moves on (a new transition changes the key) or the day changes."""
    period = Period.current()
    last_change = ItemTransition.objects.aggregate(last=Max("id"))["last"]
    key = f"dashboard:{root.pk}:{last_change}:{period.today.isoformat()}"
    cached = cache.get(key)
    if cached is None:
        months = [Period(add_months(period.month, -i), period.today) for i in reversed(range(DASHBOARD_TREND_MONTHS))]
        trend = ledger_figures.month_series(root, months)
        units = ledger_figures.by_unit(root, period)[:15]
        current = trend[-1]
        cached = {"ledger": {name: getattr(current, name) for name in CARD_FIGURES},
                  "links": {name: figure_url(name, root, period) for name in CARD_FIGURES},
                  "charts": {
                      "months": [m.key for m in months], "open": [f.open for f in trend],
                      "overdue": [f.overdue for f in trend],
                      "open_urls": [figure_url("open", root, m) for m in months],
                      "overdue_urls": [figure_url("overdue", root, m) for m in months],
                      "units": [row["name"] for row in units], "rates": [row["rate"] for row in units],
                      "unit_urls": [figure_url("total", root, period, org_code=row["code"]) for row in units]}}
        cached["ledger"]["completion_rate"] = current.completion_rate
        cache.set(key, cached, 3600)
    return cached


CARD_FIGURES = ("total", "open", "overdue", "closed", "done", "missing_report")


def figure_url(name, scope, period, org_code=None):
    query = {"figure": name, "org": org_code or scope.code, "month": period.key}
    return f"{reverse('rectification:ledger')}?{urlencode(query)}"
