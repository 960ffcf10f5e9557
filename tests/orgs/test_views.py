import pytest

from orgs.models import Organization, OrgStatistics
from tests.factories import OrganizationFactory, OrgStatisticsFactory


@pytest.mark.smoke
def test_login_page_is_in_chinese(client, db):
    response = client.get("/accounts/login/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "登录党建督考" in html and "用户名" in html and "密码" in html


@pytest.mark.smoke
def test_signing_in_leads_to_a_home_page_naming_the_role(client, world):
    user = world.users["secretary"]
    response = client.post("/accounts/login/", {"username": user.username, "password": "pw-test-123"}, follow=True)
    html = response.content.decode()
    assert "支部书记" in html and "东山村党支部" in html
    assert "中共外县委员会" not in html


def test_wrong_password_is_answered_in_chinese(client, world):
    response = client.post("/accounts/login/", {"username": "admin", "password": "wrong"})
    assert "请输入一个正确的" in response.content.decode()


def test_tree_starts_at_the_users_scope_roots(world, login):
    html = login(world.users["inspector"]).get("/orgs/").content.decode()
    assert "中共甲镇委员会" in html and "中共测试县委员会" not in html


def test_tree_children_are_loaded_on_demand_and_scoped(world, login):
    client = login(world.users["staff"])
    html = client.get(f"/orgs/{world.town_a.pk}/children/").content.decode()
    assert "东山村党支部" in html and "西山村党支部" in html and "南湖村党支部" not in html


def test_search_by_name_or_code_shows_the_path_and_stays_in_scope(world, login):
    client = login(world.users["staff"])
    html = client.get("/orgs/", {"q": "村党支部"}).content.decode()
    assert "中共测试县委员会 › 中共甲镇委员会 › 东山村党支部" in html
    assert "外县某村党支部" not in html
    html = client.get("/orgs/", {"q": world.sibling.code}).content.decode()
    assert "西山村党支部" in html and "东山村党支部" not in html


def test_detail_shows_rolled_up_figures_and_only_visible_ancestors(world, login):
    OrgStatisticsFactory(org=world.branch)
    OrgStatisticsFactory(org=world.sibling)
    response = login(world.users["staff"]).get(f"/orgs/{world.town_a.pk}/?year=2026")
    assert response.context["rollup"]["total_members"] == 40
    html = login(world.users["secretary"]).get(f"/orgs/{world.branch.pk}/").content.decode()
    assert "中共甲镇委员会" not in html  # the breadcrumb does not reveal what lies outside the scope


def test_staff_edit_moves_the_organisation_to_another_parent(world, login):
    client = login(world.users["staff"])
    response = client.post(f"/orgs/{world.branch.pk}/edit/", {
        "code": world.branch.code, "name": "东山村党支部", "level": "village", "kind": "branch",
        "sector": "rural", "is_active": "on", "parent_code": world.town_b.code})
    assert response.status_code == 302
    assert Organization.objects.get(pk=world.branch.pk).path.startswith(world.town_b.path)


def test_edit_refuses_a_parent_outside_the_scope_in_chinese(world, login):
    client = login(world.users["staff"])
    response = client.post(f"/orgs/{world.branch.pk}/edit/", {
        "code": world.branch.code, "name": "改名", "level": "village", "kind": "branch",
        "sector": "rural", "parent_code": world.foreign_county.code})
    assert "上级组织不存在或不在您的管理范围内" in response.content.decode()
    assert Organization.objects.get(pk=world.branch.pk).name == "东山村党支部"


def test_duplicate_code_is_refused_in_chinese(world, login):
    response = login(world.users["staff"]).post(f"/orgs/{world.town_a.pk}/add-child/", {
        "code": world.sibling.code, "name": "新村党支部", "level": "village", "kind": "branch",
        "sector": "rural", "parent_code": world.town_a.code})
    assert "具有 组织编码 的 党组织 已存在" in response.content.decode()


def test_add_child_creates_under_the_parent(world, login):
    login(world.users["staff"]).post(f"/orgs/{world.town_a.pk}/add-child/", {
        "code": "NEW1", "name": "新村党支部", "level": "village", "kind": "branch",
        "sector": "rural", "is_active": "on", "parent_code": world.town_a.code})
    new = Organization.objects.get(code="NEW1")
    assert Organization.objects.get_parent(new) == world.town_a
    assert new.history.first().history_user == world.users["staff"]


def statistics_form(**overrides):
    data = {f: 0 for f in ("full_members", "probationary_members", "women_members", "age_35_under", "age_36_45",
                           "age_46_59", "age_60_over", "edu_college", "edu_high_school", "edu_middle_or_below",
                           "activists", "candidates", "fulltime_workers", "venue_area", "units_total",
                           "units_with_org", "units_with_work")}
    data.update(full_members=10, age_46_59=10, edu_high_school=10, has_secretary="on", units_total=1,
                units_with_org=1, units_with_work=1)
    data.update(overrides)
    return data


def test_secretary_reports_own_statistics(world, login):
    client = login(world.users["secretary"])
    response = client.post(f"/orgs/{world.branch.pk}/statistics/2026/", statistics_form())
    assert response.status_code == 302
    assert OrgStatistics.objects.get(org=world.branch, year=2026).total_members == 10


def test_inconsistent_statistics_are_refused_in_chinese_and_not_saved(world, login):
    client = login(world.users["secretary"])
    response = client.post(f"/orgs/{world.branch.pk}/statistics/2026/",
                           statistics_form(edu_high_school=9, next_election="2020-01-01",
                                           last_election="2021-01-01"))
    html = response.content.decode()
    assert "各学历人数之和(9)应等于党员总数(10)" in html
    assert "下次换届日期应晚于上次换届日期" in html
    assert not OrgStatistics.objects.exists()


def test_statistics_year_out_of_range_is_not_found(world, login):
    response = login(world.users["staff"]).get(f"/orgs/{world.branch.pk}/statistics/1900/")
    assert response.status_code == 404


def test_children_are_paginated(world, login):
    for i in range(55):
        OrganizationFactory(parent=world.far_branch, name=f"第{i}党小组", level="group", kind="group")
    html = login(world.users["staff"]).get(f"/orgs/{world.far_branch.pk}/").content.decode()
    assert "共 55 个" in html and "第 1 / 2 页" in html
