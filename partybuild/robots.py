"""Notifications posted to 企业微信 and 钉钉 groups by their group robots, through an outbox.

Which groups: a robot belongs to an organisation (``GroupRobot`` rows kept in the admin, or ``GROUP_ROBOTS`` in the
environment: a JSON list of {"org": organisation code, "kind": "wecom" | "dingtalk", "webhook": ..., "secret": ...});
a notification addressed to someone whose role is on that organisation is posted to its groups, once per event
(the notification's key) whoever else of the group the event also told.

How: ``enqueue``, in the transaction that creates the notification, writes one ``RobotMessage`` row per message
and robot (unique per robot and key, so a repeated event adds nothing) and queues ``send_message`` for it after
the commit. The task sends under a lock on the row and
marks it sent in the same transaction: a row already sent is never sent again, a failure is retried with back-off,
and rows still pending (the broker was down, the retries ran out) are queued again by ``requeue_pending`` (beat).
"""

import base64
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from orgs.models import Organization, RoleAssignment

from .models import GroupRobot, RobotMessage

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 10
#: after this many failed attempts a message is marked failed (the admin can send it again)
MAX_ATTEMPTS = 8


class SendError(Exception):
    """The service did not accept the message (network, HTTP status or its own errcode)."""


@dataclass(frozen=True)
class Robot:
    key: str  # "db:<pk>" or "env:<n>"
    org_id: int
    kind: str
    webhook: str
    secret: str = ""


def configured(org_ids=None) -> list[Robot]:
    """The active robots, from the admin and from ``GROUP_ROBOTS``, of ``org_ids`` (every organisation if None)."""
    rows = GroupRobot.objects.filter(is_active=True)
    rows = rows if org_ids is None else rows.filter(org_id__in=org_ids)
    robots = [Robot(f"db:{r.pk}", r.org_id, r.kind, r.webhook, r.secret) for r in rows]
    entries = settings.GROUP_ROBOTS
    codes = dict(Organization.objects.filter(code__in={e["org"] for e in entries}).values_list("code", "pk"))
    for number, entry in enumerate(entries):
        org_id = codes.get(entry["org"])
        if org_id and (org_ids is None or org_id in org_ids):
            robots.append(Robot(f"env:{number}", org_id, entry["kind"], entry["webhook"], entry.get("secret", "")))
    return robots


def enqueue(rows) -> int:
    """Outbox rows for notifications ``rows`` = [(user, text, url, key)]; queued after the commit. Returns how many
    rows are new."""
    if not rows or not (settings.GROUP_ROBOTS or GroupRobot.objects.filter(is_active=True).exists()):
        return 0
    users = {user.pk for user, *_rest in rows}
    orgs_of = {}
    for user_id, org_id in RoleAssignment.objects.filter(user_id__in=users).values_list("user_id", "org_id"):
        orgs_of.setdefault(user_id, set()).add(org_id)
    robots = configured({org for orgs in orgs_of.values() for org in orgs})
    if not robots:
        return 0
    messages = {(robot.key, key): RobotMessage(robot=robot.key, key=key, text=text, url=url)
                for user, text, url, key in rows for robot in robots if robot.org_id in orgs_of.get(user.pk, ())}
    existing = set(RobotMessage.objects.filter(key__in={key for _robot, key in messages})
                   .values_list("robot", "key"))
    fresh = [message for pair, message in messages.items() if pair not in existing]
    RobotMessage.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=2000)
    pending = list(RobotMessage.objects.filter(status=RobotMessage.Status.PENDING,
                                               key__in={m.key for m in fresh}).values_list("pk", flat=True))
    transaction.on_commit(lambda: queue(pending))
    return len(fresh)


def queue(pks):
    """Queue the rows' sending; with the broker down they stay pending and ``requeue_pending`` queues them later."""
    for pk in pks:
        try:
            send_message.delay(pk)
        except Exception:
            log.warning("robot message %s not queued", pk, exc_info=True)
            return


@shared_task(acks_late=True, autoretry_for=(SendError,), retry_backoff=True, retry_backoff_max=600,
             max_retries=MAX_ATTEMPTS - 1)
def send_message(pk):
    """Send one outbox row unless it was sent already; a refusal is recorded on the row, then retried."""
    refusal = _attempt(pk)
    if refusal:
        raise SendError(refusal)  # after the commit that recorded the attempt: Celery retries with back-off


def _attempt(pk):
    """One attempt under a lock on the row, marked sent in the same transaction; the refusal to retry, or None."""
    with transaction.atomic():
        message = RobotMessage.objects.select_for_update(skip_locked=True).filter(
            pk=pk, status=RobotMessage.Status.PENDING).first()
        if message is None:  # sent, given up, or being sent by another worker right now
            return None
        robot = next((r for r in configured() if r.key == message.robot), None)
        message.attempts += 1
        try:
            if robot is None:
                raise SendError("群机器人已删除或停用")
            post(robot, message.text, _absolute(message.url))
        except SendError as exc:
            message.last_error = str(exc)[:300]
            given_up = message.attempts >= MAX_ATTEMPTS or robot is None
            message.status = RobotMessage.Status.FAILED if given_up else RobotMessage.Status.PENDING
            message.save()
            return None if given_up else message.last_error
        message.status, message.sent_at, message.last_error = RobotMessage.Status.SENT, timezone.now(), ""
        message.save()
        return None


def _absolute(url):
    return urllib.parse.urljoin(settings.SITE_URL, url) if url and settings.SITE_URL else url


def requeue_pending(older_than_seconds=300) -> int:
    """Queue again what is still pending after a while (the broker was down when it was written)."""
    since = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    pks = list(RobotMessage.objects.filter(status=RobotMessage.Status.PENDING, created_at__lt=since)
               .values_list("pk", flat=True)[:5000])
    queue(pks)
    return len(pks)


def post(robot, text, url=""):
    """One text message to the robot's webhook, in the service's own format; raises SendError unless accepted."""
    content = f"【党建督考】{text}" + (f"\n{url}" if url else "")
    body = json.dumps({"msgtype": "text", "text": {"content": content}}, ensure_ascii=False).encode()
    webhook = signed(robot.webhook, robot.secret) if robot.kind == GroupRobot.Kind.DINGTALK else robot.webhook
    request = urllib.request.Request(webhook, data=body, headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (configured URL)
            answer = json.loads(response.read() or b"{}")
    except (OSError, ValueError) as exc:  # URLError, HTTPError, timeouts, a body that is not JSON
        raise SendError(f"{type(exc).__name__}: {exc}") from exc
    if answer.get("errcode", 0) != 0:
        raise SendError(f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}")


def signed(webhook, secret, now_ms=None):
    """钉钉 加签: the timestamp (ms) and base64(HMAC-SHA256(secret, "timestamp\\nsecret")) added to the URL."""
    timestamp = str(now_ms or int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{webhook}{'&' if '?' in webhook else '?'}timestamp={timestamp}&sign={sign}"
