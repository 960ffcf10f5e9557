from django.utils import timezone

from partybuild import tasks, tokens
from partybuild.models import Notification
from tests.partybuild.reports_helpers import ledger_history
from tests.permission import ALL_SIGNED_IN, EVERYONE, Case

REPORTERS = frozenset({"admin", "staff", "leader"})
ADMIN_ONLY = frozenset({"admin"})
AUDITORS = frozenset({"admin", "auditor"})


def user_pk(w, side):
    return {"user_pk": w.users["secretary"].pk}


def report_pk(fmt=None):
    def build(w, side):
        ledger_history(w)
        scope, user = (w.county, w.users["staff"]) if side == "own" else (w.foreign_county, w.users["admin"])
        report = tasks.request_report(user, kind="monthly", scope=scope, period="2026-09")
        return {"pk": report.pk, **({"fmt": fmt} if fmt else {})}

    return build


def notification_of_secretary(w, side):
    note = Notification.objects.create(user=w.users["secretary"], text="测试通知", url="/", key="matrix")
    return {"pk": note.pk}


def secretarys_token(w, side):
    return {"pk": tokens.issue(w.users["secretary"], name="手机", days=30)[0].pk}


def this_month():
    return f"monthly:{timezone.localdate():%Y-%m}"


CASES = {
    "home": Case(),
    "start": Case(allowed=ALL_SIGNED_IN, ok_status=302),
    "offline": Case(),
    "service_worker": Case(anonymous_status=200),
    "reports:centre": Case(allowed=REPORTERS),
    "reports:request": Case(allowed=REPORTERS, method="post", ok_status=302,
                            data=lambda w: {"scope": w.county.pk, "report": this_month()}),
    # reports are over the county: a secretary or a township inspector does not see them at all
    "reports:row": Case(report_pk(), hidden=frozenset({"secretary", "inspector"})),
    "reports:retry": Case(report_pk(), allowed=REPORTERS, hidden=frozenset({"secretary", "inspector"}),
                          method="post", ok_status=302),
    "reports:download": Case(report_pk("pdf"), hidden=frozenset({"secretary", "inspector"})),
    "reports:notifications": Case(allowed=EVERYONE),
    # a notification is its user's alone: everybody else is told it does not exist
    "reports:notification_open": Case(notification_of_secretary, allowed=frozenset({"secretary"}),
                                      hidden=EVERYONE - {"secretary"}, scoped=False, method="post", ok_status=302),
    "reports:notifications_read": Case(allowed=EVERYONE, method="post", ok_status=302),
    # operations pages (kernel, routed under /ops/): the audit trail and a user's sessions
    "kernel:audit": Case(allowed=AUDITORS),
    "kernel:audit_export": Case(allowed=AUDITORS),
    "kernel:sessions": Case(user_pk, allowed=ADMIN_ONLY, scoped=False),
    "kernel:end_sessions": Case(user_pk, allowed=ADMIN_ONLY, scoped=False, method="post", ok_status=302),
    # the profile page and the user's own API tokens: another user's token does not exist for anybody else
    "profile": Case(allowed=ALL_SIGNED_IN),
    "token_new": Case(allowed=ALL_SIGNED_IN, method="post", ok_status=302, data={"name": "我的手机", "days": 90}),
    "token_revoke": Case(secretarys_token, hidden=EVERYONE - {"secretary"}, scoped=False, method="post",
                         ok_status=302),
}
