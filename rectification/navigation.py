from django.utils.translation import gettext_lazy as _

from partybuild.navigation import ALL, NavItem

MENU = [
    NavItem(_("整改台账"), "rectification:ledger", ALL),
    NavItem(_("举一反三"), "rectification:self_checks", ("staff", "secretary")),
    NavItem(_("任务清单"), "rectification:tasks", ALL),
    NavItem(_("逾期督办"), "rectification:overdue", ("staff",)),
    NavItem(_("回头看"), "rectification:follow_ups", ("staff",)),
]
