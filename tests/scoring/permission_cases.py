from scoring.models import Scheme
from tests.permission import EVERYONE, TREE_EDITORS, Case
from tests.scoring.helpers import assessment_for, published_for

RESULT_READERS = frozenset({"admin", "staff", "leader"})
SECRETARY = frozenset({"secretary"})


def _root(w, side):
    return w.county if side == "own" else w.foreign_county


def _branch(w, side):
    return w.branch if side == "own" else w.foreign_branch


def assessment_pk(w, side):
    return {"pk": assessment_for(w, _root(w, side)).pk}


def published_pk(w, side):
    return {"pk": published_for(w, _root(w, side)).pk}


def rater_kwargs(w, side):
    assessment = assessment_for(w, _root(w, side))
    return {"pk": assessment.pk, "rater_pk": assessment.raters.get(name="评议").pk}


def sheet_kwargs(w, side):
    return {"pk": published_for(w, _root(w, side)).pk, "org_pk": _branch(w, side).pk}


def scheme_pk(w, side):
    return {"pk": Scheme.objects.first().pk}


def score_evidence_pk(w, side):
    from scoring.models import Indicator, Score
    from tests.rectification.helpers import photo

    assessment = published_for(w, _root(w, side))
    veto = Indicator.objects.get(scheme=assessment.scheme, code="E3")
    score = Score.objects.create(assessment=assessment, org=_branch(w, side), indicator=veto, points=1, reason="违纪",
                                 rater=assessment.raters.first(), entered_by=w.users["admin"], evidence=photo())
    return {"pk": score.pk}


CASES = {
    "scoring:assessments": Case(),
    "scoring:assessment_new": Case(allowed=TREE_EDITORS),
    "scoring:schemes": Case(),
    "scoring:scheme_import": Case(allowed=TREE_EDITORS),
    "scoring:scheme_import_confirm": Case(ok_status=405),
    "scoring:scheme": Case(scheme_pk, scoped=False),
    "scoring:scheme_export": Case(scheme_pk, scoped=False),
    "scoring:scheme_copy": Case(scheme_pk, allowed=TREE_EDITORS, method="post", ok_status=302, scoped=False),
    # before publication a secretary does not see the assessment at all
    "scoring:assessment": Case(assessment_pk, hidden=SECRETARY),
    "scoring:grid": Case(rater_kwargs, allowed=frozenset({"admin", "staff", "inspector"}), hidden=SECRETARY),
    "scoring:cell": Case(rater_kwargs, allowed=frozenset({"admin", "staff", "inspector"}), hidden=SECRETARY,
                         method="post", ok_status=400),  # an empty cell is answered with its Chinese error
    "scoring:results": Case(published_pk, allowed=EVERYONE),
    "scoring:dynamic": Case(published_pk, allowed=EVERYONE),
    "scoring:sheet": Case(sheet_kwargs, allowed=EVERYONE),
    "scoring:score_evidence": Case(score_evidence_pk),
    "scoring:close": Case(assessment_pk, allowed=TREE_EDITORS, hidden=SECRETARY, method="post", ok_status=302),
    "scoring:publish": Case(assessment_pk, allowed=TREE_EDITORS, hidden=SECRETARY, method="post", ok_status=302),
}
