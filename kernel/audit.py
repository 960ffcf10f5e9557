"""The audit trail (审计记录): who did what, when, from which address, on what.

``record(request_or_user, action, target="", **details)`` is one INSERT. Call it where the thing
happens (a view serving a download, an import confirmed, a service publishing). Model changes that
matter (role assignments, accounts) are recorded by ``track(model, prefix)`` receivers; the admin's
own log is mirrored for every other model. Nobody changes or deletes entries through the application;
``prune()`` removes those older than AUDIT_RETENTION_DAYS (beat, nightly).
"""

import contextvars
from datetime import timedelta

from django.conf import settings
from django.db.models.signals import post_delete, post_save, pre_save
from django.forms.models import model_to_dict
from django.utils import timezone

from .models import AuditEvent
from .policy import can, members_in_scope, scope_of

_current_request = contextvars.ContextVar("audit_request", default=None)

#: models whose changes are recorded by their own receivers (the admin log mirror skips them)
_TRACKED = set()


class Action:
    """Event names, declared once (the audit page offers them as a filter)."""

    LOGIN = "login"
    LOGIN_FAILED = "login.failed"
    LOCKED_OUT = "login.locked_out"
    LOGOUT = "logout"
    PASSWORD_CHANGED = "password.changed"
    PASSWORD_SET = "password.set_by_admin"
    SESSIONS_ENDED = "sessions.ended"
    ACCESS_DENIED = "access.denied"
    EXPORT = "export"
    DOWNLOAD = "download"
    IMPORT = "import"
    REPORT_REQUESTED = "report.requested"
    PUBLISHED = "assessment.published"
    CORRECTED = "assessment.corrected"
    TRIAL = "assessment.trial"
    TRIAL_APPLIED = "assessment.trial_applied"
    ADMIN = "admin"
    TOKEN_CREATED = "api_token.created"
    TOKEN_REVOKED = "api_token.revoked"

    LABELS = {
        LOGIN: "登录成功", LOGIN_FAILED: "登录失败", LOCKED_OUT: "账号锁定", LOGOUT: "退出登录",
        PASSWORD_CHANGED: "修改密码", PASSWORD_SET: "管理员设置密码", SESSIONS_ENDED: "结束会话",
        ACCESS_DENIED: "拒绝访问", EXPORT: "导出", DOWNLOAD: "下载", IMPORT: "导入", REPORT_REQUESTED: "申请生成报告",
        PUBLISHED: "发布考核结果", CORRECTED: "更正分数",
        TRIAL: "试算考核规则", TRIAL_APPLIED: "把试算规则应用到细则", ADMIN: "后台操作",
        TOKEN_CREATED: "创建 API 令牌", TOKEN_REVOKED: "撤销 API 令牌",
    }


def label(action):
    """A readable Chinese name for an event (tracked models: 'role.created' → '角色分配 新增')."""
    if action in Action.LABELS:
        return Action.LABELS[action]
    prefix, _, verb = action.rpartition(".")
    return f"{_PREFIX_LABELS.get(prefix, prefix)} {_VERBS.get(verb, verb)}"


#: what the details of an event are called, in words (a tracked model's fields: their own labels)
DETAIL_LABELS = {"file": "文件", "filter": "筛选条件", "rows": "行数", "scope": "范围", "period": "期间",
                 "status": "状态码", "method": "请求方式", "report": "报告编号", "year": "年度", "org": "组织",
                 "rater": "评分主体", "reason": "理由", "size": "大小", "outcome": "结果", "name": "名称",
                 "indicator": "指标", "points": "分数"}
_VALUE_WORDS = {"True": "是", "False": "否", "None": "(无)", "": "(空)"}
#: a tracked model's field labels, by the prefix of its events
_FIELD_LABELS = {}


def _word(value):
    return _VALUE_WORDS.get(str(value), str(value))


def in_words(event) -> list[str]:
    """An event's details as Chinese phrases: "是否超级用户：否", "含下级组织：是 → 否", "文件：照片.jpg"."""
    labels = _FIELD_LABELS.get(event.action.rpartition(".")[0], {})
    words = []
    for key, value in event.details.items():
        if key == "values":
            words += [f"{labels.get(name, name)}：{_word(text)}" for name, text in value.items()]
        elif key == "changed":
            words += [f"{labels.get(name, name)}：{_word(old)} → {_word(new)}" for name, (old, new) in value.items()]
        else:
            words.append(f"{DETAIL_LABELS.get(key, key)}：{_word(value)}")
    return words


_VERBS = {"created": "新增", "changed": "修改", "deleted": "删除", "add": "新增", "change": "修改", "delete": "删除"}
_PREFIX_LABELS = {"admin": "后台"}


def may_view_audit(user):
    """Who may read and export the audit trail: the administrator and the read-only 审计员 (policy 'audit.view')."""
    return user.is_authenticated and user.is_active and can(user, "audit.view")


def visible_events(user):
    """The events ``user`` may read: the administrator all, an auditor those of the people whose roles lie in
    their scope for ``audit.view`` (another county's auditor reads none of this county's), anyone else none.
    Events of the administrator, the system and unknown names are the administrator's to read."""
    if not may_view_audit(user):
        return AuditEvent.objects.none()
    if scope_of(user).is_admin:
        return AuditEvent.objects.all()
    return AuditEvent.objects.filter(user__in=members_in_scope(user, "audit.view"))


def current_request():
    return _current_request.get()


def bind_request(request):
    """Called by AuditMiddleware: receivers without a request argument find it here."""
    return _current_request.set(request)


def unbind_request(token):
    _current_request.reset(token)


def client_ip(request):
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(request_or_user=None, action="", target="", *, by=None, **details):
    """Append one event. ``request_or_user``: the request (who and address), a user, or None (the current request);
    ``by`` names the user when the request does not know them yet (a login)."""
    request, user = _who(request_or_user)
    user = by or user
    authenticated = user is not None and user.is_authenticated
    username = details.pop("username", "") or (user.get_username() if authenticated else "")
    return AuditEvent.objects.create(user=user if authenticated else None, username=username[:150],
                                     ip=client_ip(request), action=action, target=str(target)[:300], details=details)


def _who(request_or_user):
    if request_or_user is None:
        request = current_request()
        return request, getattr(request, "user", None)
    if hasattr(request_or_user, "META"):
        return request_or_user, getattr(request_or_user, "user", None)
    return current_request(), request_or_user


def describe(obj):
    return f"{obj._meta.verbose_name} #{obj.pk} {obj}"


def track(model, prefix, fields=None):
    """Record every create, change and delete of ``model`` as '<prefix>.created|changed|deleted'.

    ``fields`` limits what is compared and kept in the details (default: every concrete field).
    A change is found by reading the row before the save, so use it for rarely written models.
    """
    _TRACKED.add(model._meta.label_lower)
    _FIELD_LABELS[prefix] = {field.name: field.verbose_name for field in model._meta.get_fields()
                             if hasattr(field, "verbose_name")}

    def text(instance, name, value):
        """A value as a reader knows it: a choice's label, a related object's name."""
        field = model._meta.get_field(name)
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if field.many_to_one and value is not None:
            return str(getattr(instance, name))
        return str(value)

    def snapshot(instance):
        return {key: text(instance, key, value) for key, value in model_to_dict(instance, fields=fields).items()}

    def before(sender, instance, raw=False, update_fields=None, **kwargs):
        if raw or instance.pk is None or update_fields == frozenset({"last_login"}):
            instance._audit_before = None
            return
        old = sender._default_manager.filter(pk=instance.pk).first()
        instance._audit_before = snapshot(old) if old is not None else None

    def after(sender, instance, created, raw=False, **kwargs):
        if raw:
            return
        if created:
            record(None, f"{prefix}.created", describe(instance), values=snapshot(instance))
            return
        old = getattr(instance, "_audit_before", None)
        if old is None:
            return
        new = snapshot(instance)
        changed = {key: [old.get(key), value] for key, value in new.items() if old.get(key) != value}
        if changed:
            record(None, f"{prefix}.changed", describe(instance), changed=changed)

    def deleted(sender, instance, **kwargs):
        record(None, f"{prefix}.deleted", describe(instance), values=snapshot(instance))

    uid = f"audit.{model._meta.label_lower}"
    pre_save.connect(before, sender=model, weak=False, dispatch_uid=uid)
    post_save.connect(after, sender=model, weak=False, dispatch_uid=uid)
    post_delete.connect(deleted, sender=model, weak=False, dispatch_uid=uid)


def is_tracked(model):
    return model._meta.label_lower in _TRACKED


def prune(now=None):
    """Delete the events older than AUDIT_RETENTION_DAYS; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    deleted, _ = AuditEvent.objects.filter(at__lt=cutoff)._prune()
    return deleted
