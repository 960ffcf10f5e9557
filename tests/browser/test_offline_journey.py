"""Offline (PWA): with the network cut, an inspector records a visit with two findings, three photos and the
六有 checklist, and a secretary this month's progress with a photo; both wait on the phone (待同步) through a
reload, and when the network returns each reaches the server exactly once."""

import pytest

from inspections.models import ChecklistAnswer, ChecklistTemplate, Finding, RoundTarget, Visit, VisitEvidence
from rectification.models import Evidence, ProgressUpdate
from tests.browser.conftest import PHONE
from tests.inspections.helpers import round_for
from tests.rectification.helpers import PNG, item_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def offline_phone(browser, live_server, user):
    """A phone signed in, with /offline/ opened once online (the service worker keeps it), then cut off."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # confirms what cannot be undone, as the user would
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "pw-test-123")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/offline/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    until(page, "navigator.serviceWorker.controller !== null")
    page.wait_for_selector("[data-choices] option:nth-child(2)", state="attached")
    context.set_offline(True)
    page.reload()
    page.wait_for_selector("text=当前离线")
    return context, page


def until(page, condition, seconds=20):
    """Wait for a condition (the page's CSP forbids the string evaluation of ``wait_for_function``)."""
    for _ in range(seconds * 10):
        if page.evaluate(condition):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"still not true after {seconds} s: {condition}")


def pending(page):
    return page.text_content("#offline-app [data-pending-count]").strip()


def test_records_made_offline_reach_the_server_once_when_the_network_returns(browser, live_server, world, tmp_path):
    inspection_round, team = round_for(world)
    target = RoundTarget.objects.create(round=inspection_round, org=world.branch, team=team)
    item = item_of(world.branch)
    photos = []
    for name in ("活动室.png", "台账.png", "公开栏.png", "进展.png"):
        photos.append(tmp_path / name)
        photos[-1].write_bytes(PNG)

    inspector, visit_page = offline_phone(browser, live_server, world.users["inspector"])
    visit_page.select_option("#visit-target", str(target.pk))
    visit_page.get_by_label("听取汇报").check()
    visit_page.get_by_label("实地走访").check()
    visit_page.fill("#visit-summary", "村党支部活动室整洁，台账基本齐全。")
    visit_page.set_input_files("#visit-files", str(photos[0]))
    for number, text in enumerate(("党费收缴花名册登记不全", "组织生活会记录不规范"), start=1):
        visit_page.click("button:has-text('添加一条发现')")
        visit_page.fill(f"[data-finding]:nth-child({number}) textarea[name=text]", text)
        visit_page.set_input_files(f"[data-finding]:nth-child({number}) input[name=finding-files]", str(photos[number]))
    template = ChecklistTemplate.objects.get(name="六有")
    points = list(template.items.all())
    visit_page.select_option("#visit-checklist", str(template.pk))
    for point in points:
        visit_page.check(f"input[name=verdict-{point.pk}][value={'fail' if point == points[0] else 'pass'}]")
    visit_page.click("button:has-text('保存走访')")
    visit_page.wait_for_selector("text=网络恢复后自动上传")
    assert pending(visit_page) == "待同步 1"
    assert "走访：东山村党支部" in visit_page.text_content("[data-queue]")
    assert "发现 2 条，检查清单 6 项，照片 3 张" in visit_page.text_content("[data-queue]")

    secretary, progress_page = offline_phone(browser, live_server, world.users["secretary"])
    progress_page.select_option("#progress-item", str(item.pk))
    progress_page.fill("#progress-text", "已补齐党费登记，正在整理会议记录。")
    progress_page.fill("#progress-percent", "60")
    progress_page.set_input_files("#progress-files", str(photos[3]))
    progress_page.click("button:has-text('保存进展')")
    progress_page.wait_for_selector("text=网络恢复后自动上传")

    for page in (visit_page, progress_page):  # a reload while offline loses nothing
        page.reload()
        page.wait_for_selector("text=当前离线")
        until(page, "document.querySelector('#offline-app [data-pending-count]').textContent === '待同步 1'")
    assert not Visit.objects.exists() and not ProgressUpdate.objects.exists()

    for context, page in ((inspector, visit_page), (secretary, progress_page)):
        context.set_offline(False)
        until(page, "document.querySelector('#offline-app [data-pending-count]').textContent === '待同步 0'")
    for page in (visit_page, progress_page):  # coming back again sends nothing twice
        page.evaluate("PBQueue.sync()")
    visit = Visit.objects.get()
    assert (visit.target, visit.summary, sorted(visit.methods)) == (target, "村党支部活动室整洁，台账基本齐全。",
                                                                   ["field", "hearing"])
    assert sorted(Finding.objects.filter(visit=visit).values_list("text", flat=True)) == [
        "党费收缴花名册登记不全", "组织生活会记录不规范"]
    assert VisitEvidence.objects.filter(visit=visit).count() == 3
    assert VisitEvidence.objects.filter(finding__isnull=False).count() == 2
    answers = ChecklistAnswer.objects.filter(visit=visit)
    assert answers.count() == len(points) and list(answers.filter(verdict="fail").values_list("item", flat=True)) == [
        points[0].pk]
    update = ProgressUpdate.objects.get()
    assert (update.item, update.percent, update.text) == (item, 60, "已补齐党费登记，正在整理会议记录。")
    assert Evidence.objects.filter(update=update).count() == 1
    assert visit_page.evaluate("document.documentElement.scrollWidth") <= 375
    inspector.close()
    secretary.close()


def test_a_record_the_server_refuses_is_kept_with_the_reason_in_chinese(browser, live_server, world, tmp_path):
    item = item_of(world.branch)
    secretary, page = offline_phone(browser, live_server, world.users["secretary"])
    page.select_option("#progress-item", str(item.pk))
    page.fill("#progress-text", "本月已整改完毕。")
    page.click("button:has-text('保存进展')")
    page.wait_for_selector("text=网络恢复后自动上传")
    item.status = item.Status.CLOSED  # accepted meanwhile by staff
    item.save()
    secretary.set_offline(False)
    page.wait_for_selector("[data-queue] .text-danger")
    assert page.text_content("[data-queue] .text-danger") == (
        "服务器没有接受这条记录：已销号的事项不再报送进展。请删除后按提示重新记录。")
    assert pending(page) == "待同步 1" and not ProgressUpdate.objects.exists()
    page.click("[data-queue] button:has-text('删除')")
    until(page, "document.querySelector('#offline-app [data-pending-count]').textContent === '待同步 0'")
    secretary.close()
