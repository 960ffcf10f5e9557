import datetime

import pytest

from kernel.errors import ServiceError
from orgs.models import Role
from rectification import services
from rectification.models import ItemTransition, Problem, ProblemCategory, RectificationItem
from rectification.workflow import TRANSITIONS
from tests.rectification.helpers import item_of

Status = RectificationItem.Status


def test_raise_problem_creates_its_item_and_logs_it(world):
    problem = services.raise_problem(org=world.branch, description="党费收缴不规范", source=Problem.Source.INSPECTION,
                                     raised_by=world.users["staff"])
    assert problem.item.status == Status.PENDING
    log = list(ItemTransition.objects.filter(item=problem.item).values_list("action", "to_status", "actor"))
    assert log == [("raise", Status.PENDING, world.users["staff"].pk)]


def test_raise_problem_is_idempotent_per_origin_and_organisation(world):
    origin = world.users["staff"]  # any model instance can be an origin
    first = services.raise_problem(org=world.branch, description="甲", source="inspection", origin=origin)
    again = services.raise_problem(org=world.branch, description="甲", source="inspection", origin=origin)
    other_org = services.raise_problem(org=world.sibling, description="甲", source="inspection", origin=origin)
    assert first == again and other_org != first
    assert first.origin == origin
    assert RectificationItem.objects.count() == 2


def test_same_category_after_a_closed_item_is_flagged_as_recurrence(world):
    category = ProblemCategory.objects.get(name="主题党日未开展")
    item_of(world.branch, category=category, status=Status.CLOSED)
    again = services.raise_problem(org=world.branch, description="又未开展", source="inspection", category=category)
    elsewhere = services.raise_problem(org=world.sibling, description="未开展", source="inspection", category=category)
    assert again.item.is_recurrence and not elsewhere.item.is_recurrence


def walk(world, item, *steps):
    for role, action in steps:
        item = services.perform(world.users[role], item, action, comment="说明")
    return item


def test_the_full_cycle_secretary_forward_staff_accepts(world):
    item = walk(world, item_of(world.branch), ("secretary", "start"), ("secretary", "submit"),
                ("staff", "return"), ("secretary", "submit"), ("staff", "accept"))
    assert item.status == Status.CLOSED and item.closed_on == datetime.date.today()
    actions = list(item.transitions.values_list("action", flat=True))
    assert actions == ["raise", "start", "submit", "return", "submit", "accept"]


ROLE, STATE = "您的角色不能", "当前状态为"  # why a step is refused: the role, or the item's state


@pytest.mark.parametrize("role, action, status, refusal", [
    ("secretary", "start", Status.PENDING, None),
    ("leader", "start", Status.PENDING, ROLE),
    ("inspector", "start", Status.PENDING, ROLE),
    ("secretary", "submit", Status.IN_PROGRESS, None),
    ("secretary", "accept", Status.SUBMITTED, ROLE),
    ("secretary", "return", Status.SUBMITTED, ROLE),
    ("staff", "accept", Status.SUBMITTED, None),
    ("leader", "accept", Status.SUBMITTED, ROLE),
    ("staff", "return", Status.SUBMITTED, None),
    ("staff", "accept", Status.IN_PROGRESS, STATE),
    ("staff", "submit", Status.PENDING, STATE),
    ("staff", "reopen", Status.CLOSED, None),
    ("secretary", "reopen", Status.CLOSED, ROLE),
    ("staff", "start", Status.CLOSED, STATE),
])
def test_every_transition_allowed_and_refused(world, role, action, status, refusal):
    item = item_of(world.branch, status=status)
    if refusal is None:
        assert services.perform(world.users[role], item, action, comment="说明").status == TRANSITIONS[action].target
    else:
        with pytest.raises(ServiceError, match=refusal):
            services.perform(world.users[role], item, action, comment="说明")
        assert RectificationItem.objects.get(pk=item.pk).status == status


def test_nobody_accepts_their_own_organisations_item(world):
    both = world.user_with(Role.STAFF, world.county)
    from orgs.models import RoleAssignment

    RoleAssignment.objects.create(user=both, role=Role.SECRETARY, org=world.branch, recursive=False)
    item = item_of(world.branch, status=Status.SUBMITTED)
    with pytest.raises(ServiceError, match="不能验收或退回本单位"):
        services.perform(both, item, "accept")


def test_send_back_needs_a_comment(world):
    item = item_of(world.branch, status=Status.SUBMITTED)
    with pytest.raises(ServiceError, match="必须填写说明"):
        services.perform(world.users["staff"], item, "return", comment=" ")


def test_overdue_is_derived_from_the_deadline(world):
    late = item_of(world.branch, deadline=datetime.date(2026, 1, 1), status=Status.IN_PROGRESS)
    item_of(world.branch, deadline=datetime.date(2026, 1, 1), status=Status.CLOSED)
    item_of(world.branch, deadline=datetime.date(2099, 1, 1))
    assert list(RectificationItem.objects.overdue_on(datetime.date(2026, 6, 1))) == [late]
    assert late.is_overdue_on(datetime.date(2026, 6, 1)) and not late.is_overdue_on(datetime.date(2025, 12, 31))


def test_a_stale_version_is_a_visible_conflict_not_an_overwrite(world):
    item = item_of(world.branch)
    plan = {"measures": "第一人的方案", "responsible_unit": "", "responsible_person": "张三",
            "deadline": datetime.date(2030, 1, 1), "kind": "deadline"}
    services.update_plan(world.users["staff"], item, expected_version=1, **plan)
    with pytest.raises(services.ConflictError, match="刚刚被其他人修改过"):
        services.update_plan(world.users["secretary"], item, expected_version=1, **{**plan, "measures": "第二人"})
    assert RectificationItem.objects.get(pk=item.pk).measures == "第一人的方案"


def test_follow_up_failure_reopens_a_new_cycle_and_keeps_history(world):
    item = item_of(world.branch, status=Status.CLOSED)
    services.record_follow_up(world.users["staff"], item, passed=False, note="问题反弹")
    item.refresh_from_db()
    assert (item.status, item.cycle, item.is_recurrence, item.closed_on) == (Status.IN_PROGRESS, 2, True, None)
    assert item.follow_ups.get().cycle == 1
    assert item.transitions.last().action == "reopen"


def test_follow_up_passed_keeps_the_item_closed(world):
    item = item_of(world.branch, status=Status.CLOSED)
    services.record_follow_up(world.users["staff"], item, passed=True, note="巩固良好")
    assert RectificationItem.objects.get(pk=item.pk).status == Status.CLOSED
