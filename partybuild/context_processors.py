from django.urls import reverse

from kernel.policy import scope_of

from .navigation import menu_for, menu_sections


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = scope_of(user)
    menu = menu_for(scope)
    section = section_of(menu, request.path)
    return {"scope": scope, "menu": menu, "menu_sections": menu_sections(menu, section), "section": section,
            "own_org_ids": scope.own_org_ids()}


def section_of(menu, path):
    """The menu entry the page lies under (the longest URL that starts the path), for the breadcrumb.

    None on the home page and on pages under no menu entry."""
    best = None
    for item in menu:
        url = reverse(item.url_name)
        if url != "/" and path.startswith(url) and (best is None or len(url) > len(best["url"])):
            best = {"label": item.label, "url": url, "current": path == url}
    return best
