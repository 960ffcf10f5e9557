"""Demo organisation trees shaped like the seeds: one county (seed 004) or one city (seed 003 第1篇).

The tree is built in memory, given materialised paths, and written with bulk inserts, so the
city (about 8,000 organisations) seeds in seconds. Counts are exact; names are generated.
"""

import datetime
import functools
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from .models import Kind, Level, Organization, OrgStatistics, Role, RoleAssignment, Sector

DEMO_PASSWORD = "pb-demo-2026"

_FIRST = "青石柳杨李王张东西南北新安和平兴旺福康宁丰河桥龙凤金银白红黄花松竹梅兰双三五"
_SECOND = "山水湖溪岭坪沟坝塘湾庄园村店铺桥口集港营屯寨堡岗坡田林源泉"
_MEMBER_WEIGHT = {
    Sector.RURAL: 24, Sector.COMMUNITY: 20, Sector.ORGAN: 16, Sector.SCHOOL: 22,
    Sector.INSTITUTION: 20, Sector.STATE_ENTERPRISE: 26, Sector.PRIVATE_ENTERPRISE: 9,
    Sector.SOCIAL_ORG: 6, Sector.TERRITORIAL: 12,
}


@dataclass
class Node:
    name: str
    level: str
    kind: str
    sector: str
    children: list["Node"] = field(default_factory=list)
    code: str = ""
    path: str = ""
    members: int = 0

    def add(self, *args, **kwargs):
        child = Node(*args, **kwargs)
        self.children.append(child)
        return child

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


class Names:
    """Unique, realistic place names from syllable pairs (deterministic for a given seed)."""

    def __init__(self, rng):
        pairs = [a + b for a in _FIRST for b in _SECOND]
        triples = [a + c + b for a in _FIRST for c in _FIRST if a != c for b in _SECOND]
        rng.shuffle(pairs)
        rng.shuffle(triples)
        self._pairs = iter(pairs + triples)

    def place(self):
        return next(self._pairs)


def split(total, parts, rng=None, jitter=0.0):
    """Split ``total`` into ``parts`` non-negative integers that add up to it exactly."""
    weights = [1 + (rng.uniform(-jitter, jitter) if rng else 0) for _ in range(parts)]
    return apportion(total, weights)


def apportion(total, weights):
    """Largest-remainder apportionment: integer shares proportional to weights, summing to total."""
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    shares = [int(r) for r in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: raw[i] - shares[i], reverse=True)
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


COUNTY_UNITS = [
    ("县直机关工委", Kind.WORK_COMMITTEE, Sector.ORGAN, "机关党支部", 40),
    ("县委教育工委", Kind.WORK_COMMITTEE, Sector.SCHOOL, "学校党支部", 30),
    ("县卫生健康委党委", Kind.COMMITTEE, Sector.INSTITUTION, "卫生院党支部", 14),
    ("县非公有制经济组织和社会组织党工委", Kind.WORK_COMMITTEE, Sector.PRIVATE_ENTERPRISE, "企业党支部", 30),
    ("县国资委党委", Kind.COMMITTEE, Sector.STATE_ENTERPRISE, "国企党支部", 12),
    ("县公安局党委", Kind.COMMITTEE, Sector.ORGAN, "派出所党支部", 12),
    ("县人民医院党委", Kind.COMMITTEE, Sector.INSTITUTION, "科室党支部", 8),
    ("县第一中学党委", Kind.COMMITTEE, Sector.SCHOOL, "年级党支部", 6),
    ("县城市建设投资集团党委", Kind.COMMITTEE, Sector.STATE_ENTERPRISE, "项目部党支部", 8),
    ("县经济开发区党工委", Kind.WORK_COMMITTEE, Sector.PRIVATE_ENTERPRISE, "园区企业党支部", 14),
    ("县交通运输局党委", Kind.COMMITTEE, Sector.ORGAN, "机关党支部", 5),
    ("县社会组织综合党委", Kind.COMMITTEE, Sector.SOCIAL_ORG, "社会组织联合党支部", 10),
]


def county_tree(rng, names, name="清河县", townships=12, streets=2, villages=168, communities=20,
                branches=389, members=7760):
    """Seed 004's county: 27 committees, 389 branches (168 rural), 7,760 members."""
    county = Node(f"中共{name}委员会", Level.COUNTY, Kind.COMMITTEE, Sector.TERRITORIAL)
    for count in split(villages, townships, rng, 0.3):
        town = county.add(f"中共{names.place()}镇委员会", Level.TOWNSHIP, Kind.COMMITTEE, Sector.TERRITORIAL)
        town.add("镇机关党支部", Level.BRANCH, Kind.BRANCH, Sector.ORGAN)
        for _ in range(count):
            town.add(f"{names.place()}村党支部", Level.VILLAGE, Kind.BRANCH, Sector.RURAL)
    for count in split(communities, streets):
        street = county.add(f"中共{names.place()}街道工作委员会", Level.STREET, Kind.WORK_COMMITTEE,
                            Sector.TERRITORIAL)
        for _ in range(count):
            street.add(f"{names.place()}社区党支部", Level.COMMUNITY, Kind.BRANCH, Sector.COMMUNITY)
    placed = sum(1 for n in county.walk() if n.kind in (Kind.BRANCH, Kind.JOINT_BRANCH))
    shares = apportion(branches - placed, [weight for *_rest, weight in COUNTY_UNITS])
    for (unit, kind, sector, branch_name, _w), count in zip(COUNTY_UNITS, shares, strict=True):
        committee = county.add(f"中共{name}{unit[1:]}", Level.UNIT, kind, sector)
        for i in range(1, count + 1):
            committee.add(f"{committee.name[2:]}第{i}{branch_name}", Level.BRANCH, _branch_kind(sector), sector)
    _distribute_members(county, members)
    return county


def _branch_kind(sector):
    return Kind.JOINT_BRANCH if sector in (Sector.PRIVATE_ENTERPRISE, Sector.SOCIAL_ORG) else Kind.BRANCH


CITY_FIGURES = {
    "counties": 9, "townships": 62, "streets": 31, "villages": 908, "communities": 342,
    "committees": 530, "general_branches": 523, "branches": 7127, "members": 149015,
}


def city_tree(rng, names, figures=CITY_FIGURES):
    """Seed 003 第1篇's city: 9 counties, 62 townships + 31 streets, 908 villages, 342 communities,
    530 committees, 523 general branches, 7,127 branches, 149,015 members."""
    city = Node("中共江城市委员会", Level.CITY, Kind.COMMITTEE, Sector.TERRITORIAL)
    work_committees = [
        city.add(f"中共江城市{unit[1:]}", Level.UNIT, kind, sector)
        for unit, kind, sector, *_ in COUNTY_UNITS[:5]
    ]
    counties = [city.add(f"中共{names.place()}县委员会", Level.COUNTY, Kind.COMMITTEE, Sector.TERRITORIAL)
                for _ in range(figures["counties"])]
    _city_villages_and_communities(rng, names, counties, figures)
    for county in counties:
        work_committees += [county.add(f"{county.name[:-3]}{unit[1:]}", Level.UNIT, kind, sector)
                            for unit, kind, sector, *_ in COUNTY_UNITS[:5]]
    committees = _count(city, Kind.COMMITTEE, Kind.WORK_COMMITTEE)
    generals = _count(city, Kind.GENERAL_BRANCH)
    _city_units(work_committees, figures["committees"] - committees, figures["general_branches"] - generals)
    remaining = figures["branches"] - _count(city, Kind.BRANCH, Kind.JOINT_BRANCH)
    for committee, count in zip(work_committees, split(remaining, len(work_committees), rng, 0.4), strict=True):
        for i in range(1, count + 1):
            committee.add(f"{committee.name[2:]}直属第{i}党支部", Level.BRANCH, _branch_kind(committee.sector),
                          committee.sector)
    _distribute_members(city, figures["members"])
    return city


def _city_villages_and_communities(rng, names, counties, figures):
    village_kinds = _shuffled(rng, {Kind.COMMITTEE: 100, Kind.GENERAL_BRANCH: 250},
                              figures["villages"])
    community_kinds = _shuffled(rng, {Kind.COMMITTEE: 80, Kind.GENERAL_BRANCH: 120},
                                figures["communities"])
    townships = _local_committees(counties, figures["townships"], names, "镇", Level.TOWNSHIP, Kind.COMMITTEE)
    streets = _local_committees(counties, figures["streets"], names, "街道", Level.STREET, Kind.WORK_COMMITTEE)
    for town, n in zip(townships, split(figures["villages"], len(townships), rng, 0.3), strict=True):
        for _ in range(n):
            _local_org(town, names.place() + "村", Level.VILLAGE, Sector.RURAL, village_kinds.pop())
    for street, n in zip(streets, split(figures["communities"], len(streets), rng, 0.3), strict=True):
        for _ in range(n):
            _local_org(street, names.place() + "社区", Level.COMMUNITY, Sector.COMMUNITY, community_kinds.pop())


def _local_committees(counties, total, names, suffix, level, kind):
    """Township or street committees spread over the counties, each with its own organ branch."""
    committees = []
    for county, count in zip(counties, split(total, len(counties)), strict=True):
        for _ in range(count):
            place = names.place() + suffix
            title = f"中共{place}委员会" if kind == Kind.COMMITTEE else f"中共{place}工作委员会"
            committee = county.add(title, level, kind, Sector.TERRITORIAL)
            committee.add(f"{place}机关党支部", Level.BRANCH, Kind.BRANCH, Sector.ORGAN)
            committees.append(committee)
    return committees


def _local_org(parent, place, level, sector, kind):
    """A village or community organisation; committees get 4 branches below, general branches 3."""
    suffix = {Kind.COMMITTEE: "党委", Kind.GENERAL_BRANCH: "党总支", Kind.BRANCH: "党支部"}[kind]
    org = parent.add(f"{place}{suffix}", level, kind, sector)
    below = {Kind.COMMITTEE: 4, Kind.GENERAL_BRANCH: 3}.get(kind, 0)
    for i in range(1, below + 1):
        org.add(f"{place}第{i}党支部", Level.BRANCH, Kind.BRANCH, sector)


def _city_units(work_committees, committees, general_branches):
    """Unit committees (8 branches each) and unit general branches (3 each) under the work committees."""
    for i, count in enumerate(split(committees, len(work_committees))):
        parent = work_committees[i]
        for j in range(1, count + 1):
            unit = parent.add(f"{parent.name[2:]}所属第{j}单位党委", Level.UNIT, Kind.COMMITTEE, parent.sector)
            for k in range(1, 9):
                unit.add(f"{unit.name}第{k}党支部", Level.BRANCH, _branch_kind(parent.sector), parent.sector)
    for i, count in enumerate(split(general_branches, len(work_committees))):
        parent = work_committees[i]
        for j in range(1, count + 1):
            unit = parent.add(f"{parent.name[2:]}所属第{j}党总支", Level.UNIT, Kind.GENERAL_BRANCH, parent.sector)
            for k in range(1, 4):
                unit.add(f"{unit.name}第{k}党支部", Level.BRANCH, _branch_kind(parent.sector), parent.sector)


def _shuffled(rng, counts, total):
    kinds = [kind for kind, n in counts.items() for _ in range(n)]
    kinds += [Kind.BRANCH] * (total - len(kinds))
    rng.shuffle(kinds)
    return kinds


def _count(root, *kinds):
    return sum(1 for node in root.walk() if node.kind in kinds)


def _distribute_members(root, total):
    branches = [n for n in root.walk() if n.kind in (Kind.BRANCH, Kind.JOINT_BRANCH)]
    weights = [_MEMBER_WEIGHT.get(b.sector, 12) * (0.6 + 0.8 * ((i * 7919) % 101) / 100)
               for i, b in enumerate(branches)]
    for branch, members in zip(branches, apportion(total, weights), strict=True):
        branch.members = members


def _statistics_for(rng, node, org_id, year, today):
    m = node.members
    probationary = min(m, rng.randint(0, max(1, m // 25)))
    ages = apportion(m, [rng.uniform(0.1, 0.3), 0.25, 0.3, rng.uniform(0.15, 0.45)])
    edu = apportion(m, [rng.uniform(0.2, 0.6), 0.3, rng.uniform(0.1, 0.5)])
    term = 5 if node.sector in (Sector.RURAL, Sector.COMMUNITY) else 3
    last = datetime.date(rng.randint(today.year - term, today.year - 1), rng.randint(1, 12), rng.randint(1, 28))
    next_election = last.replace(year=last.year + term)
    if rng.random() < 0.03:  # a few organisations are behind with their election
        next_election = today - datetime.timedelta(days=rng.randint(10, 300))
        last = next_election.replace(year=next_election.year - term)
    units = rng.randint(2, 6) if node.kind == Kind.JOINT_BRANCH else 1
    return OrgStatistics(
        org_id=org_id, year=year, full_members=m - probationary, probationary_members=probationary,
        women_members=int(m * rng.uniform(0.15, 0.45)), age_35_under=ages[0], age_36_45=ages[1],
        age_46_59=ages[2], age_60_over=ages[3], edu_college=edu[0], edu_high_school=edu[1],
        edu_middle_or_below=edu[2], activists=rng.randint(0, max(1, m // 8)),
        candidates=rng.randint(0, max(1, m // 20)), has_secretary=rng.random() > 0.04,
        has_deputy_secretary=m >= 7 and rng.random() > 0.3, fulltime_workers=int(rng.random() < 0.2),
        venue_area=rng.randint(20, 400), venue_meets_standard=rng.random() > 0.15,
        last_election=last, next_election=next_election,
        collective_income=round(rng.uniform(2, 180), 2) if node.sector == Sector.RURAL else None,
        units_total=units, units_with_org=units if rng.random() > 0.1 else units - 1,
        units_with_work=units,
    )


@transaction.atomic
def write_tree(root: Node, rng, code_prefix: str, years: list[int]):
    """Give every node its path and code, then bulk-insert organisations and statistics."""
    rows = []
    _assign_paths(root, "", 1, rows, code_prefix)
    Organization.objects.bulk_create(
        [Organization(path=n.path, depth=len(n.path) // Organization.steplen, numchild=len(n.children),
                      code=n.code, name=n.name, level=n.level, kind=n.kind, sector=n.sector) for n in rows],
        batch_size=2000)
    ids = dict(Organization.objects.filter(code__startswith=code_prefix).values_list("code", "pk"))
    today = datetime.date.today()
    stats = [_statistics_for(rng, n, ids[n.code], year, today)
             for year in years for n in rows if n.members]
    OrgStatistics.objects.bulk_create(stats, batch_size=2000)
    return {n.code: ids[n.code] for n in rows}


def _assign_paths(node, parent_path, step, rows, code_prefix):
    node.path = Organization._get_path(parent_path, len(parent_path) // Organization.steplen + 1, step)
    node.code = f"{code_prefix}{len(rows) + 1:06d}"
    rows.append(node)
    for i, child in enumerate(node.children, start=1):
        _assign_paths(child, node.path, i, rows, code_prefix)


@functools.cache
def demo_password():
    """``DEMO_PASSWORD`` hashed once for every demo account (each hash takes a deliberate fraction of a second)."""
    return make_password(DEMO_PASSWORD)


def create_demo_users(root_code, township_code, branch_codes):
    """One demo account per role; returns (username, role label, scope name) for printing."""
    User = get_user_model()
    orgs = {o.code: o for o in Organization.objects.filter(code__in=[root_code, township_code, *branch_codes])}
    accounts = [
        ("admin", "系统管理员", None, None, True),
        ("staff", "组织部 王干部", Role.STAFF, orgs[root_code], True),
        ("leader", "李部长", Role.LEADER, orgs[root_code], True),
        ("inspector", "考核组 赵组员", Role.INSPECTOR, orgs[township_code], True),
        ("secretary", "刘书记", Role.SECRETARY, orgs[branch_codes[0]], False),
        ("secretary2", "陈书记", Role.SECRETARY, orgs[branch_codes[1]], False),
        ("auditor", "审计员 周", Role.AUDITOR, orgs[root_code], True),
    ]
    printed = []
    for username, full_name, role, org, recursive in accounts:
        user = User(username=username, first_name=full_name, is_staff=role is None, is_superuser=role is None,
                    password=demo_password())
        user.save()
        if role:
            RoleAssignment.objects.create(user=user, role=role, org=org, recursive=recursive)
        printed.append((username, Role(role).label if role else "系统管理员", org.name if org else "全部"))
    return printed


def seed(scale, rng):
    """The organisation tree, its statistics and the demo accounts (other apps' demo data builds on them)."""
    names = Names(rng)
    root = city_tree(rng, names) if scale == "city" else county_tree(rng, names)
    this_year = datetime.date.today().year
    write_tree(root, rng, "33" if scale == "city" else "3301", [this_year - 1, this_year])
    township = next(n for n in root.walk() if n.level == Level.TOWNSHIP)
    villages = [n for n in township.walk() if n.level == Level.VILLAGE and n.kind == Kind.BRANCH]
    accounts = create_demo_users(root.code, township.code, [villages[0].code, villages[1].code])
    return root, accounts
