from django.utils.translation import gettext_lazy as _

from partybuild.navigation import ALL, NavItem

MENU = [NavItem(_("组织体系"), "orgs:tree", ALL)]
