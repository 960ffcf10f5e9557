"""Import of an Excel 考核细则 sheet: one row per indicator, all or nothing, always as a new version."""

from dataclasses import dataclass

from django import forms
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partybuild.kernel import xlsx
from partybuild.kernel.imports import ImportForm

from .models import Indicator, Scheme

COLUMNS = [
    xlsx.Column("编号", "code", xlsx.text, required=True),
    xlsx.Column("上级编号", "parent", xlsx.text),
    xlsx.Column("指标", "name", xlsx.text, required=True),
    xlsx.choice_column("类型", "kind", Indicator.Kind.choices, required=True),
    xlsx.Column("分值", "max_points", xlsx.decimal_number),
    xlsx.Column("评分标准", "guidance", xlsx.text),
]
MAX_DEPTH = 3


class SchemeImportForm(ImportForm):
    name = forms.CharField(label=gettext_lazy("细则名称"), max_length=100)
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    grading = forms.ChoiceField(label=gettext_lazy("评定等次"), choices=Scheme.Grading.choices)
    bonus_cap = forms.IntegerField(label=gettext_lazy("加分上限(不填为不设上限)"), min_value=0, required=False)
    overdue_deduction = forms.IntegerField(label=gettext_lazy("每个逾期或未销号整改事项扣分"), min_value=0,
                                           initial=0)


@dataclass
class SchemePlan:
    sheet: xlsx.ParsedSheet
    settings: dict

    @property
    def errors(self):
        return self.sheet.errors

    @property
    def is_valid(self):
        return not self.sheet.errors

    @property
    def count(self):
        return len(self.sheet.rows)


def plan_import(user, uploaded_file, **settings) -> SchemePlan:
    sheet = xlsx.read_rows(uploaded_file, COLUMNS)
    kinds = {}
    for number, record in sheet.rows:
        if record["code"] in kinds:
            sheet.error(number, "编号", _("编号重复。"))
        kinds[record["code"]] = record["kind"]
    parents = {r["code"]: r["parent"] for _n, r in sheet.rows}
    for number, record in sheet.rows:
        _check_row(sheet, number, record, kinds, parents)
    return SchemePlan(sheet, settings)


def _check_row(sheet, number, record, kinds, parents):
    parent = record["parent"]
    if parent and kinds.get(parent) != Indicator.Kind.GROUP:
        sheet.error(number, "上级编号", _("上级“%(p)s”不存在或不是“维度”。") % {"p": parent})
    depth, code = 1, parent
    while code and depth <= MAX_DEPTH:
        depth, code = depth + 1, parents.get(code)
    if depth > MAX_DEPTH:
        sheet.error(number, "上级编号", _("指标最多三级。"))
    points = record["max_points"]
    if record["kind"] not in (Indicator.Kind.GROUP, None) and (points is None or points <= 0):
        sheet.error(number, "分值", _("计分、加分、扣分和一票否决指标必须填写大于 0 的分值。"))


@transaction.atomic
def apply_import(user, plan: SchemePlan) -> Scheme:
    settings = plan.settings
    latest = Scheme.objects.filter(name=settings["name"], year=settings["year"]).order_by("-version").first()
    scheme = Scheme.objects.create(
        name=settings["name"], year=settings["year"], version=latest.version + 1 if latest else 1,
        grading=settings["grading"], bonus_cap=settings.get("bonus_cap"),
        overdue_deduction=settings.get("overdue_deduction") or 0)
    created = {}
    pending = [record for _n, record in plan.sheet.rows]
    while pending:  # parents first, whatever the order of the rows
        ready = [r for r in pending if not r["parent"] or r["parent"] in created]
        for order, record in enumerate(ready, start=len(created) + 1):
            created[record["code"]] = Indicator.objects.create(
                scheme=scheme, parent=created.get(record["parent"]), code=record["code"], name=record["name"],
                kind=record["kind"], max_points=record["max_points"] or 0, guidance=record["guidance"] or "",
                order=order)
        pending = [r for r in pending if r["code"] not in created]
    return scheme
