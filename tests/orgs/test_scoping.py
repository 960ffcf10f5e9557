import pytest

from orgs.models import Organization, OrgStatistics, Role
from tests.factories import OrgStatisticsFactory


def names(queryset):
    return {o.name for o in queryset}


def test_recursive_grant_sees_the_whole_subtree_and_nothing_else(world):
    visible = names(Organization.objects.visible_to(world.users["staff"]))
    assert visible == {
        "中共测试县委员会", "中共甲镇委员会", "中共乙镇委员会", "东山村党支部", "西山村党支部", "南湖村党支部"}


def test_non_recursive_grant_sees_only_its_own_organisation(world):
    assert names(Organization.objects.visible_to(world.users["secretary"])) == {"东山村党支部"}


def test_inspector_on_a_township_does_not_see_the_other_township(world):
    visible = names(Organization.objects.visible_to(world.users["inspector"]))
    assert visible == {"中共甲镇委员会", "东山村党支部", "西山村党支部"}


def test_administrator_sees_every_tree(world):
    assert Organization.objects.visible_to(world.users["admin"]).count() == Organization.objects.count()


def test_user_without_roles_sees_nothing(world, django_user_model):
    nobody = django_user_model.objects.create_user("nobody", password="x")
    assert not Organization.objects.visible_to(nobody).exists()


def test_leader_and_inspector_cannot_edit_the_tree(world):
    for role in ("leader", "inspector", "secretary"):
        assert not Organization.objects.editable_by(world.users[role]).exists(), role
    assert Organization.objects.editable_by(world.users["staff"]).filter(pk=world.branch.pk).exists()


def test_secretary_may_edit_own_statistics_but_not_a_neighbours(world):
    own = OrgStatisticsFactory(org=world.branch)
    OrgStatisticsFactory(org=world.sibling)
    assert list(OrgStatistics.objects.editable_by(world.users["secretary"])) == [own]


def test_overlapping_grants_do_not_duplicate_rows(world):
    staff = world.users["staff"]
    from orgs.models import RoleAssignment

    RoleAssignment.objects.create(user=staff, role=Role.LEADER, org=world.town_a, recursive=True)
    RoleAssignment.objects.create(user=staff, role=Role.SECRETARY, org=world.foreign_branch, recursive=False)
    staff = type(staff).objects.get(pk=staff.pk)  # a fresh object: scope is cached per user object
    visible = list(Organization.objects.visible_to(staff))
    assert len(visible) == len({o.pk for o in visible}) == 7
    assert world.foreign_branch in visible
    assert world.foreign_branch not in Organization.objects.editable_by(staff)


def test_grant_on_a_deactivated_organisation_gives_nothing(world):
    Organization.objects.filter(pk=world.branch.pk).update(is_active=False)
    assert not Organization.objects.visible_to(world.users["secretary"]).exists()


@pytest.mark.smoke
def test_subtree_scope_is_one_query(world, django_assert_num_queries):
    user = world.users["staff"]
    with django_assert_num_queries(2):  # the user's grants once, then the scoped query
        list(Organization.objects.visible_to(user))
