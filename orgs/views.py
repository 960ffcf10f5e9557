from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from kernel import audit, xlsx
from kernel.forms import OrgPicker
from kernel.imports import import_views
from kernel.policy import can, require
from kernel.uploads import download

from . import excel, queries, services
from .forms import OrganizationForm, StatisticsForm
from .models import Kind, Organization, OrgStatistics

CHILDREN_PER_PAGE = 50


def _visible_org(request, pk):
    return get_object_or_404(Organization.objects.visible_to(request.user), pk=pk)


def _editable_org(request, pk):
    """404 outside the scope (existence is not confirmed); 403 inside it for read-only roles."""
    org = _visible_org(request, pk)
    require(request.user, "orgs.manage", org)
    return org


def _year(request):
    try:
        return int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year


def tree(request):
    text = request.GET.get("q", "").strip()
    context = {"query": text}
    if text:
        results = list(queries.search(request.user, text))
        ancestors = queries.ancestors_by_path(results)
        context["results"] = [(org, queries.breadcrumb(org, ancestors)) for org in results]
    else:
        context["roots"] = queries.visible_roots(request.user)
    return render(request, "orgs/tree.html", context)


def children(request, pk):
    org = _visible_org(request, pk)
    kids = Organization.objects.visible_to(request.user).filter(path__startswith=org.path, depth=org.depth + 1)
    page = Paginator(kids, CHILDREN_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "orgs/_children.html", {"org": org, "page": page})


def detail(request, pk):
    org = _visible_org(request, pk)
    year = _year(request) if "year" in request.GET else (queries.latest_year(org) or timezone.localdate().year)
    ancestors = queries.ancestors_by_path([org])
    visible_ancestor_ids = set(Organization.objects.visible_to(request.user)
                               .filter(pk__in=[a.pk for a in ancestors.values()]).values_list("pk", flat=True))
    kids = Organization.objects.visible_to(request.user).filter(path__startswith=org.path, depth=org.depth + 1)
    context = {
        "org": org,
        "year": year,
        "breadcrumb": [a for a in queries.breadcrumb(org, ancestors) if a.pk in visible_ancestor_ids],
        "own_statistics": OrgStatistics.objects.filter(org=org, year=year).first(),
        "rollup": queries.rollup(org, year),
        "kind_counts": _labelled(queries.kind_counts(org), Kind.choices),
        "children": Paginator(kids, CHILDREN_PER_PAGE).get_page(request.GET.get("page")),
        "can_edit": can(request.user, "orgs.manage", org),
        "can_edit_statistics": services.can_edit_statistics(request.user, org),
    }
    return render(request, "orgs/detail.html", context)


PICK_LIMIT = 15


def pick(request):
    """The organisation picker's matches: names (or code prefixes) inside the user's scope for ``action``;
    with ``current`` (a code), the chosen organisation's name."""
    action = request.GET.get("action", "records.view")
    if action not in OrgPicker.served:
        raise Http404
    require(request.user, action)
    require(request.user, "records.view")  # the names it answers are records
    organisations = Organization.objects.for_action(request.user, action).visible_to(request.user)
    if "current" in request.GET:
        org = organisations.filter(code=request.GET["current"]).first()
        return render(request, "orgs/_pick_current.html", {"org": org})
    text = next((value for key, value in request.GET.items() if key.endswith("_search")), "").strip()[:50]
    matches = organisations.order_by("depth", "path")
    if text:
        matches = matches.filter(Q(name__icontains=text) | Q(code__startswith=text))
    found = list(matches[:PICK_LIMIT + 1])
    return render(request, "orgs/_picks.html", {"matches": found[:PICK_LIMIT], "more": len(found) > PICK_LIMIT,
                                                "text": text})


def _labelled(counts, choices):
    return [(label, counts.get(value, 0)) for value, label in choices]


def edit(request, pk):
    org = _editable_org(request, pk)
    parent = Organization.objects.get_parent(org)
    initial = {"parent_code": parent.code if parent else ""}
    return _save_org_form(request, org=org, initial=initial, title=f"编辑组织：{org.name}")


def add_child(request, pk):
    parent = _editable_org(request, pk)
    return _save_org_form(request, org=None, initial={"parent_code": parent.code, "sector": parent.sector},
                          title=f"在“{parent.name}”下新增组织")


def _save_org_form(request, *, org, initial, title):
    form = OrganizationForm(request.POST or None, instance=org, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in OrganizationForm.Meta.fields}
        try:
            saved = services.save_organization(user=request.user, org=org,
                                               parent=form.cleaned_data["parent_code"], **fields)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field, error)
        else:
            messages.success(request, "已保存。")
            return redirect(saved)
    return render(request, "orgs/form.html", {"form": form, "title": title, "org": org})


def edit_statistics(request, pk, year):
    org = _visible_org(request, pk)
    if not 2000 <= year <= 2100:
        raise Http404
    require(request.user, "orgs.statistics", org)
    instance = OrgStatistics.objects.filter(org=org, year=year).first()
    form = StatisticsForm(request.POST or None, instance=instance or OrgStatistics(org=org, year=year))
    if request.method == "POST" and form.is_valid():
        services.save_statistics(user=request.user, org=org, year=year,
                                 **{name: form.cleaned_data[name] for name in form.fields})
        messages.success(request, f"{year}年度统计数据已保存。")
        return redirect(f"{org.get_absolute_url()}?year={year}")
    return render(request, "orgs/statistics_form.html", {"form": form, "org": org, "year": year})


def export(request):
    year = _year(request)
    content = excel.export_workbook(request.user, year)
    audit.record(request, audit.Action.EXPORT, "组织和年度统计", year=year)
    return download(content, f"党组织-{year}.xlsx", xlsx.XLSX_CONTENT_TYPE)


import_upload, import_confirm = import_views(
    excel.IMPORT, template="orgs/import.html", done_url="orgs:tree", may_import=lambda user: can(user, "orgs.manage"))
