from django.utils.translation import gettext_lazy as _

from partybuild.kernel.navigation import NavItem

MENU = [
    NavItem(_("整改台账"), "rectification:ledger", "records.view"),
    NavItem(_("举一反三"), "rectification:self_checks", "ledger.self_checks"),
    NavItem(_("任务清单"), "rectification:tasks", "records.view"),
    NavItem(_("逾期督办"), "rectification:overdue", "ledger.manage"),
    NavItem(_("发文与反馈"), "rectification:notices", "records.view"),
    NavItem(_("延期审批"), "rectification:extensions", "ledger.manage"),
    NavItem(_("回头看"), "rectification:follow_ups", "ledger.manage"),
]
