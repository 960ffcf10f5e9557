"""A main-menu entry; apps list theirs in ``<app>/navigation.py`` (``MENU``), the composition shows them."""

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    #: the policy action that shows the entry (kernel.policy.ACTIONS)
    action: str
    #: entries next to each other with the same group share one drop-down menu named by it (the menu fits one line)
    group: str = ""
