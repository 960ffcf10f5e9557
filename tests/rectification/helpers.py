import datetime
import io
import subprocess

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from kernel.dates import add_months, month_start
from orgs.models import Organization, Role
from rectification import services
from rectification.models import (
    DeadlineExtension,
    Evidence,
    ItemTransition,
    Notice,
    NoticeReply,
    NoticeReplyFile,
    Problem,
    ProblemCategory,
    ProgressUpdate,
    RectificationItem,
    ResponsibilityLetter,
    SelfCheckPush,
    SelfCheckRequest,
    Task,
)
from rectification.notices import item_line, numbered_document
from rectification.services import raise_problem


def _png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


PNG = _png_bytes()


def photo(name="现场照片.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def item_of(org, *, status=RectificationItem.Status.PENDING, deadline=None, **kwargs):
    problem = raise_problem(org=org, description=kwargs.pop("description", "“三会一课”记录不全"),
                            source=Problem.Source.INSPECTION, deadline=deadline, **kwargs)
    item = problem.item
    if status != item.status:
        item.status = status
        item.closed_on = datetime.date(2026, 1, 15) if status == RectificationItem.Status.CLOSED else None
        item.save()
    return item


def evidence_of(item, author):
    update = ProgressUpdate.objects.create(item=item, month=datetime.date(2026, 11, 1), text="已整改", percent=50,
                                           author=author)
    return Evidence.objects.create(update=update, file=photo(), original_name="现场照片.png", size=len(PNG))


def notice_of(item, staff, reply_by=datetime.date(2030, 1, 1)):
    """A 督办通知 to the item's organisation, issued by the top of its tree on 1 November 2026."""
    org = item.problem.org
    issuer = Organization.objects.get(path=org.path[:Organization.steplen])
    notice = numbered_document(issuer, Notice.Kind.SUPERVISION, datetime.date(2026, 11, 1), org=org,
                               title="关于限期整改的督办通知", requirement="限期整改", reply_by=reply_by,
                               issued_by=staff, lines=[item_line(item)])
    notice.items.add(item)
    return notice


def reply_file_of(item, staff):
    notice = notice_of(item, staff)
    reply = NoticeReply.objects.create(notice=notice, text="已整改", author=staff)
    return NoticeReplyFile.objects.create(reply=reply, file=photo(), original_name="反馈.png", size=len(PNG))


def extension_of(item, staff):
    return DeadlineExtension.objects.create(item=item, current_deadline=datetime.date(2030, 1, 1),
                                            proposed_deadline=datetime.date(2030, 6, 30), reason="换届",
                                            requested_by=staff)


def push_request_of(org, staff):
    push = SelfCheckPush.objects.create(root=org, description="对照检查：党费收缴是否规范",
                                        reply_by=datetime.date(2030, 1, 1), created_by=staff)
    return SelfCheckRequest.objects.create(push=push, org=org)


def task_of(org, staff):
    return Task.objects.create(org=org, year=2026, quarter=4, title="开展一次主题党日", assigned_by=staff)


def letter_of(org, staff):
    return ResponsibilityLetter.objects.create(org=org, year=2026, file=photo("责任书.png"),
                                               original_name="责任书.png", uploaded_by=staff)


def moved_to(item, day):
    """Date an item's whole log (so far) on ``day`` (test set-up: hashes are not checked here)."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    for step, entry in enumerate(item.transitions.order_by("id")):
        ItemTransition.objects.filter(pk=entry.pk).update(happened_at=moment + datetime.timedelta(minutes=step))


def walk(item, *actions, staff, secretary):
    for action in actions:
        services.perform(staff if action in ("accept", "return") else secretary, item, action,
                         comment="退回" if action == "return" else "")
        item.refresh_from_db()


def current_ledger(world):
    """This month's ledger: one overdue item, one closed this month, one open elsewhere, one closed last month,
    one with this month's update, and one without it (the overdue one)."""
    today = timezone.localdate()
    this_month = month_start(today)
    last_month = add_months(this_month, -1)
    staff, secretary = world.users["staff"], world.users["secretary"]
    sibling_secretary = world.user_with(Role.SECRETARY, world.sibling, recursive=False)
    late = item_of(world.branch, deadline=today - datetime.timedelta(days=3))
    moved_to(late, last_month)
    closed_now = item_of(world.sibling, deadline=today + datetime.timedelta(days=30))
    moved_to(closed_now, last_month)
    walk(closed_now, "start", "submit", "accept", staff=staff, secretary=sibling_secretary)
    item_of(world.far_branch, deadline=today + datetime.timedelta(days=40))
    closed_before = item_of(world.branch)
    walk(closed_before, "start", "submit", "accept", staff=staff, secretary=secretary)
    moved_to(closed_before, last_month)
    reported = item_of(world.branch, category=ProblemCategory.objects.first())
    moved_to(reported, last_month)
    ProgressUpdate.objects.create(item=reported, month=this_month, text="进展", percent=30, author=secretary)


def pdf_text(content, tmp_path):
    """The text of a PDF as ``pdftotext -layout`` reads it (callers skip when poppler-utils is missing)."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
