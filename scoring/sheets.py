"""One member's score sheet as Excel, the way county raters work: exported with one row per organisation and
one column per item, filled offline, imported back all or nothing (every refused cell named by row and
column, in Chinese). The columns depend on the rater's form, so each import builds its own kernel ``Importer``
(the kernel's safe reader and cell checks), applied in one step: the sheet is the member's own."""


from partybuild.kernel import xlsx
from partybuild.kernel.imports import Importer

from . import services
from .models import Score

CODE, NAME = "组织编码", "党组织"


def _columns(items):
    columns = [xlsx.Column(CODE, "code", xlsx.text, required=True), xlsx.Column(NAME, "name", xlsx.text)]
    for item in items:
        columns.append(xlsx.Column(f"{item.code} {item.name}(0–{item.max_points})", f"p{item.pk}",
                                   xlsx.decimal_number))
        if item.needs_reason:
            columns.append(xlsx.Column(f"{item.code} 理由", f"r{item.pk}", xlsx.text))
    return columns


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
    return xlsx.write_rows(f"{rater.name}评分表", _columns(items), records)


def importer(rater, member, correction_reason="") -> Importer:
    items = list(services.rater_items(rater))
    columns = _columns(items)
    headers = {c.name: c.header for c in columns}

    def check(user, plan):
        orgs = {t.org.code: t.org for t in services.scorable_targets(user, rater).select_related("org")}
        cells = plan.facts["cells"] = {}
        for number, record in plan.rows:
            org = orgs.get(record["code"])
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
