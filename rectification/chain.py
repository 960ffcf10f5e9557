"""Checking the ledger log's hash chains (tamper evidence).

Each item's entries, in insertion order, must link to the one before (``previous``) and carry the hash of
their own content and of that entry's hash (``ItemTransition.compute_hash``). An entry changed in the
database no longer matches its hash; an entry whose hash was recomputed breaks the next entry's hash; an
entry removed or inserted breaks the links.
"""

from dataclasses import dataclass

from .models import ItemTransition
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
