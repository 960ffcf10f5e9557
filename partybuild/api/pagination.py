"""Lists come in cursor pages (stable while rows are added): ``next``/``previous`` links, ``page_size`` 1-200.

Every ordering ends with the id, so rows that tie on the ordered field keep one order between pages and
following ``next`` returns each row exactly once. Query values of the wrong type, an unknown ordering and a
spoilt cursor answer 400 with the parameter named; they are never silently ignored.
"""

from base64 import b64decode

from django.core.exceptions import ValidationError as DjangoValidationError
from django_filters import BooleanFilter
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import NotFound
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import CursorPagination

from .errors import invalid

TIE_BREAKER = "id"
BOOLEAN_VALUES = {"true", "false", "True", "False", "1", "0"}


class Cursor(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"
    #: DRF's cursor holds the ordered field's value and how many rows with that value were already returned;
    #: its default cap (1,000) would loop or skip once more rows than that tie (a bulk update's updated_at)
    offset_cutoff = 100_000

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if any(term.lstrip("-") in (TIE_BREAKER, "pk") for term in ordering):
            return ordering
        descending = ordering[0].startswith("-")
        return (*ordering, f"-{TIE_BREAKER}" if descending else TIE_BREAKER)

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise invalid(self.page_size_query_param, f"每页条数应为 1 到 {self.max_page_size} 之间的整数。")
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters

    def decode_cursor(self, request):
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is not None:
            b64decode(encoded.encode("ascii"), validate=True)  # DRF's own decoding skips stray characters
        return super().decode_cursor(request)

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except (NotFound, UnicodeError, ValueError, TypeError, DjangoValidationError) as exc:
            if request.query_params.get(self.cursor_query_param) is None:
                raise
            # a cursor that is not base64, or whose position does not fit the ordered field
            raise invalid(self.cursor_query_param, "翻页标记无效：请使用上一页返回的 next 或 previous 链接。") from exc


class StrictOrdering(OrderingFilter):
    """``ordering`` names only the documented fields; anything else is refused, not ignored."""

    def remove_invalid_fields(self, queryset, fields, view, request):
        valid = super().remove_invalid_fields(queryset, fields, view, request)
        if len(valid) != len(fields):
            allowed = "、".join(name for name, _ in self.get_valid_fields(queryset, view, {"request": request}))
            raise invalid(self.ordering_param, f"不支持这种排序，可选：{allowed}(前加“-”为倒序)。")
        return valid

    def get_schema_operation_parameters(self, view):
        fields = [name for name, _ in self.get_valid_fields(view.queryset, view, {"request": view.request})]
        return [{"name": self.ordering_param, "required": False, "in": "query",
                 "description": "排序字段，前加“-”为倒序；相同值按 id 排列",
                 "schema": {"type": "string", "enum": [*fields, *(f"-{name}" for name in fields)]}}]


class StrictFilters(DjangoFilterBackend):
    """A yes/no filter takes only true/false (django-filter would read anything else as 'not given')."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        for name, declared in (filterset.filters.items() if filterset else ()):
            value = request.query_params.get(name)
            if isinstance(declared, BooleanFilter) and value not in (None, "", *BOOLEAN_VALUES):
                raise invalid(name, "应为 true 或 false。")
        return filterset
