
from kernel.navigation import NavItem

MENU = [
    NavItem("督查考核", "inspections:rounds", "inspections.view", group="督查考核"),
    NavItem("今日走访", "inspections:today", "inspections.team", group="督查考核"),
    NavItem("观摩评比", "inspections:tours", "inspections.view", group="督查考核"),
]
