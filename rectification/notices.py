"""Issued documents (督办通知, 整改通知单, 目标责任书, 排名通报): numbering, issuing, correcting, and the written reply.

A document is issued once by the organisation department of an organisation (the issuer) to an addressee in
its scope, numbered from the issuer's own sequence per kind and year (机关代字〔年份〕序号号), and never changed:
``lines`` freezes what it said about each item. A correction is a new document that supersedes the old one.
The addressee's secretary answers a 督办通知 in writing (text and attachments); the reply closes the 督办.
"""

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from kernel.errors import ServiceError
from kernel.events import emit
from kernel.policy import can, scope_of
from kernel.uploads import check_evidence
from orgs.models import Organization

from .models import (
    Notice,
    NoticeReply,
    NoticeReplyFile,
    NoticeSequence,
    Problem,
    RectificationItem,
    ResponsibilityEntry,
)
from .services import _locked, _log

Kind = Notice.Kind
#: 机关代字 suffix per kind: 测组督〔2026〕3号
KIND_WORDS = {Kind.SUPERVISION: "组督", Kind.RECTIFICATION: "组改", Kind.RESPONSIBILITY: "组责", Kind.BULLETIN: "组通"}
NUMBER_ATTEMPTS = 5


def issuer_name(issuer):
    """The issuing office printed in the 红头: the organisation department of the issuing committee."""
    return f"{issuer.name}组织部"


def abbreviation(issuer):
    """The first character of the place name: 中共测试县委员会 → 测."""
    name = issuer.name.removeprefix("中共") or issuer.name
    return name[:1]


def issuer_for(user, addressee):
    """The nearest organisation above (or at) the addressee where the user is staff; None if there is none."""
    scope = scope_of(user)
    if scope.is_admin:
        return Organization.objects.get(path=addressee.path[:Organization.steplen])
    grant = scope.nearest_grant(addressee.path, "ledger.manage")
    return Organization.objects.get(pk=grant.org_id) if grant else None


def _take_serial(issuer, kind, year):
    """The next serial of the issuer's sequence; the row stays locked until the issuing transaction ends."""
    sequence, _created = NoticeSequence.objects.select_for_update().get_or_create(issuer=issuer, kind=kind,
                                                                                  year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return sequence.last


@transaction.atomic
def numbered_document(issuer, kind, today, **fields):
    """Create the document under the next free number (the unique constraint is the last word)."""
    for _attempt in range(NUMBER_ATTEMPTS):
        serial = _take_serial(issuer, kind, today.year)
        number = f"{abbreviation(issuer)}{KIND_WORDS[kind]}〔{today.year}〕{serial}号"
        try:
            with transaction.atomic():
                return Notice.objects.create(issuer=issuer, kind=kind, year=today.year, serial=serial,
                                             number=number, issued_on=today, **fields)
        except IntegrityError:
            continue  # the sequence was behind the documents (e.g. after a restore): take the next
    raise ServiceError("文号分配失败，请稍后重试。")


def item_line(item):
    problem = item.problem
    return {"id": item.pk, "org": problem.org.name, "org_code": problem.org.code,
            "description": problem.description, "category": problem.category.name if problem.category else "",
            "measures": item.measures, "person": item.responsible_person,
            "deadline": item.deadline.isoformat() if item.deadline else "", "status": str(item.get_status_display()),
            "overdue": item.is_overdue, "escalations": item.escalations}


def _issuer(user, org):
    issuer = issuer_for(user, org)
    if issuer is None:
        raise ServiceError("只有上级组织部干部可以向这个组织发文。")
    return issuer


def subject_line(problem):
    """What a 督办 says about its 突出问题, frozen at issue: the organisation and the description as they were."""
    return {"org": problem.org.name, "description": problem.description.rstrip("。.；; ")} if problem else {}


def _issue(user, *, kind, org, title, requirement, reply_by, items=(), subject=None, supersedes=None, lines=None,
           subject_frozen=None):
    issuer = _issuer(user, org)
    today = timezone.localdate()
    if reply_by <= today:
        raise ServiceError("限期反馈日期应晚于今天。")
    if not requirement.strip():
        raise ServiceError("请填写正文。")
    notice = numbered_document(issuer, kind, today, org=org, title=title, requirement=requirement.strip(),
                       reply_by=reply_by, subject=subject, supersedes=supersedes, issued_by=user,
                       subject_line=subject_frozen if subject_frozen is not None else subject_line(subject),
                       lines=lines if lines is not None else [item_line(i) for i in items])
    notice.items.set(items)
    return notice


def supervisable_items(user, org):
    """Open items of the addressee's subtree that the user supervises as staff."""
    return (RectificationItem.objects.for_action(user, "ledger.manage").open()
            .filter(problem__org__path__startswith=org.path, problem__archived=False)
            .select_related("problem__org", "problem__category").order_by("problem__org__path", "deadline", "id"))


def nameable_subjects(user, org):
    """Problems a 督办 to ``org`` may name as its 突出问题: not closed, in its subtree, supervised by the user,
    and not withheld (a problem from unpublished results is named only after publication)."""
    return (Problem.objects.for_action(user, "ledger.manage").released()
            .filter(org__path__startswith=org.path, archived=False)
            .exclude(item__status=RectificationItem.Status.CLOSED).select_related("org"))


@transaction.atomic
def issue_supervision(user, org, items, *, requirement, reply_by, subject=None, supersedes=None) -> Notice:
    """督办通知 to any organisation of the user's scope about open items below it and/or a 突出问题."""
    _issuer(user, org)
    allowed = supervisable_items(user, org)
    items = list(allowed.filter(pk__in=[i.pk for i in items]).select_for_update(of=("self",)))
    if subject is not None and not Problem.objects.filter(
            pk=subject.pk, org__path__startswith=org.path, archived=False).exists():
        raise ServiceError("突出问题应是督办对象或其下级组织的问题。")
    if subject is not None and subject.withheld_for_id is not None:
        raise ServiceError("这个问题来自尚未发布的考核结果，发布后才能作为突出问题督办。")
    if not items and subject is None:
        raise ServiceError("请至少选择一个督办事项，或指定一个突出问题。")
    title = f"关于{subject.description[:30]}的督办通知" if subject else "关于限期整改的督办通知"
    notice = _issue(user, kind=Kind.SUPERVISION, org=org, title=title, requirement=requirement, reply_by=reply_by,
                    items=items, subject=subject, supersedes=supersedes)
    for item in items:
        item = _locked(item.pk)
        item.escalations += 1
        item.version += 1
        item.save()
        _log(item, "supervise", item.status, user, notice.number)
    emit("notice_issued", notice=notice, actor=user)
    return notice


@transaction.atomic
def issue_rectification_notice(user, org, *, requirement, reply_by) -> Notice:
    """整改通知单: the addressee's open problems with measures, people and deadlines, as they stand today."""
    items = list(supervisable_items(user, org).filter(problem__org=org))
    if not items:
        raise ServiceError("该组织没有未销号的整改事项。")
    notice = _issue(user, kind=Kind.RECTIFICATION, org=org, title="整改通知单", requirement=requirement,
                    reply_by=reply_by, items=items)
    emit("notice_issued", notice=notice, actor=user)
    return notice


@transaction.atomic
def issue_responsibility_letter(user, org, year, *, requirement, reply_by) -> Notice:
    """目标责任书 of an organisation's year: its responsibility list, to be signed and sent back."""
    entries = ResponsibilityEntry.objects.filter(org=org, year=year)
    if not entries.exists():
        raise ServiceError(f"请先填写该组织 {year} 年的责任清单。")
    lines = [{"post": str(e.get_post_display()), "person": e.person, "duties": e.duties} for e in entries]
    notice = _issue(user, kind=Kind.RESPONSIBILITY, org=org, title=f"{year}年度基层党建工作目标责任书",
                    requirement=requirement, reply_by=reply_by, lines=lines)
    emit("notice_issued", notice=notice, actor=user)
    return notice


@transaction.atomic
def issue_bulletin(user, org, *, title, requirement, typeset) -> Notice:
    """A 通报 to ``org`` (e.g. a 排名通报), numbered from the register; ``typeset(number)`` returns its PDF, which
    is kept with it as issued. It asks no reply and is not corrected in place (issue a new one)."""
    issuer = _issuer(user, org)
    if not requirement.strip():
        raise ServiceError("请填写正文。")
    notice = numbered_document(issuer, Kind.BULLETIN, timezone.localdate(), org=org, title=title,
                               requirement=requirement.strip(), issued_by=user)
    notice.document.save(f"{notice.number}.pdf", ContentFile(typeset(notice.number)), save=False)
    Notice.objects.filter(pk=notice.pk).update(document=notice.document.name)  # save() refuses a second write
    emit("notice_issued", notice=notice, actor=user)
    return notice


@transaction.atomic
def correct(user, notice, *, requirement, reply_by) -> Notice:
    """A correction: a new document (new number) with the same addressee and subject that supersedes the old."""
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if Notice.objects.filter(supersedes=notice).exists():
        raise ServiceError("这份文件已经被更正过，请更正最新的文件。")
    if hasattr(notice, "reply"):
        raise ServiceError("已反馈的督办通知不能更正。")
    if notice.kind == Kind.BULLETIN:
        raise ServiceError("通报不在原文上更正，请重新印发。")
    if issuer_for(user, notice.org) != notice.issuer:
        raise ServiceError("只有发文机关的组织部干部可以更正这份文件。")
    corrected = _issue(user, kind=notice.kind, org=notice.org, title=notice.title, requirement=requirement,
                       reply_by=reply_by, items=list(notice.items.all()), subject=notice.subject,
                       supersedes=notice, lines=notice.lines, subject_frozen=notice.subject_line)
    emit("notice_issued", notice=corrected, actor=user)
    return corrected


def lines_for(user, notice):
    """The lines of ``notice`` its reader may read, and how many were left out: a line about a problem withheld
    until its assessment is published is shown only to those who may read the unpublished results. Each line
    says whether its item opens for the reader (``openable``)."""
    ids = [line["id"] for line in notice.lines if "id" in line]
    if not ids:
        return notice.lines, 0
    items = RectificationItem.objects.filter(pk__in=ids)
    withheld = set(items.exclude(pk__in=items.released_to(user).values("pk")).values_list("pk", flat=True))
    openable = set(RectificationItem.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    lines = [{**line, "openable": line["id"] in openable} for line in notice.lines if line["id"] not in withheld]
    return lines, len(notice.lines) - len(lines)


def may_reply(user, notice):
    return (notice.kind == Kind.SUPERVISION
            and can(user, "ledger.own", notice.org))


@transaction.atomic
def reply(user, notice, *, text, files=()) -> NoticeReply:
    """The addressee's written reply; it closes the 督办 and is recorded on each item it concerns."""
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if not may_reply(user, notice):
        raise ServiceError("只有主送单位的书记可以反馈这份督办通知。")
    if Notice.objects.filter(supersedes=notice).exists():
        raise ServiceError("这份督办通知已被更正，请对更正后的通知反馈。")
    if NoticeReply.objects.filter(notice=notice).exists():
        raise ServiceError("这份督办通知已经反馈过了。")
    if not text.strip():
        raise ServiceError("请填写反馈内容。")
    for upload in files:
        check_evidence(upload)
    answer = NoticeReply.objects.create(notice=notice, text=text.strip(), author=user)
    for upload in files:
        NoticeReplyFile.keep(upload, reply=answer)
    for item in notice.items.all():
        item = _locked(item.pk)
        _log(item, "supervise_reply", item.status, user, f"{notice.number} 已书面反馈")
    emit("notice_replied", notice=notice, actor=user)
    return answer
