"""Demo inspections: a round a year over a township's villages with two teams, visits with findings and
checklists (some already in the problem list), and a filed observation tour."""

import datetime
from decimal import Decimal

from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.utils import timezone

from orgs.models import BRANCH_KINDS, Level, Organization
from rectification.models import ProblemCategory

from . import checklists, services
from .models import ChecklistAnswer, ChecklistTemplate, Finding, Round, Tour

FINDINGS = [
    (Finding.Kind.STRENGTH, "推行党员积分制管理，党员参与村级事务积极性明显提高。", None),
    (Finding.Kind.PROBLEM, "“三会一课”记录不完整，支委会记录缺少3个月。", "“三会一课”不规范"),
    (Finding.Kind.PROBLEM, "党费收缴花名册登记不全，部分党员未按月缴纳。", "党费未按规定缴纳"),
    (Finding.Kind.STRENGTH, "依托党群服务中心开展“代办服务”，群众满意度高。", None),
]


#: one round a year over the first township's villages (the inspector's): the city's three years, the county's
#: current year
YEARS = {"county": 1, "city": 3}


def seed(scale, rng):
    checklists.load(django_apps, None)  # again after `seed_demo --reset`, whose flush empties it
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["staff", "inspector", "leader"])}
    root = Organization.objects.get(depth=1)
    township = Organization.objects.filter(level=Level.TOWNSHIP).order_by("path").first()
    today = timezone.localdate()
    for years_ago in reversed(range(YEARS[scale])):
        _round(rng, users, township, today - datetime.timedelta(days=365 * years_ago), finished=years_ago > 0)
    _tour(rng, users, township, root)


def _round(rng, users, township, today, finished):
    """A round over the township's villages with two teams; half the villages visited, with findings."""
    inspection_round = services.create_round(
        users["staff"], name=f"{today.year}年基层党建专项考核", kind=Round.Kind.ASSESSMENT, root=township,
        starts_on=today - datetime.timedelta(days=20), ends_on=today + datetime.timedelta(days=20),
        levels=[Level.VILLAGE])
    targets = list(inspection_round.targets.select_related("org"))
    half = len(targets) // 2
    services.create_team(users["staff"], inspection_round, name="第一考核组", members=[users["inspector"]],
                         targets=targets[:half])
    services.create_team(users["staff"], inspection_round, name="第二考核组", members=[users["staff"]],
                         targets=targets[half:])
    template = ChecklistTemplate.objects.get(name="十有六册一划一本")
    items = list(template.items.all())
    for index, target in enumerate(inspection_round.targets.select_related("org", "team")[: half + 2]):
        recorder = users["inspector"] if index < half else users["staff"]
        _visit(rng, recorder, target, items, today - datetime.timedelta(days=index % 10))
    if finished:
        services.finish_round(users["staff"], inspection_round)


def _visit(rng, recorder, target, items, day):
    methods = rng.sample(["hearing", "records", "field", "seminar", "survey"], 3)
    visit = services.record_visit(recorder, target, visited_on=day, methods=methods,
                                  summary="听取支部书记汇报，查阅党建台账，走访党员群众。")
    for kind, text, category_name in rng.sample(FINDINGS, 2):
        category = ProblemCategory.objects.filter(name=category_name).first() if category_name else None
        finding = services.add_finding(recorder, visit, kind=kind, text=text, category=category,
                                       to_spread=kind == Finding.Kind.STRENGTH)
        if kind == Finding.Kind.PROBLEM and rng.random() < 0.6:
            services.raise_from_finding(recorder, finding)
    failing = set(rng.sample(range(len(items)), rng.randint(0, 3)))
    services.fill_checklist(recorder, visit, [
        (item, ChecklistAnswer.Verdict.FAIL if i in failing else ChecklistAnswer.Verdict.PASS,
         "现场未见" if i in failing else "", None) for i, item in enumerate(items)])


def _tour(rng, users, township, root):
    stops = list(Organization.objects.filter(path__startswith=township.path, kind__in=BRANCH_KINDS,
                                             level=Level.VILLAGE).order_by("path")[:5])
    raters = [users["inspector"], users["staff"]]  # the leader reads, never scores
    tour = services.create_tour(users["staff"], name="村级党组织逐村观摩评比", kind=Tour.Kind.CIRCUIT, root=root,
                                held_on=timezone.localdate() - datetime.timedelta(days=7), stops=stops,
                                participants=raters, drop_extremes=False)
    for stop in tour.stops.all():
        base = rng.randint(70, 95)
        for rater in raters:
            services.score_stop(rater, stop, Decimal(min(100, base + rng.randint(-4, 4))))
    services.file_tour(users["staff"], tour)
