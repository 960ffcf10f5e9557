from django.utils.translation import gettext_lazy as _

from partybuild.kernel.navigation import NavItem

MENU = [NavItem(_("考核评价"), "scoring:assessments", "records.view")]
