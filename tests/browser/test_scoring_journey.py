"""A rater types invalid values into the score grid in a real browser: each refused cell shows its Chinese
error in place and is never marked saved; then the published results read as cards on a phone."""

import pytest

from scoring import services
from scoring.models import Assessment, Score
from tests.scoring.helpers import assessment_for, full_marks, indicator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_grid_refuses_invalid_values_in_place_and_results_fit_a_phone(phone, world):
    assessment = assessment_for(world)
    rater = assessment.raters.get(name="评议")
    phone.sign_in(world.users["inspector"])
    phone.goto(f"{phone.base_url}/scoring/{assessment.pk}/raters/{rater.pk}/grid/")
    cell = f"p-{world.branch.pk}-{indicator('1.1').pk}"
    status = f"td:has(input[name='{cell}']) .status"
    for typed, message in (("99", "得分应在 0 到 6.7 之间"), ("abc", "请输入数字")):
        phone.fill(f"input[name='{cell}']", typed)
        phone.press(f"input[name='{cell}']", "Tab")
        phone.wait_for_selector(f"{status} >> text={message}")
        assert "已保存" not in phone.inner_text(status)
        assert "is-invalid" in phone.get_attribute(f"input[name='{cell}']", "class")
    phone.fill(f"input[name='{cell}']", "6")
    phone.press(f"input[name='{cell}']", "Tab")
    phone.wait_for_selector(f"{status} >> text=已保存")
    assert "is-invalid" not in phone.get_attribute(f"input[name='{cell}']", "class")
    assert list(Score.objects.values_list("points", flat=True)) == [6]

    full_marks(assessment, world.branch)
    full_marks(assessment, world.sibling, minus=3)
    services.decide_sheet(world.users["staff"], assessment, org=world.branch, rater=rater,
                          member=world.users["inspector"], count=False, reason="只填了一格，按缺评处理")
    services.close(world.users["staff"], assessment)
    services.publish(world.users["staff"], Assessment.objects.get(pk=assessment.pk))
    phone.sign_in(world.users["secretary"])
    phone.goto(f"{phone.base_url}/scoring/{assessment.pk}/results/")
    phone.check("input[name=mine]")
    phone.click("button:has-text('筛选')")
    phone.wait_for_selector(".card >> text=东山村党支部")
    assert phone.locator(".card:visible").count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
