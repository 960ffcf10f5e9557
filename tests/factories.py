import factory
from django.contrib.auth import get_user_model

from orgs.models import Kind, Level, Organization, OrgStatistics, Role, RoleAssignment, Sector


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw-test-123")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    """Pass ``parent=`` to add a child; without it the organisation is a new root."""

    class Meta:
        model = Organization

    code = factory.Sequence(lambda n: f"T{n:06d}")
    name = factory.Sequence(lambda n: f"测试第{n}党支部")
    level = Level.BRANCH
    kind = Kind.BRANCH
    sector = Sector.RURAL

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        if parent is None:
            return Organization.objects.add_root(kwargs)
        return Organization.objects.add_child(parent, kwargs)


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = Role.STAFF
    org = factory.SubFactory(OrganizationFactory)
    recursive = True


class OrgStatisticsFactory(factory.django.DjangoModelFactory):
    """Consistent figures for 20 members (age and education bands add up)."""

    class Meta:
        model = OrgStatistics

    org = factory.SubFactory(OrganizationFactory)
    year = 2026
    full_members = 18
    probationary_members = 2
    women_members = 6
    age_35_under = 4
    age_36_45 = 5
    age_46_59 = 6
    age_60_over = 5
    edu_college = 8
    edu_high_school = 7
    edu_middle_or_below = 5
    units_total = 1
    units_with_org = 1
    units_with_work = 1
