"""Domain events: a domain app says what happened; the composition decides who is told and how.

Apps call ``emit("item_returned", item=item, actor=user)`` inside their service's transaction; receivers
connected to ``domain_event`` (partybuild.notifications) run at once in the same transaction, so a refused
or rolled-back change tells nobody. The kernel knows no event names: they belong to the apps.
"""

from django.dispatch import Signal

#: sent with ``kind`` (a string such as "item_raised") and the event's keyword arguments
domain_event = Signal()


def emit(kind, **payload):
    domain_event.send(sender=kind, kind=kind, **payload)
