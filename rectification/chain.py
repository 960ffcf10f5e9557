"""Checking the ledger log's hash chains (tamper evidence).

Each item's entries, in insertion order, must link to the one before (``previous``) and carry the hash of
their own content and of that entry's hash (``ItemTransition.compute_hash``). An entry changed in the
database no longer matches its hash; an entry whose hash was recomputed breaks the next entry's hash; an
entry removed or inserted breaks the links.

A chain whose newest entries were rewritten and all re-hashed holds together again, so the head of every
chain is also recorded outside the chains at each month's end (``checkpoint``: ``LedgerCheckpoint`` with a
digest printed in that month's report); ``checkpoint_breaks`` finds chains that no longer pass through it.
"""

import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max

from kernel.dates import local_midnight

from .models import ChainHead, ItemTransition, LedgerCheckpoint
from .workflow import action_label


@dataclass(frozen=True)
class Break:
    entry: ItemTransition
    reason: str

    def __str__(self):
        e = self.entry
        return "事项 #{item} 的流转记录 #{id}({action}，{at})：{why}".format(
            item=e.item_id,
            id=e.pk,
            action=action_label(e.action),
            at=e.happened_at.isoformat(timespec="seconds"),
            why=self.reason,
        )


def first_breaks(entries=None):
    """The first broken entry of every broken chain, in order of entry id; [] when every chain holds."""
    entries = entries if entries is not None else ItemTransition.objects.all()
    breaks, previous, broken_item = [], None, None
    for entry in entries.order_by("item_id", "id").iterator(chunk_size=5000):
        if previous is None or previous.item_id != entry.item_id:
            previous = None
        if entry.item_id != broken_item:
            reason = _check(entry, previous)
            if reason:
                breaks.append(Break(entry, reason))
                broken_item = entry.item_id
        previous = entry
    return sorted(breaks, key=lambda b: b.entry.pk)


def _check(entry, previous):
    expected_link = previous.pk if previous else None
    if entry.previous_id != expected_link:
        return "链接断开：应接在记录 #{want} 之后，实际记录的是 #{got}(记录被删除、插入或改动)。".format(
            want=expected_link or "—",
            got=entry.previous_id or "—",
        )
    if entry.hash != entry.compute_hash(previous.hash if previous else ""):
        return "校验值不符：这条记录的内容或上一条记录的校验值已被改动。"
    return None


def digest_of(heads):
    """SHA-256 over (item, entry, hash) of every head, in item order: what the month's report prints."""
    text = "\n".join(f"{item}:{entry}:{hash_}" for item, entry, hash_ in sorted(heads))
    return hashlib.sha256(text.encode()).hexdigest()


@transaction.atomic
def checkpoint(month, end):
    """Record the head of every item's chain at ``end`` (the first day after ``month``), once per month."""
    existing = LedgerCheckpoint.objects.filter(month=month).first()
    if existing is not None:
        return existing
    newest = (ItemTransition.objects.filter(happened_at__lt=local_midnight(end)).values("item_id")
              .annotate(last=Max("id")).values("last"))
    heads = list(ItemTransition.objects.filter(id__in=newest).values_list("item_id", "id", "hash"))
    recorded = LedgerCheckpoint.objects.create(month=month, digest=digest_of(heads), items=len(heads))
    ChainHead.objects.bulk_create([ChainHead(checkpoint=recorded, item_id=item, entry_id=entry, hash=hash_)
                                   for item, entry, hash_ in heads], batch_size=5000)
    return recorded


def checkpoint_breaks():
    """Chinese sentences for every recorded head an item's chain no longer passes through (its entry gone or
    re-hashed), and every checkpoint whose heads no longer add up to its digest."""
    problems = []
    entries = dict(ItemTransition.objects.filter(
        id__in=ChainHead.objects.values("entry_id")).values_list("id", "hash"))
    for recorded in LedgerCheckpoint.objects.order_by("month"):
        heads = list(recorded.heads.values_list("item_id", "entry_id", "hash"))
        if digest_of(heads) != recorded.digest:
            problems.append(f"{recorded.month:%Y年%m月}的校验点已被改动：末端记录与摘要不符。")
        for item, entry, hash_ in heads:
            if entries.get(entry) != hash_:
                problems.append(f"事项 #{item}：{recorded.month:%Y年%m月}末的流转记录 #{entry} "
                                f"{'已不存在' if entry not in entries else '校验值与校验点不符(记录被改写并重算)'}。")
    return problems
