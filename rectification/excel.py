"""The ledger sheet in the standard columns: export of any filtered ledger, all-or-nothing import.

The export carries each item's 台账编号; importing the sheet again updates those items' plans (and
refuses changes the workflow owns) instead of raising the same problems twice. Rows without a
台账编号 become new problems. Confirming writes in bulk: a fixed number of queries per batch.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from kernel import typeset, xlsx
from kernel.imports import Importer
from orgs.models import Organization

from .models import ItemTransition, Problem, ProblemCategory, ProgressUpdate, RectificationItem
from .queries import latest_progress
from .services import PLAN_FIELDS
from .services import _describe_change as describe_change
from .validators import not_after_today

Status = RectificationItem.Status
_problem, _item = Problem._meta.get_field, RectificationItem._meta.get_field
BATCH = 2000

COLUMNS = [
    xlsx.Column("序号", "number", xlsx.whole_number),
    xlsx.field_column(Organization._meta.get_field("code"), "org_code", required=True, synonyms=("编码",)),
    xlsx.Column("组织名称", "org_name", synonyms=("党组织", "单位名称")),
    xlsx.field_column(_problem("source"), required=True),
    xlsx.field_column(ProblemCategory._meta.get_field("name"), "category", header="问题类别"),
    xlsx.field_column(_problem("description"), required=True, synonyms=("问题", "存在问题")),
    xlsx.field_column(_problem("found_on"), synonyms=("发现时间",)),
    xlsx.field_column(_item("measures")),
    xlsx.field_column(_item("responsible_unit")),
    xlsx.field_column(_item("responsible_person")),
    xlsx.field_column(_item("deadline"), synonyms=("整改期限", "完成时限")),
    xlsx.field_column(_item("kind")),
    xlsx.Column("整改进展", "progress", max_length=ProgressUpdate._meta.get_field("text").max_length),
    xlsx.field_column(_item("status"), header="完成情况", synonyms=("整改状态", "状态")),
    xlsx.field_column(_item("closed_on"), synonyms=("销号时间",)),
    xlsx.field_column(_item("id"), header="台账编号", synonyms=("事项编号",)),
]
EXPORTED = ("problem__org__code", "problem__org__name", "problem__source", "problem__category__name",
            "problem__description", "problem__found_on", "measures", "responsible_unit", "responsible_person",
            "deadline", "kind", "latest_progress", "status", "closed_on", "pk")


LOG_COLUMNS = [xlsx.Column(header, name) for header, name in [
    ("记录编号", "id"), ("事项编号", "item_id"), ("上一条记录", "previous_id"), ("操作", "action"),
    ("原状态", "from_status"), ("新状态", "to_status"), ("整改轮次", "cycle"), ("操作人编号", "actor_id"),
    ("说明", "comment"), ("时间(UTC)", "happened_at"), ("组织编号", "org_id"), ("组织路径", "org_path"),
    ("问题类别编号", "category_id"), ("整改时限", "deadline"), ("已归档", "archived"),
    ("上一条校验值", "previous_hash"), ("校验值", "hash")]]
HOW_TO_VERIFY = [
    "每条流转记录的校验值 = SHA-256(JSON)，JSON 按键名排序、紧凑书写(分隔符 \",\" 和 \":\")、不转义中文，",
    "键为：item_id、action、from_status、to_status、cycle、actor_id、comment、org_id、org_path、category_id、",
    "deadline(YYYY-MM-DD 或 null)、archived(true/false)、previous_id、happened_at(UTC，ISO 8601，精确到微秒)、",
    "previous_hash(同一事项上一条记录的校验值，第一条为空字符串)；空值写 null。",
    "同一事项的记录按记录编号依次相连：每条的“上一条校验值”应等于上一条的校验值。",
]


def _records(items):
    """``items`` (a scoped, filtered RectificationItem queryset) as the export's lines, read as tuples."""
    rows = latest_progress(items).values_list(*EXPORTED)
    return ((number, *row) for number, row in enumerate(rows.iterator(chunk_size=BATCH), start=1))


def export_workbook(items, with_hashes=False) -> bytes:
    """One line per item. ``with_hashes`` adds their full log with the hash chain, so an auditor can check it
    offline."""
    sheets = [("整改台账", COLUMNS, _records(items))]
    if with_hashes:
        log = (ItemTransition.objects.filter(item__in=items.values("pk")).order_by("item_id", "id")
               .annotate(previous_hash=F("previous__hash")))
        sheets.append(("流转记录(含校验值)", LOG_COLUMNS, (_log_record(e) for e in log.iterator(chunk_size=BATCH))))
        sheets.append(("校验方法", [xlsx.Column("说明", "text")], ({"text": line} for line in HOW_TO_VERIFY)))
    return xlsx.write_sheets(sheets)


#: a printed ledger longer than this is refused: filter it first (or take the Excel export)
PRINT_MAX_ROWS = 3000


def printed_ledger(items) -> bytes:
    """The same lines as ``export_workbook``'s first sheet, as a ruled A4 landscape PDF."""
    return typeset.table_pdf("整改台账", COLUMNS, _records(items))


def _log_record(entry):
    record = {column.name: getattr(entry, column.name) for column in LOG_COLUMNS}
    record["happened_at"] = entry.happened_at.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    record["previous_hash"] = entry.previous_hash or ""
    record["archived"] = "true" if entry.archived else "false"
    return record


def _check(user, plan):
    today = timezone.localdate()
    codes = {record["org_code"] for _n, record in plan.rows}
    orgs = {o.code: o for o in Organization.objects.for_action(user, "ledger.manage").filter(code__in=codes)}
    categories = {c.name: c for c in ProblemCategory.objects.all()}
    existing = RectificationItem.objects.for_action(user, "ledger.manage").filter(
        pk__in=[record["id"] for _n, record in plan.rows if record["id"]]).select_related(
        "problem__org", "problem__category__dimension")
    if connection.in_atomic_block:  # confirming: nobody changes these items until the import commits
        existing = existing.select_for_update(of=("self",))
    existing = {item.pk: item for item in existing}
    first_row = {}
    for number, record in plan.rows:
        _check_row(plan, number, record, orgs, categories, today)
        if not record["id"]:
            plan.creates.append(record)
        elif record["id"] in first_row:
            plan.error(number, "台账编号", "与第{n}行重复。".format(n=first_row[record["id"]]))
        elif record["id"] not in existing:
            plan.error(number, "台账编号", "台账编号“{id}”不存在或不在您的管理范围内。".format(id=record["id"]))
        else:
            first_row[record["id"]] = number
            _check_update(plan, number, record, existing[record["id"]])


def _check_row(plan, number, record, orgs, categories, today):
    if record["org_code"] and record["org_code"] not in orgs:
        plan.error(number, "组织编码", "组织“{c}”不存在或不在您的管理范围内。".format(c=record["org_code"]))
    record["org"] = orgs.get(record["org_code"])
    name = record["category"]
    if name and name not in categories:
        plan.error(number, "问题类别", f"“{name}”不是已有的问题类别，请先由管理员在问题类别中添加。")
    record["category"] = categories.get(name) if name else None
    if record["status"] == Status.CLOSED and not record["closed_on"]:
        plan.error(number, "销号日期", "完成情况为“已销号”时必须填写销号日期。")
    if record["closed_on"] and record["status"] not in (Status.CLOSED, None):
        plan.error(number, "完成情况", "填写了销号日期时，完成情况应为“已销号”。")
    found = record["found_on"] or (None if record["id"] else today)  # an update is checked in _check_update
    # a new problem cannot be found tomorrow; an exported item's dates are what the system recorded (a problem
    # raised when an assessment closes is dated its closing day) and must only match them (_check_update)
    for header, day in (("发现日期", found), ("销号日期", record["closed_on"])):
        try:
            if not record["id"]:
                not_after_today(day)
        except ValidationError as exc:
            plan.error(number, header, exc.messages[0])
    for header, day in (("整改时限", record["deadline"]), ("销号日期", record["closed_on"])):
        if day and found and day < found:
            plan.error(number, header, f"{header} {day.isoformat()} 早于发现日期 {found.isoformat()}。")


def _check_update(plan, number, record, item):
    """A row of an exported ledger: the item's plan may change; the problem and the workflow state may not."""
    problem = item.problem
    kept = [("组织编码", record["org_code"], problem.org.code), ("问题来源", record["source"], problem.source),
            ("问题类别", record["category"], problem.category),
            ("问题描述", record["description"], problem.description),
            ("发现日期", record["found_on"], problem.found_on), ("完成情况", record["status"], item.status),
            ("销号日期", record["closed_on"], item.closed_on)]
    for header, given, current in kept:
        if given not in (None, current):
            plan.error(number, header, f"与台账中的记录不一致(台账中为“{_shown(item, header, current)}”)："
                                       "已有事项的问题信息和完成情况不能通过导入修改，只能按流程办理。")
    if record["deadline"] and not record["found_on"] and record["deadline"] < problem.found_on:
        plan.error(number, "整改时限", "整改时限 {d} 早于发现日期 {f}。".format(
            d=record["deadline"].isoformat(),
            f=problem.found_on.isoformat(),
        ))
    wanted = {"measures": record["measures"] or "", "responsible_unit": record["responsible_unit"] or "",
              "responsible_person": record["responsible_person"] or "", "deadline": record["deadline"],
              "kind": record["kind"] or item.kind}
    changes = [describe_change(item, name, wanted[name]) for name in PLAN_FIELDS if getattr(item, name) != wanted[name]]
    if not changes:
        plan.unchanged += 1
    elif item.status == Status.CLOSED:
        plan.error(number, "整改措施", "已销号的事项不能修改整改方案；如需重新整改，请通过“回头看”重新打开。")
    else:
        plan.updates.append((item, wanted, "\n".join(changes)))


def _shown(item, header, value):
    if header == "完成情况":
        return item.get_status_display()
    if header == "问题来源":
        return item.problem.get_source_display()
    return value if value not in (None, "") else "(空)"


def _write(user, plan):
    _create(user, plan.creates)
    _update(user, plan.updates)
    return f"导入完成：新增 {len(plan.creates)} 条整改事项，更新 {len(plan.updates)} 条，{plan.unchanged} 条无变化。"


def _create(user, records):
    """Each row becomes a problem with its item, in the state the sheet gives, logged as raised and imported
    (what ``services.raise_problem`` does one at a time, including the recurrence flag)."""
    if not records:
        return
    today = timezone.localdate()
    problems = bulk_create_with_history([
        Problem(org=r["org"], description=r["description"], source=r["source"], raised_by=user,
                found_on=r["found_on"] or today, category=r["category"]) for r in records],
        Problem, batch_size=BATCH, default_user=user)
    closed = set(RectificationItem.objects.filter(
        status=Status.CLOSED, problem__org__in={r["org"] for r in records},
        problem__category__in={r["category"] for r in records if r["category"]},
    ).values_list("problem__org_id", "problem__category_id"))
    items = []
    for problem, record in zip(problems, records, strict=True):
        key = (problem.org_id, problem.category_id)
        items.append(RectificationItem(
            problem=problem, is_recurrence=problem.category_id is not None and key in closed,
            measures=record["measures"] or "", responsible_unit=record["responsible_unit"] or "",
            responsible_person=record["responsible_person"] or "", deadline=record["deadline"],
            kind=record["kind"] or RectificationItem.Kind.DEADLINE, status=record["status"] or Status.PENDING,
            closed_on=record["closed_on"]))
        if items[-1].status == Status.CLOSED:
            closed.add(key)
    items = bulk_create_with_history(items, RectificationItem, batch_size=BATCH, default_user=user)
    chains = []
    for item, record in zip(items, records, strict=True):
        chain = [ItemTransition(item=item, action="raise", from_status="", to_status=Status.PENDING, actor=user)]
        if item.status != Status.PENDING:
            chain.append(ItemTransition(item=item, action="import", from_status=Status.PENDING,
                                        to_status=item.status, actor=user, comment=record["progress"] or ""))
        chains.append([entry.snapshot(item) for entry in chain])
    ItemTransition.bulk_append(chains)


def _update(user, updates):
    """Plan changes, logged like ``services.update_plan`` does (as “修改整改方案” with before → after)."""
    if not updates:
        return
    now = timezone.now()
    for item, wanted, _changes in updates:
        for name, value in wanted.items():
            setattr(item, name, value)
        item.version += 1
        item.updated_at = now
    bulk_update_with_history([item for item, _w, _c in updates], RectificationItem,
                             [*PLAN_FIELDS, "version", "updated_at"], batch_size=BATCH, default_user=user)
    ItemTransition.bulk_extend([
        ItemTransition(item=item, action="edit", from_status=item.status, to_status=item.status, cycle=item.cycle,
                       actor=user, comment=changes) for item, _w, changes in updates], batch_size=BATCH)


IMPORT = Importer("ledger", COLUMNS, _check, _write)
