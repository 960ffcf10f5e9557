"""Every error as JSON: ``{"detail": 中文, "code": …}``, plus ``field`` and ``errors`` for invalid input.

Service refusals (``ServiceError``) answer 400, policy refusals (``NotAllowed``) 403, a stale version 409
with ``current_version``; another county's object is simply not found (404). What never reaches a view
(an unknown route, a missing slash, a refused CSRF check, an oversize body) is answered in the same shape
by ``JsonErrors``, the first middleware.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from kernel.errors import ServiceError
from kernel.policy import NotAllowed

NON_FIELD = "non_field_errors"
API_PREFIX = "/api/"
#: the Chinese sentence for an error status when nothing more precise is known
STATUS_TEXT = {
    400: "请求无效。", 401: "请先登录或提供有效的令牌。", 403: "您没有进行此操作的权限。",
    404: "未找到，或不在您的权限范围内。", 405: "这个地址不支持该请求方法。", 406: "只能返回 JSON。",
    409: "记录已被他人修改。", 413: "请求体过大。", 415: "请求体的格式不受支持，请使用 JSON。",
    422: "请求无法处理。", 429: "请求过于频繁，请稍后再试。", 500: "服务器内部错误，请稍后再试。",
}
TOO_LARGE = f"请求体过大：不能超过 {settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)} MB(文件另计)。"


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


def invalid(parameter, message):
    """A 400 naming the parameter (a query value, a header) that is wrong."""
    return exceptions.ValidationError({parameter: [message]})


def _first(detail):
    """(field, message) of the first error in a DRF error structure."""
    if isinstance(detail, dict):
        field, errors = next(iter(detail.items()))
        inner_field, message = _first(errors)
        return (field if field != NON_FIELD else inner_field), message
    if isinstance(detail, list):
        return _first(detail[0]) if detail else (None, "")
    return None, str(detail)


def _translated(exc):
    """The exception a client should see, with a Chinese sentence where DRF's would be English or vague."""
    if isinstance(exc, NotAllowed):
        return exceptions.PermissionDenied(str(exc))
    if isinstance(exc, ServiceError):
        return Refused(str(exc))
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, Http404):
        return exceptions.NotFound(STATUS_TEXT[404])
    if isinstance(exc, RequestDataTooBig):
        return exceptions.ParseError(TOO_LARGE, code="too_large")
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied(STATUS_TEXT[403])
    if isinstance(exc, exceptions.ParseError) and exc.get_codes() == "parse_error":
        return exceptions.ParseError("请求体无法解析：请发送有效的 JSON(上传文件时用 multipart/form-data)。")
    if isinstance(exc, exceptions.Throttled):
        wait = f"，请 {int(exc.wait) + 1} 秒后再试" if exc.wait is not None else "，请稍后再试"
        exc.detail = exceptions.ErrorDetail(f"请求过于频繁{wait}。", code="throttled")
    return exc


def handle(exc, context):
    exc = _translated(exc)
    response = exception_handler(exc, context)
    if response is None:
        return None
    body = {"detail": "", "code": getattr(exc, "default_code", "error")}
    if isinstance(exc, exceptions.ValidationError):
        field, message = _first(exc.detail)
        body.update(detail=message, code="invalid", field=field, errors=_as_object(exc.detail))
    else:
        body["detail"] = str(exc.detail)
        codes = exc.get_codes()
        body["code"] = codes if isinstance(codes, str) else body["code"]
    if isinstance(exc, Stale):
        body["current_version"] = exc.current_version
    return Response(body, status=response.status_code, headers={
        key: value for key, value in response.items() if key in ("WWW-Authenticate", "Retry-After")})


def _as_object(detail):
    """``errors`` is always an object of field → messages (a bare list belongs to no field)."""
    return detail if isinstance(detail, dict) else {NON_FIELD: detail}


def error_response(status_code, detail=None, code=None):
    return JsonResponse({"detail": detail or STATUS_TEXT.get(status_code, STATUS_TEXT[400]),
                         "code": code or ("not_found" if status_code == 404 else "error")},
                        status=status_code, json_dumps_params={"ensure_ascii": False})


@csrf_exempt
def not_found(request, *args, **kwargs):
    """Any /api/ address no route matches (a missing slash is named)."""
    path = request.path_info
    if not path.endswith("/") and _has_route(path + "/"):
        return error_response(404, f"地址应以“/”结尾：{path}/", "missing_slash")
    return error_response(404)


def _has_route(path):
    """A route other than the catch-all that sent the request to ``not_found``."""
    try:
        return resolve(path).func is not not_found
    except Resolver404:
        return False


class JsonErrors:
    """Under /api/, an error that reached no API view (HTML from Django or a middleware) is answered in JSON."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        if _declared_length(request) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE and not _is_multipart(request):
            return error_response(400, TOO_LARGE, "too_large")
        response = self.get_response(request)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith("application/json"):
            return error_response(response.status_code)
        return response


def _declared_length(request):
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _is_multipart(request):
    return request.META.get("CONTENT_TYPE", "").startswith("multipart/")
