
from kernel.navigation import NavItem

MENU = [NavItem("考核评价", "scoring:assessments", "records.view")]
