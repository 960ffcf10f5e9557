"""The organisation sheet: export of the visible tree and all-or-nothing import of the same sheet."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from partybuild.kernel import xlsx
from partybuild.kernel.policy import scope_of

from .models import Kind, Level, Organization, OrgStatistics, Sector

TREE_COLUMNS = [
    xlsx.Column("组织编码", "code", xlsx.text, required=True),
    xlsx.Column("组织名称", "name", xlsx.text, required=True),
    xlsx.Column("上级组织编码", "parent_code", xlsx.text),
    xlsx.choice_column("层级", "level", Level.choices, required=True),
    xlsx.choice_column("类型", "kind", Kind.choices, required=True),
    xlsx.choice_column("领域", "sector", Sector.choices, required=True),
]
STATISTICS_FIELDS = [
    f for f in OrgStatistics._meta.concrete_fields if f.name not in ("id", "org", "year")
]


def _parser_for(model_field):
    internal = model_field.get_internal_type()
    if internal == "BooleanField":
        return xlsx.yes_no
    if internal == "DateField":
        return xlsx.date
    if internal == "DecimalField":
        return xlsx.decimal_number
    return xlsx.whole_number


COLUMNS = TREE_COLUMNS + [xlsx.Column("统计年度", "year", xlsx.whole_number)] + [
    xlsx.Column(str(f.verbose_name), f.name, _parser_for(f)) for f in STATISTICS_FIELDS
]


def export_workbook(user, year) -> bytes:
    orgs = list(Organization.objects.visible_to(user).only("code", "name", "level", "kind", "sector", "path"))
    code_by_path = {o.path: o.code for o in orgs}
    parent_paths = {o.path[: -Organization.steplen] for o in orgs} - set(code_by_path) - {""}
    code_by_path.update(Organization.objects.filter(path__in=parent_paths).values_list("path", "code"))
    stats = {s.org_id: s for s in OrgStatistics.objects.filter(org__in=[o.pk for o in orgs], year=year)}

    def records():
        for org in orgs:
            record = {c.name: getattr(org, c.name, None) for c in TREE_COLUMNS}
            record["parent_code"] = code_by_path.get(org.path[: -Organization.steplen])
            if org.pk in stats:
                record["year"] = year
                record.update({f.name: getattr(stats[org.pk], f.name) for f in STATISTICS_FIELDS})
            yield record

    return xlsx.write_rows(_("党组织"), COLUMNS, records())


@dataclass
class ImportPlan:
    """The checked content of an uploaded sheet: what would be created and updated, or the errors."""

    sheet: xlsx.ParsedSheet
    creates: list[dict] = field(default_factory=list)
    updates: list[dict] = field(default_factory=list)
    statistics: int = 0

    @property
    def errors(self):
        return self.sheet.errors

    @property
    def is_valid(self):
        return not self.sheet.errors


def plan_import(user, uploaded_file) -> ImportPlan:
    """Parse and check every row; raises xlsx.SheetError when the file itself is unusable."""
    sheet = xlsx.read_rows(uploaded_file, COLUMNS)
    plan = ImportPlan(sheet)
    codes = [record["code"] for _n, record in sheet.rows if record["code"]]
    referenced = codes + [record["parent_code"] for _n, record in sheet.rows if record["parent_code"]]
    existing = {o.code: o for o in Organization.objects.filter(code__in=referenced)}
    editable = set(Organization.objects.editable_by(user).filter(code__in=referenced).values_list("code", flat=True))
    in_file = {}
    for number, record in sheet.rows:
        code = record["code"]
        if code in in_file:
            sheet.error(number, "组织编码", _("与第%(n)s行重复。") % {"n": in_file[code]})
        elif code:
            in_file[code] = number
    for number, record in sheet.rows:
        _check_tree_row(plan, user, number, record, existing, editable, in_file)
        _check_statistics_row(plan, number, record)
    _check_cycles(plan)
    for _number, record in sheet.rows:
        (plan.updates if record["code"] in existing else plan.creates).append(record)
    return plan


def _check_tree_row(plan, user, number, record, existing, editable, in_file):
    code, parent_code = record["code"], record["parent_code"]
    if code in existing and code not in editable:
        plan.sheet.error(number, "组织编码", _("该编码已被您管理范围以外的组织使用。"))
    if parent_code:
        if parent_code == code:
            plan.sheet.error(number, "上级组织编码", _("上级组织不能是它自己。"))
        elif parent_code not in in_file and parent_code not in editable:
            plan.sheet.error(number, "上级组织编码",
                             _("上级组织“%(c)s”不存在或不在您的管理范围内。") % {"c": parent_code})
        elif code in existing and parent_code in existing and parent_code not in in_file and \
                existing[parent_code].path.startswith(existing[code].path):
            plan.sheet.error(number, "上级组织编码", _("不能把组织移动到它自己的下级组织之下。"))
    elif not scope_of(user).is_admin and not (code in existing and existing[code].depth == 1):
        plan.sheet.error(number, "上级组织编码", _("不能为空：只有系统管理员可以导入顶级组织。"))


def _check_statistics_row(plan, number, record):
    figures = {f.name: record[f.name] for f in STATISTICS_FIELDS if record[f.name] is not None}
    if not figures:
        return
    if record["year"] is None:
        plan.sheet.error(number, "统计年度", _("填写了统计数据时，统计年度不能为空。"))
        return
    stats = OrgStatistics(year=record["year"], **figures)
    try:
        stats.clean()
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            header = str(OrgStatistics._meta.get_field(name).verbose_name)
            for message in messages:
                plan.sheet.error(number, header, message)
        return
    plan.statistics += 1


def _check_cycles(plan):
    """A parent chain inside the file (or through existing organisations) must not loop."""
    parent_of = {r["code"]: r["parent_code"] for _n, r in plan.sheet.rows if r["code"]}
    for number, record in plan.sheet.rows:
        seen, code = set(), record["code"]
        while code in parent_of and code not in seen:
            seen.add(code)
            code = parent_of[code]
        if code in seen:
            plan.sheet.error(number, "上级组织编码", _("上下级关系形成了循环。"))


@transaction.atomic
def apply_import(user, plan: ImportPlan):
    """Write a valid plan: parents before children, existing codes updated, statistics upserted."""
    from .services import save_organization

    assert plan.is_valid
    records = {r["code"]: r for _n, r in plan.sheet.rows}
    done = {}

    def write(code):
        if code in done:
            return done[code]
        record = records[code]
        parent_code = record["parent_code"]
        parent = (write(parent_code) if parent_code in records
                  else Organization.objects.get(code=parent_code) if parent_code else None)
        org = Organization.objects.filter(code=code).first()
        fields = {c.name: record[c.name] for c in TREE_COLUMNS if c.name != "parent_code"}
        done[code] = save_organization(user=user, org=org, parent=parent, **fields)
        return done[code]

    for code in records:
        write(code)
    for code, record in records.items():
        figures = {f.name: record[f.name] for f in STATISTICS_FIELDS if record[f.name] is not None}
        if figures:
            OrgStatistics.objects.update_or_create(org=done[code], year=record["year"], defaults=figures)
    return done
