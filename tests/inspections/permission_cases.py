from inspections.models import ChecklistTemplate
from tests.inspections.helpers import answer_of, evidence_of, finding_of, round_for, target_of, tour_of, visit_of
from tests.permission import TREE_EDITORS, Case

ROUND_READERS = frozenset({"admin", "staff", "leader", "inspector"})
SECRETARY = frozenset({"secretary"})
RECORDERS = frozenset({"admin", "staff", "inspector"})


def _org(w, side):
    return w.branch if side == "own" else w.foreign_branch


def pk_of(make):
    return lambda w, side: {"pk": make(w, _org(w, side)).pk}


def round_pk(w, side):
    return {"pk": round_for(w, w.county if side == "own" else w.foreign_county)[0].pk}


def checklist_kwargs(w, side):
    return {"pk": visit_of(w, _org(w, side)).pk, "template_pk": ChecklistTemplate.objects.first().pk}


def tour_pk(w, side):
    return {"pk": tour_of(w, _org(w, side), participants=("staff", "leader", "inspector")).pk}


def stop_pk(w, side):
    return {"pk": tour_of(w, _org(w, side), participants=("staff", "inspector")).stops.get().pk}


CASES = {
    "inspections:rounds": Case(allowed=ROUND_READERS),
    "inspections:round_new": Case(allowed=TREE_EDITORS),
    # the secretary sees no round at all (404); a leader may look but not build teams (403)
    "inspections:round": Case(round_pk, allowed=ROUND_READERS, hidden=SECRETARY),
    "inspections:team_new": Case(round_pk, allowed=TREE_EDITORS, hidden=SECRETARY),
    "inspections:round_finish": Case(round_pk, allowed=TREE_EDITORS, hidden=SECRETARY, method="post",
                                     ok_status=302),
    "inspections:today": Case(allowed=frozenset({"admin", "inspector"})),
    "inspections:visit_new": Case(pk_of(target_of), allowed=RECORDERS),
    "inspections:visit": Case(pk_of(visit_of)),
    "inspections:finding_new": Case(pk_of(visit_of), allowed=RECORDERS, method="post", ok_status=302,
                                    data={"kind": "problem", "text": "会议记录不全"}),
    "inspections:checklist": Case(checklist_kwargs, allowed=RECORDERS),
    "inspections:accept_failures": Case(pk_of(visit_of), allowed=RECORDERS, method="post", ok_status=302),
    "inspections:finding_raise": Case(pk_of(finding_of), allowed=RECORDERS, method="post", ok_status=302),
    "inspections:evidence": Case(pk_of(evidence_of)),
    "inspections:thumbnail": Case(pk_of(evidence_of)),
    "inspections:answer_photo": Case(pk_of(answer_of)),
    "inspections:tours": Case(),
    "inspections:tour_new": Case(allowed=TREE_EDITORS),
    "inspections:tour": Case(tour_pk, allowed=ROUND_READERS, hidden=SECRETARY),
    "inspections:tour_ranking": Case(tour_pk, allowed=ROUND_READERS, hidden=SECRETARY),
    "inspections:tour_export": Case(tour_pk, allowed=ROUND_READERS, hidden=SECRETARY),
    "inspections:tour_file": Case(tour_pk, allowed=TREE_EDITORS, hidden=SECRETARY, method="post", ok_status=302),
    "inspections:tour_raise": Case(tour_pk, allowed=TREE_EDITORS, hidden=SECRETARY, method="post", ok_status=302),
    "inspections:tour_score": Case(stop_pk, allowed=ROUND_READERS, hidden=SECRETARY, method="post", ok_status=302,
                                   data={"points": "88"}),
}
