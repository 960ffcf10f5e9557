"""Every write to the ledger: raising problems, workflow steps, plans, progress, follow-ups, supervision."""


from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from kernel.dates import month_start
from kernel.errors import ServiceError
from kernel.events import emit
from kernel.policy import can, can_edit, scope_of
from kernel.uploads import check_evidence
from orgs.models import Organization

from .models import (
    DeadlineExtension,
    Evidence,
    FollowUpCheck,
    ItemTransition,
    Milestone,
    Problem,
    ProgressUpdate,
    RectificationItem,
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
    try:
        with transaction.atomic():
            problem = Problem.objects.create(
                org=org, description=description, source=source, raised_by=raised_by, category=category,
                severity=severity, found_on=found_on or timezone.localdate(), **origin_fields)
    except IntegrityError:
        if not origin_fields:
            raise
        return Problem.objects.get(org=org, **origin_fields)  # raised at the same moment by someone else
    recurrence = category is not None and RectificationItem.objects.filter(
        problem__org=org, problem__category=category, status=Status.CLOSED).exists()
    item = RectificationItem.objects.create(problem=problem, is_recurrence=recurrence, **plan)
    entry = _log(item, "raise", "", raised_by)
    emit("item_raised", item=item, actor=raised_by, entry=entry)
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
    paths = dict(Organization.objects.filter(pk__in={p.org_id for p in problems}).values_list("pk", "path"))
    ItemTransition.bulk_append([[ItemTransition(
        item=item, action="raise", to_status=item.status, cycle=item.cycle, actor=raised_by, org_id=problem.org_id,
        org_path=paths[problem.org_id], category_id=problem.category_id, deadline=item.deadline)]
        for problem, item in zip(problems, items, strict=True)])
    return len(items)


@transaction.atomic
def release_problems(problems, *, actor, deadline, comment) -> int:
    """Hand withheld problems to their organisations (an assessment's publication): the deadline runs from
    now, and the release is logged on every item."""
    items = RectificationItem.objects.filter(problem__in=problems.filter(withheld_for__isnull=False))
    pairs = list(items.values_list("pk", "problem_id"))
    ids, problem_ids = [item for item, _problem in pairs], [problem for _item, problem in pairs]
    items = RectificationItem.objects.filter(pk__in=ids)
    items.update(deadline=deadline)
    # by the problems' own keys: a join back to the items let PostgreSQL plan nested scans of both tables (90 s)
    Problem.objects.filter(pk__in=problem_ids).update(withheld_for=None)
    ItemTransition.bulk_extend([ItemTransition(item=item, action="release", from_status=item.status,
                                               to_status=item.status, cycle=item.cycle, actor=actor, comment=comment)
                                for item in items.select_related("problem__org").select_for_update(of=("self",))],
                               batch_size=2000)
    return len(ids)


@transaction.atomic
def log_tree_move(org):
    """An organisation moved in the tree: every item of its subtree gets an entry with its new path, so the figures
    and the lists count it where it now is."""
    items = (RectificationItem.objects.filter(problem__org__path__startswith=org.path)
             .select_related("problem__org").select_for_update(of=("self",)))
    ItemTransition.bulk_extend([ItemTransition(item=item, action="move", from_status=item.status, to_status=item.status,
                                               cycle=item.cycle, comment=f"{org.name}调整隶属关系")
                                for item in items], batch_size=2000)


def _log(item, action, from_status, actor, comment=""):
    """Append the step with a snapshot of the item as it now stands (see ItemTransition)."""
    entry = ItemTransition(item=item, action=action, from_status=from_status, to_status=item.status, cycle=item.cycle,
                           actor=actor, comment=comment)
    entry.snapshot(item).save()
    return entry


def _locked(item_pk, expected_version=None):
    item = RectificationItem.objects.select_for_update().get(pk=item_pk)
    if expected_version is not None and item.version != expected_version:
        raise ConflictError("该整改事项刚刚被其他人修改过，您的修改没有保存。请刷新页面，查看最新内容后再操作。")
    return item


def is_own_organisation(user, item):
    return item.problem.org_id in scope_of(user).own_org_ids()


def refusal(user, item, action):
    """Why ``user`` may not take ``action`` on ``item`` now (a Chinese sentence), or None if allowed."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        return "未知的操作。"
    if item.status not in transition.sources:
        return f"事项当前状态为“{item.get_status_display()}”，不能{transition.label}。"
    if not can(user, transition.permission, item):
        return f"您的角色不能{transition.label}。"
    if not transition.own_org_allowed and is_own_organisation(user, item):
        return "不能验收或退回本单位的整改事项。"
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
        raise ServiceError(f"{transition.label}时必须填写说明。")
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
    entry = _log(item, action, previous, user, comment)
    emit(f"item_{action}", item=item, actor=user, entry=entry)
    return item


PLAN_FIELDS = ("measures", "responsible_unit", "responsible_person", "deadline", "kind")


@transaction.atomic
def update_plan(user, item, *, expected_version, **plan) -> RectificationItem:
    """Change the measures, people, deadline or kind; refused on closed items and on stale versions."""
    if not can_edit(user, item):
        raise ServiceError("您的角色不能修改这个整改事项。")
    item = _locked(item.pk, expected_version)
    if item.status == Status.CLOSED:
        raise ServiceError("已销号的事项不能修改；如需重新整改，请通过“回头看”重新打开。")
    if plan["deadline"] != item.deadline:
        _check_deadline_change(user, item, plan["deadline"])
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


def is_issuer_of(user, item):
    """Staff over the item's organisation (not only of it): the side that sets deadlines."""
    return can(user, "ledger.manage", item) and not is_own_organisation(user, item)


def under_supervision(item):
    """A 督办通知 in force on the item still waits for its reply: the deadline it names holds."""
    return item.notices.awaiting_reply().exists()


def _check_deadline_change(user, item, deadline):
    if under_supervision(item):
        raise ServiceError("该事项正在督办，整改时限以督办通知为准，不能修改。")
    if item.deadline is not None and not is_issuer_of(user, item):
        raise ServiceError("整改时限已确定，不能自行修改；如需延期，请提交延期申请，由组织部审批。")
    if deadline is None and item.deadline is not None:
        raise ServiceError("整改时限不能清空。")


@transaction.atomic
def request_extension(user, item, *, proposed_deadline, reason) -> DeadlineExtension:
    """延期申请: the organisation asks to move a set deadline; recorded in the item's history."""
    if not can_edit(user, item):
        raise ServiceError("您的角色不能为这个事项申请延期。")
    item = _locked(item.pk)
    if item.status == Status.CLOSED:
        raise ServiceError("已销号的事项不能申请延期。")
    if item.deadline is None:
        raise ServiceError("事项还没有整改时限，请直接在整改方案中提出时限。")
    if under_supervision(item):
        raise ServiceError("该事项正在督办，整改时限以督办通知为准，不能申请延期。")
    if proposed_deadline <= item.deadline:
        raise ServiceError(f"申请延至的日期应晚于原整改时限({item.deadline})。")
    if not reason.strip():
        raise ServiceError("请填写延期理由。")
    if item.extensions.filter(decision=DeadlineExtension.Decision.PENDING).exists():
        raise ServiceError("该事项已有一份待审批的延期申请。")
    extension = DeadlineExtension.objects.create(item=item, current_deadline=item.deadline,
                                                 proposed_deadline=proposed_deadline, reason=reason.strip(),
                                                 requested_by=user)
    _log(item, "extend_request", item.status, user,
         f"申请将整改时限由 {item.deadline} 延至 {proposed_deadline}：{reason}")
    emit("extension_requested", item=item, actor=user, extension=extension)
    return extension


@transaction.atomic
def decide_extension(user, extension, *, approve, note="") -> DeadlineExtension:
    """Staff over the organisation approve (the deadline moves) or refuse (it stays); both are logged."""
    extension = DeadlineExtension.objects.select_for_update().get(pk=extension.pk)
    item = _locked(extension.item_id)
    if not is_issuer_of(user, item):
        raise ServiceError("只有上级组织部干部可以审批延期申请。")
    if extension.decision != DeadlineExtension.Decision.PENDING:
        raise ServiceError("这份延期申请已经审批过了。")
    if not approve and not note.strip():
        raise ServiceError("不同意延期时请写明理由。")
    if approve and under_supervision(item):
        raise ServiceError("该事项正在督办，整改时限以督办通知为准，不能延期。")
    extension.decision = DeadlineExtension.Decision.APPROVED if approve else DeadlineExtension.Decision.REFUSED
    extension.decided_by, extension.decided_at, extension.note = user, timezone.now(), note.strip()
    extension.save()
    if approve:
        item.deadline = extension.proposed_deadline
        item.version += 1
        item.save()
    verdict = f"同意延期至 {extension.proposed_deadline}" if approve else "不同意延期"
    _log(item, "extend_approve" if approve else "extend_refuse", item.status, user,
         f"{verdict}{'：' + note.strip() if note.strip() else ''}")
    emit("extension_decided", item=item, actor=user, extension=extension)
    return extension


@transaction.atomic
def correct_problem(user, item, *, org, category, reason) -> RectificationItem:
    """Staff correct the problem's category or move it to another organisation of their scope (logged)."""
    item = _locked(item.pk)
    if not is_issuer_of(user, item):
        raise ServiceError("只有上级组织部干部可以更正问题类别或移交组织。")
    if not can(user, "ledger.manage", org):
        raise ServiceError("移交的组织不在您的管理范围内。")
    problem = item.problem
    if org.pk == problem.org_id and category == problem.category:
        raise ServiceError("没有需要更正的内容。")
    if not reason.strip():
        raise ServiceError("请写明更正理由。")
    changes = []
    if org.pk != problem.org_id:
        changes.append(f"党组织：{problem.org.name}({problem.org.code}) → {org.name}({org.code})")
    if category != problem.category:
        changes.append("问题类别：{a} → {b}".format(a=problem.category or "(空)", b=category or "(空)"))
    problem.org, problem.category = org, category
    problem.save()
    item.version += 1
    item.save()
    _log(item, "correct", item.status, user, "\n".join([*changes, reason.strip()]))
    return item


@transaction.atomic
def archive_problems(user, problems) -> int:
    """An administrator takes problems off the pages (they stay in the database and in past reports)."""
    count = 0
    for problem in problems.filter(archived=False).select_related("item"):
        problem.archived = True
        problem.save()
        item = _locked(problem.item.pk)
        _log(item, "archive", item.status, user)
        count += 1
    return count


def _describe_change(item, field, new):
    """“整改时限：2026-10-01 → 2026-12-31”, with choice labels instead of stored values."""
    model_field = RectificationItem._meta.get_field(field)
    labels = dict(model_field.choices or ())

    def shown(value):
        return str(labels.get(value, value)) if value not in (None, "") else "(空)"

    return f"{model_field.verbose_name}：{shown(getattr(item, field))} → {shown(new)}"


@transaction.atomic
def add_progress(user, item, *, text, percent, files=(), today=None) -> ProgressUpdate:
    """Post this month's progress with evidence files (checked before anything is written)."""
    if not can_edit(user, item):
        raise ServiceError("您的角色不能报送这个事项的整改进展。")
    if item.status == Status.CLOSED:
        raise ServiceError("已销号的事项不再报送进展。")
    if not 0 <= percent <= 100:
        raise ServiceError("完成进度应在 0 到 100 之间。")
    for upload in files:
        check_evidence(upload)
    today = today or timezone.localdate()
    update = ProgressUpdate.objects.create(item=item, month=month_start(today), text=text, percent=percent,
                                           author=user)
    for upload in files:
        Evidence.keep(upload, update=update)
    return update


@transaction.atomic
def record_follow_up(user, item, *, passed, note) -> FollowUpCheck:
    """回头看: a passed check is recorded; a failed one reopens the item for a new cycle."""
    item = _locked(item.pk)
    if item.status != Status.CLOSED:
        raise ServiceError("只有已销号的事项才能回头看。")
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
def add_milestone(user, item, *, title, due) -> Milestone:
    """A step of a long-term item (长期整改)."""
    if not can_edit(user, item):
        raise ServiceError("您的角色不能修改这个整改事项。")
    if item.kind != RectificationItem.Kind.LONG_TERM:
        raise ServiceError("只有长期整改事项需要设置阶段目标。")
    milestone = Milestone.objects.create(item=item, title=title, due=due)
    _log(item, "edit", item.status, user, f"增加阶段目标：{title}({due})")
    return milestone


@transaction.atomic
def complete_milestone(user, milestone) -> Milestone:
    item = milestone.item
    if not can_edit(user, item):
        raise ServiceError("您的角色不能修改这个整改事项。")
    milestone.done_on = timezone.localdate()
    milestone.save()
    _log(item, "edit", item.status, user, f"完成阶段目标：{milestone.title}")
    return milestone
