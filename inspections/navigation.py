from django.utils.translation import gettext_lazy as _

from partybuild.kernel.navigation import NavItem

MENU = [
    NavItem(_("督查考核"), "inspections:rounds", "inspections.view"),
    NavItem(_("今日走访"), "inspections:today", "inspections.team"),
    NavItem(_("观摩评比"), "inspections:tours", "inspections.view"),
]
