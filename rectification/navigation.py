
from kernel.navigation import NavItem

MENU = [
    NavItem("整改台账", "rectification:ledger", "records.view", group="整改落实"),
    NavItem("举一反三", "rectification:self_checks", "ledger.self_checks", group="整改落实"),
    NavItem("任务清单", "rectification:tasks", "records.view", group="整改落实"),
    NavItem("逾期督办", "rectification:overdue", "ledger.manage", group="整改落实"),
    NavItem("发文与反馈", "rectification:notices", "records.view", group="整改落实"),
    NavItem("延期审批", "rectification:extensions", "ledger.manage", group="整改落实"),
    NavItem("回头看", "rectification:follow_ups", "ledger.manage", group="整改落实"),
]
