"""The OpenAPI generator: drf-spectacular's, made to tell the whole truth.

- every operation documents every error a client can meet, in the one error shape (``ERROR``): 400, 401,
  403, 404, 429, and 409/422 where an ``Idempotency-Key`` is accepted;
- a description is the operation's own docstring or its view's, never one inherited from a mixin;
- ids in addresses are integers; the ``Idempotency-Key`` header is declared on idempotent writes;
- ``LINKS`` (added by ``add_links``) say which operation reads or acts on what another one created.
"""

import inspect

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers

from .errors import STATUS_TEXT

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER, str, OpenApiParameter.HEADER, required=False, pattern=r"^[!-~]{1,100}$",
    description="同一用户、同一键、同一请求内容只执行一次，返回第一次成功的结果(响应头 Idempotent-Replayed: true)；"
                "同一键用于不同的请求时返回 422。")

ERROR = inline_serializer("Error", {
    "detail": serializers.CharField(help_text="中文说明"),
    "code": serializers.CharField(),
    "field": serializers.CharField(required=False, allow_null=True, help_text="第一个出错的字段或参数"),
    "errors": serializers.DictField(required=False, help_text="每个字段的错误"),
    "current_version": serializers.IntegerField(required=False, help_text="409 时：事项当前的版本"),
})
#: a write based on an old version
STALE = OpenApiResponse(ERROR, description="事项已被他人修改，未保存：按 current_version 重新读取后再提交。")
#: what any operation may answer besides its success
ERROR_STATUSES = (400, 401, 403, 404, 429)
#: what an operation taking an Idempotency-Key may answer as well
IDEMPOTENT_STATUSES = (409, 422)

#: the files an evidence download may be (by the uploaded name's extension), or bytes of an unknown kind
FILE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf", "application/msword",
              "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
              "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              "application/vnd.openxmlformats-officedocument.presentationml.presentation",
              "application/octet-stream")


def file_responses(description, media_types=FILE_TYPES):
    """The 200 of a download: binary content under each media type it may come as."""
    return {(200, media_type): OpenApiResponse(bytes, description=description) for media_type in media_types}


def _from_body(pointer):
    return f"$response.body#/{pointer}"


#: (operationId, status) → {link name: (operationId it leads to, {its parameter: where the value comes from})}
LINKS = {
    ("problems_create", "201"): {
        "ReadProblem": ("problems_retrieve", {"id": _from_body("id")}),
        "ReadItem": ("items_retrieve", {"id": _from_body("item")}),
    },
    ("problems_retrieve", "200"): {"ReadItem": ("items_retrieve", {"id": _from_body("item")})},
    ("items_retrieve", "200"): {
        "History": ("items_history_list", {"id": _from_body("id")}),
        "Progress": ("items_progress_list", {"id": _from_body("id")}),
        "ReportProgress": ("items_progress_create", {"id": _from_body("id")}),
        "Act": ("items_actions_create", {"id": _from_body("id")}),
        "Plan": ("items_plan_update", {"id": _from_body("id")}),
        "AskExtension": ("items_extension_create", {"id": _from_body("id")}),
    },
    ("items_extension_create", "201"): {
        "ReadExtension": ("extensions_retrieve", {"id": _from_body("id")}),
        "Decide": ("extensions_decide_create", {"id": _from_body("id")}),
        "ReadItem": ("items_retrieve", {"id": _from_body("item")}),
    },
    ("targets_retrieve", "200"): {"RecordVisit": ("targets_visits_create", {"id": _from_body("id")})},
    ("targets_visits_create", "201"): {
        "ReadVisit": ("visits_retrieve", {"id": _from_body("id")}),
        "AddFinding": ("visits_findings_create", {"id": _from_body("id")}),
    },
    ("visits_findings_create", "201"): {
        "ReadFinding": ("findings_retrieve", {"id": _from_body("id")}),
        "RaiseProblem": ("findings_raise_create", {"id": _from_body("id")}),
    },
    ("findings_raise_create", "201"): {
        "ReadProblem": ("problems_retrieve", {"id": _from_body("problem")}),
        "ReadItem": ("items_retrieve", {"id": _from_body("item")}),
    },
    ("reports_create", "202"): {"ReadReport": ("reports_retrieve", {"id": _from_body("id")})},
    ("notifications_retrieve", "200"): {"MarkRead": ("notifications_read_create", {"id": _from_body("id")})},
}


def add_links(result, generator, request, public):
    """Postprocessing hook: the ``links`` of ``LINKS`` on the responses they start from."""
    operations = {op["operationId"]: op for item in result["paths"].values() for op in item.values()}
    for (operation_id, status), links in LINKS.items():
        response = operations[operation_id]["responses"][status]
        response["links"] = {name: {"operationId": target, "parameters": parameters}
                             for name, (target, parameters) in links.items()}
    return result


def drop_parameter_titles(result, generator, request, public):
    """Postprocessing hook: a filter's Chinese form label is its parameter's description, not a schema title
    (generated clients name types after titles)."""
    for item in result["paths"].values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                parameter["schema"].pop("title", None)
    return result


class Schema(AutoSchema):
    def _handler(self):
        return getattr(self.view, getattr(self.view, "action", None) or self.method.lower(), None)

    def _is_idempotent(self):
        return getattr(self._handler(), "idempotent", False)

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        return [*parameters, IDEMPOTENCY_PARAMETER] if self._is_idempotent() else parameters

    def get_description(self):
        """The handler's docstring, else the view class's own (never one a base class or mixin carries)."""
        own = self.view.__class__.__dict__.get("__doc__")
        handler_doc = inspect.getdoc(self._handler()) if self._handler() else None
        return handler_doc or (inspect.cleandoc(own) if own else "")

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        statuses = ERROR_STATUSES + (IDEMPOTENT_STATUSES if self._is_idempotent() else ())
        for status in statuses:
            if str(status) not in responses:
                error = OpenApiResponse(ERROR, description=STATUS_TEXT[status])
                responses[str(status)] = self._get_response_for_code(error, str(status), direction=direction)
        return dict(sorted(responses.items()))

    def _resolve_path_parameters(self, variables):
        """Ids in addresses are digits (``lookup_value_regex``): integers, not strings with a pattern."""
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            if parameter["schema"].get("pattern") == r"^\d+$":
                parameter.update(schema={"type": "integer", "minimum": 0}, description="编号(id)")
        return parameters
