"""The main journeys of the organisation tree, in Chromium at phone size."""

import pytest

from orgs.models import OrgStatistics

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_reports_statistics_from_a_phone(phone, world):
    phone.sign_in(world.users["secretary"])
    assert "支部书记" in phone.content()
    phone.click("text=东山村党支部")
    phone.click("text=填报")
    for field, value in {"full_members": "12", "probationary_members": "1", "women_members": "4",
                         "age_35_under": "3", "age_36_45": "3", "age_46_59": "4", "age_60_over": "3",
                         "edu_college": "5", "edu_high_school": "4", "edu_middle_or_below": "4",
                         "units_total": "1", "units_with_org": "1", "units_with_work": "1"}.items():
        phone.fill(f"input[name={field}]", value)
    phone.click("main button[type=submit]")
    phone.wait_for_selector("text=年度统计数据已保存")
    assert "13" in phone.inner_text(".figure-card .value >> nth=0")
    assert OrgStatistics.objects.get(org=world.branch).total_members == 13
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling


def test_staff_expands_the_tree_and_searches(phone, world):
    phone.sign_in(world.users["staff"])
    phone.goto(f"{phone.base_url}/orgs/")
    phone.click(f"li[data-org='{world.county.code}'] > button")
    phone.click(f"li[data-org='{world.town_a.code}'] > button")
    phone.wait_for_selector("text=东山村党支部")
    assert "外县" not in phone.content()
    phone.click(f"li[data-org='{world.town_a.code}'] > button")  # folds the township again
    phone.wait_for_selector("text=东山村党支部", state="hidden")
    phone.fill("input[name=q]", "西山")
    phone.click("button:has-text('搜索')")
    phone.wait_for_selector("text=中共测试县委员会 › 中共甲镇委员会 › 西山村党支部")


def test_the_menu_collapses_on_a_phone(phone, world):
    phone.sign_in(world.users["leader"])
    assert not phone.is_visible("text=组织体系")
    phone.click("button.navbar-toggler")
    phone.wait_for_selector("text=组织体系", state="visible")
