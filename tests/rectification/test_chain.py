"""The ledger log is tamper-evident: a hash chain per item, checked by ``verify_ledger`` and offline."""

import hashlib
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from kernel.dates import add_months
from partybuild import jobs
from rectification import chain, services
from rectification.figures import Period
from rectification.models import ItemTransition, LedgerCheckpoint, RectificationItem
from rectification.reports import monthly_content
from tests.rectification.helpers import item_of

Status = RectificationItem.Status


def worked_items(world):
    first, second = item_of(world.branch), item_of(world.sibling)
    for action in ("start", "submit"):
        services.perform(world.users["secretary"], first, action)
    return first, second


def test_every_entry_links_to_the_previous_one_of_its_item(world):
    first, second = worked_items(world)
    log = list(first.transitions.order_by("id"))
    assert [e.previous_id for e in log] == [None, log[0].pk, log[1].pk]
    assert second.transitions.get().previous is None
    call_command("verify_ledger")


def test_verify_ledger_names_the_first_changed_entry(world, capsys):
    first, _second = worked_items(world)
    log = list(first.transitions.order_by("id"))
    ItemTransition.objects.filter(pk=log[1].pk).update(comment="事后补写的说明")  # edited by hand in the database
    with pytest.raises(CommandError, match=f"流转记录 #{log[1].pk}"):
        call_command("verify_ledger")
    assert "校验值不符" in capsys.readouterr().err


def test_a_recomputed_hash_breaks_the_next_entry(world):
    first, _second = worked_items(world)
    log = list(first.transitions.order_by("id"))
    forged = ItemTransition.objects.get(pk=log[0].pk)
    forged.comment = "伪造"
    ItemTransition.objects.filter(pk=forged.pk).update(comment="伪造", hash=forged.compute_hash(""))
    with pytest.raises(CommandError, match=f"流转记录 #{log[1].pk}"):
        call_command("verify_ledger")


def test_a_removed_entry_breaks_the_links(world):
    first, _second = worked_items(world)
    log = list(first.transitions.order_by("id"))
    with connection.cursor() as cursor:  # removed by hand, and the gap closed
        cursor.execute("DELETE FROM rectification_itemtransition WHERE id = %s", [log[1].pk])
    ItemTransition.objects.filter(pk=log[2].pk).update(previous=log[0].pk)
    with pytest.raises(CommandError, match=f"流转记录 #{log[2].pk}"):
        call_command("verify_ledger")


def test_entries_are_never_updated_through_the_model(world):
    entry = item_of(world.branch).transitions.get()
    entry.comment = "改"
    with pytest.raises(ValueError):
        entry.save()


def test_the_export_carries_the_chain_for_an_auditor_to_check_offline(world, login):
    worked_items(world)
    content = login(world.users["staff"]).get("/rectification/export/?hashes=1").content
    book = load_workbook(io.BytesIO(content))
    rows = list(book["流转记录(含校验值)"].iter_rows(values_only=True))
    header, records = rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert "校验值" in header and len(records) == ItemTransition.objects.count()
    assert book["校验方法"].max_row > 1
    names = {"事项编号": "item_id", "上一条记录": "previous_id", "操作": "action", "原状态": "from_status",
             "新状态": "to_status", "整改轮次": "cycle", "操作人编号": "actor_id", "说明": "comment",
             "时间(UTC)": "happened_at", "组织编号": "org_id", "组织路径": "org_path",
             "问题类别编号": "category_id", "整改时限": "deadline"}
    for record in records:  # what an auditor does with the sheet alone
        payload = {key: record[header] for header, key in names.items()}
        payload = {key: (None if value == "" else value) for key, value in payload.items()}
        payload["comment"] = payload["comment"] or ""
        payload["from_status"] = payload["from_status"] or ""
        payload["deadline"] = payload["deadline"].date().isoformat() if payload["deadline"] else None
        payload["archived"] = record["已归档"] == "true"
        payload["previous_hash"] = record["上一条校验值"] or ""
        text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        assert hashlib.sha256(text.encode()).hexdigest() == record["校验值"]


def test_rewriting_and_rehashing_the_newest_entries_is_caught_by_the_months_checkpoint(world, capsys):
    """The chain alone holds together again once the newest entries are re-hashed; the heads recorded at the
    month's end (and their digest, printed in the month's report) do not."""
    first, second = worked_items(world)
    month = timezone.localdate().replace(day=1)
    recorded = chain.checkpoint(month, add_months(month, 1))
    assert recorded.items == 2 and chain.checkpoint(month, add_months(month, 1)) == recorded  # once a month
    assert recorded.digest == chain.digest_of(
        [(e.item_id, e.pk, e.hash) for e in (first.transitions.last(), second.transitions.get())])
    call_command("verify_ledger")
    log = list(first.transitions.order_by("id"))
    for index in (1, 2):  # rewrite the two newest entries and re-hash them in order
        forged = ItemTransition.objects.get(pk=log[index].pk)
        forged.comment = "改写"
        rehashed = forged.compute_hash(log[index - 1].hash)
        ItemTransition.objects.filter(pk=forged.pk).update(comment="改写", hash=rehashed)
        log[index] = ItemTransition.objects.get(pk=forged.pk)
    assert chain.first_breaks() == []  # the chain by itself no longer shows it
    with pytest.raises(CommandError, match="校验失败"):
        call_command("verify_ledger")
    assert f"流转记录 #{log[2].pk} 校验值与校验点不符" in capsys.readouterr().err


def test_the_months_report_prints_its_checkpoint_digest(world):
    worked_items(world)
    today = timezone.localdate()
    last_month = add_months(today.replace(day=1), -1)
    assert monthly_content(world.county, Period(last_month))["checkpoint"] is None
    jobs.counties_due_monthly(today)  # the beat job of the 1st records last month's checkpoint first
    recorded = LedgerCheckpoint.objects.get(month=last_month)
    assert monthly_content(world.county, Period(last_month))["checkpoint"] == recorded
