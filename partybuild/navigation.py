"""The main menu: each entry names the policy action that shows it (the administrator sees all).

Apps add their entries in their own ``navigation.py`` (a ``MENU`` list); see partybuild.registry.
"""

from functools import cache

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
