"""Writes to the organisation tree: each use case one function, in one transaction."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from kernel.policy import can

from .models import Organization, OrgStatistics


@transaction.atomic
def save_organization(*, user, org=None, parent=None, **fields) -> Organization:
    """Create an organisation under ``parent`` or update ``org``, moving it if the parent changed."""
    _check_parent(user, org, parent)
    if org is None:
        if parent is None:
            return Organization.objects.add_root(fields)
        return Organization.objects.add_child(parent, fields)
    for name, value in fields.items():
        setattr(org, name, value)
    org.save()
    current_parent_path = org.path[: -Organization.steplen]
    new_parent_path = parent.path if parent else ""
    if current_parent_path != new_parent_path:
        _move(org, parent)
        org.refresh_from_db()
    return org


def _check_parent(user, org, parent):
    if parent is None:
        is_root_now = org is not None and org.depth == 1
        if not (is_root_now or can(user, "orgs.manage_top")):
            raise ValidationError({"parent_code": "只有系统管理员可以创建或移动顶级组织。"})
        return
    if not can(user, "orgs.manage", parent):
        raise ValidationError({"parent_code": "上级组织不存在或不在您的管理范围内。"})
    if org is not None and parent.path.startswith(org.path):
        raise ValidationError({"parent_code": "不能把组织移动到它自己或它的下级组织之下。"})


def _move(org, parent):
    if parent is None:
        Organization.objects.move(org, Organization.objects.get_last_root_node(), "last-sibling")
    else:
        Organization.objects.move(org, parent, "last-child")


@transaction.atomic
def save_statistics(*, user, org, year, **figures) -> OrgStatistics:
    if not can_edit_statistics(user, org):
        raise PermissionDenied
    stats = OrgStatistics.objects.filter(org=org, year=year).first() or OrgStatistics(org=org, year=year)
    for name, value in figures.items():
        setattr(stats, name, value)
    stats.full_clean()
    stats.save()
    return stats


def can_edit_statistics(user, org) -> bool:
    return can(user, "orgs.statistics", org)
