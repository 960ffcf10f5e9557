"""The organisation sheet: export of the visible tree and all-or-nothing import of the same sheet."""

from django.core.exceptions import ValidationError
from django.db.models import Max

from kernel import xlsx
from kernel.imports import Importer
from kernel.policy import can

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
    for number, record in plan.rows:
        _check_tree_row(plan, user, number, record, existing, editable, in_file)
        _check_statistics_row(plan, number, record)
    current = _check_chains(plan, existing)
    _sort_out(plan, existing, current)


def _sort_out(plan, existing, current_parent):
    """Each row a creation, an update or unchanged (an exported sheet imported again changes nothing); a row's
    statistics are written when they differ from those stored."""
    orgs = [existing[r["code"]] for _n, r in plan.rows if r["code"] in existing]
    stored = {(s.org_id, s.year): s for s in OrgStatistics.objects.filter(org__in=orgs)}
    plan.facts["statistics"] = 0
    for _number, record in plan.rows:
        org = existing.get(record["code"])
        figures = _figures(record)
        record["statistics_changed"] = bool(figures) and _differs(stored.get((org and org.pk, record["year"])), figures)
        plan.facts["statistics"] += record["statistics_changed"]
        if org is None:
            plan.creates.append(record)
        elif record["statistics_changed"] or record["parent_code"] != current_parent.get(org.code) or _differs(
                org, {c.name: record[c.name] for c in TREE_COLUMNS if c.name != "parent_code"}):
            plan.updates.append(record)
        else:
            plan.unchanged += 1


def _figures(record):
    return {f.name: record[f.name] for f in STATISTICS_FIELDS if record[f.name] is not None}


def _differs(stored, values):
    return stored is None or any(getattr(stored, name) != value for name, value in values.items())


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
    figures = _figures(record)
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


#: the deepest chain the tree can store (the materialised path's length over its step)
MAX_DEPTH = Organization._meta.get_field("path").max_length // Organization.steplen


def _check_chains(plan, existing):
    """Every row's chain of parents, through the file and the existing tree, in any row order: no loop, and no
    deeper than MAX_DEPTH (the existing organisations below a moved one count with it). Stores each row's
    depth as ``record["depth"]``, which ``_write`` uses to write parents first; returns {code: its parent's code}
    of the existing organisations as they are now."""
    tree = Organization.objects.ancestors_of_paths([o.path for o in existing.values()], Organization.steplen)
    code_at = dict(tree.values_list("path", "code"))
    current = {code: code_at.get(path[: -Organization.steplen]) for path, code in code_at.items()}
    parent_of = {**current, **{r["code"]: r["parent_code"] for _n, r in plan.rows if r["code"]}}
    depths, refused = {}, {e.row for e in plan.errors if e.column == "上级组织编码"}  # said more precisely
    for number, record in plan.rows:
        depth = _depth(record["code"], parent_of, depths)
        record["depth"] = depth
        org = existing.get(record["code"])
        moved = org is not None and record["parent_code"] != current.get(org.code)
        if number in refused:
            continue
        if depth is None:
            plan.error(number, "上级组织编码", "上下级关系形成了循环。")
        elif depth + (_height_below(org) if moved else 0) > MAX_DEPTH:
            plan.error(number, "上级组织编码", f"组织层级过深：导入后超过 {MAX_DEPTH} 级。")
    return current


def _depth(code, parent_of, depths):
    """The depth of ``code`` (a root is 1), or None on a loop; walked without recursion, remembered in ``depths``."""
    chain, seen = [], set()
    while code and code not in depths:
        if code in seen:
            for link in chain:
                depths[link] = None
            return None
        seen.add(code)
        chain.append(code)
        code = parent_of.get(code)
    depth = depths[code] if code else 0
    for link in reversed(chain):
        depth = None if depth is None else depth + 1
        depths[link] = depth
    return depths[chain[0]] if chain else depth


def _height_below(org):
    """How many levels the existing organisations below ``org`` add to it (they move with it)."""
    deepest = Organization.objects.filter(path__startswith=org.path).aggregate(deepest=Max("depth"))["deepest"]
    return (deepest or org.depth) - org.depth


def _write(user, plan):
    """Write a valid plan: parents before children, existing codes updated, statistics upserted."""
    from .services import save_organization

    changed = {id(record) for record in [*plan.creates, *plan.updates]}
    records = {r["code"]: r for _n, r in sorted(plan.rows, key=lambda row: row[1]["depth"]) if id(r) in changed}
    done = {}
    for code, record in records.items():  # parents first
        parent_code = record["parent_code"]
        parent = done.get(parent_code) or (Organization.objects.get(code=parent_code) if parent_code else None)
        fields = {c.name: record[c.name] for c in TREE_COLUMNS if c.name != "parent_code"}
        done[code] = save_organization(user=user, org=Organization.objects.filter(code=code).first(), parent=parent,
                                       **fields)
    for code, record in records.items():
        if record["statistics_changed"]:
            OrgStatistics.objects.update_or_create(org=done[code], year=record["year"], defaults=_figures(record))
    return "导入完成：新增 {c} 个组织，更新 {u} 个组织，{n} 个无变化，统计数据 {s} 条。".format(
        c=len(plan.creates),
        u=len(plan.updates),
        n=plan.unchanged,
        s=plan.facts["statistics"],
    )


IMPORT = Importer("orgs", COLUMNS, _check, _write)
