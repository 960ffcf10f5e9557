"""The one choke point for object permissions.

Every scoped model's queryset derives from ScopedQuerySet and names, in ``org_lookup``, the
path from the model to its Organization. ``visible_to(user)`` and ``editable_by(user)`` turn
the user's role assignments into a single SQL filter on the organisation's materialised path.
"""

from django.db import models


class ScopedQuerySet(models.QuerySet):
    #: lookup from this model to its Organization ("org" → org__path__startswith); "" for the tree itself
    org_lookup = "org"
    #: roles that may change rows of this model within their scope (the administrator always may)
    edit_roles: tuple[str, ...] = ("staff",)

    def visible_to(self, user):
        from orgs.scoping import scope_of

        return self.filter(scope_of(user).q(self.org_lookup))

    def editable_by(self, user):
        return self.for_roles(user, self.edit_roles)

    def for_roles(self, user, roles):
        """Rows inside the part of the user's scope granted through one of ``roles``."""
        from orgs.scoping import scope_of

        return self.filter(scope_of(user).q(self.org_lookup, roles=roles))

