"""The main menu: each entry names the roles that see it (the administrator sees all).

Apps add their entries in their own ``navigation.py`` (a ``MENU`` list); see partybuild.registry.
"""

from dataclasses import dataclass
from functools import cache

from django.utils.translation import gettext_lazy as _

from .registry import app_modules


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: tuple[str, ...]


ALL = ("staff", "inspector", "secretary", "leader")

MENU = [NavItem(_("首页"), "home", ALL)]
#: after the apps' entries
TRAILING = [NavItem(_("下载中心"), "reports:centre", ("staff", "leader")),
            NavItem(_("通知"), "reports:notifications", ALL)]


@cache
def full_menu():
    return [item for module in app_modules("navigation") if module.__name__ != __name__ for item in module.MENU]


def menu_for(scope):
    return [item for item in MENU + full_menu() + TRAILING if scope.has_role(*item.roles)]
