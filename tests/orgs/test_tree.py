import datetime

import pytest
from django.core.exceptions import ValidationError

from orgs import queries, services
from orgs.models import Kind, Level, Organization, Sector
from tests.factories import OrganizationFactory, OrgStatisticsFactory


def test_moving_a_subtree_rewrites_every_descendant_path(world):
    village_group = OrganizationFactory(parent=world.branch, name="第一党小组", level=Level.GROUP, kind=Kind.GROUP)
    org = Organization.objects.get(pk=world.branch.pk)
    services.save_organization(user=world.users["staff"], org=org, parent=world.town_b,
                               code=org.code, name=org.name, level=org.level, kind=org.kind, sector=org.sector)
    town_b = Organization.objects.get(pk=world.town_b.pk)
    moved_group = Organization.objects.get(pk=village_group.pk)
    assert set(Organization.objects.subtree_of(town_b)) == {town_b, Organization.objects.get(pk=world.branch.pk),
                                                            moved_group, world.far_branch}
    assert Organization.objects.get_parent(moved_group).pk == world.branch.pk
    assert moved_group.path.startswith(town_b.path)
    assert Organization.objects.find_problems() == ([], [], [], [], [])


def test_cannot_move_an_organisation_under_its_own_descendant(world):
    org = Organization.objects.get(pk=world.town_a.pk)
    with pytest.raises(ValidationError) as error:
        services.save_organization(user=world.users["staff"], org=org, parent=world.branch, code=org.code,
                                   name=org.name, level=org.level, kind=org.kind, sector=org.sector)
    assert "下级组织" in str(error.value)


def test_staff_cannot_create_outside_their_scope(world):
    with pytest.raises(ValidationError):
        services.save_organization(user=world.users["staff"], parent=world.foreign_county, code="X1",
                                   name="越权组织", level=Level.VILLAGE, kind=Kind.BRANCH, sector=Sector.RURAL)
    assert not Organization.objects.filter(code="X1").exists()


def test_rollup_sums_the_subtree_and_computes_coverage(world):
    OrgStatisticsFactory(org=world.branch, units_total=4, units_with_org=3, units_with_work=2)
    OrgStatisticsFactory(org=world.sibling, next_election=datetime.date(2000, 1, 1))
    OrgStatisticsFactory(org=world.far_branch)
    OrgStatisticsFactory(org=world.foreign_branch)
    OrgStatisticsFactory(org=world.branch, year=2025, full_members=100, probationary_members=0,
                         age_35_under=100, age_36_45=0, age_46_59=0, age_60_over=0,
                         edu_college=100, edu_high_school=0, edu_middle_or_below=0)
    town = queries.rollup(world.town_a, 2026)
    assert town["total_members"] == 40
    assert town["reporting_orgs"] == 2
    assert town["org_coverage"] == 80.0  # (3 + 1) of (4 + 1) units
    assert town["work_coverage"] == 60.0
    assert town["elections_overdue"] == 1
    assert queries.rollup(world.county, 2026)["total_members"] == 60
    assert queries.rollup(world.county, 2025)["total_members"] == 100


def test_statistics_must_add_up(world):
    stats = OrgStatisticsFactory.build(org=world.branch, age_60_over=6, women_members=30)
    with pytest.raises(ValidationError) as error:
        stats.full_clean()
    assert "各年龄段人数之和(21)应等于党员总数(20)" in str(error.value)
    assert "女党员人数不能多于党员总数" in str(error.value)
