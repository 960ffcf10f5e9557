"""Every route of the JSON API for every role, inside and outside the scope (see tests/test_permission_matrix.py).

A visitor without a session or token gets 401; another county's objects answer 404; a role that sees an object
but may not change it gets 403.
"""

from functools import partial

from inspections.models import ChecklistTemplate
from partybuild.models import Notification
from tests.inspections.helpers import evidence_of as visit_evidence_of
from tests.inspections.helpers import finding_of, target_of, visit_of
from tests.inspections.permission_cases import ROUND_READERS, pk_of, round_pk, tour_pk
from tests.inspections.permission_cases import stop_pk as stop_kwargs
from tests.partybuild.permission_cases import REPORTERS, report_pk, this_month
from tests.permission import ALL_SIGNED_IN, EVERYONE, TREE_EDITORS, Case, org_pk
from tests.rectification.helpers import extension_of, item_of
from tests.rectification.permission_cases import (
    LEDGER_KEEPERS,
    dated_item,
    evidence_pk,
    item_made_by_staff,
    item_pk,
)
from tests.scoring.permission_cases import RESULT_READERS, assessment_pk, published_pk, sheet_kwargs

ApiCase = partial(Case, anonymous_status=401, json=True)  # API writes are JSON (uploads take multipart too)
SECRETARY = frozenset({"secretary"})
RECORDERS = frozenset({"admin", "staff", "inspector"})
NOT_THE_SECRETARY = EVERYONE - SECRETARY


def _org(w, side):
    return w.branch if side == "own" else w.foreign_branch


def problem_pk(w, side):
    return {"pk": item_of(_org(w, side)).problem.pk}


def template_pk(w, side):
    return {"pk": ChecklistTemplate.objects.first().pk}


def checklist_kwargs(w, side):
    return {"pk": visit_of(w, _org(w, side)).pk, "template_pk": ChecklistTemplate.objects.first().pk}


def every_line_passes(w):
    return {"answers": [{"item": item.pk, "verdict": "pass"} for item in ChecklistTemplate.objects.first().items.all()]}


def secretarys_notification(w, side):
    """Notifications belong to one user: everybody else is told it does not exist."""
    return {"pk": Notification.objects.create(user=w.users["secretary"], text="有整改事项逾期", key="k").pk}


def download_kwargs(w, side):
    return {**report_pk()(w, side), "fmt": "pdf"}


PLAN = {"version": 1, "measures": "建立会议记录本", "responsible_unit": "村党支部", "responsible_person": "张三",
        "deadline": "2030-01-31", "kind": "deadline"}

CASES = {
    "api:me": ApiCase(allowed=ALL_SIGNED_IN),
    "api:schema": ApiCase(),
    "api:docs": Case(),
    "api:organisation-list": ApiCase(),
    "api:organisation-detail": ApiCase(org_pk()),
    "api:organisation-statistics": ApiCase(org_pk()),
    # the ledger
    "api:problem-list": ApiCase(),
    "api:problem-list#post": ApiCase(allowed=LEDGER_KEEPERS, method="post", ok_status=201,
                                     data=lambda w: {"org": w.branch.pk, "description": "党员活动室未按时开放"}),
    "api:problem-detail": ApiCase(problem_pk),
    "api:item-list": ApiCase(),
    "api:item-detail": ApiCase(item_pk()),
    "api:item-history": ApiCase(item_pk()),
    "api:item-perform": ApiCase(item_pk(), allowed=LEDGER_KEEPERS, method="post",
                                data={"action": "start", "version": 1}),
    "api:item-plan": ApiCase(item_pk(), allowed=LEDGER_KEEPERS, method="put", json=True, data=PLAN),
    "api:item-progress": ApiCase(item_pk()),
    "api:item-progress#post": ApiCase(item_pk(), allowed=LEDGER_KEEPERS, method="post", ok_status=201,
                                      data={"text": "已补齐记录", "percent": 60}),
    "api:evidence": ApiCase(evidence_pk),
    # 延期申请: the organisation asks, staff above it decide
    "api:item-extension": ApiCase(dated_item, allowed=LEDGER_KEEPERS, method="post", ok_status=201,
                                  data={"proposed_deadline": "2031-01-01", "reason": "村“两委”换届"}),
    "api:extension-list": ApiCase(),
    "api:extension-detail": ApiCase(item_made_by_staff(extension_of)),
    "api:extension-decide": ApiCase(item_made_by_staff(extension_of), allowed=TREE_EDITORS, method="post",
                                    data={"approve": True}, json=True),
    # inspections: a secretary sees no round or tour at all; a leader looks but does not record
    "api:round-list": ApiCase(allowed=ROUND_READERS),
    "api:round-detail": ApiCase(round_pk, allowed=ROUND_READERS, hidden=SECRETARY),
    "api:target-list": ApiCase(),
    "api:target-detail": ApiCase(pk_of(target_of)),
    "api:target-today": ApiCase(),
    "api:target-visits": ApiCase(pk_of(target_of), allowed=RECORDERS, method="post", ok_status=201,
                                 data={"methods": ["hearing", "records"], "summary": "听取汇报，查阅资料"}),
    "api:visit-list": ApiCase(),
    "api:visit-detail": ApiCase(pk_of(visit_of)),
    "api:visit-findings": ApiCase(pk_of(visit_of), allowed=RECORDERS, method="post", ok_status=201,
                                  data={"kind": "problem", "text": "会议记录不全"}),
    "api:visit-checklist": ApiCase(checklist_kwargs, allowed=RECORDERS, method="put", json=True,
                                   data=every_line_passes),
    "api:finding-list": ApiCase(),
    "api:finding-detail": ApiCase(pk_of(finding_of)),
    "api:finding-raise-problem": ApiCase(pk_of(finding_of), allowed=RECORDERS, method="post", ok_status=201),
    "api:inspection-evidence": ApiCase(pk_of(visit_evidence_of)),
    "api:checklist-list": ApiCase(),
    "api:checklist-detail": ApiCase(template_pk, scoped=False),
    "api:tour-list": ApiCase(),
    "api:tour-detail": ApiCase(tour_pk, allowed=ROUND_READERS, hidden=SECRETARY),
    # only the tour's participants score (the administrator is not one)
    "api:stop-score": ApiCase(stop_kwargs, allowed=frozenset({"staff", "inspector"}), hidden=SECRETARY,
                              method="post", data={"points": "88"}),
    # assessments: nothing of an unpublished one reaches a secretary
    "api:assessment-list": ApiCase(),
    "api:assessment-detail": ApiCase(assessment_pk, hidden=SECRETARY),
    "api:assessment-results": ApiCase(published_pk),
    "api:assessment-results#unpublished": ApiCase(assessment_pk, allowed=RESULT_READERS, hidden=SECRETARY),
    "api:score-sheet": ApiCase(sheet_kwargs),
    # notifications are the user's own
    "api:notification-list": ApiCase(),
    "api:notification-detail": ApiCase(secretarys_notification, hidden=NOT_THE_SECRETARY, scoped=False),
    "api:notification-read": ApiCase(secretarys_notification, hidden=NOT_THE_SECRETARY, scoped=False,
                                     method="post"),
    "api:notification-read-all": ApiCase(method="post"),
    # reports are over the county: a secretary or a township inspector does not see them at all
    "api:report-kinds": ApiCase(allowed=REPORTERS, data=lambda w: {"scope": w.county.pk}),
    "api:report-list": ApiCase(),
    "api:report-list#post": ApiCase(allowed=REPORTERS, method="post", ok_status=202,
                                    data=lambda w: {"kind": "monthly", "scope": w.county.pk,
                                                    "period": this_month().partition(":")[2]}),
    "api:report-detail": ApiCase(report_pk(), hidden=frozenset({"secretary", "inspector"})),
    "api:report-download": ApiCase(download_kwargs, hidden=frozenset({"secretary", "inspector"})),
}
