"""A page found by its keys first holds the same rows, in the same order, as a plain page."""

from django.core.paginator import Paginator

from kernel.paging import NarrowPaginator
from orgs.models import Organization
from tests.factories import OrganizationFactory


def test_every_page_found_by_its_keys_is_the_plain_page(world, django_assert_num_queries):
    for n in range(13):
        OrganizationFactory(parent=world.town_b, name=f"{n % 3}号村党支部")
    rows = Organization.objects.order_by("name", "path")  # names repeat: the path decides
    plain, narrow = Paginator(rows, 4), NarrowPaginator(rows, 4)
    assert narrow.num_pages == plain.num_pages > 3
    for number in plain.page_range:
        expected = [(org.pk, org.name) for org in plain.page(number)]
        with django_assert_num_queries(2):  # the page's keys, then its rows
            assert [(org.pk, org.name) for org in narrow.page(number)] == expected
    assert list(narrow.get_page("不是页码")) == list(plain.get_page("不是页码"))
    assert list(narrow.get_page(999)) == list(plain.get_page(999))
