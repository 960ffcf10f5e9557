import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from orgs.models import Kind, Sector
from rectification import lists
from rectification.models import Problem, ResponsibilityLetter, SelfCheckRequest, Task
from rectification.services import ServiceError
from tests.factories import OrganizationFactory
from tests.rectification.helpers import photo

REPLY_BY = datetime.date(2030, 1, 1)


def test_push_reaches_every_grassroots_organisation_of_the_subtree_filtered_by_sector(world):
    OrganizationFactory(parent=world.town_b, name="乙镇中心小学党支部", sector=Sector.SCHOOL)
    push = lists.push_self_check(world.users["staff"], world.county, description="党费收缴不规范", reply_by=REPLY_BY,
                                 sector=Sector.RURAL)
    assert {r.org for r in push.requests.all()} == {world.branch, world.sibling, world.far_branch}
    committee_push = lists.push_self_check(world.users["staff"], world.town_a, description="x", reply_by=REPLY_BY)
    assert all(r.org.kind != Kind.COMMITTEE for r in committee_push.requests.all())


def test_push_outside_the_staff_scope_is_refused(world):
    with pytest.raises(ServiceError, match="只有组织部干部可以向本范围内的组织下达"):
        lists.push_self_check(world.users["staff"], world.foreign_county, description="x", reply_by=REPLY_BY)
    with pytest.raises(ServiceError, match="只有组织部干部可以向本范围内的组织下达"):
        lists.push_self_check(world.users["leader"], world.county, description="x", reply_by=REPLY_BY)


def test_claiming_makes_it_the_organisations_own_problem_and_declining_needs_a_reason(world):
    push = lists.push_self_check(world.users["staff"], world.town_a, description="主题党日不经常", reply_by=REPLY_BY)
    own = push.requests.get(org=world.branch)
    lists.answer_self_check(world.users["secretary"], own, claim=True)
    problem = Problem.objects.get()
    assert (problem.org, problem.source, problem.origin) == (world.branch, Problem.Source.SELF_CHECK, own)
    with pytest.raises(ServiceError, match="已经反馈过"):
        lists.answer_self_check(world.users["secretary"], own, claim=True)
    neighbour = push.requests.get(org=world.sibling)
    with pytest.raises(ServiceError, match="您不能反馈这个自查事项"):  # not the secretary's organisation
        lists.answer_self_check(world.users["secretary"], neighbour, claim=False, reason="无")
    with pytest.raises(ServiceError, match="必须说明理由"):
        lists.answer_self_check(world.users["staff"], neighbour, claim=False)
    lists.answer_self_check(world.users["staff"], neighbour, claim=False, reason="已规范开展")
    progress = lists.push_progress(type(push).objects.filter(pk=push.pk)).get()
    assert (progress.targets, progress.claimed, progress.declined, progress.waiting) == (2, 1, 1, 0)


def test_tasks_assigned_down_a_subtree_and_completion_rolls_up(world):
    assert lists.assign_tasks(world.users["staff"], world.county, title="开展主题党日", year=2026, quarter=2) == 3
    lists.assign_tasks(world.users["staff"], world.town_a, title="完成党费收缴", year=2026, quarter=4)
    lists.report_task(world.users["secretary"], Task.objects.get(org=world.branch, quarter=2), done=True, note="已开展")
    with pytest.raises(ServiceError, match="写明完成情况"):
        lists.report_task(world.users["secretary"], Task.objects.get(org=world.branch, quarter=4), done=True)
    with pytest.raises(ServiceError, match="您不能报告这项任务的完成情况"):
        lists.report_task(world.users["secretary"], Task.objects.get(org=world.sibling, quarter=2), done=True,
                          note="越权")
    county = lists.task_completion(Task.objects.filter(org__path__startswith=world.county.path))
    assert (county["total"], county["finished"], county["rate"], county["q2_total"], county["q2_finished"]) == (
        5, 1, 20.0, 3, 1)
    branch = lists.task_completion(Task.objects.filter(org=world.branch))
    assert branch["rate"] == 50.0


def test_tasks_page_reports_completion_within_scope(world, login):
    lists.assign_tasks(world.users["staff"], world.county, title="开展主题党日", year=2026, quarter=2)
    client = login(world.users["secretary"])
    task = Task.objects.get(org=world.branch)
    client.post(f"/rectification/tasks/{task.pk}/report/", {"done": "on", "note": "6月开展"})
    html = client.get("/rectification/tasks/?year=2026").content.decode()
    assert "共 1 项任务，已完成 1 项" in html and "100.0%" in html


def test_responsibility_list_and_signed_letter(world, login):
    client = login(world.users["secretary"])
    url = f"/rectification/orgs/{world.branch.pk}/responsibilities/2026/"
    client.post(url, {"post": "secretary", "person": "刘书记", "duties": "履行第一责任人职责"})
    client.post(url, {"letter": photo("责任书.png")})
    bad = client.post(url, {"letter": SimpleUploadedFile("责任书.exe", b"MZ")})
    assert "不支持“.exe”文件" in bad.content.decode()
    html = client.get(url).content.decode()
    assert "书记(第一责任人)" in html and "刘书记" in html and "责任书.png" in html
    assert ResponsibilityLetter.objects.count() == 1
    assert login(world.users["leader"]).post(url, {"post": "member", "person": "x", "duties": "y"}).status_code == 403


def test_secretary_answers_a_push_from_the_page(world, login):
    lists.push_self_check(world.users["staff"], world.town_a, description="活动阵地不达标", reply_by=REPLY_BY)
    client = login(world.users["secretary"])
    page = client.get("/rectification/self-checks/").content.decode()
    assert "活动阵地不达标" in page
    request = SelfCheckRequest.objects.get(org=world.branch)
    client.post(f"/rectification/self-checks/{request.pk}/answer/", {"claim": "no", "reason": "已达标"})
    request.refresh_from_db()
    assert request.answer == SelfCheckRequest.Answer.NOT_APPLICABLE and request.reason == "已达标"
