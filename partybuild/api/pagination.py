"""Lists come in cursor pages (stable while rows are added): ``next``/``previous`` links, ``page_size`` up to 200."""

from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"
