"""Demo assessments: last year's, finished and published; this year's, being scored (provisional ranking),
so rank changes, grades, vetoes and bottom-three flags all show."""

import datetime
from decimal import Decimal

from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.utils import timezone

from orgs.models import Level, Organization

from . import schemes, services
from .models import Assessment, Indicator, Score

SCORED_SHARE_THIS_YEAR = 0.6


def seed(scale, rng):
    schemes.load(django_apps, None, year=timezone.localdate().year)  # again after `seed_demo --reset`
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["staff", "leader", "inspector"])}
    root = Organization.objects.get(depth=1)
    this_year = timezone.localdate().year
    raters = [("述职评分", 4, [users["staff"]]), ("评议", 3, [users["leader"]]), ("年度考核", 3, [users["inspector"]])]
    last = _assessment(users, root, raters, this_year - 1, None)
    _scores(rng, last, share=1.0)
    services.close(users["staff"], last)
    services.publish(users["staff"], Assessment.objects.get(pk=last.pk))
    current = _assessment(users, root, raters, this_year, last)
    _scores(rng, current, share=SCORED_SHARE_THIS_YEAR)
    services.compute(current)


def _assessment(users, root, raters, year, previous):
    scheme = schemes.create(django_apps, year, schemes.VILLAGE_SCHEME)
    return services.create_assessment(
        users["staff"], scheme=scheme, name=f"{year}年度村级党组织考核", period=f"{year}年度", root=root,
        raters=raters, closes_on=datetime.date(year, 12, 31), levels=[Level.VILLAGE], previous=previous)


def _scores(rng, assessment, share):
    items = list(assessment.scheme.indicators.exclude(kind=Indicator.Kind.GROUP))
    raters = list(assessment.raters.all())
    entered_by = assessment.created_by
    rows = []
    for target in assessment.targets.all():
        if rng.random() > share:
            continue
        strength = rng.uniform(0.55, 1.0)
        vetoed = rng.random() < 0.01
        for rater in raters:
            for item in items:
                points = _points(rng, item, strength, vetoed)
                if points is not None:
                    rows.append(Score(assessment=assessment, org_id=target.org_id, indicator=item, rater=rater,
                                      points=points, entered_by=entered_by,
                                      reason="发生严重违纪违法问题" if item.kind == Indicator.Kind.VETO else ""))
    Score.objects.bulk_create(rows, batch_size=5000)


def _points(rng, item, strength, vetoed):
    if item.kind == Indicator.Kind.SCORE:
        ratio = min(1.0, max(0.0, strength + rng.uniform(-0.1, 0.1)))
        return (item.max_points * Decimal(str(round(ratio, 2)))).quantize(Decimal("0.1"))
    if item.kind == Indicator.Kind.BONUS and rng.random() < 0.03:
        return item.max_points
    if item.kind == Indicator.Kind.VETO and vetoed:
        return Decimal(1)
    return None
