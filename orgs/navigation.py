
from kernel.navigation import NavItem

MENU = [NavItem("组织体系", "orgs:tree", "records.view")]
