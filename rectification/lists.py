"""The other two of the three lists, and 举一反三: services and reads.

- 举一反三: staff push a problem down a subtree; each grassroots organisation claims it (it becomes its own
  problem, source 自查认领) or answers that it does not apply, with a reason.
- 任务清单: yearly tasks, assigned in bulk down a subtree, due by quarter, reported done by the organisation.
- 责任清单: who answers for what, per organisation and year, with the signed responsibility letter.
"""

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from kernel.errors import ServiceError
from kernel.policy import require
from kernel.uploads import check_evidence
from orgs.models import BRANCH_KINDS, Kind, Organization

from .models import (
    Problem,
    ResponsibilityEntry,
    ResponsibilityLetter,
    SelfCheckPush,
    SelfCheckRequest,
    Task,
)
from .services import raise_problem

GRASSROOTS_KINDS = (*BRANCH_KINDS, Kind.GENERAL_BRANCH)


def grassroots_below(root, sector=""):
    """The general branches and branches of a subtree (the root itself when it is one), optionally by sector."""
    orgs = Organization.objects.subtree_of(root).filter(kind__in=GRASSROOTS_KINDS, is_active=True)
    return orgs.filter(sector=sector) if sector else orgs


@transaction.atomic
def push_self_check(user, root, *, description, reply_by, category=None, sector="") -> SelfCheckPush:
    require(user, "ledger.manage", root, "只有组织部干部可以向本范围内的组织下达。")
    targets = list(grassroots_below(root, sector).values_list("pk", flat=True))
    if not targets:
        raise ServiceError("所选范围内没有符合条件的基层党组织。")
    push = SelfCheckPush.objects.create(root=root, sector=sector, description=description, category=category,
                                        reply_by=reply_by, created_by=user)
    SelfCheckRequest.objects.bulk_create([SelfCheckRequest(push=push, org_id=pk) for pk in targets], batch_size=2000)
    return push


@transaction.atomic
def answer_self_check(user, request, *, claim, reason="") -> SelfCheckRequest:
    request = SelfCheckRequest.objects.editable_by(user).select_for_update().filter(pk=request.pk).first()
    if request is None:
        raise ServiceError("您不能反馈这个自查事项。")
    if request.answer != SelfCheckRequest.Answer.PENDING:
        raise ServiceError("这个自查事项已经反馈过了。")
    if not claim and not reason.strip():
        raise ServiceError("选择“不存在此问题”时必须说明理由。")
    if claim:
        raise_problem(org=request.org, description=request.push.description, source=Problem.Source.SELF_CHECK,
                      raised_by=user, category=request.push.category, origin=request)
    request.answer = SelfCheckRequest.Answer.CLAIMED if claim else SelfCheckRequest.Answer.NOT_APPLICABLE
    request.reason, request.answered_by, request.answered_at = reason, user, timezone.now()
    request.save()
    return request


def push_progress(pushes):
    """Annotate each push with how many organisations claimed, declined or have not answered."""
    answers = SelfCheckRequest.Answer
    return pushes.annotate(
        targets=Count("requests"),
        claimed=Count("requests", filter=Q(requests__answer=answers.CLAIMED)),
        declined=Count("requests", filter=Q(requests__answer=answers.NOT_APPLICABLE)),
        waiting=Count("requests", filter=Q(requests__answer=answers.PENDING)),
    )


@transaction.atomic
def assign_tasks(user, root, *, title, year, quarter, sector="") -> int:
    """Give every grassroots organisation of a subtree the same task; returns how many were created."""
    require(user, "ledger.manage", root, "只有组织部干部可以向本范围内的组织下达。")
    targets = list(grassroots_below(root, sector).values_list("pk", flat=True))
    if not targets:
        raise ServiceError("所选范围内没有符合条件的基层党组织。")
    Task.objects.bulk_create([Task(org_id=pk, year=year, quarter=quarter, title=title, assigned_by=user)
                              for pk in targets], batch_size=2000)
    return len(targets)


@transaction.atomic
def report_task(user, task, *, done, note="") -> Task:
    task = Task.objects.editable_by(user).select_for_update().filter(pk=task.pk).first()
    if task is None:
        raise ServiceError("您不能报告这项任务的完成情况。")
    if done and not note.strip():
        raise ServiceError("报告完成时请简要写明完成情况。")
    task.done, task.note = done, note
    task.done_on = timezone.localdate() if done else None
    task.save()
    return task


def task_completion(tasks):
    """Total, done and rate (%) of a task queryset, by quarter and overall, in one query."""
    figures = tasks.aggregate(
        total=Count("id"), finished=Count("id", filter=Q(done=True)),
        **{f"q{q}_total": Count("id", filter=Q(quarter=q)) for q in range(1, 5)},
        **{f"q{q}_finished": Count("id", filter=Q(quarter=q, done=True)) for q in range(1, 5)},
    )
    figures["rate"] = round(100 * figures["finished"] / figures["total"], 1) if figures["total"] else None
    return figures


@transaction.atomic
def add_responsibility(user, org, year, *, post, person, duties) -> ResponsibilityEntry:
    _require_keeper_of(user, org)
    return ResponsibilityEntry.objects.create(org=org, year=year, post=post, person=person, duties=duties)


@transaction.atomic
def upload_letter(user, org, year, upload) -> ResponsibilityLetter:
    _require_keeper_of(user, org)
    check_evidence(upload)
    return ResponsibilityLetter.objects.create(org=org, year=year, file=upload, original_name=upload.name[:200],
                                               uploaded_by=user)


def _require_keeper_of(user, org):
    require(user, "ledger.work", org, "您不能修改这个组织的责任清单。")
