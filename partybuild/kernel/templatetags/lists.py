"""``{% query_with page=3 %}``: the current query string with some parameters changed (paging links keep
the filters); ``{% page_links page %}``: numbered paging with a page-size choice."""

from django import template

from partybuild.kernel.lists import PAGE_SIZES

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    query = context["request"].GET.copy()
    for name, value in changes.items():
        query.pop(name, None)
        if value not in (None, ""):
            query[name] = value
    return query.urlencode()


@register.inclusion_tag("kernel/_pages.html", takes_context=True)
def page_links(context, page):
    numbers = page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
    return {"request": context["request"], "page": page, "numbers": list(numbers), "sizes": PAGE_SIZES,
            "per": page.paginator.per_page}
