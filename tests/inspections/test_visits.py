import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from inspections import services
from inspections.models import ChecklistTemplate, Finding, Round, RoundTarget, Team, Visit, VisitEvidence
from kernel.errors import ServiceError
from rectification.models import Problem
from tests.inspections.helpers import round_for
from tests.rectification.helpers import PNG, photo


def test_round_targets_follow_the_subtree_and_filters(world):
    created = services.create_round(world.users["staff"], name="专项考核", kind=Round.Kind.ASSESSMENT,
                                    root=world.county, starts_on=datetime.date(2026, 1, 1),
                                    ends_on=datetime.date(2026, 6, 30), levels=["village"])
    assert {t.org for t in created.targets.all()} == {world.branch, world.sibling, world.far_branch}
    with pytest.raises(ServiceError, match="只有本范围的组织部干部可以安排督查考核"):
        services.create_round(world.users["staff"], name="越权", kind="assessment", root=world.foreign_county,
                              starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 6, 30))
    with pytest.raises(ServiceError, match="结束日期"):
        services.create_round(world.users["staff"], name="x", kind="assessment", root=world.county,
                              starts_on=datetime.date(2026, 6, 1), ends_on=datetime.date(2026, 1, 1))


def test_staff_build_two_teams_and_inspectors_see_only_their_targets(world, login):
    created = services.create_round(world.users["staff"], name="乙镇督查", kind="supervision", root=world.county,
                                    starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 12, 31),
                                    levels=["village"])
    other_inspector = world.user_with("inspector", world.county)
    own = created.targets.get(org=world.branch)
    services.create_team(world.users["staff"], created, name="第一组", members=[world.users["inspector"]],
                         targets=[own])
    services.create_team(world.users["staff"], created, name="第二组", members=[other_inspector],
                         targets=list(created.targets.exclude(pk=own.pk)))
    assert list(RoundTarget.objects.visible_to(world.users["inspector"]).filter(round=created)) == [own]
    html = login(world.users["inspector"]).get("/inspections/today/").content.decode()
    assert "东山村党支部" in html and "西山村党支部" not in html


def test_a_visit_with_methods_findings_and_photo_feeds_the_problem_list(world, login):
    inspection_round, team = round_for(world)
    target = RoundTarget.objects.create(round=inspection_round, org=world.branch, team=team)
    client = login(world.users["inspector"])
    response = client.post(f"/inspections/targets/{target.pk}/visit/", {
        "visited_on": "2026-11-20", "methods": ["hearing", "records", "field"], "summary": "总体较好",
        "files": [photo()]})
    visit = Visit.objects.get()
    assert response["Location"] == f"/inspections/visits/{visit.pk}/"
    assert visit.method_labels == ["听取汇报", "查阅资料", "实地走访"]
    evidence = VisitEvidence.objects.get()
    assert evidence.thumbnail and client.get(f"/inspections/evidence/{evidence.pk}/").getvalue() == PNG
    client.post(f"/inspections/visits/{visit.pk}/findings/", {"kind": "strength", "text": "党员积分制管理有特色",
                                                               "to_spread": "on"})
    client.post(f"/inspections/visits/{visit.pk}/findings/", {"kind": "problem", "text": "党费收缴花名册不全",
                                                               "severity": "serious"})
    problem_finding = Finding.objects.get(kind="problem")
    client.post(f"/inspections/findings/{problem_finding.pk}/raise/")
    client.post(f"/inspections/findings/{problem_finding.pk}/raise/")  # a second click changes nothing
    problem = Problem.objects.get()
    assert (problem.org, problem.origin, problem.source, problem.severity) == (
        world.branch, problem_finding, Problem.Source.INSPECTION, "serious")
    html = client.get(f"/inspections/visits/{visit.pk}/").content.decode()
    assert "已转入问题清单" in html and "值得推广" in html
    item_page = login(world.users["secretary"]).get(f"/rectification/items/{problem.item.pk}/").content.decode()
    assert f'href="/inspections/visits/{visit.pk}/">查看原始记录' in item_page


def test_a_finished_round_takes_no_more_visits(world):
    inspection_round, team = round_for(world)
    target = RoundTarget.objects.create(round=inspection_round, org=world.branch, team=team)
    services.finish_round(world.users["staff"], inspection_round)
    with pytest.raises(ServiceError, match="已结束"):
        services.record_visit(world.users["inspector"], target, visited_on=datetime.date(2026, 11, 20),
                              methods=["field"], summary="")


def test_checklist_with_two_failures_becomes_two_problems(world, login):
    inspection_round, team = round_for(world)
    target = RoundTarget.objects.create(round=inspection_round, org=world.branch, team=team)
    visit = services.record_visit(world.users["inspector"], target, visited_on=datetime.date(2026, 11, 20),
                                  methods=["field"], summary="")
    template = ChecklistTemplate.objects.get(name="十有六册一划一本")
    items = list(template.items.all())
    assert len(items) == 18
    form = {f"verdict_{item.pk}": "pass" for item in items}
    form[f"verdict_{items[3].pk}"] = "fail"
    form[f"note_{items[3].pk}"] = "档案柜缺失"
    form[f"verdict_{items[10].pk}"] = "fail"
    form[f"photo_{items[10].pk}"] = photo("花名册.png")
    client = login(world.users["inspector"])
    client.post(f"/inspections/visits/{visit.pk}/checklists/{template.pk}/", form)
    assert visit.answers.filter(verdict="fail").count() == 2
    client.post(f"/inspections/visits/{visit.pk}/accept-failures/")
    client.post(f"/inspections/visits/{visit.pk}/accept-failures/")
    problems = Problem.objects.filter(org=world.branch)
    assert problems.count() == 2
    assert {p.origin.item.text for p in problems} == {"有档案柜", "党员花名册"}
    assert "档案柜缺失" in problems.get(origin_id=visit.answers.get(item=items[3]).pk).description


def test_another_team_and_another_branch_get_404_on_the_visit_and_photo(world, login):
    inspection_round, team = round_for(world)
    other_team = Team.objects.create(round=inspection_round, name="第二组")
    target = RoundTarget.objects.create(round=inspection_round, org=world.branch, team=other_team)
    visit = Visit.objects.create(target=target, visited_on=datetime.date(2026, 11, 20), methods=["field"],
                                 recorded_by=world.users["staff"])
    evidence = services.attach(visit, photo())
    neighbour = world.user_with("secretary", world.sibling, recursive=False)
    for user in (world.users["inspector"], neighbour):
        client = login(user)
        assert client.get(f"/inspections/visits/{visit.pk}/").status_code == 404
        assert client.get(f"/inspections/evidence/{evidence.pk}/").status_code == 404
        assert client.get(f"/inspections/evidence/{evidence.pk}/thumbnail/").status_code == 404
    assert login(world.users["secretary"]).get(f"/inspections/visits/{visit.pk}/").status_code == 200


def test_bad_photo_is_refused_and_no_visit_is_recorded(world, login):
    inspection_round, team = round_for(world)
    target = RoundTarget.objects.create(round=inspection_round, org=world.branch, team=team)
    response = login(world.users["inspector"]).post(f"/inspections/targets/{target.pk}/visit/", {
        "visited_on": "2026-11-20", "methods": ["field"], "files": [SimpleUploadedFile("x.jpg", b"no image")]},
        follow=True)
    assert "内容与扩展名不符" in response.content.decode()
    assert not Visit.objects.exists()


def test_round_overview_counts_visited_targets(world, login, django_assert_max_num_queries):
    inspection_round, team = round_for(world)
    for org in (world.branch, world.sibling, world.far_branch):
        RoundTarget.objects.create(round=inspection_round, org=org, team=team)
    Visit.objects.create(target=inspection_round.targets.get(org=world.branch), methods=["field"],
                         recorded_by=world.users["staff"])
    client = login(world.users["staff"])
    with django_assert_max_num_queries(10):
        response = client.get(f"/inspections/rounds/{inspection_round.pk}/")
    assert response.context["counts"] == {"total": 3, "visited": 1}


def test_organisation_page_shows_inspection_history_and_checklist_rate(world, login):
    inspection_round, team = round_for(world)
    target = RoundTarget.objects.create(round=inspection_round, org=world.branch, team=team)
    visit = services.record_visit(world.users["inspector"], target, visited_on=datetime.date(2026, 11, 20),
                                  methods=["records"], summary="")
    items = ChecklistTemplate.objects.get(name="六有").items.all()
    services.fill_checklist(world.users["inspector"], visit,
                            [(item, "fail" if i == 0 else "pass", "", None) for i, item in enumerate(items)])
    html = login(world.users["staff"]).get(f"/orgs/{world.town_a.pk}/").content.decode()
    assert "检查清单达标率(本组织及下级)：<strong>83.3%</strong>" in html
    html = login(world.users["staff"]).get(f"/orgs/{world.branch.pk}/").content.decode()
    assert "2026年专项考核" in html


def test_date_pickers_are_prefilled_in_iso_form(world, login):
    inspection_round, team = round_for(world)
    target = RoundTarget.objects.create(round=inspection_round, org=world.branch, team=team)
    html = login(world.users["inspector"]).get(f"/inspections/targets/{target.pk}/visit/").content.decode()
    assert f'type="date" name="visited_on" value="{datetime.date.today().isoformat()}"' in html
