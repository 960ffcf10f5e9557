"""``{% query_with page=3 %}``: the current query string with some parameters changed (paging links keep
the filters); ``{% page_links page %}``: numbered paging with a page-size choice."""

from django import template

from kernel.forms import OrgPicker
from kernel.lists import PAGE_SIZES

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


@register.simple_tag
def org_picker(name, value, action="records.view", placeholder=""):
    """The organisation picker in a filter form written in the template (a GET parameter holding a code)."""
    attrs = {"class": "form-control-sm", "placeholder": placeholder} if placeholder else {"class": "form-control-sm"}
    return OrgPicker(action).render(name, value, attrs)
