"""Every role's pages at 375 px and at 1280 px in Chromium: no horizontal overflow, no table cell squeezed
below two characters (tables become cards on a phone). The pages are those the crawler reaches from each
demo role's home page, one of each kind."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from tests.browser.layout import problems_of
from tests.crawler import crawl

pytestmark = pytest.mark.browser

WIDTHS = (375, 1280)
ROLES = ("staff", "leader", "inspector", "secretary")


@pytest.mark.django_db(transaction=True)
def test_every_page_of_every_role_fits_a_phone_and_a_desk(browser, live_server, tmp_path):
    call_command("seed_demo")
    failures = []
    for name in ROLES:
        client = Client()
        client.force_login(get_user_model().objects.get(username=name))
        pages = [url for url in crawl(client, per_kind=1, limit=40).pages if "/row/" not in url]
        for width in WIDTHS:
            context = browser.new_context(viewport={"width": width, "height": 800}, locale="zh-CN")
            context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                                  "url": live_server.url}])
            page = context.new_page()
            for url in pages:
                page.goto(live_server.url + url)
                failures += [(name, width, url, problem) for problem in problems_of(page)]
            context.close()
    assert not failures, failures


def test_the_layout_check_sees_a_squeezed_table_and_an_overflowing_page(browser):
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.set_content('<body style="margin:0;word-break:break-all"><table style="width:60px"><tr>'
                     '<td>西山村党支部</td><td>1251</td><td>好</td></tr></table></body>')
    assert any("窄于两个字" in problem for problem in problems_of(page))
    page.set_content('<body style="margin:0"><div style="width:600px">宽</div></body>')
    assert problems_of(page) == ["页面横向溢出 225 px"]
    page.close()
