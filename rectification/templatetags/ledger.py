from django import template

from rectification.workflow import action_label as label_of

register = template.Library()


@register.filter
def action_label(action):
    """The Chinese label of a ledger log action."""
    return label_of(action)
