"""The organisation sheet: export of the visible tree and all-or-nothing import of the same sheet."""

from django.core.exceptions import ValidationError

from partybuild.kernel import xlsx
from partybuild.kernel.imports import Importer
from partybuild.kernel.policy import can

from .models import Organization, OrgStatistics

_org = Organization._meta.get_field
TREE_COLUMNS = [
    xlsx.field_column(_org("code"), required=True, synonyms=("编码", "党组织编码")),
    xlsx.field_column(_org("name"), required=True, synonyms=("名称", "党组织名称")),
    xlsx.field_column(_org("code"), "parent_code", header="上级组织编码", synonyms=("上级编码", "上级党组织编码")),
    xlsx.field_column(_org("level"), required=True, synonyms=("组织层级",)),
    xlsx.field_column(_org("kind"), required=True, synonyms=("组织类型",)),
    xlsx.field_column(_org("sector"), required=True, synonyms=("所属领域",)),
]
STATISTICS_FIELDS = [
    f for f in OrgStatistics._meta.concrete_fields if f.name not in ("id", "org", "year")
]
COLUMNS = TREE_COLUMNS + [xlsx.field_column(OrgStatistics._meta.get_field("year"), synonyms=("年度",))] + [
    xlsx.field_column(f) for f in STATISTICS_FIELDS
]


FIRST_YEAR, LAST_YEAR = 1949, 2100


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

    return xlsx.write_rows("党组织", COLUMNS, records())


def _check(user, plan):
    """Every row against the tree (scope, parents, cycles) and the statistics rules; fills creates/updates."""
    codes = [record["code"] for _n, record in plan.rows if record["code"]]
    referenced = codes + [record["parent_code"] for _n, record in plan.rows if record["parent_code"]]
    existing = {o.code: o for o in Organization.objects.filter(code__in=referenced)}
    editable = set(Organization.objects.editable_by(user).filter(code__in=referenced).values_list("code", flat=True))
    in_file = {}
    for number, record in plan.rows:
        code = record["code"]
        if code in in_file:
            plan.error(number, "组织编码", f"与第{in_file[code]}行重复。")
        elif code:
            in_file[code] = number
    plan.facts["statistics"] = 0
    for number, record in plan.rows:
        _check_tree_row(plan, user, number, record, existing, editable, in_file)
        _check_statistics_row(plan, number, record)
    _check_cycles(plan)
    for _number, record in plan.rows:
        (plan.updates if record["code"] in existing else plan.creates).append(record)


def _check_tree_row(plan, user, number, record, existing, editable, in_file):
    code, parent_code = record["code"], record["parent_code"]
    if code in existing and code not in editable:
        plan.error(number, "组织编码", "该编码已被您管理范围以外的组织使用。")
    if parent_code:
        if parent_code == code:
            plan.error(number, "上级组织编码", "上级组织不能是它自己。")
        elif parent_code not in in_file and parent_code not in editable:
            plan.error(number, "上级组织编码",
                             f"上级组织“{parent_code}”不存在或不在您的管理范围内。")
        elif code in existing and parent_code in existing and parent_code not in in_file and \
                existing[parent_code].path.startswith(existing[code].path):
            plan.error(number, "上级组织编码", "不能把组织移动到它自己的下级组织之下。")
    elif not can(user, "orgs.manage_top") and not (code in existing and existing[code].depth == 1):
        plan.error(number, "上级组织编码", "不能为空：只有系统管理员可以导入顶级组织。")


def _check_statistics_row(plan, number, record):
    figures = {f.name: record[f.name] for f in STATISTICS_FIELDS if record[f.name] is not None}
    if not figures:
        return
    if record["year"] is None:
        plan.error(number, "统计年度", "填写了统计数据时，统计年度不能为空。")
        return
    if not FIRST_YEAR <= record["year"] <= LAST_YEAR:
        plan.error(number, "统计年度", f"统计年度应在 {FIRST_YEAR} 至 {LAST_YEAR} 之间。")
        return
    stats = OrgStatistics(year=record["year"], **figures)
    try:
        stats.clean()
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            header = str(OrgStatistics._meta.get_field(name).verbose_name)
            for message in messages:
                plan.error(number, header, message)
        return
    plan.facts["statistics"] += 1


def _check_cycles(plan):
    """A parent chain inside the file (or through existing organisations) must not loop."""
    parent_of = {r["code"]: r["parent_code"] for _n, r in plan.rows if r["code"]}
    for number, record in plan.rows:
        seen, code = set(), record["code"]
        while code in parent_of and code not in seen:
            seen.add(code)
            code = parent_of[code]
        if code in seen:
            plan.error(number, "上级组织编码", "上下级关系形成了循环。")


def _write(user, plan):
    """Write a valid plan: parents before children, existing codes updated, statistics upserted."""
    from .services import save_organization

    records = {r["code"]: r for _n, r in plan.rows}
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
    return "导入完成：新增 {c} 个组织，更新 {u} 个组织，统计数据 {s} 条。".format(
        c=len(plan.creates),
        u=len(plan.updates),
        s=plan.facts["statistics"],
    )


IMPORT = Importer("orgs", COLUMNS, _check, _write)
