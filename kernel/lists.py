"""Long lists: the page size a user chose (每页 30 / 50 / 100) and the links of numbered paging."""

PAGE_SIZES = (30, 50, 100)


def query_without(request, name):
    """The request's query string without ``name`` (a list's links keep its filters, not its page)."""
    query = request.GET.copy()
    query.pop(name, None)
    return query.urlencode()


def per_page(request, default=PAGE_SIZES[0]):
    """The page size asked for with ``?per=``, if it is one of ``PAGE_SIZES``; otherwise ``default``."""
    asked = request.GET.get("per", "")
    return int(asked) if asked in {str(size) for size in PAGE_SIZES} else default
