import datetime

from scoring import services
from scoring.models import Assessment, Scheme


def scheme():
    return Scheme.objects.get(name="村(社区)党组织年度考核细则", year=2026)


def assessment_for(world, root=None, *, raters=None, **kwargs):
    """An assessment over a county's villages; in the world's county the inspector rates 评议."""
    root = root or world.county
    ours = root.path.startswith(world.county.path)
    staff = world.users["staff"] if ours else world.users["admin"]
    raters = raters or [("述职评分", 4, [staff]), ("评议", 3, [world.users["inspector"]] if ours else []),
                        ("年度考核", 3, [staff])]
    return services.create_assessment(staff, scheme=scheme(), name="2026年度村党组织考核", period="2026年度",
                                      root=root, raters=raters, closes_on=datetime.date(2026, 12, 31),
                                      levels=["village"], **kwargs)


def published_for(world, root=None):
    assessment = assessment_for(world, root)
    staff = assessment.created_by
    services.close(staff, assessment)
    services.publish(staff, Assessment.objects.get(pk=assessment.pk))
    return Assessment.objects.get(pk=assessment.pk)
