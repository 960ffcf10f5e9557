"""企业微信 and 钉钉 group robots, against a local HTTP server standing in for each service: each event reaches
each group once, 钉钉 messages are signed, failures are retried with back-off and nothing is sent twice."""

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from partybuild import robots
from partybuild.models import GroupRobot, RobotMessage
from partybuild.notifications import notify, notify_many

SECRET = "SEC0123456789abcdef"


class Service:
    """A stand-in for qyapi.weixin.qq.com and oapi.dingtalk.com: records what it accepted; ``answers`` are
    played first ((HTTP status, JSON)), then it accepts everything."""

    def __init__(self):
        self.accepted, self.answers = [], []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status, answer = service.answers.pop(0) if service.answers else (200, service.check(self.path))
                if answer["errcode"] == 0:
                    service.accepted.append((urllib.parse.urlsplit(self.path).path, body["text"]["content"]))
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps(answer).encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def check(self, path):
        """钉钉's check of 加签: the sign must be the HMAC of the timestamp with the robot's secret."""
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
        if not path.startswith("/robot/send"):
            return {"errcode": 0, "errmsg": "ok"}
        timestamp, sign = query["timestamp"][0], query["sign"][0]
        digest = hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256).digest()
        ok = sign == base64.b64encode(digest).decode()
        return {"errcode": 0, "errmsg": "ok"} if ok else {"errcode": 310000, "errmsg": "sign not match"}


@pytest.fixture
def service():
    stand_in = Service()
    yield stand_in
    stand_in.server.shutdown()


@pytest.fixture
def groups(world, service, settings):
    """The county's 组织部 group on 企业微信 (kept in the admin), the branch's group on 钉钉 (by environment)."""
    settings.SITE_URL = "https://djdk.example.gov.cn"
    GroupRobot.objects.create(org=world.county, kind="wecom", webhook=f"{service.url}/cgi-bin/webhook/send?key=k1")
    settings.GROUP_ROBOTS = [{"org": world.branch.code, "kind": "dingtalk",
                              "webhook": f"{service.url}/robot/send?access_token=t1", "secret": SECRET}]
    return world


def test_each_event_reaches_each_group_once(groups, service, django_capture_on_commit_callbacks):
    world = groups
    second_staff = world.user_with("staff", world.county)
    with django_capture_on_commit_callbacks(execute=True):
        notify_many([(world.users["staff"], "西山村申请销号，请验收。", "/rectification/1/", "item_submit-1"),
                     (second_staff, "西山村申请销号，请验收。", "/rectification/1/", "item_submit-1")])
        notify(world.users["secretary"], "整改事项被退回，请继续整改。", "/rectification/2/", "item_return-2")
        notify(world.users["secretary"], "整改事项被退回，请继续整改。", "/rectification/2/", "item_return-2")
        notify(world.users["inspector"], "与群无关的人", "/", "other-3")  # town_a has no group
    assert sorted(service.accepted) == [
        ("/cgi-bin/webhook/send", "【党建督考】西山村申请销号，请验收。\nhttps://djdk.example.gov.cn/rectification/1/"),
        ("/robot/send", "【党建督考】整改事项被退回，请继续整改。\nhttps://djdk.example.gov.cn/rectification/2/")]
    assert set(RobotMessage.objects.values_list("status", flat=True)) == {"sent"}
    assert RobotMessage.objects.count() == 2


def test_failures_are_retried_and_a_sent_message_is_never_sent_again(groups, service,
                                                                     django_capture_on_commit_callbacks):
    service.answers = [(500, {"errcode": -1, "errmsg": "busy"}), (200, {"errcode": 45009, "errmsg": "freq limit"})]
    with django_capture_on_commit_callbacks(execute=True):
        notify(groups.users["staff"], "申请延期，请审批。", "/x/", "extension-1")
    message = RobotMessage.objects.get()
    assert (message.status, message.attempts, len(service.accepted)) == ("sent", 3, 1)
    robots.send_message.apply(args=[message.pk])  # a redelivered task
    robots.queue([message.pk])
    assert len(service.accepted) == 1 and RobotMessage.objects.get().attempts == 3


def test_a_message_refused_every_time_is_given_up_with_its_error_and_can_be_sent_again(
        groups, service, django_capture_on_commit_callbacks, admin_client):
    service.answers = [(500, {"errcode": -1, "errmsg": "busy"})] * robots.MAX_ATTEMPTS
    with django_capture_on_commit_callbacks(execute=True):
        notify(groups.users["staff"], "有逾期事项。", "", "overdue-1")
    message = RobotMessage.objects.get()
    assert (message.status, message.attempts) == ("failed", robots.MAX_ATTEMPTS)
    assert "HTTPError" in message.last_error and not service.accepted
    admin_client.post("/admin/partybuild/robotmessage/", {"action": "send_again", "_selected_action": [message.pk]})
    assert RobotMessage.objects.get().status == "sent" and len(service.accepted) == 1


def test_a_wrong_dingtalk_secret_is_refused_by_the_service(groups, service, settings,
                                                          django_capture_on_commit_callbacks):
    settings.GROUP_ROBOTS = [{**settings.GROUP_ROBOTS[0], "secret": "SECwrong"}]
    with django_capture_on_commit_callbacks(execute=True):
        notify(groups.users["secretary"], "整改事项已验收销号。", "", "item_accept-5")
    message = RobotMessage.objects.get()
    assert message.status == "failed" and "310000" in message.last_error and not service.accepted


def test_messages_left_pending_while_the_broker_was_down_are_sent_later(groups, service):
    notify(groups.users["staff"], "回头看到期。", "", "follow-up-1")  # its commit never comes: nothing queued
    RobotMessage.objects.update(created_at=timezone.now() - timedelta(minutes=10))
    assert robots.requeue_pending() == 1
    assert RobotMessage.objects.get().status == "sent" and len(service.accepted) == 1


def test_a_dingtalk_robot_must_be_signed(world):
    robot = GroupRobot(org=world.county, kind="dingtalk", webhook="https://oapi.dingtalk.com/robot/send?access_token=x")
    with pytest.raises(ValidationError, match="加签"):
        robot.full_clean()
