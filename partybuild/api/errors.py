"""Every error as JSON: ``{"detail": 中文, "code": …}``, plus ``field`` and ``errors`` for invalid input.

Service refusals (``ServiceError``) answer 400, policy refusals (``NotAllowed``) 403, a stale version 409
with ``current_version``; another county's object is simply not found (404).
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from partybuild.kernel.errors import ServiceError
from partybuild.kernel.policy import NotAllowed

NON_FIELD = "non_field_errors"


class Stale(exceptions.APIException):
    """A write based on an old version of the record: nothing was saved."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"

    def __init__(self, message, current_version):
        super().__init__(str(message))
        self.current_version = current_version


class Refused(exceptions.APIException):
    """A service's Chinese refusal (the record's state does not allow the change)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "refused"


def _first(detail):
    """(field, message) of the first error in a DRF error structure."""
    if isinstance(detail, dict):
        field, errors = next(iter(detail.items()))
        inner_field, message = _first(errors)
        return (field if field != NON_FIELD else inner_field), message
    if isinstance(detail, list):
        return _first(detail[0]) if detail else (None, "")
    return None, str(detail)


def handle(exc, context):
    if isinstance(exc, NotAllowed):
        exc = exceptions.PermissionDenied(str(exc))
    elif isinstance(exc, ServiceError):
        exc = Refused(str(exc))
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound("未找到，或不在您的权限范围内。")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied("您没有进行此操作的权限。")
    response = exception_handler(exc, context)
    if response is None:
        return None
    body = {"detail": "", "code": getattr(exc, "default_code", "error")}
    if isinstance(exc, exceptions.ValidationError):
        field, message = _first(exc.detail)
        body.update(detail=message, code="invalid", field=field, errors=exc.detail)
    else:
        body["detail"] = str(exc.detail)
        codes = exc.get_codes()
        body["code"] = codes if isinstance(codes, str) else body["code"]
    if isinstance(exc, Stale):
        body["current_version"] = exc.current_version
    return Response(body, status=response.status_code, headers={
        key: value for key, value in response.items() if key in ("WWW-Authenticate", "Retry-After")})
