
from kernel.navigation import NavItem

MENU = [
    NavItem("整改台账", "rectification:ledger", "records.view"),
    NavItem("举一反三", "rectification:self_checks", "ledger.self_checks"),
    NavItem("任务清单", "rectification:tasks", "records.view"),
    NavItem("逾期督办", "rectification:overdue", "ledger.manage"),
    NavItem("发文与反馈", "rectification:notices", "records.view"),
    NavItem("延期审批", "rectification:extensions", "ledger.manage"),
    NavItem("回头看", "rectification:follow_ups", "ledger.manage"),
]
