import datetime
from decimal import Decimal as D

from scoring import services
from scoring.models import Assessment, Indicator, Scheme

ALL_SCORE_ITEMS = [f"{d}.{i}" for d in range(1, 6) for i in range(1, 4)]


def scheme():
    return Scheme.objects.get(name="村(社区)党组织年度考核细则", year=2026, version=1)


def assessment_for(world, root=None, *, raters=None, scheme=None, **kwargs):
    """An assessment over a county's villages; in the world's county the inspector rates 评议."""
    root = root or world.county
    ours = root.path.startswith(world.county.path)
    staff = world.users["staff"] if ours else world.users["admin"]
    raters = raters or [("述职评分", 4, [staff]), ("评议", 3, [world.users["inspector"]] if ours else []),
                        ("年度考核", 3, [staff])]
    return services.create_assessment(staff, scheme=scheme or globals()["scheme"](), name="2026年度村党组织考核",
                                      period="2026年度", root=root, raters=raters,
                                      closes_on=datetime.date(2026, 12, 31), levels=["village"], **kwargs)


def published_for(world, root=None, scored=False):
    """Closed and published; ``scored``: the world's three villages fully scored (100, 99, 98) by 述职评分."""
    assessment = assessment_for(world, root)
    staff = assessment.created_by
    for minus, target in enumerate(assessment.targets.order_by("org__path") if scored else []):
        full_marks(assessment, target.org, minus=minus)
    services.close(staff, assessment)
    services.publish(staff, Assessment.objects.get(pk=assessment.pk))
    return Assessment.objects.get(pk=assessment.pk)


def indicator(code, of=None):
    return Indicator.objects.get(scheme=of or scheme(), code=code)


def fill(assessment, org, points_by_code, rater_name="述职评分", user=None):
    """One organisation's cells of a member's sheet, saved at once as the grid page saves them."""
    rater = assessment.raters.get(name=rater_name)
    items = {item.code: item for item in Indicator.objects.filter(scheme=assessment.scheme, code__in=points_by_code)}
    cells = {(org, items[code]): (D(points), "理由" if items[code].needs_reason else "")
             for code, points in points_by_code.items()}
    services.save_sheet(user or rater.members.first(), rater=rater, cells=cells)


def full_marks(assessment, org, minus=0, rater="述职评分"):
    points = dict(Indicator.objects.filter(scheme=assessment.scheme, code__in=ALL_SCORE_ITEMS).values_list(
        "code", "max_points"))
    points["1.1"] -= D(str(minus))
    fill(assessment, org, points, rater)
