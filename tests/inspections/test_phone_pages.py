"""The inspector's day and the checklist on a phone: one line per target, no duplicate visit, no silent passes."""

import datetime

from django.utils import timezone

from inspections.models import ChecklistTemplate, RoundTarget, Team, Visit
from tests.inspections.helpers import round_for


def test_today_lists_each_target_once_and_a_visited_target_opens_its_visit(world, login):
    inspection_round, team = round_for(world)
    visited = RoundTarget.objects.create(round=inspection_round, org=world.branch, team=team)
    waiting = RoundTarget.objects.create(round=inspection_round, org=world.sibling, team=team)
    second_team = Team.objects.create(round=inspection_round, name="第二考核组")
    second_team.members.add(world.users["inspector"])  # in two teams of the round: still one line per target
    visit = Visit.objects.create(target=visited, visited_on=timezone.localdate(), methods=["field"],
                                 recorded_by=world.users["inspector"])
    html = login(world.users["inspector"]).get("/inspections/today/").content.decode()
    assert html.count("东山村党支部") == 1 and html.count("西山村党支部") == 1
    assert f"/inspections/visits/{visit.pk}/" in html and f"/inspections/targets/{visited.pk}/visit/" not in html
    assert f"/inspections/targets/{waiting.pk}/visit/" in html
    assert html.index("西山村党支部") < html.index("东山村党支部")  # not yet visited first
    assert "今日已走访" in html


def test_the_inspector_lands_on_today_after_login_and_the_others_on_home(world, login):
    assert login(world.users["inspector"]).get("/start/").url == "/inspections/today/"
    assert login(world.users["secretary"]).get("/start/").url == "/"


def test_the_round_page_offers_a_visit_only_to_who_may_record_it(world, login):
    inspection_round, team = round_for(world)
    target = RoundTarget.objects.create(round=inspection_round, org=world.branch, team=team)
    new_visit, page = f"/inspections/targets/{target.pk}/visit/", f"/inspections/rounds/{inspection_round.pk}/"
    assert new_visit not in login(world.users["leader"]).get(page).content.decode()
    assert new_visit in login(world.users["staff"]).get(page).content.decode()
    assert new_visit in login(world.users["inspector"]).get(page).content.decode()
    visit = Visit.objects.create(target=target, visited_on=datetime.date(2026, 11, 20), methods=["field"],
                                 recorded_by=world.users["staff"])
    html = login(world.users["staff"]).get(page).content.decode()
    assert new_visit not in html and f"/inspections/visits/{visit.pk}/" in html


def _checklist(world):
    inspection_round, team = round_for(world)
    target = RoundTarget.objects.create(round=inspection_round, org=world.branch, team=team)
    visit = Visit.objects.create(target=target, visited_on=datetime.date(2026, 11, 20), methods=["field"],
                                 recorded_by=world.users["inspector"])
    template = ChecklistTemplate.objects.get(name="十有六册一划一本")
    return visit, template, list(template.items.all()), f"/inspections/visits/{visit.pk}/checklists/{template.pk}/"


def test_a_checklist_starts_unanswered_and_counts_the_answers(world, login):
    visit, template, items, url = _checklist(world)
    client = login(world.users["inspector"])
    html = client.get(url).content.decode()
    assert "checked" not in html and "已答 0 / 18 项" in html
    client.post(url, {f"verdict_{items[0].pk}": "pass", "partial": "on"})
    assert "已答 1 / 18 项" in client.get(url).content.decode()


def test_an_incomplete_checklist_is_refused_unless_marked_partial(world, login):
    visit, template, items, url = _checklist(world)
    client = login(world.users["inspector"])
    response = client.post(url, {})  # saved untouched: nothing is recorded, no silent passes
    assert response.status_code == 400 and visit.answers.count() == 0
    answers = {f"verdict_{item.pk}": "pass" for item in items[:5]}
    response = client.post(url, answers)
    assert response.status_code == 400 and "还有 13 项没有回答" in response.content.decode()
    assert visit.answers.count() == 0
    response = client.post(url, {**answers, "partial": "on"})
    assert response.status_code == 302 and visit.answers.count() == 5
    everything = {f"verdict_{item.pk}": "pass" for item in items}
    assert client.post(url, everything).status_code == 302 and visit.answers.count() == 18
