"""Adding a role takes `kernel/policy.py` (and a migration for the assignment's choices), as docs/ARCHITECTURE.md
says: a read-only 观察员 declared there with the leader's actions, and nowhere else, meets every page and API route
of the permission matrix as the leader does, starts where the leader starts and gets the leader's menu."""

import pytest
from django.db import transaction

from kernel import policy
from kernel.policy import scope_of
from partybuild.navigation import menu_for
from tests.factories import RoleAssignmentFactory, UserFactory
from tests.test_permission_matrix import CASES, _expected_inside, _send

OBSERVER = policy.RoleSpec("observer", "观察员", read_only=True, covers_subtree=True)


@pytest.fixture
def observer(world, monkeypatch):
    """The role added as step 1 of "how to add a role" says: a RoleSpec and the actions it may take."""
    monkeypatch.setitem(policy.ROLE_SPECS, OBSERVER.name, OBSERVER)
    for action, roles in policy.ACTIONS.items():
        if "leader" in roles:
            monkeypatch.setitem(policy.ACTIONS, action, (*roles, OBSERVER.name))
    user = UserFactory()
    RoleAssignmentFactory(user=user, role=OBSERVER.name, org=world.county, recursive=True)
    policy.ROLES.append(OBSERVER)  # last: the teardown after ``yield`` takes it out again
    yield user
    policy.ROLES.remove(OBSERVER)


def test_a_role_declared_in_the_policy_alone_is_the_leader_everywhere(client, world, observer):
    answered = {}
    client.force_login(observer)
    for name, case in sorted(CASES.items()):
        with transaction.atomic():  # one case's write must not change what the next one finds
            answered[name] = _send(client, world, name, case, "own").status_code
            transaction.set_rollback(True)
    expected = {name: _expected_inside("leader", case) for name, case in CASES.items()}
    assert answered == expected, {name: (got, expected[name]) for name, got in answered.items()
                                  if got != expected[name]}


def test_the_added_role_starts_and_navigates_as_the_leader(client, world, observer):
    def landing(user):
        client.force_login(user)
        return client.get("/")

    assert menu_for(scope_of(observer)) == menu_for(scope_of(world.users["leader"]))
    mine, leaders = landing(observer), landing(world.users["leader"])
    assert mine.status_code == leaders.status_code == 200
    assert mine.context["dashboard"]["ledger"] == leaders.context["dashboard"]["ledger"]
