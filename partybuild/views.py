from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from orgs import queries
from orgs.models import Role
from orgs.scoping import scope_of


def home(request):
    """A role-aware start page: the organisations in the user's scope with their key figures."""
    scope = scope_of(request.user)
    year = timezone.localdate().year
    roots = list(queries.visible_roots(request.user)[:10])
    cards = [(org, queries.rollup(org, queries.latest_year(org) or year)) for org in roots]
    return render(request, "home.html", {
        "cards": cards,
        "is_secretary_only": scope.roles == {Role.SECRETARY},
        "role_labels": sorted(Role(r).label for r in scope.roles),
    })


@login_not_required
def healthz(request):
    return HttpResponse("ok")
