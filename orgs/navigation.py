from django.utils.translation import gettext_lazy as _

from partybuild.kernel.navigation import NavItem

MENU = [NavItem(_("组织体系"), "orgs:tree", "records.view")]
