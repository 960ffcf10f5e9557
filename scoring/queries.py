"""Reads of the assessment app; ``ranking_rows`` also feeds the ranked report (排名通报)."""

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from orgs.models import Organization

from .engine import UNRATED
from .models import Consequence, Indicator, Plaque, Rater, Result, Score


def indicator_tree(scheme):
    """Dimensions with their items, in order: [(dimension or None, [items])]."""
    indicators = list(scheme.indicators.order_by("order", "id"))
    children = defaultdict(list)
    for indicator in indicators:
        children[indicator.parent_id].append(indicator)
    tree = [(group, children[group.pk]) for group in children[None] if group.kind == Indicator.Kind.GROUP]
    extras = [i for i in children[None] if i.kind != Indicator.Kind.GROUP]
    return tree + ([(None, extras)] if extras else [])


def block_names(assessment):
    """The subtotal columns of an assessment: the scheme's blocks, then the raters' own forms."""
    names = list(assessment.scheme.indicators.filter(kind=Indicator.Kind.GROUP).order_by("order")
                 .values_list("name", flat=True))
    forms = Rater.objects.filter(assessment=assessment, form__isnull=False).values_list("form__name", flat=True)
    return names + [name for name in dict.fromkeys(forms) if name not in names]


def ranking_rows(assessment, scope_org=None):
    """Results in rank order per peer group, 缺评 last (one query), optionally only the subtree of ``scope_org``."""
    rows = Result.objects.filter(assessment=assessment).select_related("org").order_by(
        "peer_group", "-rated", "rank", "org__path")
    return rows.filter(org__path__startswith=scope_org.path) if scope_org else rows


def areas(assessment):
    """The organisations right under the assessment's root (counties of a city, townships of a county)."""
    root = assessment.root
    return Organization.objects.filter(path__startswith=root.path, depth=root.depth + 1).order_by("path")


def filtered_results(assessment, *, group="", area=None, grade="", text="", orgs=None):
    """The results page's filters: peer group, area (an organisation under the root), grade, name or code, and
    ``orgs`` (a queryset: e.g. the user's own organisations)."""
    rows = ranking_rows(assessment, area)
    if group:
        rows = rows.filter(peer_group=group)
    if grade == UNRATED:
        rows = rows.filter(rated=False)
    elif grade:
        rows = rows.filter(grade=grade, rated=True)
    if text:
        rows = rows.filter(Q(org__name__contains=text) | Q(org__code=text))
    if orgs is not None:
        rows = rows.filter(org__in=orgs)
    return rows


def grade_counts(assessment, scope_org=None):
    """[(grade, number of organisations)], largest first: the same rows the results page lists per grade
    (缺评 counted under its own name)."""
    rows = ranking_rows(assessment, scope_org).order_by().values_list("grade").annotate(n=Count("id"))
    return sorted(rows, key=lambda pair: (-pair[1], pair[0]))


def score_sheet(assessment, result):
    """Every item × (rater, member) sheet of one organisation, for the explanation page: ``lines`` are
    (group, [(item, [(column label, score or None)])])."""
    raters = list(assessment.raters.select_related("form"))
    scores = list(Score.objects.filter(assessment=assessment, org=result.org))
    members = get_user_model().objects.in_bulk({s.member_id for s in scores})
    columns = sorted({(s.rater_id, s.member_id) for s in scores},
                     key=lambda pair: ([r.pk for r in raters].index(pair[0]), pair[1]))
    by_rater = {r.pk: r for r in raters}
    headers = [(by_rater[rater], members[member]) for rater, member in columns]
    #: each column's name on a phone, where the row is a card of "name: points" lines
    labels = [f"{rater.name} {member.get_full_name() or member.username}" for rater, member in headers]
    cells = {(s.indicator_id, s.rater_id, s.member_id): s for s in scores}
    schemes = [assessment.scheme] + list(dict.fromkeys(r.form for r in raters if r.form))
    lines = [(group, [(item, [(label, cells.get((item.pk, rater, member)))
                              for label, (rater, member) in zip(labels, columns, strict=True)])
                      for item in items])
             for scheme in schemes for group, items in indicator_tree(scheme)]
    rater_totals = [(r, result.rater_totals.get(str(r.pk))) for r in raters]
    return {"raters": raters, "headers": headers, "lines": lines, "rater_totals": rater_totals,
            "blocks": [(name, result.subtotals.get(name)) for name in block_names(assessment)
                       if name in result.subtotals]}


def incomplete_sheets(assessment):
    """[(result, rater, member)] of the sheets closing still needs a decision on."""
    results = list(assessment.results.exclude(incomplete_sheets=[]).select_related("org"))
    pairs = [(result, rater, member) for result in results for rater, member in result.incomplete_sheets]
    raters = Rater.objects.in_bulk({rater for _r, rater, _m in pairs})
    members = get_user_model().objects.in_bulk({member for _r, _ra, member in pairs if member})
    return [(result, raters[rater], members.get(member)) for result, rater, member in pairs]


def dynamic_management(assessment):
    """The consequences of a published assessment (seed 003's words), its plaques and its 红黑榜."""
    rows = [r for r in ranking_rows(assessment) if r.rated]
    consequences = defaultdict(list)
    for consequence in Consequence.objects.filter(assessment=assessment).select_related("org", "decided_by"):
        consequences[consequence.kind].append(consequence)
    return {
        "consequences": [(label, consequences.get(kind, [])) for kind, label in Consequence.Kind.choices],
        "named": Plaque.objects.filter(assessment=assessment).select_related("org", "named_by"),
        "provisional_warned": [r for r in rows if r.bottom_three and not r.bottom_three_twice],
        "provisional_twice": [r for r in rows if r.bottom_three_twice],
        "red": [r for r in rows if r.rank <= 3],
        "black": [r for r in rows if r.group_size > 3 and r.rank > r.group_size - 3],
    }
