"""Shared vocabulary of the permission matrix (see tests/test_permission_matrix.py).

Each app lists its pages in ``tests/<app>/permission_cases.py`` as ``CASES = {url_name: Case(...)}``; the
API's routes are in ``tests/api/permission_cases.py``. A key ``"name#variant"`` walks the URL ``name`` once
more (another method, or another object).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

#: the roles that read records, each walked against every case's expectation
ROLES = ("admin", "staff", "inspector", "secretary", "leader")
#: signed-in users who read no records: the 审计员 and a user given no role yet. Each sees no business data: every
#: page and route answers them 403 or 404, except the ones a case lists for them in ``allowed``
WITHOUT_RECORDS = ("auditor", "no_role")
#: every role that reads records (a case's default)
EVERYONE = frozenset(ROLES)
#: the pages of one's own account: every signed-in user has them
ALL_SIGNED_IN = EVERYONE | set(WITHOUT_RECORDS)
TREE_EDITORS = frozenset({"admin", "staff"})


@dataclass(frozen=True)
class Case:
    #: builds the URL kwargs from the ``world`` fixture and a side: "own" means an object belonging to
    #: the secretary's branch (inside every demo role's scope), "foreign" one of another county
    kwargs: Callable | None = None
    #: roles that get ``ok_status``; every other role gets 403 inside the scope
    allowed: frozenset = EVERYONE
    #: roles for which the object does not exist by design even inside their organisation scope (404)
    hidden: frozenset = frozenset()
    #: False for objects that belong to no organisation (e.g. assessment schemes): no "foreign" case
    scoped: bool = True
    method: str = "get"
    ok_status: int = 200
    #: the POST data, or a function of the ``world`` fixture returning it
    data: dict | Callable = field(default_factory=dict)
    #: send ``data`` as JSON (API writes)
    json: bool = False
    #: what a visitor who is not logged in gets: pages redirect to the login page, the API answers 401
    anonymous_status: int = 302

    def data_for(self, world):
        return self.data(world) if callable(self.data) else self.data


def org_pk(attr="branch"):
    """kwargs {"pk": …} of an organisation: ``world.<attr>`` inside, the foreign branch outside."""
    return lambda w, side: {"pk": getattr(w, attr if side == "own" else "foreign_branch").pk}
