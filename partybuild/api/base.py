"""What every API view shares: no login redirect (the API answers 401), cursor pages, idempotent creation."""

import functools
import json

from django.contrib.auth.decorators import login_not_required
from django.db import IntegrityError, transaction
from drf_spectacular.utils import inline_serializer
from rest_framework import exceptions, generics, serializers, viewsets
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from partybuild.models import IdempotentRequest

from .schema import IDEMPOTENCY_HEADER


class NoLoginRedirect:
    """The site's LoginRequiredMiddleware redirects to the login page; the API authenticates itself."""

    @classmethod
    def as_view(cls, *args, **kwargs):
        return login_not_required(super().as_view(*args, **kwargs))


class ApiView(NoLoginRedirect, APIView):
    pass


class GenericApi(NoLoginRedirect, generics.GenericAPIView):
    pass


class ReadOnlyViewSet(NoLoginRedirect, viewsets.ReadOnlyModelViewSet):
    pass


class GenericViewSet(NoLoginRedirect, viewsets.GenericViewSet):
    pass


ERROR = inline_serializer("Error", {
    "detail": serializers.CharField(help_text="中文说明"),
    "code": serializers.CharField(),
    "field": serializers.CharField(required=False, allow_null=True, help_text="第一个出错的字段"),
    "errors": serializers.DictField(required=False, help_text="每个字段的错误"),
    "current_version": serializers.IntegerField(required=False, help_text="409 时：事项当前的版本"),
})
#: the error answers every writing endpoint documents
WRITE_ERRORS = {400: ERROR, 403: ERROR, 404: ERROR}


class Conflict(exceptions.APIException):
    status_code = 409
    default_code = "conflict"


class KeyReused(exceptions.APIException):
    status_code = 422
    default_code = "idempotency_key_reused"


def idempotent(method):
    """A POST sent with ``Idempotency-Key`` runs once per user and key: a replay gets the first answer again.

    Only a successful answer is kept; after an error the same key may be sent again. A replay says
    ``Idempotent-Replayed: true``.
    """

    @functools.wraps(method)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if not key:
            return method(view, request, *args, **kwargs)
        if len(key) > 100:
            raise exceptions.ValidationError({IDEMPOTENCY_HEADER: ["幂等键不能超过 100 个字符。"]})
        record, first = _claim(request.user, key, request.method, request.path)
        if not first:
            return _replay(record, request)
        try:
            response = method(view, request, *args, **kwargs)
        except BaseException:
            record.delete()
            raise
        if 200 <= response.status_code < 300:
            record.status_code = response.status_code
            record.body = json.loads(JSONRenderer().render(response.data) or b"null")
            record.save(update_fields=["status_code", "body"])
        else:
            record.delete()
        return response

    wrapper.idempotent = True  # documented by partybuild.api.schema
    return wrapper


def _claim(user, key, method, path):
    try:
        with transaction.atomic():
            return IdempotentRequest.objects.create(user=user, key=key, method=method, path=path), True
    except IntegrityError:
        return IdempotentRequest.objects.get(user=user, key=key), False


def _replay(record, request):
    if (record.method, record.path) != (request.method, request.path):
        raise KeyReused("这个幂等键已用于另一个请求，请换一个。")
    if record.status_code == 0:
        raise Conflict("使用相同幂等键的请求正在处理，请稍后再试。")
    return Response(record.body, status=record.status_code, headers={"Idempotent-Replayed": "true"})
