import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum

from orgs.models import BRANCH_KINDS, COMMITTEE_KINDS, Kind, Level, Organization, OrgStatistics, Sector


def counts():
    orgs = Organization.objects
    year = OrgStatistics.objects.order_by("-year").values_list("year", flat=True).first()
    members = OrgStatistics.objects.filter(year=year).aggregate(
        n=Sum("full_members") + Sum("probationary_members"))["n"]
    return {
        "committees": orgs.filter(kind__in=COMMITTEE_KINDS).count(),
        "general_branches": orgs.filter(kind=Kind.GENERAL_BRANCH).count(),
        "branches": orgs.filter(kind__in=BRANCH_KINDS).count(),
        "rural_branches": orgs.filter(kind__in=BRANCH_KINDS, sector=Sector.RURAL, level=Level.VILLAGE).count(),
        "townships": orgs.filter(level=Level.TOWNSHIP).count(),
        "streets": orgs.filter(level=Level.STREET).count(),
        "villages": orgs.filter(level=Level.VILLAGE).count(),
        "communities": orgs.filter(level=Level.COMMUNITY).count(),
        "counties": orgs.filter(level=Level.COUNTY).count(),
        "members": members,
    }


@pytest.mark.bench  # the city seed
def test_city_demo_has_the_figures_of_seed_003(db):
    call_command("seed_demo", "--scale", "city")
    assert counts() == {
        "counties": 9, "townships": 62, "streets": 31, "villages": 908, "communities": 342,
        "committees": 530, "general_branches": 523, "branches": 7127, "members": 149015,
        "rural_branches": counts()["rural_branches"],
    }
    assert Organization.objects.find_problems() == ([], [], [], [], [])


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)  # --reset flushes, which PostgreSQL refuses inside a transaction
def test_seeding_twice_is_refused_unless_reset():
    call_command("seed_demo")
    with pytest.raises(CommandError, match="已有组织数据"):
        call_command("seed_demo")
    call_command("seed_demo", "--if-empty")  # make run's form: a quiet no-op
    call_command("seed_demo", "--reset")
    assert counts()["branches"] == 389
