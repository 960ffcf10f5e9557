"""The ledger sheet in the standard columns: export of any filtered ledger, all-or-nothing import."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.models import Organization
from partybuild import xlsx

from .models import ItemTransition, Problem, ProblemCategory, RectificationItem
from .queries import latest_progress
from .services import raise_problem

Status = RectificationItem.Status

COLUMNS = [
    xlsx.Column("序号", "number", xlsx.whole_number),
    xlsx.Column("组织编码", "org_code", xlsx.text, required=True),
    xlsx.Column("组织名称", "org_name", xlsx.text),
    xlsx.choice_column("问题来源", "source", Problem.Source.choices, required=True),
    xlsx.Column("问题类别", "category", xlsx.text),
    xlsx.Column("问题描述", "description", xlsx.text, required=True),
    xlsx.Column("发现日期", "found_on", xlsx.date),
    xlsx.Column("整改措施", "measures", xlsx.text),
    xlsx.Column("责任单位", "responsible_unit", xlsx.text),
    xlsx.Column("责任人", "responsible_person", xlsx.text),
    xlsx.Column("整改时限", "deadline", xlsx.date),
    xlsx.choice_column("整改类型", "kind", RectificationItem.Kind.choices),
    xlsx.Column("整改进展", "progress", xlsx.text),
    xlsx.choice_column("完成情况", "status", Status.choices),
    xlsx.Column("销号日期", "closed_on", xlsx.date),
]


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


def export_workbook(items, with_hashes=False) -> bytes:
    """``items``: a scoped, filtered RectificationItem queryset; ``with_hashes`` adds their full log with the
    hash chain, so an auditor can check it offline."""
    rows = latest_progress(items).select_related("problem__org", "problem__category__dimension")

    def records():
        for number, item in enumerate(rows.iterator(chunk_size=2000), start=1):
            problem = item.problem
            yield {
                "number": number, "org_code": problem.org.code, "org_name": problem.org.name,
                "source": problem.source, "category": problem.category.name if problem.category else "",
                "description": problem.description, "found_on": problem.found_on, "measures": item.measures,
                "responsible_unit": item.responsible_unit, "responsible_person": item.responsible_person,
                "deadline": item.deadline, "kind": item.kind, "progress": item.latest_progress,
                "status": item.status, "closed_on": item.closed_on,
            }

    sheets = [(_("整改台账"), COLUMNS, records())]
    if with_hashes:
        log = (ItemTransition.objects.filter(item__in=items.values("pk")).order_by("item_id", "id")
               .annotate(previous_hash=F("previous__hash")))
        sheets.append((_("流转记录(含校验值)"), LOG_COLUMNS, (_log_record(e) for e in log.iterator(chunk_size=2000))))
        sheets.append((_("校验方法"), [xlsx.Column("说明", "text")], ({"text": line} for line in HOW_TO_VERIFY)))
    return xlsx.write_sheets(sheets)


def _log_record(entry):
    record = {column.name: getattr(entry, column.name) for column in LOG_COLUMNS}
    record["happened_at"] = entry.happened_at.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    record["previous_hash"] = entry.previous_hash or ""
    record["archived"] = "true" if entry.archived else "false"
    return record


@dataclass
class LedgerImportPlan:
    sheet: xlsx.ParsedSheet

    @property
    def errors(self):
        return self.sheet.errors

    @property
    def is_valid(self):
        return not self.sheet.errors

    @property
    def count(self):
        return len(self.sheet.rows)


def plan_import(user, uploaded_file) -> LedgerImportPlan:
    sheet = xlsx.read_rows(uploaded_file, COLUMNS)
    codes = {record["org_code"] for _n, record in sheet.rows}
    orgs = {o.code: o for o in Organization.objects.for_action(user, "ledger.manage").filter(code__in=codes)}
    categories = {c.name: c for c in ProblemCategory.objects.all()}
    for number, record in sheet.rows:
        _check_row(sheet, number, record, orgs, categories)
    return LedgerImportPlan(sheet)


def _check_row(sheet, number, record, orgs, categories):
    if record["org_code"] and record["org_code"] not in orgs:
        sheet.error(number, "组织编码", _("组织“%(c)s”不存在或不在您的管理范围内。") % {"c": record["org_code"]})
    record["org"] = orgs.get(record["org_code"])
    name = record["category"]
    if name and name not in categories:
        sheet.error(number, "问题类别", _("“%(v)s”不是已有的问题类别，请先由管理员在问题类别中添加。") % {"v": name})
    record["category"] = categories.get(name) if name else None
    if record["status"] == Status.CLOSED and not record["closed_on"]:
        sheet.error(number, "销号日期", _("完成情况为“已销号”时必须填写销号日期。"))
    if record["closed_on"] and record["status"] != Status.CLOSED:
        sheet.error(number, "完成情况", _("填写了销号日期时，完成情况应为“已销号”。"))


@transaction.atomic
def apply_import(user, plan: LedgerImportPlan) -> int:
    """Each row becomes a problem with its item, in the state the sheet gives, logged as imported."""
    for _number, record in plan.sheet.rows:
        problem = raise_problem(
            org=record["org"], description=record["description"], source=record["source"], raised_by=user,
            found_on=record["found_on"] or timezone.localdate(), category=record["category"],
            measures=record["measures"] or "", responsible_unit=record["responsible_unit"] or "",
            responsible_person=record["responsible_person"] or "", deadline=record["deadline"],
            kind=record["kind"] or RectificationItem.Kind.DEADLINE)
        status = record["status"] or Status.PENDING
        if status != Status.PENDING:
            item = problem.item
            item.status, item.closed_on = status, record["closed_on"]
            item.save()
            ItemTransition.objects.create(item=item, action="import", from_status=Status.PENDING, to_status=status,
                                          actor=user, comment=record["progress"] or "")
    return plan.count
