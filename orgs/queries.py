"""Reads of the organisation tree. Every function takes already-scoped querysets or a user."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, Sum
from django.utils import timezone

from kernel.policy import roles_for, scope_of

from .models import Organization, OrgStatistics

SUMMED_FIELDS = [
    "full_members", "probationary_members", "women_members", "age_35_under", "age_36_45",
    "age_46_59", "age_60_over", "edu_college", "edu_high_school", "edu_middle_or_below",
    "activists", "candidates", "fulltime_workers", "venue_area", "collective_income",
    "units_total", "units_with_org", "units_with_work",
]


def visible_roots(user):
    """The topmost organisations the user may see: the tree page starts from them."""
    scope = scope_of(user)
    visible = Organization.objects.visible_to(user)
    if scope.is_admin:
        return visible.filter(depth=1)
    return visible.filter(pk__in=scope.root_ids())


def search(user, text, limit=50):
    text = text.strip()
    return (Organization.objects.visible_to(user)
            .filter(Q(name__icontains=text) | Q(code__istartswith=text))[:limit])


def ancestors_by_path(orgs):
    """Map path → organisation for every ancestor of the given organisations (one query)."""
    paths = [org.path for org in orgs]
    ancestors = Organization.objects.ancestors_of_paths(paths, Organization.steplen).only(
        "id", "name", "path", "depth")
    return {a.path: a for a in ancestors}


def breadcrumb(org, ancestors):
    steps = range(Organization.steplen, len(org.path), Organization.steplen)
    return [ancestors[org.path[:i]] for i in steps if org.path[:i] in ancestors]


def rollup(org, year):
    """Statistics of an organisation's whole subtree for one year, in one aggregate query."""
    today = timezone.localdate()
    figures = OrgStatistics.objects.filter(org__path__startswith=org.path, year=year).aggregate(
        **{field: Sum(field) for field in SUMMED_FIELDS},
        reporting_orgs=Count("id"),
        with_secretary=Count("id", filter=Q(has_secretary=True)),
        venues_meeting_standard=Count("id", filter=Q(venue_meets_standard=True)),
        elections_overdue=Count("id", filter=Q(next_election__lt=today)),
    )
    figures = {key: value or 0 for key, value in figures.items()}
    figures["total_members"] = figures["full_members"] + figures["probationary_members"]
    figures["org_coverage"] = _rate(figures["units_with_org"], figures["units_total"])
    figures["work_coverage"] = _rate(figures["units_with_work"], figures["units_total"])
    return figures


def kind_counts(org):
    """How many organisations of each kind lie below (and including) this one."""
    rows = (Organization.objects.filter(path__startswith=org.path).order_by()
            .values("kind").annotate(n=Count("id")))
    return {row["kind"]: row["n"] for row in rows}


def latest_year(org):
    return (OrgStatistics.objects.filter(org__path__startswith=org.path).order_by("-year")
            .values_list("year", flat=True).first())


def _rate(part, whole):
    return round(100 * part / whole, 1) if whole else None


def people_who_may(user, *actions):
    """People holding, on an organisation ``user`` can see, a role that may take one of ``actions``:
    the candidates for teams, tour participants and rater bodies."""
    visible = Organization.objects.visible_to(user).values("pk")
    return get_user_model().objects.filter(role_assignments__org__in=visible,
                                           role_assignments__role__in=roles_for(*actions)).distinct().order_by(
        "username")
