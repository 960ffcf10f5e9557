"""The ledger's print-ready PDF (打印版): its 16 columns are wider than a page in Excel, so the same lines are
offered as one ruled 9 pt table on A4 landscape, read back here as a reader sees it."""

import io

from openpyxl import load_workbook

from kernel import typeset
from kernel.models import AuditEvent
from rectification import excel
from tests.pdf_reading import assert_readable, pages_of
from tests.rectification.helpers import item_of

LONG_MEASURE = "对照《中国共产党支部工作条例(试行)》逐条整改，" * 6


def _printed(client, query=""):
    response = client.get(f"/rectification/export/?format=pdf{query}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_printed_ledger_has_the_exports_lines_ruled_on_landscape_pages(world, login, monkeypatch):
    monkeypatch.setattr(typeset, "RUN_ROWS", 2)  # several runs, merged and numbered across them
    for org, description in ((world.branch, "问题甲"), (world.sibling, "问题乙"), (world.branch, "问题丙")):
        item_of(org, description=description, measures=LONG_MEASURE, responsible_person="张三")
    client = login(world.users["staff"])
    pdf = _printed(client)
    text = "".join(assert_readable(pdf, ["问题甲", "问题乙", "问题丙"]))
    assert all(page.width > page.height for page in pages_of(pdf))  # A4 landscape
    exported = load_workbook(io.BytesIO(client.get("/rectification/export/").content)).active
    header, *lines = list(exported.iter_rows(values_only=True))
    flat = text.replace("\n", "")
    for title in header:
        assert title in flat, title
    assert len(lines) == 3
    described = header.index("问题描述")
    positions = [flat.index(line[described]) for line in lines]
    assert positions == sorted(positions)  # the export's order
    assert flat.count("逐条整改") == 3 * 6  # the long 整改措施 wraps, nothing cut off


def test_the_printed_ledger_follows_the_filter_and_is_recorded(world, login):
    item_of(world.branch, description="东山村的问题")
    item_of(world.sibling, description="西山村的问题")
    client = login(world.users["staff"])
    text = "".join(assert_readable(_printed(client, f"&org={world.sibling.code}"), []))
    assert "西山村的问题" in text and "东山村的问题" not in text
    assert AuditEvent.objects.filter(target="整改台账(打印版)").count() == 1


def test_a_ledger_too_long_to_print_is_refused_with_a_reason(world, login, monkeypatch):
    monkeypatch.setattr(excel, "PRINT_MAX_ROWS", 1)
    item_of(world.branch)
    item_of(world.sibling)
    client = login(world.users["staff"])
    page = client.get("/rectification/")
    assert "format=pdf" not in page.content.decode()  # the button is shown disabled, not as a link
    response = client.get("/rectification/export/?format=pdf&status=pending", follow=True)
    assert response.redirect_chain[-1][0] == "/rectification/?status=pending"
    assert "打印版最多 1 条事项" in response.content.decode()
    assert not AuditEvent.objects.filter(target="整改台账(打印版)").exists()


def test_a_secretary_prints_only_their_own_branch(world, login):
    item_of(world.branch, description="东山村的问题")
    item_of(world.sibling, description="西山村的问题")
    text = "".join(assert_readable(_printed(login(world.users["secretary"])), []))
    assert "东山村的问题" in text and "西山村的问题" not in text
