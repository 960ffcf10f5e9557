"""Scoped querysets: every scoped model's rows, restricted by the policy in one SQL filter.

A subclass names, in ``org_lookup``, the path from the model to its Organization ("" for the tree
itself), in ``edit_action`` the policy action that changes its rows, and in ``archived_lookup`` the
flag of records an administrator archived: those drop out of everything a user sees.
"""

from django.db import models

from .policy import scope_of


class ScopedQuerySet(models.QuerySet):
    org_lookup = "org"
    edit_action = "ledger.manage"
    archived_lookup = ""

    def visible_to(self, user):
        return self.filter(scope_of(user).q(self.org_lookup)).unarchived()

    def editable_by(self, user):
        return self.for_action(user, self.edit_action)

    def for_action(self, user, action):
        """Rows inside the part of the user's scope granted for ``action`` (see kernel.policy)."""
        return self.filter(scope_of(user).q(self.org_lookup, action=action)).unarchived()

    def unarchived(self):
        return self.filter(**{self.archived_lookup: False}) if self.archived_lookup else self
