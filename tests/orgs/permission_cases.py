from tests.permission import TREE_EDITORS, Case, org_pk

CASES = {
    "orgs:tree": Case(),
    "orgs:pick": Case(),
    "orgs:export": Case(),
    "orgs:import": Case(allowed=TREE_EDITORS),
    "orgs:import_confirm": Case(ok_status=405),  # POST only; its POST is tested in test_import_export
    "orgs:detail": Case(org_pk()),
    "orgs:children": Case(org_pk()),
    "orgs:edit": Case(org_pk(), allowed=TREE_EDITORS),
    "orgs:add_child": Case(org_pk(), allowed=TREE_EDITORS),
    "orgs:edit_statistics": Case(lambda w, side: {**org_pk()(w, side), "year": 2026},
                                 allowed=frozenset({"admin", "staff", "secretary"})),
}
