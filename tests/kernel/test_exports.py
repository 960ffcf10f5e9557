"""Every export writes user text as text: no formula, no DDE payload, whatever the text begins with."""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from inspections import services as inspections
from inspections.models import Tour
from kernel import xlsx
from kernel.reports import builder_for
from orgs.models import Organization
from rectification.models import Problem, RectificationItem
from scoring.models import Scheme
from tests.partybuild.reports_helpers import at, ledger_history
from tests.rectification.helpers import item_of
from tests.scoring.helpers import published_for

PAYLOADS = ['=HYPERLINK("http://evil.example","点我")', "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "=1+1\r"]
LEADS = ("=", "+", "-", "@", "\t", "\r", "\n")


def assert_text_only(content, expected=PAYLOADS):
    """No formula element anywhere; every payload comes back verbatim as a quote-prefixed text cell."""
    archive = zipfile.ZipFile(io.BytesIO(content))
    for name in archive.namelist():
        if name.startswith("xl/worksheets/"):
            assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name), name
    found = set()
    for sheet in load_workbook(io.BytesIO(content)).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(LEADS):
                    assert cell.data_type == "s" and cell.quotePrefix, (cell.coordinate, cell.value)
                    found.add(cell.value)
    missing = {p for p in expected if not p.endswith("\r")} - found  # XML turns a stored CR into LF on reading
    assert not missing


@pytest.fixture
def hostile_world(world):
    world.sibling.name = PAYLOADS[0]
    world.sibling.save()
    for n, payload in enumerate(PAYLOADS):
        item_of(world.sibling if n % 2 else world.branch, description=payload, responsible_person=payload[:50],
                measures=payload)
    return world


def test_the_ledger_export(hostile_world, login):
    assert_text_only(login(hostile_world.users["staff"]).get("/rectification/export/").content)


def test_the_tree_export(hostile_world, login):
    assert_text_only(login(hostile_world.users["staff"]).get("/orgs/export/").content, PAYLOADS[:1])


def test_the_monthly_report(world):
    a, b, c = ledger_history(world)
    for item, payload in ((b, PAYLOADS[1]), (a, PAYLOADS[2])):
        item.problem.description = payload
        item.problem.save()
    b.responsible_person = PAYLOADS[3]
    b.save()
    world.branch.name = PAYLOADS[0]
    world.branch.save()
    for model in (Problem, RectificationItem, Organization):  # as they stood in October: the report reads them then
        model.history.update(history_date=at("2026-10-15"))
    built = builder_for("monthly").build(world.county, "2026-10", lambda percent: None)
    assert_text_only(built.xlsx, [PAYLOADS[0], PAYLOADS[1], PAYLOADS[3]])


def test_the_ranking_report(world):
    world.sibling.name = PAYLOADS[4]
    world.sibling.save()
    assessment = published_for(world)
    assessment.scheme.indicators.filter(kind="group").update(name=PAYLOADS[0])
    built = builder_for("ranking").build(world.county, str(assessment.pk), lambda percent: None)
    assert_text_only(built.xlsx, [PAYLOADS[4], PAYLOADS[0]])


def test_the_tour_export_of_a_tour_whose_name_is_not_a_valid_sheet_title(world, login):
    world.far_branch.name = PAYLOADS[1]
    world.far_branch.save()
    name = "观摩/评比\\2026?*[一]:季度 '第二轮' 现场观摩评比暨经验交流会"
    tour = inspections.create_tour(world.users["staff"], name=name, kind=Tour.Kind.CIRCUIT, root=world.county,
                                   held_on=datetime.date(2026, 11, 1), stops=[world.branch, world.far_branch],
                                   participants=[world.users["inspector"]])
    for stop in tour.stops.all():
        inspections.score_stop(world.users["inspector"], stop, Decimal(80))
    response = login(world.users["leader"]).get(f"/inspections/tours/{tour.pk}/export/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"] and "%2F" not in response["Content-Disposition"]
    assert_text_only(response.content, [PAYLOADS[1]])
    assert load_workbook(io.BytesIO(response.content)).sheetnames == ["观摩_评比_2026___一__季度 '第二轮' 现场观摩评比"]


def test_the_scheme_export(world, login):
    scheme = Scheme.objects.first()
    scheme.indicators.filter(kind="score").update(name=PAYLOADS[2], guidance=PAYLOADS[5])
    assert_text_only(login(world.users["staff"]).get(f"/scoring/schemes/{scheme.pk}/export/").content,
                     [PAYLOADS[2]])


@pytest.mark.parametrize("name, title", [
    ("a/b\\c?d*e[f]g:h", "a_b_c_d_e_f_g_h"), ("'引号'", "引号"), ("", "Sheet"), ("长" * 40, "长" * 31),
])
def test_sheet_titles_are_made_valid(name, title):
    assert xlsx.sheet_title(name) == title


def test_sheet_titles_are_made_unique_within_a_workbook():
    content = xlsx.write_sheets([("长" * 40, [xlsx.Column("甲", "a")], [{"a": 1}]),
                                 ("长" * 35, [xlsx.Column("甲", "a")], [{"a": 2}])])
    assert load_workbook(io.BytesIO(content)).sheetnames == ["长" * 31, "长" * 28 + "(2)"]


def test_control_characters_are_dropped_rather_than_breaking_the_export():
    content = xlsx.write_rows("表", [xlsx.Column("甲", "a")], [{"a": "前\x00\x01\x1f后"}])
    assert list(load_workbook(io.BytesIO(content)).active.values)[1] == ("前后",)
