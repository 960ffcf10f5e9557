"""In-app notifications from the daily job, with a hook for other senders (e-mail, SMS).

``settings.NOTIFICATION_SENDERS`` lists dotted paths of callables ``send(user, text, url)`` called for every
new notification; by default there are none besides the in-app list.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from orgs.models import RoleAssignment
from partybuild.kernel.policy import role_may
from rectification.models import RectificationItem
from rectification.queries import follow_ups_due

from .models import Notification


def notify(user, text, url, key):
    """Create the notification once per key (a retried job sends nothing twice)."""
    try:
        with transaction.atomic():
            Notification.objects.create(user=user, text=text, url=url, key=key)
    except IntegrityError:
        return False
    for path in getattr(settings, "NOTIFICATION_SENDERS", []):
        import_string(path)(user, text, url)
    return True


def send_daily(today=None):
    today = today or timezone.localdate()
    sent = 0
    for assignment in RoleAssignment.objects.select_related("user", "org"):
        items = RectificationItem.objects.unarchived().released()
        items = items.filter(problem__org__path__startswith=assignment.org.path) if assignment.recursive \
            else items.filter(problem__org=assignment.org)
        if role_may(assignment.role, "ledger.own"):
            count = items.overdue_on(today).count()
            text = _("%(org)s有 %(n)s 个整改事项已逾期，请抓紧整改。")
            url = reverse("rectification:ledger") + "?overdue=true"
        elif role_may(assignment.role, "ledger.manage"):
            count = follow_ups_due(items, today).count()
            text = _("%(org)s有 %(n)s 个已销号事项到期需要回头看。")
            url = reverse("rectification:follow_ups")
        else:
            continue
        if count:
            sent += notify(assignment.user, text % {"org": assignment.org.name, "n": count}, url,
                           key=f"{assignment.role}-{assignment.org_id}-{today.isoformat()}")
    return sent
