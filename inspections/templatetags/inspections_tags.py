from django import template

from inspections import queries

register = template.Library()


@register.inclusion_tag("inspections/_org_history.html", takes_context=True)
def inspection_history(context, org):
    user = context["request"].user
    return {"visits": queries.org_history(user, org), "checklists": queries.checklist_rate(user, org)}
