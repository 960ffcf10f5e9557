"""An inspector records a visit on a phone: methods, two findings with a photo, the 十有六册一划一本
checklist with two failures; the three problems reach the branch's problem list."""

import pytest

from inspections.models import ChecklistTemplate, RoundTarget
from rectification.models import Problem
from tests.inspections.helpers import round_for
from tests.rectification.helpers import PNG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_inspector_visit_on_a_phone(phone, world, tmp_path):
    inspection_round, team = round_for(world)
    RoundTarget.objects.create(round=inspection_round, org=world.branch, team=team)
    picture = tmp_path / "活动室.png"
    picture.write_bytes(PNG)

    phone.sign_in(world.users["inspector"])
    phone.goto(f"{phone.base_url}/inspections/today/")
    phone.click("text=东山村党支部")
    for method in ("听取汇报", "查阅资料", "实地走访"):
        phone.get_by_label(method).check()
    phone.set_input_files("input[name=files]", str(picture))
    phone.click("button:has-text('保存走访')")
    phone.wait_for_selector("text=走访已记录")

    for text in ("党费收缴花名册登记不全", "组织生活会记录不规范"):
        phone.click("summary:has-text('登记一条发现')")
        phone.select_option("select[name=kind]", "problem")
        phone.fill("textarea[name=text]", text)
        phone.click("button:has-text('登记')")
        phone.wait_for_selector(f"text={text}")
    for _ in range(2):
        phone.click("button:has-text('转入问题清单') >> nth=0")
        phone.wait_for_selector("text=已转入问题清单并生成整改事项")

    template = ChecklistTemplate.objects.get(name="十有六册一划一本")
    phone.click("text=十有六册一划一本")
    items = list(template.items.all())
    assert phone.text_content("[data-answered]").strip() == f"已答 0 / {len(items)} 项"  # nothing pre-ticked
    for item in items:
        phone.check(f"input[name=verdict_{item.pk}][value={'fail' if item in (items[3], items[12]) else 'pass'}]")
    assert phone.text_content("[data-answered]").strip() == f"已答 {len(items)} / {len(items)} 项"
    phone.click("button:has-text('保存检查清单')")
    phone.wait_for_selector("text=检查清单已保存")
    phone.click("button:has-text('把不合格项全部转入问题清单')")
    phone.wait_for_selector("text=不合格项已全部转入问题清单")

    assert Problem.objects.filter(org=world.branch).count() == 4
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
