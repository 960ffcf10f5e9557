"""The main menu: each entry names the roles that see it (the administrator sees all)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: tuple[str, ...]


ALL = ("staff", "inspector", "secretary", "leader")

MENU = [
    NavItem(_("首页"), "home", ALL),
    NavItem(_("组织体系"), "orgs:tree", ALL),
]


def menu_for(scope):
    return [item for item in MENU if scope.has_role(*item.roles)]
