import django_filters
from django.db.models import Q
from django.forms import CheckboxInput
from django.utils import timezone

from kernel import search
from kernel.forms import DateInput, OrgPicker
from orgs.models import Organization

from . import figures
from .figures import Period
from .models import Problem, ProblemCategory, RectificationItem

SORTS = {
    "deadline": ("deadline", "id"), "-deadline": ("-deadline", "-id"),
    "found": ("problem__found_on", "id"), "-found": ("-problem__found_on", "-id"),
    "org": ("problem__org__path", "deadline"), "status": ("status", "deadline"),
}


class LedgerFilter(django_filters.FilterSet):
    """Filters of the ledger page and of its Excel export (the same query serves both)."""

    q = django_filters.CharFilter(label="关键词", method="filter_text")
    status = django_filters.ChoiceFilter(label="状态", choices=RectificationItem.Status.choices,
                                         empty_label="全部")
    kind = django_filters.ChoiceFilter(label="整改类型", choices=RectificationItem.Kind.choices,
                                       empty_label="全部")
    source = django_filters.ChoiceFilter(label="问题来源", field_name="problem__source",
                                         choices=Problem.Source.choices, empty_label="全部")
    category = django_filters.ModelChoiceFilter(label="问题类别", field_name="problem__category",
                                                queryset=ProblemCategory.objects.select_related("dimension"),
                                                empty_label="全部")
    # ticked: only those items; not ticked: no filter (links may still say ?overdue=true)
    overdue = django_filters.BooleanFilter(label="只看逾期", method="filter_overdue", widget=CheckboxInput)
    missing_report = django_filters.BooleanFilter(label="只看本月未报送进展", method="filter_missing_report",
                                                  widget=CheckboxInput)
    person = django_filters.CharFilter(label="责任人", field_name="responsible_person", lookup_expr="icontains")
    deadline_from = django_filters.DateFilter(label="整改时限从", field_name="deadline", lookup_expr="gte",
                                              widget=DateInput)
    deadline_to = django_filters.DateFilter(label="整改时限到", field_name="deadline", lookup_expr="lte",
                                            widget=DateInput)
    org = django_filters.CharFilter(label="党组织(含下级)", method="filter_subtree", widget=OrgPicker())
    sort = django_filters.ChoiceFilter(label="排序", method="filter_sort", empty_label="按时限", choices=[
        ("-deadline", "时限从晚到早"), ("found", "发现日期从早到晚"), ("-found", "发现日期从晚到早"),
        ("org", "按组织"), ("status", "按状态")])

    class Meta:
        model = RectificationItem
        fields = []

    def filter_text(self, queryset, name, value):
        problems = search.containing(Problem.objects.all(), "description", value).values("pk")
        items = search.containing(RectificationItem.objects.all(), "measures", value).values("pk")
        return queryset.filter(Q(problem__in=problems) | Q(pk__in=items))

    def filter_overdue(self, queryset, name, value):
        today = timezone.localdate()
        return queryset.overdue_on(today) if value else queryset

    def filter_missing_report(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(pk__in=figures.state_figure("missing_report", None, Period.current()).values("item_id"))

    def filter_subtree(self, queryset, name, value):
        org = Organization.objects.filter(code=value.strip()).first()
        return queryset.filter(problem__org__path__startswith=org.path) if org else queryset.none()

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*SORTS.get(value, SORTS["deadline"]))
