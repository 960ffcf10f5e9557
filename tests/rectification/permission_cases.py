import datetime

from rectification.models import RectificationItem
from tests.permission import TREE_EDITORS, Case, org_pk
from tests.rectification.helpers import (
    evidence_of,
    extension_of,
    item_of,
    letter_of,
    notice_of,
    push_request_of,
    reply_file_of,
    task_of,
)

LEDGER_KEEPERS = frozenset({"admin", "staff", "secretary"})


def _org(w, side):
    return w.branch if side == "own" else w.foreign_branch


def item_pk(status=RectificationItem.Status.PENDING):
    return lambda w, side: {"pk": item_of(_org(w, side), status=status).pk}


def item_action(w, side):
    return {"pk": item_of(_org(w, side)).pk, "action": "start"}


def long_term_item(w, side):
    return {"pk": item_of(_org(w, side), kind=RectificationItem.Kind.LONG_TERM).pk}


def milestone_pk(w, side):
    item = item_of(_org(w, side), kind=RectificationItem.Kind.LONG_TERM)
    return {"pk": item.milestones.create(title="完成改造", due="2030-01-01").pk}


def evidence_pk(w, side):
    return {"pk": evidence_of(item_of(_org(w, side)), w.users["staff"]).pk}


def notice_pk(w, side):
    return {"pk": notice_of(item_of(_org(w, side)), w.users["staff"]).pk}


def item_made_by_staff(make):
    """kwargs of an object ``make(item, staff)`` made on an item with a deadline in the branch (or abroad)."""
    return lambda w, side: {"pk": make(item_of(_org(w, side), deadline=datetime.date(2030, 1, 1)), w.users["staff"]).pk}


def dated_item(w, side):
    return {"pk": item_of(_org(w, side), deadline=datetime.date(2030, 1, 1)).pk}


def made_by_staff(make):
    return lambda w, side: {"pk": make(_org(w, side), w.users["staff"]).pk}


CASES = {
    "rectification:ledger": Case(),
    "rectification:bulk": Case(allowed=TREE_EDITORS, method="post", ok_status=302, data=lambda w: {
        "action": "accept", "items": [item_of(w.branch, status=RectificationItem.Status.SUBMITTED).pk]}),
    "rectification:export": Case(),
    "rectification:import": Case(allowed=TREE_EDITORS),
    "rectification:import_confirm": Case(ok_status=405),
    "rectification:problem_new": Case(allowed=LEDGER_KEEPERS),
    "rectification:item": Case(item_pk()),
    # the workflow's own refusals (wrong role, own organisation) are tested in test_workflow
    "rectification:item_action": Case(item_action, method="post", ok_status=302, data={"version": 1}),
    "rectification:item_plan": Case(item_pk(), allowed=LEDGER_KEEPERS, method="post", ok_status=302, data={
        "version": 1, "measures": "建立会议记录本", "kind": "deadline", "deadline": "2030-01-31"}),
    "rectification:item_progress": Case(item_pk(), allowed=LEDGER_KEEPERS, method="post", ok_status=302,
                                        data={"text": "已补齐记录", "percent": 60}),
    "rectification:item_follow_up": Case(item_pk(RectificationItem.Status.CLOSED), allowed=TREE_EDITORS,
                                         method="post", ok_status=302, data={"passed": "yes", "note": "巩固良好"}),
    "rectification:item_milestone": Case(long_term_item, allowed=LEDGER_KEEPERS, method="post", ok_status=302,
                                         data={"title": "完成活动室改造", "due": "2030-06-30"}),
    "rectification:milestone_done": Case(milestone_pk, allowed=LEDGER_KEEPERS, method="post", ok_status=302),
    "rectification:evidence": Case(evidence_pk),
    "rectification:follow_ups": Case(allowed=TREE_EDITORS),
    "rectification:overdue": Case(allowed=TREE_EDITORS),
    "rectification:supervise": Case(org_pk(), allowed=TREE_EDITORS),
    "rectification:subject_pick": Case(org_pk(), allowed=TREE_EDITORS),
    "rectification:rectification_notice": Case(org_pk(), allowed=TREE_EDITORS),
    "rectification:responsibility_letter": Case(lambda w, side: {**org_pk()(w, side), "year": 2026},
                                                allowed=TREE_EDITORS),
    "rectification:notices": Case(),
    "rectification:notice": Case(notice_pk),
    "rectification:notice_pdf": Case(notice_pk),
    # only the addressee's secretary answers a 督办 (the administrator may do everything)
    "rectification:notice_reply": Case(notice_pk, allowed=frozenset({"admin", "secretary"}), method="post",
                                       ok_status=302, data={"text": "已按要求整改完毕。"}),
    "rectification:notice_correct": Case(notice_pk, allowed=TREE_EDITORS, method="post", ok_status=302,
                                         data={"requirement": "更正：限期整改", "reply_by": "2031-01-01"}),
    "rectification:reply_file": Case(item_made_by_staff(reply_file_of)),
    "rectification:item_extension": Case(dated_item, allowed=LEDGER_KEEPERS, method="post", ok_status=302,
                                         data={"proposed_deadline": "2031-01-01", "reason": "村“两委”换届"}),
    "rectification:item_correct": Case(item_pk(), allowed=TREE_EDITORS, method="post", ok_status=302,
                                       data=lambda w: {"org_code": w.sibling.code, "reason": "问题属于邻村"}),
    "rectification:extensions": Case(allowed=TREE_EDITORS),
    "rectification:extension_decide": Case(item_made_by_staff(extension_of), allowed=TREE_EDITORS, method="post",
                                           ok_status=302, data={"approve": "yes"}),
    "rectification:self_checks": Case(),
    "rectification:self_check_new": Case(allowed=TREE_EDITORS),
    "rectification:self_check_answer": Case(made_by_staff(push_request_of), allowed=LEDGER_KEEPERS, method="post",
                                            ok_status=302, data={"claim": "yes"}),
    "rectification:tasks": Case(),
    "rectification:task_new": Case(allowed=TREE_EDITORS),
    "rectification:task_report": Case(made_by_staff(task_of), allowed=LEDGER_KEEPERS, method="post", ok_status=302,
                                      data={"done": "on", "note": "已开展"}),
    "rectification:responsibilities": Case(lambda w, side: {**org_pk()(w, side), "year": 2026}),
    "rectification:letter": Case(made_by_staff(letter_of)),
}
