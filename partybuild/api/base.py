"""What every API view shares: no login redirect (the API answers 401), cursor pages, idempotent creation."""

import functools
import hashlib
import json
import re

from django.contrib.auth.decorators import login_not_required
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from rest_framework import exceptions, generics, viewsets
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from partybuild.models import IdempotentRequest

from .schema import IDEMPOTENCY_HEADER


class NoLoginRedirect:
    # The site's LoginRequiredMiddleware redirects to the login page; the API authenticates itself.
    # Ids in addresses are digits only (anything else is an unknown address, 404), and no query value may
    # hold a NUL character (the database refuses them).

    lookup_value_regex = r"\d+"

    @classmethod
    def as_view(cls, *args, **kwargs):
        return login_not_required(super().as_view(*args, **kwargs))

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        for name, values in request.query_params.lists():
            if any("\x00" in value for value in [name, *values]):
                raise exceptions.ValidationError({name.replace("\x00", ""): ["不能包含空字符(NUL)。"]})


class ApiView(NoLoginRedirect, APIView):
    pass


class GenericApi(NoLoginRedirect, generics.GenericAPIView):
    pass


class ReadOnlyViewSet(NoLoginRedirect, viewsets.ReadOnlyModelViewSet):
    pass


class GenericViewSet(NoLoginRedirect, viewsets.GenericViewSet):
    pass


#: operations where files travel take multipart (documented) and, for old clients, JSON without files
UPLOAD_PARSERS = [MultiPartParser, JSONParser]
IDEMPOTENCY_KEY = re.compile(r"[!-~]{1,100}")


class Conflict(exceptions.APIException):
    status_code = 409
    default_code = "conflict"


class KeyReused(exceptions.APIException):
    status_code = 422
    default_code = "idempotency_key_reused"


def idempotent(method):
    """A POST sent with ``Idempotency-Key`` runs once per user and key: a replay gets the first answer again.

    The key is bound to a fingerprint of the request (method, address, body and files): the same key with
    anything else answers 422. Only a successful answer is kept; after an error the same key may be sent
    again. A replay says ``Idempotent-Replayed: true``.
    """

    @functools.wraps(method)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if not key:
            return method(view, request, *args, **kwargs)
        if not IDEMPOTENCY_KEY.fullmatch(key):
            raise exceptions.ValidationError({IDEMPOTENCY_HEADER: [
                "幂等键应为 1 到 100 个可见的 ASCII 字符(字母、数字、标点)。"]})
        record, first = _claim(request, key)
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


def fingerprint(request):
    """SHA-256 of what the request asks for: method, address, fields and the files' names and contents."""
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    data = request.data
    fields = sorted(data.lists()) if hasattr(data, "lists") else data
    digest.update(json.dumps(_canonical(fields), sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()


def _canonical(value):
    if isinstance(value, UploadedFile):
        content = hashlib.sha256()
        for chunk in value.chunks():
            content.update(chunk)
        value.seek(0)
        return {"file": value.name, "sha256": content.hexdigest()}
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def _claim(request, key):
    seen = fingerprint(request)
    try:
        with transaction.atomic():
            return IdempotentRequest.objects.create(user=request.user, key=key, method=request.method,
                                                    path=request.path[:300], fingerprint=seen), True
    except IntegrityError:
        return IdempotentRequest.objects.get(user=request.user, key=key), False


def _replay(record, request):
    if record.fingerprint != fingerprint(request):
        raise KeyReused("这个幂等键已用于另一个请求(地址或内容不同)，请换一个。")
    if record.status_code == 0:
        raise Conflict("使用相同幂等键的请求正在处理，请稍后再试。")
    return Response(record.body, status=record.status_code, headers={"Idempotent-Replayed": "true"})
