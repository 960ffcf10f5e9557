"""One member's score sheet as Excel, the way county raters work: exported with one row per organisation and
one column per item, filled offline, imported back all or nothing (every refused cell named by row and
column, in Chinese). The columns depend on the rater's form, so each import builds its own kernel ``Importer``
(the kernel's safe reader and cell checks), applied in one step: the sheet is the member's own.

Two years' sheets, or two bodies' sheets, can have the same headers; so the exported workbook carries what it
is for (assessment, rater body, member and the sheet's version) in a custom document property, signed with the
SECRET_KEY (``django.core.signing``): a sheet is imported only where it was exported for."""

from django.core import signing

from kernel import xlsx
from kernel.imports import Importer
from orgs.models import Organization

from . import services
from .models import Rater, Score

CODE, NAME = "组织编码", "党组织"
#: the document property holding the stamp, and the version of the sheet's layout it was signed for
STAMP, SHEET_VERSION = "党建督考评分表", "1"
SALT = "scoring.sheet"
_org, _score = Organization._meta.get_field, Score._meta.get_field


def _columns(items):
    columns = [xlsx.field_column(_org("code"), header=CODE, required=True),
               xlsx.field_column(_org("name"), header=NAME)]
    for item in items:
        columns.append(xlsx.field_column(_score("points"), f"p{item.pk}",
                                         header=f"{item.code} {item.name}(0–{item.max_points})"))
        if item.needs_reason:
            columns.append(xlsx.field_column(_score("reason"), f"r{item.pk}", header=f"{item.code} 理由"))
    return columns


def stamp(rater, member) -> str:
    return signing.Signer(salt=SALT).sign(f"{rater.assessment_id}:{rater.pk}:{member.pk}:{SHEET_VERSION}")


def stamp_refusal(properties, rater, member):
    """Why a workbook with these document properties is not this member's sheet of this rater (Chinese), or None."""
    again = "请在本页点“导出评分表”重新下载后填写。"
    if STAMP not in properties:
        return f"这个文件不是从本系统导出的评分表(缺少评分表标记)，{again}"
    try:
        assessment_id, rater_id, member_id, version = signing.Signer(salt=SALT).unsign(properties[STAMP]).split(":")
    except (signing.BadSignature, ValueError):
        return f"评分表标记无效(文件的来源标记被改动或复制过)，{again}"
    if version != SHEET_VERSION:
        return f"评分表的格式已更新，{again}"
    if assessment_id != str(rater.assessment_id):
        return f"这是另一次考核的评分表，不能导入到“{rater.assessment}”。{again}"
    if rater_id != str(rater.pk):
        other = Rater.objects.filter(pk=rater_id, assessment=rater.assessment_id).first()
        return f"这是评分主体“{other.name if other else '其他'}”的评分表，不能导入到“{rater.name}”。{again}"
    if member_id != str(member.pk):
        return f"这是另一位评分人的评分表，不能作为{member}的评分导入。{again}"
    return None


def export(user, rater, member) -> bytes:
    items = list(services.rater_items(rater))
    targets = services.scorable_targets(user, rater).select_related("org").order_by("org__path")
    scores = {(s.org_id, s.indicator_id): s for s in Score.objects.filter(rater=rater, member=member)}
    records = []
    for target in targets:
        record = {"code": target.org.code, "name": target.org.name}
        for item in items:
            score = scores.get((target.org_id, item.pk))
            record[f"p{item.pk}"] = score.points if score else None
            record[f"r{item.pk}"] = score.reason if score else None
        records.append(record)
    return xlsx.write_rows(f"{rater.name}评分表", _columns(items), records, properties={STAMP: stamp(rater, member)})


def importer(rater, member, correction_reason="") -> Importer:
    items = list(services.rater_items(rater))
    columns = _columns(items)
    headers = {c.name: c.header for c in columns}

    def check(user, plan):
        refusal = stamp_refusal(plan.sheet.properties, rater, member)
        if refusal:
            raise xlsx.SheetError(refusal)
        orgs = {t.org.code: t.org for t in services.scorable_targets(user, rater).select_related("org")}
        cells = plan.facts["cells"] = {}
        first_row = {}
        for number, record in plan.rows:
            org = orgs.get(record["code"])
            first = first_row.setdefault(record["code"], number)
            if first != number:
                plan.error(number, CODE, f"“{record['code']}”与第 {first} 行重复，每个组织只能有一行。")
                continue
            if org is None:
                plan.error(number, CODE, "“{c}”不是您可以评分的被考核组织。".format(c=record["code"]))
                continue
            for item in items:
                points, reason = record[f"p{item.pk}"], record.get(f"r{item.pk}") or ""
                if points is None:
                    continue
                message = services.cell_refusal(rater, item, points, reason)
                if message:
                    plan.error(number, headers[f"p{item.pk}"], message)
                cells[(org, item)] = (points, reason)

    def write(user, plan):
        return services.save_sheet(user, rater=rater, cells=plan.facts["cells"], member=member,
                                   correction_reason=correction_reason)

    return Importer(f"scoring.sheet.{rater.pk}", columns, check, write)


def import_sheet(user, rater, member, uploaded_file, correction_reason=""):
    """Returns (number of cells saved, []) or (0, [RowError]): nothing is saved unless every row is right.
    Raises xlsx.SheetError when the file as a whole cannot be read."""
    sheet_importer = importer(rater, member, correction_reason)
    plan = sheet_importer.plan(user, uploaded_file)
    if not plan.is_valid:
        return 0, sorted(plan.errors, key=lambda e: (e.row, e.column))
    return sheet_importer.apply(user, plan), []
