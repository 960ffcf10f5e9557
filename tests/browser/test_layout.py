"""Every role's pages at 375 px and at 1280 px in Chromium: no horizontal overflow, no crushed table cell (tables
become cards on a phone), every menu label on one line. The pages are those the crawler reaches from each demo
role's home page, a few of each kind, and more of the score sheets raters fill in and read (评分表, 得分明细)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from tests.browser.layout import problems_of
from tests.crawler import crawl

pytestmark = pytest.mark.browser

WIDTHS = (375, 1280)
ROLES = ("staff", "leader", "inspector", "secretary", "admin")
#: the score sheets: every page of a rater's grid the crawler meets, many organisations' 得分明细, every tour
MORE_OF = {"scoring:grid": 12, "scoring:sheet": 12, "inspections:tour": 6, "inspections:tour_ranking": 6}
PAGES_PER_ROLE = 160
#: resolves once the page has laid itself out again after a change of the window's size (its resize handlers ran)
NEXT_FRAMES = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"


def pages_of(client):
    """The HTML pages the user reaches, htmx fragments of a single row left out."""
    return [url for url in crawl(client, per_kind=3, limit=PAGES_PER_ROLE, more_of=MORE_OF).pages if "/row/" not in url]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_every_page_of_every_role_fits_a_phone_and_a_desk(browser, live_server):
    call_command("seed_demo")  # once for all roles: seeding and emptying the demo took 9 s a role
    failures = {role: problems_on_the_pages_of(role, browser, live_server) for role in ROLES}
    assert not any(failures.values()), failures


def problems_on_the_pages_of(role, browser, live_server):
    client = Client()
    client.force_login(get_user_model().objects.get(username=role))
    pages = pages_of(client)
    context = browser.new_context(locale="zh-CN")
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    failures = []
    for url in pages:
        for width in WIDTHS:  # narrowest first: a chart drawn for the phone grows on its resize event
            page.set_viewport_size({"width": width, "height": 800})
            if width == WIDTHS[0]:
                page.goto(live_server.url + url)
            else:
                page.evaluate(NEXT_FRAMES)
            failures += [(width, url, problem) for problem in problems_of(page)]
    context.close()
    return f"{len(failures)} problems on {len(pages)} pages: {failures}" if failures else ""


def test_the_layout_check_sees_crushed_cells_an_overflowing_page_and_a_table_to_scroll(browser):
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.set_content('<body style="margin:0;word-break:break-all"><table style="width:60px"><tr>'
                     '<td>西山村党支部</td><td>1251</td><td>好</td></tr></table></body>')
    assert any("被挤压" in problem for problem in problems_of(page))
    page.set_content('<body style="margin:0"><div style="width:600px">宽</div></body>')
    assert problems_of(page) == ["页面横向溢出 225 px"]
    page.set_content('<div style="overflow-x:auto"><table style="width:600px"><tr><td>宽表</td></tr></table></div>')
    assert problems_of(page) == ["1 个表格在手机上要横向滚动"]
    page.close()


def test_the_layout_check_tells_crushed_cells_from_readable_ones(browser):
    page = browser.new_page(viewport={"width": 375, "height": 800})
    cell = '<table><tr><td style="width:{}em;font-size:16px;padding:0">{}</td><td>{}</td></tr></table>'
    page.set_content(cell.format(2, "县委组织部评议组", "短"))  # broken every two characters
    assert problems_of(page) == ["1 个表格单元格被挤压：['县委组织部评议组']"]
    page.set_content(cell.format(3, "县委组织部评议组", "短"))  # three a line: narrower than four characters
    assert problems_of(page) == ["1 个表格单元格被挤压：['县委组织部评议组']"]
    page.set_content(cell.format(6, "县委组织部评议组", "短"))  # six a line: readable
    assert problems_of(page) == []
    page.set_content(cell.format(1, "1", "好"))  # narrow but on one line
    assert problems_of(page) == []
    page.close()


def test_the_layout_check_sees_a_menu_label_on_two_lines(browser):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    menu = ('<nav class="navbar"><a class="nav-link" style="display:block;width:{}em;line-height:1.5">'
            '发文与反馈</a></nav>')
    page.set_content(menu.format(3))
    assert problems_of(page) == ["1 个菜单项折成两行：['发文与反馈']"]
    page.set_content(menu.format(6))
    assert problems_of(page) == []
    page.close()
