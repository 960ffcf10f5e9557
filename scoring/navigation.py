from django.utils.translation import gettext_lazy as _

from partybuild.navigation import ALL, NavItem

MENU = [NavItem(_("考核评价"), "scoring:assessments", ALL)]
