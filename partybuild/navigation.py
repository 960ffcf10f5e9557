"""The main menu: each entry names the policy action that shows it (the administrator sees all).

Apps add their entries in their own ``navigation.py`` (a ``MENU`` list); see partybuild.registry.
"""

from dataclasses import dataclass
from functools import cache
from itertools import groupby

from kernel.navigation import NavItem
from kernel.registry import app_modules

MENU = [NavItem("首页", "home", "home.view")]
#: after the apps' entries
TRAILING = [NavItem("离线记录", "offline", "records.view"),
            NavItem("下载中心", "reports:centre", "reports.request"),
            NavItem("通知", "reports:notifications", "records.view"),
            NavItem("审计记录", "kernel:audit", "audit.view")]


@cache
def full_menu():
    return [item for module in app_modules("navigation") if module.__name__ != __name__ for item in module.MENU]


def menu_for(scope):
    return [item for item in MENU + full_menu() + TRAILING if scope.allows(item.action)]


@dataclass(frozen=True)
class MenuSection:
    """What the top bar shows in one place: a single entry, or a drop-down (``label``) of the entries of a group."""
    label: str
    items: list
    #: the page lies under one of its entries
    current: bool


def menu_sections(menu, section):
    """The menu as the top bar lays it out: the entries of a group next to each other become one drop-down when
    there are two or more of them. ``section`` is the entry the page lies under (``context_processors.section_of``)."""
    sections = []
    for group, items in groupby(menu, key=lambda item: item.group):
        items = list(items)
        parts = [(group, items)] if group and len(items) > 1 else [(item.label, [item]) for item in items]
        sections += [MenuSection(label, part, section is not None and any(i.label == section["label"] for i in part))
                     for label, part in parts]
    return sections
