"""Who is told what, and how: in-app notifications on the apps' events and from the daily job, then e-mail
and any other sender.

The domain apps only emit events (``kernel.events``); ``connect()`` (called from the app's
``ready``) turns them into notifications here. Each notification has a key unique per user, so a repeated
event or a retried job creates nothing twice, and only a newly created notification is sent on: to the group
robots' outbox in the same transaction (``robots``), then, after the commit, by e-mail through Django's e-mail
backend when ``NOTIFICATION_EMAIL`` is on and the user has an address, and to every callable
``send(user, text, url)`` listed in ``NOTIFICATION_SENDERS`` (an SMS gateway, for instance).
"""

import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.signals import post_save
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from kernel.events import domain_event
from kernel.policy import ACTIONS, role_may
from orgs.models import RoleAssignment
from rectification.models import RectificationItem
from rectification.queries import follow_ups_due
from scoring.models import Assessment

from . import robots
from .models import Notification

log = logging.getLogger(__name__)


def notify(user, text, url, key):
    """Create the notification once per key; newly created ones go out by the other channels after commit."""
    try:
        with transaction.atomic():
            Notification.objects.create(user=user, text=text[:300], url=url, key=key)
    except IntegrityError:
        return False
    robots.enqueue([(user, text, url, key)])
    transaction.on_commit(lambda: deliver(user, text, url))
    return True


def deliver(user, text, url):
    """E-mail and the configured senders; a failing channel is logged and does not stop the others."""
    if settings.NOTIFICATION_EMAIL and user.email:
        try:
            send_mail(f"【党建督考】{text[:40]}", f"{text}\n\n{url}", None, [user.email])
        except OSError:
            log.exception("e-mail to %s failed", user.pk)
    for path in settings.NOTIFICATION_SENDERS:
        try:
            import_string(path)(user, text, url)
        except Exception:  # a sender's failure must not undo the change that caused the notification
            log.exception("sender %s failed for %s", path, user.pk)


#: who is told: the organisation's own people (书记) or the staff above it (组织部)
OWN, MANAGERS = "ledger.own", "ledger.manage"


def _holders(action, org):
    """Users whose role carries ``action`` on the organisation (granted on it, or on an ancestor recursively)."""
    ancestors = [org.path[:i] for i in range(org.steplen, len(org.path) + 1, org.steplen)]
    assignments = RoleAssignment.objects.filter(role__in=ACTIONS[action]).filter(
        Q(org=org) | Q(recursive=True, org__path__in=ancestors)).select_related("user")
    return {a.user for a in assignments if a.user.is_active}


def _tell(users, text, url, key, actor=None):
    return sum(notify(user, text, url, key) for user in users if user != actor)


def _item_url(item):
    return reverse("rectification:item", args=[item.pk])


def _on_item(kind, item, actor, entry, **_extra):
    org, description = item.problem.org, item.problem.description[:40]
    messages = {
        "item_raised": (OWN, f"{org.name}新增一个整改问题：{description}"),
        "item_return": (OWN, f"整改事项被退回，请继续整改：{description}。理由：{entry.comment[:80]}"),
        "item_accept": (OWN, f"整改事项已验收销号：{description}"),
        "item_reopen": (OWN, f"回头看未通过，事项重新整改：{description}"),
        "item_submit": (MANAGERS, f"{org.name}申请销号，请验收：{description}"),
    }
    if kind in messages:
        role, text = messages[kind]
        _tell(_holders(role, org), text, _item_url(item), f"{kind}-{entry.pk}", actor)


def _on_notice(kind, notice, actor, **_extra):
    url = reverse("rectification:notice", args=[notice.pk])
    if kind == "notice_issued":
        text = f"收到{notice.get_kind_display()} {notice.number}：{notice.title}" + (
            f"，请于 {notice.reply_by} 前反馈。" if notice.reply_by else "。")
        _tell(_holders(OWN, notice.org), text, url, f"notice-{notice.pk}", actor)
        concerned = {item.problem.org for item in notice.items.released().select_related("problem__org")} - {notice.org}
        for org in concerned:
            _tell(_holders(OWN, org), f"你单位的整改事项被列入督办：{notice.number}。", url,
                  f"notice-{notice.pk}-items", actor)
    elif kind == "notice_replied":
        text = f"{notice.org.name}已书面反馈 {notice.number}。"
        _tell(_holders(MANAGERS, notice.issuer), text, url, f"reply-{notice.pk}", actor)


def _on_extension(kind, item, actor, extension, **_extra):
    org = item.problem.org
    if kind == "extension_requested":
        text = f"{org.name}申请将整改时限延至 {extension.proposed_deadline}，请审批。"
        _tell(_holders(MANAGERS, org), text, _item_url(item), f"extension-{extension.pk}", actor)
    else:
        text = f"延期申请{extension.get_decision_display()}：{item.problem.description[:40]}"
        users = _holders(OWN, org) | {extension.requested_by}
        _tell(users, text, _item_url(item), f"extension-{extension.pk}-decided", actor)


HANDLERS = {"item_": _on_item, "notice_": _on_notice, "extension_": _on_extension}


def on_event(sender, kind, **payload):
    for prefix, handler in HANDLERS.items():
        if kind.startswith(prefix):
            handler(kind, **payload)


def on_assessment_saved(sender, instance, **kwargs):
    """Each assessed organisation's secretary is told once when the results are published."""
    if instance.status != Assessment.Status.PUBLISHED:
        return
    url = reverse("scoring:results", args=[instance.pk])
    results = list(instance.results.select_related("org"))
    holders = _holders_of_each(OWN, [result.org for result in results])
    notify_many([(user, f"《{instance.name}》结果已发布：{result.org.name}得分 {result.total}，"
                        f"等次“{result.grade}”。", url,
        f"assessment-{instance.pk}-{result.org_id}") for result in results for user in holders[result.org_id]])


def _holders_of_each(action, orgs):
    """``_holders`` for many organisations in one query: {org id: users}."""
    direct, recursive = defaultdict(set), []
    for assignment in RoleAssignment.objects.filter(role__in=ACTIONS[action], user__is_active=True).select_related(
            "user", "org"):
        direct[assignment.org_id].add(assignment.user)
        if assignment.recursive:
            recursive.append(assignment)
    return {org.pk: direct[org.pk] | {a.user for a in recursive if org.path.startswith(a.org.path)} for org in orgs}


def notify_many(rows):
    """``notify`` for many (user, text, url, key) at once (a published assessment tells thousands)."""
    existing = set(Notification.objects.filter(key__in={key for *_rest, key in rows}).values_list("user_id", "key"))
    fresh = [row for row in rows if (row[0].pk, row[3]) not in existing]
    Notification.objects.bulk_create([Notification(user=user, text=text[:300], url=url, key=key)
                                       for user, text, url, key in fresh], ignore_conflicts=True, batch_size=2000)
    robots.enqueue(fresh)
    transaction.on_commit(lambda: [deliver(user, text, url) for user, text, url, _key in fresh])
    return len(fresh)


def connect():
    domain_event.connect(on_event, dispatch_uid="partybuild.notifications")
    post_save.connect(on_assessment_saved, sender=Assessment, dispatch_uid="partybuild.notifications.assessment")
def mark_read(user, pk=None) -> int:
    """Mark the user's notifications read (one of them, or all); returns how many changed."""
    unread = Notification.objects.filter(user=user, read=False)
    return (unread.filter(pk=pk) if pk is not None else unread).update(read=True)


def send_daily(today=None):
    today = today or timezone.localdate()
    sent = 0
    for assignment in RoleAssignment.objects.select_related("user", "org"):
        items = RectificationItem.objects.unarchived().released()
        items = items.filter(problem__org__path__startswith=assignment.org.path) if assignment.recursive \
            else items.filter(problem__org=assignment.org)
        if role_may(assignment.role, OWN):
            count = items.overdue_on(today).count()
            text = "%(org)s有 %(n)s 个整改事项已逾期，请抓紧整改。"
            url = reverse("rectification:ledger") + "?overdue=true"
        elif role_may(assignment.role, MANAGERS):
            count = follow_ups_due(items, today).count()
            text = "%(org)s有 %(n)s 个已销号事项到期需要回头看。"
            url = reverse("rectification:follow_ups")
        else:
            continue
        if count:
            sent += notify(assignment.user, text % {"org": assignment.org.name, "n": count}, url,
                           key=f"{assignment.role}-{assignment.org_id}-{today.isoformat()}")
    return sent
