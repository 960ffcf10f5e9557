"""A leader follows every dashboard card and chart element in Chromium: each opens a list of as many
items as the figure said."""

import pytest

from rectification import figures
from tests.rectification.helpers import current_ledger

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DESKTOP = {"width": 1280, "height": 900}


def listed(page):
    page.wait_for_selector("#ledger-count")
    return int(page.get_attribute("#ledger-count", "data-count"))


def click_chart(page, chart_id, series, x, y):
    """Click the chart element at data coordinates (x, y) of a series, as a person would."""
    point = page.evaluate(
        """([id, series, x, y]) => {
             const el = document.getElementById(id), chart = echarts.getInstanceByDom(el);
             const [px, py] = chart.convertToPixel({seriesIndex: series}, [x, y]);
             const box = el.getBoundingClientRect();
             return [box.left + px, box.top + py];
           }""", [chart_id, series, x, y])
    page.mouse.click(*point)


@pytest.mark.slow
def test_every_card_and_chart_element_opens_its_list(browser, live_server, world):
    current_ledger(world)
    page = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", world.users["leader"].username)
    page.fill("input[name=password]", "pw-test-123")
    page.click("main button[type=submit]")
    page.wait_for_selector("#chart-units canvas")
    home = page.url
    cards = page.eval_on_selector_all(".figure-link", "links => links.map(a => [a.dataset.figure, a.innerText])")
    assert {name for name, _text in cards} == {"open", "overdue", "closed", "missing_report", "done", "total"}
    for name, text in cards:
        number = int("".join(ch for ch in text if ch.isdigit()))
        page.click(f".figure-link[data-figure={name}]")
        assert listed(page) == number, name
        page.goto(home)
    data = page.evaluate("JSON.parse(document.getElementById('dashboard-data').textContent)")
    for series, values in (("open", data["open"]), ("overdue", data["overdue"])):
        for index, value in enumerate(values):  # a point of the trend's 未销号 or 逾期 line
            if data["open"][index] == data["overdue"][index] and series == "overdue":
                continue  # the two points coincide: the click is the 未销号 one's
            page.wait_for_selector("#chart-trend canvas")
            click_chart(page, "chart-trend", 0, index, value)
            assert listed(page) == value, (series, data["months"][index])
            page.goto(home)
    units = figures.by_unit(world.county, figures.Period.current())
    for index, rate in enumerate(data["rates"]):  # a bar of the units' completion rates
        page.wait_for_selector("#chart-units canvas")
        click_chart(page, "chart-units", 0, max(rate or 0, 1) / 2, index)
        assert listed(page) == units[index]["total"], units[index]["name"]
        page.goto(home)
