"""Every export re-imports as it is: the demo county's ledger, its tree, a scheme and a score sheet, each imported
unchanged (zero changes) and after one edit (one update)."""

import io

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from kernel.xlsx_reader import TASK_SECONDS, Deadline
from orgs import excel as org_sheet
from rectification import excel as ledger_sheet
from rectification.models import RectificationItem
from scoring import excel as scheme_sheet
from scoring import sheets
from scoring.models import Assessment


def edited(content, header, value, row=2):
    """The workbook ``content`` with the cell under ``header`` in ``row`` set to ``value``."""
    book = load_workbook(io.BytesIO(content))
    sheet = book.worksheets[0]
    column = [cell.value for cell in sheet[1]].index(header) + 1
    sheet.cell(row=row, column=column, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def plan(importer, user, content, **extra):
    checked = importer.plan(user, io.BytesIO(content), Deadline(TASK_SECONDS), **extra)
    assert checked.is_valid, checked.errors[:5]
    return checked


def changes(checked):
    return len(checked.creates), len(checked.updates), checked.unchanged


def test_the_demo_countys_exports_import_again_unchanged_and_with_one_edit(db):
    call_command("seed_demo")
    staff = get_user_model().objects.get(username="staff")

    items = RectificationItem.objects.visible_to(staff)
    count = items.count()
    assert items.filter(problem__found_on__gt=timezone.localdate()).exists()  # dated when an assessment closes
    content = ledger_sheet.export_workbook(items)
    assert changes(plan(ledger_sheet.IMPORT, staff, content)) == (0, 0, count)
    statuses = [row[13] for row in load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True)]
    open_row = 1 + statuses.index(RectificationItem.Status.PENDING.label)
    one_edit = plan(ledger_sheet.IMPORT, staff, edited(content, "整改措施", "重新制定的整改措施", open_row))
    assert changes(one_edit) == (0, 1, count - 1)

    content = org_sheet.export_workbook(staff, 2026)
    orgs = len(load_workbook(io.BytesIO(content)).worksheets[0]["A"]) - 1
    assert changes(plan(org_sheet.IMPORT, staff, content)) == (0, 0, orgs)
    assert changes(plan(org_sheet.IMPORT, staff, edited(content, "组织名称", "改名后的党组织", 3))) == (0, 1, orgs - 1)

    scheme = Assessment.objects.get(status=Assessment.Status.SCORING).scheme
    settings = {"name": scheme.name, "year": scheme.year, "grading": scheme.grading}
    content = scheme_sheet.export_workbook(scheme)
    indicators = scheme.indicators.count()
    unchanged = plan(scheme_sheet.IMPORT, staff, content, **settings)
    assert changes(unchanged) == (0, 0, indicators)
    assert "新增 0 项，修改 0 项，删除 0 项" in scheme_sheet.IMPORT.apply(staff, unchanged)
    one_edit = plan(scheme_sheet.IMPORT, staff, edited(content, "指标", "改写后的指标名称", 3), **settings)
    assert changes(one_edit) == (0, 1, indicators - 1)

    rater = Assessment.objects.get(status=Assessment.Status.SCORING).raters.get(name="年度考核")
    content = sheets.export(staff, rater, staff)
    assert sheets.import_sheet(staff, rater, staff, io.BytesIO(content)) == (0, [])
    header = next(h for h in load_workbook(io.BytesIO(content)).worksheets[0][1] if "(0–" in str(h.value)).value
    assert sheets.import_sheet(staff, rater, staff, io.BytesIO(edited(content, header, 0))) == (1, [])
