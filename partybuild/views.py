from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from inspections.models import Finding, Method
from kernel.dates import add_months, month_start
from kernel.policy import scope_of
from orgs import queries
from orgs.models import Organization
from rectification import figures as ledger_figures
from rectification import queries as rectification_queries
from rectification.figures import Period
from rectification.models import Notice, RectificationItem
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
    coverage = _dashboard_coverage(request.user, scope, roots)
    return render(request, "home.html", {
        "cards": cards,
        "my_items": _my_ledger(request.user, scope),
        "dashboard": _dashboard(request.user, coverage) if coverage else None,
        "role_labels": scope.role_labels,
    })


def _dashboard_coverage(user, scope, roots):
    """The organisation a leader's dashboard counts, as their grant covers it (with or without 下级)."""
    if not scope.allows("dashboard.view"):
        return None
    if scope.is_admin:
        return ledger_figures.Coverage(roots[0]) if roots else None
    org = Organization.objects.get(pk=scope.grants_for("dashboard.view")[0].org_id)
    return ledger_figures.Coverage.for_user(user, org)


def start(request):
    """Where a login lands: the start page of the user's role (the inspector's day, otherwise the home page)."""
    return redirect(scope_of(request.user).start_page)


@login_not_required
def healthz(request):
    return HttpResponse("ok")


def offline(request):
    """离线记录: visits (inspectors) and this month's progress (secretaries, staff) recorded without a signal; the page
    works from the service worker's cache and sends through /api/v1/ when the network returns (static/js/pwa.js)."""
    scope = scope_of(request.user)
    return render(request, "offline.html", {
        "may_visit": scope.allows("inspections.visit") or scope.allows("inspections.team"),
        "may_report": scope.allows("ledger.work"), "methods": Method.choices, "finding_kinds": Finding.Kind.choices})


@login_not_required
def service_worker(request):
    """/sw.js at the root, so that it may control every page; never cached by the browser's HTTP cache."""
    response = render(request, "sw.js", {"version": settings.SERVICE_WORKER_VERSION},
                      content_type="application/javascript")
    response["Cache-Control"] = "no-cache"
    return response


def _my_ledger(user, scope):
    """A secretary's start: their organisation's open items, what is due this month first."""
    if scope.is_admin or not scope.allows("ledger.own"):
        return None
    today = timezone.localdate()
    items = RectificationItem.objects.for_action(user, "ledger.own").with_month_report(month_start(today))
    return rectification_queries.due_first(items.select_related("problem__org", "problem__category"), today)[:20]


DASHBOARD_TREND_MONTHS = 6


def _dashboard(user, coverage):
    """A leader's key figures for the scope: this month's ledger, its trend and the latest published ranking.

    Every number is one of ``rectification.figures`` (or ``scoring.queries.grade_counts``), counted afresh (past
    months from their cache, see ``figures.month_figures``), and links to the list of exactly the items or
    organisations it counts.
    """
    root = coverage.org
    figures = _ledger_figures(coverage)
    latest = (Assessment.objects.visible_to(user).filter(status=Assessment.Status.PUBLISHED, root=root)
              .order_by("-published_at").first()) if coverage.subtree else None
    grades = []
    if latest:
        results_url = reverse("scoring:results", args=[latest.pk])
        grades = [(grade, n, f"{results_url}?{urlencode({'grade': grade})}")
                  for grade, n in scoring_queries.grade_counts(latest, root)]
        ends = _ranking_ends(latest)
        figures["charts"] = {**figures["charts"], "grades": [{"name": g, "value": n, "url": url}
                                                             for g, n, url in grades],
                             "ranked": [result.org.name for result in ends],
                             "totals": [float(result.total) for result in ends],
                             "ranked_urls": [f"{results_url}?{urlencode({'q': result.org.code})}"
                                             for result in ends],
                             "results_url": results_url}
    overdue_replies = Notice.objects.visible_to(user).reply_overdue(timezone.localdate()).count()
    ranking_report = (Report.objects.filter(kind="ranking", scope=root, period=str(latest.pk)).first()
                      if latest else None)
    return {"root": root, "subtree": coverage.subtree, "month": timezone.localdate().strftime("%Y-%m"), **figures,
            "latest": latest, "grades": grades, "overdue_replies": overdue_replies, "ranking_report": ranking_report}


def _ranking_ends(assessment, size=5):
    """The five best and the five worst rated results, ties in the order of the tree."""
    top = _ranking_end(assessment, size, best=True)
    return top + [result for result in _ranking_end(assessment, size, best=False) if result not in top]


def _ranking_end(assessment, size, best):
    """Read from the index of totals: the ``size``-th total first, then the few results up to it."""
    rated = assessment.results.filter(rated=True)
    totals = rated.order_by("-total" if best else "total").values_list("total", flat=True)[:size]
    if not totals:
        return []
    cut = totals[len(totals) - 1]
    near = rated.filter(total__gte=cut) if best else rated.filter(total__lte=cut)
    ranked = near.select_related("org").order_by("-total", "org__path")
    return list(ranked[:size]) if best else list(ranked.reverse()[:size])[::-1]


def _ledger_figures(coverage):
    period = Period.current()
    months = [Period(add_months(period.month, -i), period.today) for i in reversed(range(DASHBOARD_TREND_MONTHS))]
    trend = ledger_figures.month_series(coverage, months)
    current = trend[-1]
    units = ledger_figures.by_unit(coverage, period, current)[:15]
    root = coverage.org
    result = {"ledger": {name: getattr(current, name) for name in CARD_FIGURES},
              "links": {name: figure_url(name, root, period) for name in CARD_FIGURES},
              "charts": {
                  "months": [m.key for m in months], "open": [f.open for f in trend],
                  "overdue": [f.overdue for f in trend],
                  "open_urls": [figure_url("open", root, m) for m in months],
                  "overdue_urls": [figure_url("overdue", root, m) for m in months],
                  "units": [row["name"] for row in units], "rates": [row["rate"] for row in units],
                  "unit_urls": [figure_url("total", root, period, org_code=row["code"]) for row in units]}}
    result["ledger"]["completion_rate"] = current.completion_rate
    return result


CARD_FIGURES = ("total", "open", "overdue", "closed", "done", "missing_report")


def figure_url(name, scope, period, org_code=None):
    query = {"figure": name, "org": org_code or scope.code, "month": period.key}
    return f"{reverse('rectification:ledger')}?{urlencode(query)}"
