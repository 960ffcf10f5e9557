"""People are told when it matters: in-app at once on the ledger's events, then by e-mail (SMTP) and the
other senders (SMS), each once; everyone sees their own notifications and marks them read."""

import datetime
import socket
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from django.utils import timezone

from kernel.errors import ServiceError
from kernel.events import emit
from partybuild import notifications
from partybuild.models import Notification
from rectification import notices, services
from rectification.models import Problem, RectificationItem
from tests.rectification.helpers import item_of
from tests.scoring.helpers import published_for

LATER = timezone.localdate() + datetime.timedelta(days=20)
SENT_SMS = []


def record_sms(user, text, url):
    """A stand-in SMS gateway (``NOTIFICATION_SENDERS``)."""
    SENT_SMS.append((user.username, text))


def texts(user):
    return [n.text for n in Notification.objects.filter(user=user).order_by("id")]


def test_the_secretary_is_told_at_once_when_her_branch_gets_a_problem_is_sent_back_or_accepted(world):
    staff, secretary = world.users["staff"], world.users["secretary"]
    problem = services.raise_problem(org=world.branch, description="党费收缴不规范", raised_by=staff,
                                     source=Problem.Source.INSPECTION)
    item = problem.item
    assert texts(secretary) == ["东山村党支部新增一个整改问题：党费收缴不规范"]
    assert texts(staff) == []  # nobody is told of their own act
    services.perform(secretary, item, "start")
    services.perform(secretary, item, "submit")
    assert texts(staff) == ["东山村党支部申请销号，请验收：党费收缴不规范"]
    services.perform(staff, item, "return", comment="缺少佐证材料")
    assert "缺少佐证材料" in texts(secretary)[-1]
    services.perform(secretary, item, "submit")
    services.perform(staff, item, "accept")
    assert texts(secretary)[-1] == "整改事项已验收销号：党费收缴不规范"
    assert texts(world.users["leader"]) == []


def test_supervision_replies_and_extensions_reach_the_right_people(world):
    staff, secretary = world.users["staff"], world.users["secretary"]
    item = item_of(world.branch, deadline=datetime.date(2026, 1, 31))
    extension = services.request_extension(secretary, item, proposed_deadline=datetime.date(2026, 6, 30),
                                           reason="换届")
    assert "申请将整改时限延至 2026-06-30" in texts(staff)[-1]
    services.decide_extension(staff, extension, approve=False, note="时限内可以完成")
    assert texts(secretary)[-1].startswith("延期申请不同意")
    notice = notices.issue_supervision(staff, world.branch, [item], requirement="限期整改", reply_by=LATER)
    assert notice.number in texts(secretary)[-1] and "督办通知" in texts(secretary)[-1]
    notices.reply(secretary, notice, text="已整改完毕。")
    assert texts(staff)[-1] == f"东山村党支部已书面反馈 {notice.number}。"


def test_publishing_an_assessment_tells_each_assessed_organisations_secretary_once(world):
    assessment = published_for(world)
    mine = Notification.objects.filter(user=world.users["secretary"], key__startswith="assessment-")
    assert mine.count() == 1 and assessment.name in mine.get().text
    assessment.save()  # saved again: nothing new
    assert mine.count() == 1


def test_nothing_is_sent_twice(world, settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATION_SENDERS = ["tests.partybuild.test_notifications.record_sms"]
    SENT_SMS.clear()
    with django_capture_on_commit_callbacks(execute=True):
        problem = services.raise_problem(org=world.branch, description="换届逾期", raised_by=world.users["staff"],
                                         source=Problem.Source.INSPECTION)
        entry = problem.item.transitions.get()
        emit("item_raised", item=problem.item, actor=world.users["staff"], entry=entry)  # a repeated event
    assert Notification.objects.filter(user=world.users["secretary"]).count() == 1
    assert SENT_SMS == [(world.users["secretary"].username, "东山村党支部新增一个整改问题：换届逾期")]


@pytest.fixture
def smtp_server():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    received = []

    class Keep(Message):
        def handle_message(self, message):
            received.append(message)

    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    yield port, received
    controller.stop()


def test_notifications_go_out_by_smtp_to_users_with_an_address(world, settings, smtp_server,
                                                                django_capture_on_commit_callbacks):
    port, received = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.NOTIFICATION_EMAIL = "127.0.0.1", port, True
    secretary = world.users["secretary"]
    secretary.email = "liu@example.cn"
    secretary.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.raise_problem(org=world.branch, description="主题党日未开展", raised_by=world.users["staff"],
                               source=Problem.Source.INSPECTION)
    assert len(received) == 1
    message = received[0]
    subject = str(make_header(decode_header(message["Subject"])))
    assert message["To"] == "liu@example.cn" and subject.startswith("【党建督考】东山村党支部新增")
    assert "主题党日未开展" in message.get_payload(decode=True).decode()


def test_a_refused_change_tells_nobody(world):
    item = item_of(world.branch, status=RectificationItem.Status.IN_PROGRESS)
    Notification.objects.all().delete()
    with pytest.raises(ServiceError, match="当前状态为“整改中”"):
        services.perform(world.users["secretary"], item, "accept")
    assert not Notification.objects.exists()


def test_users_see_their_notifications_and_mark_them_read(world, login):
    secretary = world.users["secretary"]
    for key in ("a", "b"):
        notifications.notify(secretary, f"通知{key}", "/rectification/", key)
    notifications.notify(world.users["staff"], "别人的通知", "/", "c")
    client = login(secretary)
    page = client.get("/reports/notifications/").content.decode()
    assert "2 条未读" in page and "别人的通知" not in page
    first = Notification.objects.get(user=secretary, key="a")
    response = client.post(f"/reports/notifications/{first.pk}/open/")
    assert response["Location"] == "/rectification/"
    assert Notification.objects.filter(user=secretary, read=False).count() == 1
    other = Notification.objects.get(key="c")
    assert client.post(f"/reports/notifications/{other.pk}/open/").status_code == 404
    client.post("/reports/notifications/read/")
    assert not Notification.objects.filter(user=secretary, read=False).exists()
    assert not Notification.objects.get(key="c").read
