"""Small helpers shared by the apps' views."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError

from orgs.scoping import scope_of


def require_role(request, *roles):
    """403 unless the user holds one of ``roles`` somewhere (the object itself was already found in scope)."""
    if not scope_of(request.user).has_role(*roles):
        raise PermissionDenied


def run_service(request, action, success, refusals):
    """Call a service; its refusal (one of ``refusals`` or a ValidationError) becomes a Chinese error message."""
    try:
        result = action()
    except (*refusals, ValidationError) as exc:
        messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
        return None
    messages.success(request, success)
    return result
