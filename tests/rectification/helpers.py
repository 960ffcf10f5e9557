import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from rectification.models import (
    Evidence,
    Notice,
    Problem,
    ProgressUpdate,
    RectificationItem,
    ResponsibilityLetter,
    SelfCheckPush,
    SelfCheckRequest,
    Task,
)
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


def notice_of(item, staff):
    notice = Notice.objects.create(org=item.problem.org, number=f"督办〔2026〕{item.pk}号",
                                              requirement="限期整改", reply_by=datetime.date(2030, 1, 1),
                                              issued_by=staff)
    notice.items.add(item)
    return notice


def push_request_of(org, staff):
    push = SelfCheckPush.objects.create(root=org, description="对照检查：党费收缴是否规范",
                                        reply_by=datetime.date(2030, 1, 1), created_by=staff)
    return SelfCheckRequest.objects.create(push=push, org=org)


def task_of(org, staff):
    return Task.objects.create(org=org, year=2026, quarter=4, title="开展一次主题党日", assigned_by=staff)


def letter_of(org, staff):
    return ResponsibilityLetter.objects.create(org=org, year=2026, file=photo("责任书.png"),
                                               original_name="责任书.png", uploaded_by=staff)
