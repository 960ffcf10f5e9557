"""The rectification workflow in one declared table.

待整改 → 整改中 → 申请销号 → 已销号, or 退回 back to 整改中; a failed 回头看 reopens a closed item.
Each action names the policy action that permits it (kernel.policy), whether the actor may
belong to the item's own organisation, and whether a comment is required. ``rectification.services.perform`` is the only
place that applies it.
"""

from dataclasses import dataclass

from .models import RectificationItem

Status = RectificationItem.Status


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple[str, ...]
    target: str
    permission: str
    own_org_allowed: bool = True
    needs_comment: bool = False
    #: asked before the step is taken (it cannot be undone by the same person, or it notifies someone)
    confirm: str = ""


TRANSITIONS = {t.action: t for t in [
    Transition("start", "开始整改", (Status.PENDING,), Status.IN_PROGRESS, "ledger.work"),
    Transition("submit", "申请销号", (Status.IN_PROGRESS,), Status.SUBMITTED, "ledger.work",
               confirm="申请销号后事项交组织部门验收，等待验收期间不能再修改整改方案。确定申请吗？"),
    Transition("accept", "验收销号", (Status.SUBMITTED,), Status.CLOSED, "ledger.manage", own_org_allowed=False,
               confirm="验收销号后事项关闭，不能撤回，只能在回头看时重新打开。确定销号吗？"),
    Transition("return", "退回整改", (Status.SUBMITTED,), Status.IN_PROGRESS, "ledger.manage",
               own_org_allowed=False, needs_comment=True,
               confirm="退回后事项回到“整改中”，支部书记会看到退回说明。确定退回吗？"),
    Transition("reopen", "回头看未通过，重新整改", (Status.CLOSED,), Status.IN_PROGRESS, "ledger.manage",
               own_org_allowed=False, needs_comment=True),
]}

#: actions that are logged but do not come from the table (no permission check of their own)
LOG_ONLY_ACTIONS = {"raise": "提出问题", "supervise": "督办", "import": "导入", "edit": "修改整改方案",
                    "follow_up": "回头看通过", "extend_request": "申请延期", "extend_approve": "同意延期",
                    "extend_refuse": "不同意延期", "correct": "更正问题类别或组织", "archive": "归档",
                    "supervise_reply": "督办书面反馈",
                    "release": "考核结果发布，问题下达", "move": "所属组织调整隶属关系"}

#: actions offered as buttons on the item page (reopen happens through a follow-up check)
BUTTON_ACTIONS = ("start", "submit", "accept", "return")
#: actions staff take on many items at once from the ledger list
BULK_ACTIONS = ("accept", "return")


def action_label(action):
    if action in TRANSITIONS:
        return TRANSITIONS[action].label
    return LOG_ONLY_ACTIONS.get(action, action)
