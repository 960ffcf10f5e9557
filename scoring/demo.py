"""Demo assessments over the villages of the whole tree, showing every rule:

- seed 004's 两档制 (“五个好”村党支部): last year published (named 达标, nobody 先进 yet: standards are climbed
  in turn); this year published: 先进 for those 达标 last year, 不达标 with problems released to the ledger,
  plaques named, upgraded and removed (摘牌), the top scorer vetoed (计划生育), a few villages 缺评;
- seed 003's 4:3:3 composite: 述职 on a one-score form, 评议 by a panel of three 党代表 of the first county
  (trimmed mean; elsewhere 评议 is missing and the weights are re-normalised), 年度考核 by staff and, in their
  township, the inspector (every member scores only inside their own scope);
- a kept rule trial on this year's: four grades by shares and 述职 weighed 5 : 2 : 3 beside the real 两档制;
- a four-grade scheme by shares (好 20%、较好 30%、一般 30%), still being scored: provisional results, one
  incomplete sheet waiting for staff's decision.
"""

import datetime
from decimal import Decimal

from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.utils import timezone

from kernel import bulk
from orgs.demo import demo_password
from orgs.models import Level, Organization, Role, RoleAssignment

from . import schemes, services, trials
from .models import Assessment, Indicator, Scheme, Score

PANEL = [("daibiao1", "党代表 孙评议"), ("daibiao2", "党代表 周评议"), ("daibiao3", "党代表 吴评议")]
UNRATED_SHARE = 0.03
SCORED_SHARE_THIS_YEAR = 0.6


def seed(scale, rng):
    this_year = timezone.localdate().year
    schemes.load(django_apps, None, year=this_year)  # again after `seed_demo --reset`
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["staff", "leader", "inspector"])}
    root = Organization.objects.get(depth=1)
    panel = _panel(Organization.objects.filter(level=Level.COUNTY).order_by("path").first())
    report_form = Scheme.objects.get(name=schemes.REPORT_FORM["name"], year=this_year, version=1)
    raters = [("述职评议", 4, [users["staff"]], {"form": report_form}), ("评议", 3, panel, {"trimmed": True}),
              ("年度考核", 3, [users["staff"], users["inspector"]])]
    two_tiers = {year: Scheme.objects.get(name=schemes.SCHEME_004["name"], year=year, version=1)
                 for year in (this_year - 1, this_year)}
    strengths = {}
    last = _assessment(users, root, raters, two_tiers[this_year - 1], this_year - 1, None)
    _scores(rng, last, strengths, unrated=0)
    services.close(users["staff"], last)
    services.publish(users["staff"], Assessment.objects.get(pk=last.pk))
    if scale == "county":  # a city's 排名通报 takes a Typst run of its own; the county shows the 通报
        services.issue_ranking_bulletin(users["staff"], Assessment.objects.get(pk=last.pk))
    current = _assessment(users, root, raters, two_tiers[this_year], this_year, last)
    _scores(rng, current, strengths, unrated=UNRATED_SHARE, veto_top="计划生育一票否决")
    services.close(users["staff"], current)
    services.publish(users["staff"], Assessment.objects.get(pk=current.pk))
    _trial(users["staff"], Assessment.objects.get(pk=current.pk))
    by_shares = _shares_scheme(this_year)
    scoring = _assessment(users, root, raters, by_shares, this_year, None,
                          name=f"{this_year}年度村级党组织考核(按比例定等)")
    _scores(rng, scoring, strengths, unrated=1 - SCORED_SHARE_THIS_YEAR, incomplete=1)
    services.compute(scoring)


def trial_rules(assessment):
    """Four grades by shares (好 20%、较好 30%、一般 30%) and the three raters weighed 5 : 2 : 3."""
    rules = trials.current_rules(assessment) | {"grading": "four_grades", "basis": "shares", "thresholds": [],
                                                 "shares": [20, 30, 30], "plaque_grades": []}
    rules["weights"] = dict(zip(rules["weights"], (5, 2, 3), strict=True))
    return rules


def _trial(staff, assessment):
    """A kept rule trial: what four grades by shares, 述职 weighed more, would have made of the year."""
    trials.run(staff, assessment, name="四个等次按比例，述职权重加大", rules=trial_rules(assessment))


def _panel(county):
    """Three 党代表 scoring 评议 over one county (their role gives them the county as scope, nothing more)."""
    User = get_user_model()
    members = []
    for username, full_name in PANEL:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": full_name, "password": demo_password()})
        if created:
            RoleAssignment.objects.create(user=user, role=Role.INSPECTOR, org=county, recursive=True)
        members.append(user)
    return members


def _shares_scheme(year):
    """The village scheme graded by shares of each peer group (a new version: schemes in use never change)."""
    base = Scheme.objects.get(name=schemes.VILLAGE_SCHEME["name"], year=year, version=1)
    scheme = services.copy_scheme(Scheme.objects.get(pk=base.pk))
    scheme.basis, scheme.shares = Scheme.Basis.SHARES, [20, 30, 30]
    scheme.full_clean()
    scheme.save()
    return scheme


def _assessment(users, root, raters, scheme, year, previous, name=None):
    return services.create_assessment(
        users["staff"], scheme=scheme, name=name or f"{year}年度“五个好”村党支部考评", period=f"{year}年度",
        root=root, raters=raters, closes_on=datetime.date(year, 12, 31), levels=[Level.VILLAGE], previous=previous)


def _scores(rng, assessment, strengths, *, unrated, veto_top=None, incomplete=0):
    """Every member's complete sheet for most villages; ``unrated`` share left unscored (缺评); the strongest
    village (full marks) fails ``veto_top``; ``incomplete`` sheets left half filled."""
    raters = list(assessment.raters.prefetch_related("members"))
    items = {r.pk: list(services.rater_items(r)) for r in raters}
    sheets = [(rater, member, set(services.scorable_targets(member, rater).values_list("org_id", flat=True)))
              for rater in raters for member in rater.members.all()]
    targets = [t.org_id for t in assessment.targets.order_by("org__path")]
    for org in targets:  # a village's strength carries over from year to year, with some drift
        strengths[org] = min(1.0, max(0.3, strengths.get(org, rng.uniform(0.45, 1.0)) + rng.uniform(-0.12, 0.12)))
    scored = [org for org in targets if rng.random() >= unrated]
    top = max(scored, key=strengths.get) if veto_top else None
    rows = []
    for org in scored:
        for rater, member, scope in sheets:
            if org in scope:
                for item in items[rater.pk]:
                    points = _points(rng, item, strengths[org], top=org == top, veto=veto_top)
                    if points is not None:
                        rows.append((assessment.pk, org, item.pk, rater.pk, member.pk, points, member.pk,
                                     item.name if item.needs_reason else "", ""))
    panel = next(r for r in raters if r.trimmed)
    last_member, panel_scope = next((m, scope) for r, m, scope in reversed(sheets) if r == panel)
    half = {i.pk for i in items[panel.pk][len(items[panel.pk]) // 2:]}
    for org in [org for org in scored if org in panel_scope][:incomplete]:  # the last 党代表 stopped half-way
        rows = [row for row in rows if not (row[1] == org and row[4] == last_member.pk and row[2] in half)]
    bulk.insert_rows(Score, SCORE_FIELDS, rows)


#: the columns of the score rows ``_scores`` writes (bulk loading skips the history of a million demo scores)
SCORE_FIELDS = ["assessment_id", "org_id", "indicator_id", "rater_id", "member_id", "points", "entered_by_id",
                "reason", "evidence"]


def _points(rng, item, strength, top, veto):
    """Points near the village's strength; the top village has full marks, a national award, and fails ``veto``."""
    if item.kind == Indicator.Kind.SCORE:
        ratio = 1.0 if top else min(1.0, max(0.0, strength + rng.uniform(-0.08, 0.08)))
        return (item.max_points * Decimal(str(round(ratio, 2)))).quantize(Decimal("0.1"))
    if item.kind == Indicator.Kind.BONUS and (rng.random() < 0.02 or (top and item.code == "E1")):
        return item.max_points
    if item.kind == Indicator.Kind.VETO and top and item.name == veto:
        return Decimal(1)
    return None
