from scoring.models import Scheme
from tests.permission import EVERYONE, TREE_EDITORS, Case
from tests.scoring.helpers import assessment_for, published_for

RESULT_READERS = frozenset({"admin", "staff", "leader"})
SECRETARY = frozenset({"secretary"})
RATERS = frozenset({"admin", "staff", "inspector"})


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


def plaque_pk(w, side):
    from scoring.models import Plaque

    plaque = Plaque.objects.create(org=_branch(w, side), title="“五个好”村党支部", grade="达标", year=2026,
                                   named_by=w.users["admin"])
    return {"pk": plaque.pk}


def scheme_pk(w, side):
    return {"pk": Scheme.objects.first().pk}


def score_evidence_pk(w, side):
    from scoring.models import Indicator, Score
    from tests.rectification.helpers import photo

    assessment = published_for(w, _root(w, side))
    veto = Indicator.objects.get(scheme=assessment.scheme, code="E3")
    score = Score.objects.create(assessment=assessment, org=_branch(w, side), indicator=veto, points=1, reason="违纪",
                                 rater=assessment.raters.first(), entered_by=w.users["admin"],
                                 member=w.users["admin"], evidence=photo())
    return {"pk": score.pk}


def trial_kwargs(w, side):
    from scoring import trials

    assessment = published_for(w, _root(w, side))
    trial = trials.run(assessment.created_by, assessment, name="原规则", rules=trials.current_rules(assessment))
    return {"pk": assessment.pk, "trial_pk": trial.pk}


#: rule trials are staff's working papers: everyone else finds none (404)
NOT_STAFF = frozenset({"inspector", "secretary", "leader"})

CASES = {
    "scoring:assessments": Case(),
    "scoring:assessment_new": Case(allowed=TREE_EDITORS),
    "scoring:schemes": Case(),
    "scoring:scheme_import": Case(allowed=TREE_EDITORS),
    "scoring:scheme_import_confirm": Case(ok_status=405),
    "scoring:scheme": Case(scheme_pk, scoped=False),
    "scoring:scheme_export": Case(scheme_pk, scoped=False),
    "scoring:scheme_edit": Case(scheme_pk, allowed=TREE_EDITORS, scoped=False),
    "scoring:scheme_copy": Case(scheme_pk, allowed=TREE_EDITORS, method="post", ok_status=302, scoped=False),
    # before publication a secretary does not see the assessment at all
    "scoring:assessment": Case(assessment_pk, hidden=SECRETARY),
    "scoring:grid": Case(rater_kwargs, allowed=RATERS, hidden=SECRETARY),
    "scoring:cell": Case(rater_kwargs, allowed=RATERS, hidden=SECRETARY,
                         method="post"),  # an empty cell is answered (200) with its Chinese error
    "scoring:sheet_save": Case(rater_kwargs, allowed=RATERS, hidden=SECRETARY, method="post", ok_status=302),
    "scoring:sheet_export": Case(rater_kwargs, allowed=RATERS, hidden=SECRETARY),
    "scoring:sheet_import": Case(rater_kwargs, allowed=RATERS, hidden=SECRETARY),
    "scoring:decide": Case(assessment_pk, allowed=TREE_EDITORS, hidden=SECRETARY, method="post", ok_status=302),
    "scoring:plaques": Case(),
    "scoring:plaque_new": Case(allowed=TREE_EDITORS, method="post", ok_status=302),
    "scoring:plaque_remove": Case(plaque_pk, allowed=TREE_EDITORS, method="post", ok_status=302),
    "scoring:results": Case(published_pk, allowed=EVERYONE),
    "scoring:dynamic": Case(published_pk, allowed=EVERYONE),
    "scoring:sheet": Case(sheet_kwargs, allowed=EVERYONE),
    "scoring:score_evidence": Case(score_evidence_pk),
    "scoring:trials": Case(published_pk, allowed=TREE_EDITORS, hidden=NOT_STAFF),
    "scoring:trial": Case(trial_kwargs, allowed=TREE_EDITORS, hidden=NOT_STAFF),
    "scoring:trial_export": Case(trial_kwargs, allowed=TREE_EDITORS, hidden=NOT_STAFF),
    "scoring:trial_apply": Case(trial_kwargs, allowed=TREE_EDITORS, hidden=NOT_STAFF, method="post", ok_status=302),
    "scoring:close": Case(assessment_pk, allowed=TREE_EDITORS, hidden=SECRETARY, method="post", ok_status=302),
    "scoring:publish": Case(assessment_pk, allowed=TREE_EDITORS, hidden=SECRETARY, method="post", ok_status=302),
    "scoring:bulletin": Case(published_pk, allowed=TREE_EDITORS, method="post", ok_status=302),
}
