from partybuild.kernel.policy import scope_of

from .navigation import menu_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = scope_of(user)
    return {"scope": scope, "menu": menu_for(scope)}
