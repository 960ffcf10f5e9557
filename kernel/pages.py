"""The one way a view runs a service: its refusal becomes a Chinese message on the next page."""

from django.contrib import messages
from django.core.exceptions import ValidationError

from .errors import ServiceError


def run_service(request, action, success):
    """Call ``action()``; on success show ``success`` and return the result, on refusal show why and return None."""
    try:
        result = action()
    except (ServiceError, ValidationError) as exc:
        messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
        return None
    messages.success(request, success)
    return result
