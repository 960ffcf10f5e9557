from django.utils.translation import gettext_lazy as _

from partybuild.navigation import NavItem

MENU = [
    NavItem(_("督查考核"), "inspections:rounds", ("staff", "leader", "inspector")),
    NavItem(_("今日走访"), "inspections:today", ("inspector",)),
    NavItem(_("观摩评比"), "inspections:tours", ("staff", "leader", "inspector")),
]
