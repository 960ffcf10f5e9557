"""The top bar's layout of the menu: a group's entries share a drop-down, a lone entry stays on the bar."""

from kernel.navigation import NavItem
from partybuild.navigation import menu_sections


def test_two_or_more_entries_of_a_group_share_a_drop_down_and_a_lone_one_stays_plain():
    menu = [NavItem("首页", "home", "home.view"),
            NavItem("整改台账", "rectification:ledger", "records.view", group="整改落实"),
            NavItem("任务清单", "rectification:tasks", "records.view", group="整改落实"),
            NavItem("观摩评比", "inspections:tours", "inspections.view", group="督查考核"),
            NavItem("下载中心", "reports:centre", "reports.request")]
    sections = menu_sections(menu, {"label": "任务清单", "url": "/rectification/tasks/", "current": True})
    assert [(s.label, [item.label for item in s.items], s.current) for s in sections] == [
        ("首页", ["首页"], False), ("整改落实", ["整改台账", "任务清单"], True), ("观摩评比", ["观摩评比"], False),
        ("下载中心", ["下载中心"], False)]
    assert not any(s.current for s in menu_sections(menu, None))
