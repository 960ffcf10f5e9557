"""Organisations are chosen by name inside the user's scope (htmx picker), not typed as codes."""

from inspections.forms import RoundForm


def test_the_picker_lists_matches_inside_the_scope_for_the_action(world, login):
    staff = login(world.users["staff"])
    html = staff.get("/orgs/pick/", {"action": "ledger.manage", "org_search": "山村"}).content.decode()
    assert "东山村党支部" in html and "西山村党支部" in html and "南湖村" not in html
    assert f'data-pick-code="{world.branch.code}"' in html
    foreign = staff.get("/orgs/pick/", {"action": "ledger.manage", "org_search": "外县"}).content.decode()
    assert "data-pick-code" not in foreign
    secretary = login(world.users["secretary"])
    assert secretary.get("/orgs/pick/", {"action": "ledger.manage", "x_search": "东山"}).status_code == 403
    html = secretary.get("/orgs/pick/", {"action": "ledger.work", "x_search": "东山"}).content.decode()
    assert "东山村党支部" in html


def test_the_picker_names_the_chosen_code_and_refuses_unknown_actions(world, login):
    client = login(world.users["staff"])
    assert "已选：东山村党支部" in client.get("/orgs/pick/", {"current": world.branch.code}).content.decode()
    assert "不在您的范围内" in client.get("/orgs/pick/", {"current": world.foreign_branch.code}).content.decode()
    assert client.get("/orgs/pick/", {"action": "drop.tables"}).status_code == 404


def test_the_picker_answers_only_for_the_actions_pickers_serve_and_only_to_who_may_take_them(world, login):
    """The auditor asked with the one action they hold (``audit.view``, which no picker serves) or with one a
    picker serves: no organisation names either way."""
    auditor = login(world.user_with("auditor", world.county))
    for action in ("audit.view", "records.view", "ledger.manage", "inspections.manage"):
        response = auditor.get("/orgs/pick/", {"action": action, "org_search": "村"})
        assert response.status_code in (403, 404) and "东山村" not in response.content.decode(), action
    leader = login(world.users["leader"])
    assert leader.get("/orgs/pick/", {"action": "scoring.manage", "org_search": "村"}).status_code == 403
    assert "东山村" in leader.get("/orgs/pick/", {"action": "records.view", "org_search": "村"}).content.decode()


def test_forms_and_filters_offer_the_picker_instead_of_a_code_box(world, login):
    html = RoundForm(user=world.users["staff"]).as_div()
    assert 'name="root_search"' in html and "action=inspections.manage" in html and 'type="hidden" name="root"' in html
    client = login(world.users["staff"])
    for url in ("/rectification/", "/rectification/tasks/", "/rectification/problems/new/"):
        assert "/orgs/pick/" in client.get(url).content.decode(), url
