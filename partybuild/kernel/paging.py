"""Pages of long lists whose counts are expensive at city volume.

A count is computed once per ``stamp`` (a value that moves whenever the counted rows may change, such as
the newest update time) and then read from the cache, so a page costs the query for its own rows only.
"""

import hashlib

from django.core.cache import cache
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from .policy import scope_of

COUNT_TIMEOUT = 600


def user_key(user):
    """The part of a cache key that names whose view it holds: the user and what their roles cover now."""
    return f"{user.pk}:{scope_of(user).key}"


def cached(key, stamp, compute):
    """``compute()`` (counts, sums, a rendered list), cached under ``key`` while ``stamp`` stays the same."""
    digest = hashlib.sha256(f"{key}\n{stamp}".encode()).hexdigest()
    return cache.get_or_set(f"figures:{digest}", compute, COUNT_TIMEOUT)


class CountedPaginator(Paginator):
    """A paginator told its count (by ``cached`` or an aggregate the page needs anyway)."""

    def __init__(self, object_list, per_page, count, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = count

    @cached_property
    def count(self):
        return self._known_count


class NarrowPaginator(Paginator):
    """Sorts only the keys to find a page, then reads that page's rows. A deep page of wide rows (JSON) made
    PostgreSQL sort every row it skipped whole; the ordering must be total (end with a unique column)."""

    def _get_page(self, object_list, number, paginator):
        keys = list(object_list.values_list("pk", flat=True))
        return super()._get_page(self.object_list.filter(pk__in=keys), number, paginator)


def cached_page(request, queryset, per_page, key, stamp):
    """The requested page of ``queryset``, its total counted once per ``stamp``."""
    count = cached(f"{key}:{user_key(request.user)}:{request.GET.urlencode()}", stamp, queryset.count)
    return CountedPaginator(queryset, per_page, count).get_page(request.GET.get("page"))
