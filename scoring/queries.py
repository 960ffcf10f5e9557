"""Reads of the assessment app; ``ranking_rows`` also feeds the ranked report (排名通报)."""

from collections import defaultdict

from django.db.models import Count

from .models import Indicator, Result, Score


def indicator_tree(scheme):
    """Dimensions with their items, in order: [(dimension or None, [items])]."""
    indicators = list(scheme.indicators.order_by("order", "id"))
    children = defaultdict(list)
    for indicator in indicators:
        children[indicator.parent_id].append(indicator)
    tree = [(group, children[group.pk]) for group in children[None] if group.kind == Indicator.Kind.GROUP]
    extras = [i for i in children[None] if i.kind != Indicator.Kind.GROUP]
    return tree + ([(None, extras)] if extras else [])


def dimension_names(scheme):
    return list(scheme.indicators.filter(kind=Indicator.Kind.GROUP).order_by("order").values_list("name", flat=True))


def ranking_rows(assessment, scope_org=None, grade=None):
    """Results in rank order per peer group (one query), optionally only the subtree of ``scope_org`` and one
    grade."""
    rows = Result.objects.filter(assessment=assessment).select_related("org").order_by("peer_group", "rank",
                                                                                         "org__path")
    if grade:
        rows = rows.filter(grade=grade)
    return rows.filter(org__path__startswith=scope_org.path) if scope_org else rows


def grade_counts(assessment, scope_org=None):
    """[(grade, number of organisations)], largest first: the same rows the results page lists per grade."""
    rows = ranking_rows(assessment, scope_org).order_by().values_list("grade").annotate(n=Count("id"))
    return sorted(rows, key=lambda pair: (-pair[1], pair[0]))


def score_sheet(assessment, result):
    """Every item × rater of one organisation, for the explanation page."""
    raters = list(assessment.raters.all())
    scores = {(s.indicator_id, s.rater_id): s for s in
              Score.objects.filter(assessment=assessment, org=result.org)}
    lines = [(group, [(item, [scores.get((item.pk, r.pk)) for r in raters]) for item in items])
             for group, items in indicator_tree(assessment.scheme)]
    rater_totals = [(r, result.rater_totals.get(str(r.pk))) for r in raters]
    return {"raters": raters, "lines": lines, "rater_totals": rater_totals}


def dynamic_management(assessment):
    """Multi-year lists of a finished assessment against its previous period (动态管理) and its 红黑榜."""
    rows = list(ranking_rows(assessment))
    top = assessment.scheme.grading_rule.labels[0]
    return {
        "named": [r for r in rows if r.grade == top and r.previous_grade and r.previous_grade != top],
        "withdrawn": [r for r in rows if r.previous_grade == top and r.grade != top],
        "warned": [r for r in rows if r.bottom_three and not r.bottom_three_twice],
        "reshuffle": [r for r in rows if r.bottom_three_twice],
        "red": [r for r in rows if r.rank <= 3],
        "black": [r for r in rows if r.group_size > 3 and r.rank > r.group_size - 3],
        "top_grade": top,
    }
