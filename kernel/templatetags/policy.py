"""``{% can "action" obj as may %}`` and ``user|may:"action"``: templates ask the policy, nothing else."""

from django import template

from kernel import policy

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, action, obj=None):
    return policy.can(context["request"].user, action, obj)


@register.filter
def may(user, action):
    return policy.can(user, action)
