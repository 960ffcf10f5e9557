"""The 考核细则 sheet: one row per indicator. Export of a scheme; import, all or nothing, always as a new version."""

from collections import defaultdict
from decimal import Decimal

from django import forms

from kernel import xlsx
from kernel.imports import Importer, ImportForm

from .models import Indicator, Scheme

_indicator = Indicator._meta.get_field
COLUMNS = [
    xlsx.field_column(_indicator("code"), required=True, synonyms=("指标编号", "序号")),
    xlsx.field_column(_indicator("code"), "parent", header="上级编号", synonyms=("所属维度编号",)),
    xlsx.field_column(_indicator("name"), required=True, synonyms=("指标名称", "考核内容", "考核项目")),
    xlsx.field_column(_indicator("kind"), required=True, synonyms=("指标类型",)),
    xlsx.field_column(_indicator("max_points"), synonyms=("分数", "标准分")),
    xlsx.field_column(_indicator("guidance"), max_length=2000, synonyms=("考核标准", "评分细则")),
]
EXPORTED = ("code", "parent__code", "name", "kind", "max_points", "guidance")
MAX_DEPTH = 3
MAX_INDICATORS = 2000
#: what counts towards a dimension's points
COUNTED = (Indicator.Kind.GROUP, Indicator.Kind.SCORE)


class SchemeImportForm(ImportForm):
    name = forms.CharField(label="细则名称", max_length=100)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    grading = forms.ChoiceField(label="评定等次", choices=Scheme.Grading.choices)
    bonus_cap = forms.IntegerField(label="加分上限(不填为不设上限)", min_value=0, max_value=9999,
                                   required=False)
    overdue_deduction = forms.IntegerField(label="每个逾期或未销号整改事项扣分", min_value=0,
                                           max_value=999, initial=0)


def export_workbook(scheme) -> bytes:
    rows = scheme.indicators.order_by("order", "id").values_list(*EXPORTED)
    return xlsx.write_rows(str(scheme), COLUMNS, rows.iterator())


def _check(user, plan):
    kinds, first_row = {}, {}
    for number, record in plan.rows:
        if record["code"] in first_row:
            plan.error(number, "编号", "与第{n}行重复。".format(n=first_row[record["code"]]))
        else:
            first_row[record["code"]] = number
        kinds[record["code"]] = record["kind"]
    parents = {r["code"]: r["parent"] for _n, r in plan.rows}
    for number, record in plan.rows:
        _check_row(plan, number, record, kinds, parents)
    _check_blocks(plan, first_row)
    _compare(plan)


def _compare(plan):
    """The rows against the latest version of the same scheme: new, changed, unchanged and removed indicators
    (said at preview and on import; the import is always a new version, so a used scheme is never changed)."""
    latest = _latest(plan.extra)
    stored = {row[0]: row for row in latest.indicators.values_list(*EXPORTED)} if latest else {}
    for _number, record in plan.rows:
        row = stored.pop(record["code"], None)
        if row is None:
            plan.creates.append(record)
        elif row != _as_stored(record):
            plan.updates.append(record)
        else:
            plan.unchanged += 1
    plan.facts["removed"] = len(stored)
    plan.facts["version"] = latest.version if latest else 0


def _latest(settings):
    return Scheme.objects.filter(name=settings.get("name"), year=settings.get("year")).order_by("-version").first()


def _as_stored(record):
    return (record["code"], record["parent"], record["name"], record["kind"], record["max_points"] or 0,
            record["guidance"] or "")


def _check_row(plan, number, record, kinds, parents):
    parent = record["parent"]
    if parent and kinds.get(parent) != Indicator.Kind.GROUP:
        plan.error(number, "上级编号", f"上级“{parent}”不存在或不是“维度”。")
    depth, code = 1, parent
    while code and depth <= MAX_DEPTH:
        depth, code = depth + 1, parents.get(code)
    if depth > MAX_DEPTH:
        plan.error(number, "上级编号", "指标最多三级。")
    points = record["max_points"]
    if points is not None and points < 0:
        plan.error(number, "分值", "分值不能为负数。")
    elif record["kind"] not in (Indicator.Kind.GROUP, None) and not points:
        plan.error(number, "分值", "计分、加分、扣分和一票否决指标必须填写大于 0 的分值(保留一位小数后)。")


def _check_blocks(plan, first_row):
    """A dimension with points may not hold more points than it has."""
    held = defaultdict(Decimal)
    for _number, record in plan.rows:
        if record["parent"] and record["kind"] in COUNTED:
            held[record["parent"]] += record["max_points"] or 0
    for _number, record in plan.rows:
        points, code = record["max_points"], record["code"]
        if record["kind"] == Indicator.Kind.GROUP and points and held[code] > points:
            plan.error(first_row[code], "分值", f"下属指标合计 {held[code]} 分，超过本维度的 {points} 分。")


def _write(user, plan) -> str:
    settings = plan.extra
    latest = _latest(settings)
    scheme = Scheme.objects.create(
        name=settings["name"], year=settings["year"], version=latest.version + 1 if latest else 1,
        grading=settings["grading"], bonus_cap=settings.get("bonus_cap"),
        overdue_deduction=settings.get("overdue_deduction") or 0)
    created = {}
    pending = [record for _n, record in plan.rows]
    while pending:  # parents first, whatever the order of the rows
        ready = [r for r in pending if not r["parent"] or r["parent"] in created]
        for order, record in enumerate(ready, start=len(created) + 1):
            created[record["code"]] = Indicator.objects.create(
                scheme=scheme, parent=created.get(record["parent"]), code=record["code"], name=record["name"],
                kind=record["kind"], max_points=record["max_points"] or 0, guidance=record["guidance"] or "",
                order=order)
        pending = [r for r in pending if r["code"] not in created]
    return f"已导入“{scheme}”，共 {plan.count} 项指标{_changes(plan)}。"


def _changes(plan):
    if not plan.facts["version"]:
        return ""
    return (f"，与第 {plan.facts['version']} 版相比：新增 {len(plan.creates)} 项，修改 {len(plan.updates)} 项，"
            f"删除 {plan.facts['removed']} 项，{plan.unchanged} 项无变化")


IMPORT = Importer("scheme", COLUMNS, _check, _write, max_rows=MAX_INDICATORS)
