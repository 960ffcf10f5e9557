"""The OpenAPI generator: drf-spectacular's, plus the ``Idempotency-Key`` header on idempotent writes."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER, str, OpenApiParameter.HEADER, required=False,
    description="同一用户、同一键的重复请求只执行一次，返回第一次成功的结果(响应头 Idempotent-Replayed: true)。")


class Schema(AutoSchema):
    def _resolve_path_parameters(self, variables):
        """Ids in addresses are digits (``lookup_value_regex``): integers, not strings with a pattern."""
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            if parameter["schema"].get("pattern") == r"^\d+$":
                parameter.update(schema={"type": "integer", "minimum": 0}, description="编号(id)")
        return parameters

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        handler = getattr(self.view, getattr(self.view, "action", None) or self.method.lower(), None)
        return [*parameters, IDEMPOTENCY_PARAMETER] if getattr(handler, "idempotent", False) else parameters
