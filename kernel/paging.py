"""Pages of long lists whose counts or rows are expensive at city volume."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CountedPaginator(Paginator):
    """A paginator told its count (an aggregate the page computes anyway, such as the ledger's status counts)."""

    def __init__(self, object_list, per_page, count, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = count

    @cached_property
    def count(self):
        return self._known_count


class NarrowPaginator(Paginator):
    """Sorts only the keys to find a page, then reads that page's rows. A deep page of wide rows (JSON, joined
    tables, annotations) made PostgreSQL sort every row it skipped whole; the ordering must be total (end with
    a unique column)."""

    def _get_page(self, object_list, number, paginator):
        keys = list(object_list.values_list("pk", flat=True))
        return super()._get_page(self.object_list.filter(pk__in=keys), number, paginator)


class NarrowCountedPaginator(NarrowPaginator, CountedPaginator):
    """A narrow page of a list whose count is known."""
