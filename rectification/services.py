"""Every write to the ledger: raising problems, workflow steps, plans, progress, follow-ups, supervision."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from partybuild.kernel.dates import month_start
from partybuild.kernel.errors import ServiceError
from partybuild.kernel.policy import can, can_edit, scope_of
from partybuild.kernel.uploads import check_evidence

from .models import (
    Evidence,
    FollowUpCheck,
    ItemTransition,
    Milestone,
    Problem,
    ProgressUpdate,
    RectificationItem,
    SupervisionNotice,
)
from .workflow import TRANSITIONS

Status = RectificationItem.Status



class ConflictError(ServiceError):
    pass


@transaction.atomic
def raise_problem(*, org, description, source, raised_by=None, found_on=None, category=None,
                  severity=Problem.Severity.GENERAL, origin=None, **plan) -> Problem:
    """The one way to create a problem: it gets its ledger item (待整改) in the same transaction.

    Idempotent per (origin, organisation): raising again from the same finding returns the first problem.
    ``plan`` may preset the item's measures, responsible unit/person, deadline and kind.
    """
    origin_fields = {}
    if origin is not None:
        origin_fields = {"origin_type": ContentType.objects.get_for_model(origin), "origin_id": origin.pk}
        existing = Problem.objects.filter(org=org, **origin_fields).first()
        if existing:
            return existing
    problem = Problem.objects.create(
        org=org, description=description, source=source, raised_by=raised_by, category=category,
        severity=severity, found_on=found_on or timezone.localdate(), **origin_fields)
    recurrence = category is not None and RectificationItem.objects.filter(
        problem__org=org, problem__category=category, status=Status.CLOSED).exists()
    item = RectificationItem.objects.create(problem=problem, is_recurrence=recurrence, **plan)
    _log(item, "raise", "", raised_by)
    return problem


@transaction.atomic
def raise_problems(rows, *, source, raised_by, found_on, withheld_for=None) -> int:
    """Many problems at once, in a constant number of queries (an assessment's close over thousands of
    organisations). ``rows``: dicts with org_id, origin, description, category and the item's plan fields.
    Idempotent per (origin, organisation) like ``raise_problem``; returns how many were created."""
    if not rows:
        return 0
    origin_type = ContentType.objects.get_for_model(rows[0]["origin"])
    existing = set(Problem.objects.filter(origin_type=origin_type, origin_id__in=[r["origin"].pk for r in rows])
                   .values_list("origin_id", "org_id"))
    rows = [r for r in rows if (r["origin"].pk, r["org_id"]) not in existing]
    problems = bulk_create_with_history([
        Problem(org_id=r["org_id"], description=r["description"], source=source, raised_by=raised_by,
                category=r["category"], found_on=found_on, origin_type=origin_type, origin_id=r["origin"].pk,
                withheld_for=withheld_for) for r in rows], Problem, batch_size=2000, default_user=raised_by)
    closed_before = set(RectificationItem.objects.filter(
        problem__org_id__in=[r["org_id"] for r in rows], status=Status.CLOSED, problem__category__isnull=False)
        .values_list("problem__org_id", "problem__category_id"))
    plan_fields = set(PLAN_FIELDS)
    items = bulk_create_with_history([
        RectificationItem(problem=problem, is_recurrence=(problem.org_id, problem.category_id) in closed_before,
                          **{k: v for k, v in row.items() if k in plan_fields})
        for problem, row in zip(problems, rows, strict=True)],
        RectificationItem, batch_size=2000, default_user=raised_by)
    ItemTransition.objects.bulk_create([ItemTransition(item=item, action="raise", to_status=item.status,
                                                       actor=raised_by) for item in items], batch_size=2000)
    return len(items)


@transaction.atomic
def release_problems(problems, *, actor, deadline, comment) -> int:
    """Hand withheld problems to their organisations (an assessment's publication): the deadline runs from
    now, and the release is logged on every item."""
    items = RectificationItem.objects.filter(problem__in=problems.filter(withheld_for__isnull=False))
    ids = list(items.values_list("pk", flat=True))
    items = RectificationItem.objects.filter(pk__in=ids)
    items.update(deadline=deadline)
    Problem.objects.filter(item__in=ids).update(withheld_for=None)
    ItemTransition.objects.bulk_create([ItemTransition(item_id=pk, action="release", from_status=status,
                                                       to_status=status, cycle=cycle, actor=actor, comment=comment)
                                        for pk, status, cycle in items.values_list("pk", "status", "cycle")],
                                       batch_size=2000)
    return len(ids)


def _log(item, action, from_status, actor, comment=""):
    ItemTransition.objects.create(item=item, action=action, from_status=from_status, to_status=item.status,
                                  cycle=item.cycle, actor=actor, comment=comment)


def _locked(item_pk, expected_version=None):
    item = RectificationItem.objects.select_for_update().get(pk=item_pk)
    if expected_version is not None and item.version != expected_version:
        raise ConflictError(_("该整改事项刚刚被其他人修改过，您的修改没有保存。请刷新页面，查看最新内容后再操作。"))
    return item


def is_own_organisation(user, item):
    return any(grant.org_id == item.problem.org_id for grant in scope_of(user).grants)


def refusal(user, item, action):
    """Why ``user`` may not take ``action`` on ``item`` now (a Chinese sentence), or None if allowed."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        return _("未知的操作。")
    if item.status not in transition.sources:
        return _("事项当前状态为“%(status)s”，不能%(action)s。") % {
            "status": item.get_status_display(), "action": transition.label}
    if not can(user, transition.permission, item):
        return _("您的角色不能%(action)s。") % {"action": transition.label}
    if not transition.own_org_allowed and is_own_organisation(user, item):
        return _("不能验收或退回本单位的整改事项。")
    return None


def allowed_actions(user, item, actions):
    return [TRANSITIONS[a] for a in actions if refusal(user, item, a) is None]


@transaction.atomic
def perform(user, item, action, *, comment="", expected_version=None) -> RectificationItem:
    """Apply one step of the workflow, or raise ServiceError saying why not."""
    item = _locked(item.pk, expected_version)
    reason = refusal(user, item, action)
    if reason:
        raise ServiceError(reason)
    transition = TRANSITIONS[action]
    if transition.needs_comment and not comment.strip():
        raise ServiceError(_("%(action)s时必须填写说明。") % {"action": transition.label})
    previous = item.status
    item.status = transition.target
    if transition.target == Status.CLOSED:
        item.closed_on = timezone.localdate()
    if action == "reopen":
        item.cycle += 1
        item.closed_on = None
        item.is_recurrence = True
    item.version += 1
    item.save()
    _log(item, action, previous, user, comment)
    return item


PLAN_FIELDS = ("measures", "responsible_unit", "responsible_person", "deadline", "kind")


@transaction.atomic
def update_plan(user, item, *, expected_version, **plan) -> RectificationItem:
    """Change the measures, people, deadline or kind; refused on closed items and on stale versions."""
    if not can_edit(user, item):
        raise ServiceError(_("您的角色不能修改这个整改事项。"))
    item = _locked(item.pk, expected_version)
    if item.status == Status.CLOSED:
        raise ServiceError(_("已销号的事项不能修改；如需重新整改，请通过“回头看”重新打开。"))
    changes = [_describe_change(item, field, plan[field])
               for field in PLAN_FIELDS if getattr(item, field) != plan[field]]
    if not changes:
        return item
    for field in PLAN_FIELDS:
        setattr(item, field, plan[field])
    item.version += 1
    item.save()
    _log(item, "edit", item.status, user, "\n".join(changes))
    return item


def _describe_change(item, field, new):
    """“整改时限：2026-10-01 → 2026-12-31”, with choice labels instead of stored values."""
    model_field = RectificationItem._meta.get_field(field)
    labels = dict(model_field.choices or ())

    def shown(value):
        return str(labels.get(value, value)) if value not in (None, "") else _("(空)")

    return f"{model_field.verbose_name}：{shown(getattr(item, field))} → {shown(new)}"


@transaction.atomic
def add_progress(user, item, *, text, percent, files=(), today=None) -> ProgressUpdate:
    """Post this month's progress with evidence files (checked before anything is written)."""
    if not can_edit(user, item):
        raise ServiceError(_("您的角色不能报送这个事项的整改进展。"))
    if item.status == Status.CLOSED:
        raise ServiceError(_("已销号的事项不再报送进展。"))
    if not 0 <= percent <= 100:
        raise ServiceError(_("完成进度应在 0 到 100 之间。"))
    for upload in files:
        check_evidence(upload)
    today = today or timezone.localdate()
    update = ProgressUpdate.objects.create(item=item, month=month_start(today), text=text, percent=percent,
                                           author=user)
    for upload in files:
        Evidence.objects.create(update=update, file=upload, original_name=upload.name[:200], size=upload.size)
    return update


@transaction.atomic
def record_follow_up(user, item, *, passed, note) -> FollowUpCheck:
    """回头看: a passed check is recorded; a failed one reopens the item for a new cycle."""
    item = _locked(item.pk)
    if item.status != Status.CLOSED:
        raise ServiceError(_("只有已销号的事项才能回头看。"))
    reason = refusal(user, item, "reopen")
    if reason:
        raise ServiceError(reason)
    check = FollowUpCheck.objects.create(item=item, cycle=item.cycle, passed=passed, note=note, checker=user)
    if passed:
        _log(item, "follow_up", item.status, user, note)
    else:
        perform(user, item, "reopen", comment=note)
    return check


@transaction.atomic
def issue_supervision(user, org, items, *, requirement, reply_by: datetime.date) -> SupervisionNotice:
    """督办通知 for overdue items of one organisation: recorded on each item, escalation counted."""
    today = timezone.localdate()
    allowed = RectificationItem.objects.for_action(user, "ledger.manage").overdue_on(today).filter(problem__org=org)
    items = list(allowed.filter(pk__in=[i.pk for i in items]).select_for_update())
    if not items:
        raise ServiceError(_("请至少选择一个本组织的逾期事项。"))
    if reply_by <= today:
        raise ServiceError(_("限期反馈日期应晚于今天。"))
    count = SupervisionNotice.objects.filter(issued_at__year=today.year).count() + 1
    notice = SupervisionNotice.objects.create(org=org, number=_("督办〔%(y)s〕%(n)s号") % {"y": today.year, "n": count},
                                              requirement=requirement, reply_by=reply_by, issued_by=user)
    notice.items.set(items)
    for item in items:
        item.escalations += 1
        item.version += 1
        item.save()
        _log(item, "supervise", item.status, user, notice.number)
    return notice


@transaction.atomic
def add_milestone(user, item, *, title, due) -> Milestone:
    """A step of a long-term item (长期整改)."""
    if not can_edit(user, item):
        raise ServiceError(_("您的角色不能修改这个整改事项。"))
    if item.kind != RectificationItem.Kind.LONG_TERM:
        raise ServiceError(_("只有长期整改事项需要设置阶段目标。"))
    milestone = Milestone.objects.create(item=item, title=title, due=due)
    _log(item, "edit", item.status, user, _("增加阶段目标：%(t)s(%(d)s)") % {"t": title, "d": due})
    return milestone


@transaction.atomic
def complete_milestone(user, milestone) -> Milestone:
    item = milestone.item
    if not can_edit(user, item):
        raise ServiceError(_("您的角色不能修改这个整改事项。"))
    milestone.done_on = timezone.localdate()
    milestone.save()
    _log(item, "edit", item.status, user, _("完成阶段目标：%(t)s") % {"t": milestone.title})
    return milestone
