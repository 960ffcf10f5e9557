from . import audit


def operations(request):
    """Whether the signed-in user sees the audit trail link."""
    user = getattr(request, "user", None)
    return {"may_view_audit": user is not None and audit.may_view_audit(user)}
