"""The three lists and the rectification ledger (整改台账).

A Problem (问题清单) always has exactly one RectificationItem; the item moves through the workflow
declared in ``rectification.workflow``; every move is appended to ItemTransition, which is never
changed, so the ledger's state on any past date can be rebuilt (monthly reports rely on it).
"""

import datetime
import hashlib
import json

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from kernel import bulk
from kernel.dates import add_months
from kernel.policy import scope_of
from kernel.querysets import ScopedQuerySet
from kernel.uploads import RandomName
from orgs.models import Organization


class ProblemDimension(models.Model):
    name = models.CharField("问题维度", max_length=40, unique=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "问题维度"
        verbose_name_plural = "问题维度"
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class ProblemCategory(models.Model):
    dimension = models.ForeignKey(ProblemDimension, on_delete=models.PROTECT, related_name="categories",
                                  verbose_name="问题维度")
    name = models.CharField("问题类别", max_length=60)
    order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    history = HistoricalRecords()  # a past month's report names each category as it was then

    class Meta:
        verbose_name = "问题类别"
        verbose_name_plural = "问题类别"
        ordering = ["dimension__order", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["dimension", "name"], name="unique_category_per_dimension")]

    def __str__(self):
        return f"{self.dimension.name} · {self.name}"


class WithheldQuerySet(ScopedQuerySet):
    """Rows of problems withheld until an assessment is published (``Problem.withheld_for``) reach only those who
    may read that assessment's unpublished results (``scoring.results`` over its scope); ``visible_to``,
    ``for_action`` and ``editable_by`` all apply it."""

    @property
    def _withheld_lookup(self):
        return self.org_lookup.removesuffix("org") + "withheld_for"

    @property
    def _problem_lookup(self):
        return self.org_lookup.removesuffix("org").removesuffix("__") or "pk"

    def released(self):
        """Rows nobody withholds any more (what reports, notices and notifications are built from)."""
        return self.filter(**{f"{self._withheld_lookup}__isnull": True})

    def released_to(self, user):
        """Leaves out the few problems withheld from ``user`` (a partial index finds them) by an anti-join on the
        row's own key, which the planner estimates well and can walk an ordered index with: "not withheld, or
        withheld for a reader" on the joined problem made it hash all 63,000 problems of a city for a page of 30.
        A subquery, not a join: querysets locked with ``select_for_update`` stay lockable."""
        readers = Organization.objects.filter(scope_of(user).q("", action="scoring.results")).values("pk")
        hidden = Problem.objects.filter(pk=OuterRef(self._problem_lookup), withheld_for__isnull=False).exclude(
            withheld_for__in=readers)
        return self.filter(~Exists(hidden))

    def visible_to(self, user):
        return super().visible_to(user).released_to(user)

    def for_action(self, user, action):
        return super().for_action(user, action).released_to(user)


class ProblemQuerySet(WithheldQuerySet):
    edit_action = "ledger.work"
    archived_lookup = "archived"


class Problem(models.Model):
    """One entry of an organisation's problem list (问题清单)."""

    class Source(models.TextChoices):
        INSPECTION = "inspection", "督查发现"
        ASSESSMENT = "assessment", "考核评价"
        OBSERVATION = "observation", "观摩评比"
        FEEDBACK = "feedback", "上级反馈"
        SELF_CHECK = "self_check", "自查认领"

    class Severity(models.TextChoices):
        GENERAL = "general", "一般"
        SERIOUS = "serious", "较重"
        CRITICAL = "critical", "严重"

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="problems", verbose_name="党组织")
    source = models.CharField("问题来源", max_length=16, choices=Source.choices)
    category = models.ForeignKey(ProblemCategory, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="problems", verbose_name="问题类别")
    severity = models.CharField("严重程度", max_length=12, choices=Severity.choices, default=Severity.GENERAL)
    #: one limit per text field, here: the forms, the API and the Excel import all read it from the field
    description = models.TextField("问题描述", max_length=2000)
    found_on = models.DateField("发现日期", default=timezone.localdate)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name="提出人")
    origin_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    origin_id = models.PositiveBigIntegerField(null=True, blank=True)
    origin = GenericForeignKey("origin_type", "origin_id")
    archived = models.BooleanField("已归档", default=False)
    #: raised from an unpublished assessment: only staff and leaders of this scope see it until publication
    withheld_for = models.ForeignKey(Organization, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name="发布前仅此范围的组织部门可见")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    history = HistoricalRecords()
    objects = ProblemQuerySet.as_manager()

    class Meta:
        verbose_name = "问题"
        verbose_name_plural = "问题清单"
        ordering = ["-found_on", "-id"]
        indexes = [models.Index(fields=["origin_type", "origin_id"]),
                   # the few problems every current figure leaves out (``figures.current_states``): found without
                   # reading the whole table, which an OR of two conditions would otherwise take
                   models.Index(fields=["id"], name="problem_left_out",
                                condition=Q(withheld_for__isnull=False) | Q(archived=True))]
        constraints = [
            models.UniqueConstraint(fields=["origin_type", "origin_id", "org"], name="one_problem_per_origin_and_org",
                                    condition=Q(origin_id__isnull=False)),
        ]

    def __str__(self):
        return self.description[:40]


class ItemQuerySet(WithheldQuerySet):
    org_lookup = "problem__org"
    edit_action = "ledger.work"
    archived_lookup = "problem__archived"

    def open(self):
        return self.exclude(status=RectificationItem.Status.CLOSED)

    def overdue_on(self, day):
        return self.open().filter(deadline__lt=day)

    def with_month_report(self, month_start):
        """Annotate ``reported_this_month``: a progress update exists for the calendar month."""
        updates = ProgressUpdate.objects.filter(item=OuterRef("pk"), month=month_start)
        return self.annotate(reported_this_month=Exists(updates))


class RectificationItem(models.Model):
    """The ledger line (整改台账) of one problem: measures, who, by when, and where it stands."""

    class Status(models.TextChoices):
        PENDING = "pending", "待整改"
        IN_PROGRESS = "in_progress", "整改中"
        SUBMITTED = "submitted", "申请销号"
        CLOSED = "closed", "已销号"

    class Kind(models.TextChoices):
        IMMEDIATE = "immediate", "立行立改"
        DEADLINE = "deadline", "限期整改"
        LONG_TERM = "long_term", "长期整改"

    problem = models.OneToOneField(Problem, on_delete=models.PROTECT, related_name="item", verbose_name="问题")
    measures = models.TextField("整改措施", blank=True, max_length=4000)
    responsible_unit = models.CharField("责任单位", max_length=100, blank=True)
    responsible_person = models.CharField("责任人", max_length=50, blank=True)
    deadline = models.DateField("整改时限", null=True, blank=True)
    kind = models.CharField("整改类型", max_length=12, choices=Kind.choices, default=Kind.DEADLINE)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PENDING)
    closed_on = models.DateField("销号日期", null=True, blank=True)
    cycle = models.PositiveSmallIntegerField("整改轮次", default=1)
    is_recurrence = models.BooleanField("问题回潮", default=False)
    escalations = models.PositiveSmallIntegerField("督办次数", default=0)
    version = models.PositiveIntegerField("版本", default=1)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords()
    objects = ItemQuerySet.as_manager()

    class Meta:
        verbose_name = "整改事项"
        verbose_name_plural = "整改台账"
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["status", "deadline"]),
                   # the ledger's default order, the follow-up list's order, the ledger's change stamp
                   models.Index(fields=["deadline", "id"], name="item_deadline_order"),
                   models.Index(fields=["closed_on", "id"], name="item_closed_order"),
                   models.Index(fields=["updated_at"], name="item_updated_at")]

    def __str__(self):
        return str(self.problem)

    def is_overdue_on(self, day):
        return self.status != self.Status.CLOSED and self.deadline is not None and self.deadline < day

    @property
    def is_overdue(self):
        return self.is_overdue_on(timezone.localdate())

    @property
    def days_overdue(self):
        """How many days past the deadline an open item is (0 when it is not overdue)."""
        today = timezone.localdate()
        return (today - self.deadline).days if self.is_overdue_on(today) else 0

    def follow_up_due_on(self):
        if self.status != self.Status.CLOSED or not self.closed_on:
            return None
        return add_months(self.closed_on, settings.RECTIFICATION_FOLLOW_UP_MONTHS)


class Milestone(models.Model):
    """A step of a long-term item (长期整改)."""

    item = models.ForeignKey(RectificationItem, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField("阶段目标", max_length=200)
    due = models.DateField("计划完成")
    done_on = models.DateField("实际完成", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "整改阶段目标"
        verbose_name_plural = "整改阶段目标"
        ordering = ["due", "id"]

    def __str__(self):
        return self.title


class TransitionQuerySet(WithheldQuerySet):
    org_lookup = "item__problem__org"
    archived_lookup = "item__problem__archived"

    def released(self):
        """Entries of items nobody withholds any more, leaving out the few withheld items by their keys: joining
        every entry to its item and problem cost the month's figures most of their time."""
        withheld = RectificationItem.objects.filter(problem__withheld_for__isnull=False).values("pk")
        return self.exclude(item_id__in=withheld)


#: the fields of a log entry that its hash covers (with the time and the previous entry's hash)
HASHED_FIELDS = ("item_id", "action", "from_status", "to_status", "cycle", "actor_id", "comment", "org_id",
                 "org_path", "category_id", "deadline", "archived", "previous_id")
#: the values of a new entry given as a tuple to ``ItemTransition.insert_chains``: its hashed fields but the link
#: to the entry before (made there), then its time
ENTRY_FIELDS = (*HASHED_FIELDS[:-1], "happened_at")


class ItemTransition(models.Model):
    """Append-only log of every step and every change of the facts reports count by; never updated or deleted.

    Each entry is a snapshot of the item after the step (status, organisation and its tree path, category,
    deadline, archived), so the ledger as it stood at any moment is the newest entry of each item before it.
    Entries of one item form a hash chain: ``hash`` covers the entry's content and the previous entry's hash.
    """

    item = models.ForeignKey(RectificationItem, on_delete=models.PROTECT, related_name="transitions")
    action = models.CharField("操作", max_length=16)
    from_status = models.CharField("原状态", max_length=12, blank=True)
    to_status = models.CharField("新状态", max_length=12, choices=RectificationItem.Status.choices)
    cycle = models.PositiveSmallIntegerField("整改轮次", default=1)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name="操作人")
    comment = models.TextField("说明", blank=True)
    happened_at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name="党组织")
    org_path = models.CharField("组织路径", max_length=255, db_index=True)
    category = models.ForeignKey(ProblemCategory, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name="问题类别")
    deadline = models.DateField("整改时限", null=True, blank=True)
    archived = models.BooleanField("已归档", default=False)
    previous = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True, related_name="next",
                                    verbose_name="上一条记录")
    hash = models.CharField("校验值", max_length=64)

    objects = TransitionQuerySet.as_manager()

    class Meta:
        verbose_name = "整改流转记录"
        verbose_name_plural = "整改流转记录"
        ordering = ["happened_at", "id"]
        constraints = [models.UniqueConstraint(fields=["item"], condition=Q(previous__isnull=True),
                                               name="one_first_entry_per_item")]
        # the items entered in a month (本月未报送 leaves them out) without reading every item's first entry
        indexes = [models.Index(fields=["happened_at", "item"], name="first_entry_time",
                                condition=Q(previous__isnull=True))]

    def __str__(self):
        return f"{self.item_id} {self.action} {self.to_status}"

    def save(self, *args, **kwargs):
        """Append at the end of the item's chain (under a lock on the item); entries are never changed."""
        if self.pk is not None:
            raise ValueError("ItemTransition is append-only")
        with transaction.atomic():
            item = RectificationItem.objects.select_for_update().select_related("problem__org").get(pk=self.item_id)
            if self.org_id is None:
                self.snapshot(item)
            self.previous = ItemTransition.objects.filter(item_id=self.item_id).order_by("-id").first()
            self.hash = self.compute_hash(self.previous.hash if self.previous else "")
            super().save(*args, **kwargs)
            ItemHead.advance([self.item_id])

    def snapshot(self, item):
        """Copy the facts reports count by, besides the status, from the item (and its problem) as they are now."""
        problem = item.problem
        self.org_id, self.org_path = problem.org_id, problem.org.path
        self.category_id, self.deadline, self.archived = problem.category_id, item.deadline, problem.archived
        return self

    def compute_hash(self, previous_hash=""):
        return entry_hash([getattr(self, field) for field in HASHED_FIELDS], self.happened_at, previous_hash)

    @classmethod
    def insert_chains(cls, chains, count):
        """Insert the whole history of many new items as plain tuples (the demo's quarter of a million entries),
        streamed to one COPY. ``chains`` yields, per item, its entries' values in the order of ``ENTRY_FIELDS``
        (oldest first); ``count`` is how many entries they hold in all, whose keys are drawn first. Each entry is
        given its key, its link to the one before and its hash, exactly as ``save`` would. Returns ``count``."""
        keys = iter(bulk.reserve_ids(cls, count))
        items = set()

        def rows():
            for chain in chains:
                previous_id, previous_hash = None, ""
                for *content, happened_at in chain:
                    key, content = next(keys), (*content, previous_id)
                    previous_hash = entry_hash(content, happened_at, previous_hash)
                    yield key, *content, happened_at, previous_hash
                    previous_id = key
                    items.add(content[0])

        inserted = bulk.insert_rows(cls, ["id", *HASHED_FIELDS, "happened_at", "hash"], rows())
        ItemHead.advance(items)
        return inserted

    @classmethod
    def bulk_append(cls, chains):
        """Insert the whole history of many new items at once (demo data): ``chains`` is one list per item.
        Step by step, so that each entry's predecessor has its primary key when the entry points at it."""
        for step in range(max((len(chain) for chain in chains), default=0)):
            layer = []
            for chain in chains:
                if len(chain) > step:
                    entry = chain[step]
                    entry.previous = chain[step - 1] if step else None
                    entry.hash = entry.compute_hash(entry.previous.hash if entry.previous else "")
                    layer.append(entry)
            bulk.insert_objects(cls, layer)
        ItemHead.advance([chain[0].item_id for chain in chains if chain])

    @classmethod
    def bulk_extend(cls, entries, batch_size=5000):
        """Append one entry to each of many existing items' chains at once (bulk imports); the caller holds
        the items locked. Each entry's item must come with its problem and organisation."""
        newest = cls.objects.filter(item_id__in=[e.item_id for e in entries]).values("item_id").annotate(
            last=models.Max("id")).values("last")
        previous = {entry.item_id: entry for entry in cls.objects.filter(id__in=newest)}
        for entry in entries:
            entry.snapshot(entry.item)
            entry.previous = previous.get(entry.item_id)
            entry.hash = entry.compute_hash(entry.previous.hash if entry.previous else "")
        cls.objects.bulk_create(entries, batch_size=batch_size)
        ItemHead.advance([entry.item_id for entry in entries])


#: the fields of a log entry that say where its item stands (what the figures count by)
STATE_FIELDS = ("item_id", "to_status", "org_id", "org_path", "category_id", "deadline", "archived")


class ItemHead(models.Model):
    """The ledger as it stands now: each item's newest log entry (``entry``) and a copy of its state (entries never
    change), one narrow row per item that the current month's figures count (``figures.current_states``). Kept
    by the log's own writers (``ItemTransition.save``, ``bulk_append``, ``bulk_extend``) in the transaction that
    appends, in a table of its own so that no save of an item can put an older state back; ``verify_figures``
    checks it against the log."""

    item = models.OneToOneField(RectificationItem, on_delete=models.CASCADE, primary_key=True, related_name="head")
    entry = models.OneToOneField(ItemTransition, on_delete=models.CASCADE, related_name="head_of")
    to_status = models.CharField("状态", max_length=12, choices=RectificationItem.Status.choices)
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name="党组织")
    org_path = models.CharField("组织路径", max_length=255)
    category = models.ForeignKey(ProblemCategory, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name="问题类别")
    deadline = models.DateField("整改时限", null=True, blank=True)
    archived = models.BooleanField("已归档", default=False)

    class Meta:
        verbose_name = "整改事项当前状态"
        verbose_name_plural = "整改事项当前状态"
        indexes = [models.Index(fields=["org_path"], name="item_head_path", opclasses=["varchar_pattern_ops"])]

    def __str__(self):
        return f"{self.item_id} → {self.entry_id}"

    @classmethod
    def advance(cls, item_ids):
        """Point each of these items at its newest entry and copy that entry's state."""
        newest = ItemTransition.objects.filter(item_id__in=set(item_ids)).order_by().values("item_id").annotate(
            last=models.Max("id")).values("last")
        entries = ItemTransition.objects.filter(id__in=newest).values_list("id", *STATE_FIELDS)
        cls.objects.bulk_create([cls(entry_id=row[0], **dict(zip(STATE_FIELDS, row[1:], strict=True)))
                                 for row in entries], batch_size=5000, update_conflicts=True, unique_fields=["item"],
                                update_fields=["entry", *(f for f in STATE_FIELDS if f != "item_id")])

    @classmethod
    def stale(cls):
        """Ids of the items whose head is missing, not their newest entry or not a copy of its state."""
        newest = ItemTransition.objects.order_by().values("item_id").annotate(last=models.Max("id")).values("last")
        entries = ItemTransition.objects.filter(id__in=newest).values_list("id", *STATE_FIELDS)
        expected = {row[1]: row for row in entries}
        found = {row[1]: row for row in cls.objects.values_list("entry_id", *STATE_FIELDS)}
        return sorted(item for item in expected.keys() | found.keys() if expected.get(item) != found.get(item))

    @classmethod
    def unlike_their_items(cls):
        """Ids of the items that stand otherwise than their head says: a change of what the figures count by
        (status, deadline, organisation and its path, category, archiving) saved without a log entry."""
        fields = ("to_status", "deadline", "org_id", "org_path", "category_id", "archived")
        live = ("item__status", "item__deadline", "item__problem__org_id", "item__problem__org__path",
                "item__problem__category_id", "item__problem__archived")
        rows = cls.objects.values_list("item_id", *fields, *live)
        return sorted(row[0] for row in rows if row[1:1 + len(fields)] != row[1 + len(fields):])


#: made once: ``json.dumps`` with options makes a new encoder for every call
_HASH_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def entry_hash(values, happened_at, previous_hash):
    """The hash of a log entry: ``values`` of ``HASHED_FIELDS`` in order, its time and the previous entry's hash."""
    payload = {field: _plain(value) for field, value in zip(HASHED_FIELDS, values, strict=True)}
    payload["happened_at"] = happened_at.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    payload["previous_hash"] = previous_hash
    return hashlib.sha256(_HASH_ENCODER.encode(payload).encode()).hexdigest()


def _plain(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


class LedgerCheckpoint(models.Model):
    """The heads of every item's chain at a month's end, recorded outside the chains (rectification.chain):
    rewriting and re-hashing a chain's newest entries leaves the chain consistent but no longer ending in the
    recorded head. ``digest`` covers every head and is printed in that month's report."""

    month = models.DateField("月份", unique=True)
    digest = models.CharField("摘要", max_length=64)
    items = models.PositiveIntegerField("事项数")
    recorded_at = models.DateTimeField("记录时间", default=timezone.now)

    class Meta:
        verbose_name = "台账校验点"
        verbose_name_plural = "台账校验点(每月末各事项校验链的末端)"
        ordering = ["-month"]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.digest[:16]}"


class ChainHead(models.Model):
    """One item's newest log entry at a checkpoint's month end, and that entry's hash."""

    checkpoint = models.ForeignKey(LedgerCheckpoint, on_delete=models.PROTECT, related_name="heads")
    item = models.ForeignKey(RectificationItem, on_delete=models.PROTECT, related_name="+")
    entry_id = models.BigIntegerField("流转记录")
    hash = models.CharField("校验值", max_length=64)

    class Meta:
        verbose_name = "校验链末端"
        verbose_name_plural = "校验链末端"
        constraints = [models.UniqueConstraint(fields=["checkpoint", "item"], name="one_head_per_item")]

    def __str__(self):
        return f"{self.item_id} → {self.entry_id}"


class ProgressQuerySet(WithheldQuerySet):
    org_lookup = "item__problem__org"
    edit_action = "ledger.work"
    archived_lookup = "item__problem__archived"


class ProgressUpdate(models.Model):
    """A monthly progress report (每月上报整改情况) on one item."""

    item = models.ForeignKey(RectificationItem, on_delete=models.PROTECT, related_name="updates")
    month = models.DateField("报送月份")
    text = models.TextField("整改进展", max_length=4000)
    percent = models.PositiveSmallIntegerField("完成进度(%)")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name="报送人")
    created_at = models.DateTimeField("报送时间", default=timezone.now)

    history = HistoricalRecords()
    objects = ProgressQuerySet.as_manager()

    class Meta:
        verbose_name = "整改进展"
        verbose_name_plural = "整改进展"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["item", "month"]),
                   models.Index(fields=["month", "item"], name="progress_month_item"),
                   # each item's newest update (latest_progress) without sorting all of its updates
                   models.Index(fields=["item", "-created_at", "-id"], name="progress_item_newest")]

    def __str__(self):
        return f"{self.item_id} {self.month:%Y-%m}"


IMAGE_EXTENSIONS = {"jpg", "jpeg", "png", "gif", "webp"}


class EvidenceQuerySet(WithheldQuerySet):
    org_lookup = "update__item__problem__org"
    archived_lookup = "update__item__problem__archived"


class StoredFile(models.Model):
    """An uploaded file with the name it had on the user's device (the stored name is random)."""

    original_name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小")

    class Meta:
        abstract = True

    def __str__(self):
        return self.original_name

    @classmethod
    def keep(cls, upload, **owner):
        return cls.objects.create(file=upload, original_name=upload.name[:200], size=upload.size, **owner)


class Evidence(StoredFile):
    update = models.ForeignKey(ProgressUpdate, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField("佐证材料", upload_to=RandomName("rectification/evidence"))

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"

    @property
    def is_image(self):
        """Shown as a thumbnail on the item page."""
        return self.original_name.lower().rsplit(".", 1)[-1] in IMAGE_EXTENSIONS


class FollowUpQuerySet(WithheldQuerySet):
    org_lookup = "item__problem__org"
    archived_lookup = "item__problem__archived"


class FollowUpCheck(models.Model):
    """回头看: a check some months after closing; a failed check reopens the item."""

    item = models.ForeignKey(RectificationItem, on_delete=models.PROTECT, related_name="follow_ups")
    cycle = models.PositiveSmallIntegerField("整改轮次")
    checked_on = models.DateField("检查日期", default=timezone.localdate)
    passed = models.BooleanField("整改成效巩固")
    note = models.TextField("检查情况")
    checker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                verbose_name="检查人")

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = "回头看"
        verbose_name_plural = "回头看"
        ordering = ["-checked_on", "-id"]

    def __str__(self):
        return f"{self.item_id} {self.checked_on}"


class ExtensionQuerySet(ScopedQuerySet):
    org_lookup = "item__problem__org"
    archived_lookup = "item__problem__archived"


class DeadlineExtension(models.Model):
    """延期申请: the organisation asks the issuer to move a deadline; staff approve or refuse it."""

    class Decision(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已同意"
        REFUSED = "refused", "不同意"

    item = models.ForeignKey(RectificationItem, on_delete=models.PROTECT, related_name="extensions")
    current_deadline = models.DateField("原整改时限")
    proposed_deadline = models.DateField("申请延至")
    reason = models.TextField("延期理由")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name="申请人")
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    decision = models.CharField("审批结果", max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name="审批人")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    note = models.TextField("审批意见", blank=True)

    objects = ExtensionQuerySet.as_manager()

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        ordering = ["-requested_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["item"], condition=Q(decision="pending"),
                                               name="one_pending_extension_per_item")]

    def __str__(self):
        return f"{self.item_id} → {self.proposed_deadline}"


class NoticeQuerySet(ScopedQuerySet):
    org_lookup = "org"

    def in_force(self):
        """Not superseded by a correction."""
        return self.filter(superseded_by__isnull=True)

    def awaiting_reply(self):
        return self.in_force().filter(kind=Notice.Kind.SUPERVISION, reply__isnull=True)

    def reply_overdue(self, day):
        return self.awaiting_reply().filter(reply_by__lt=day)


class Notice(models.Model):
    """An issued document (督办通知, 整改通知单, 目标责任书, 排名通报): numbered once, never changed afterwards.

    A correction is a new document that ``supersedes`` this one. ``lines`` keeps what the document said about
    each item when it was issued, so later edits of the ledger never change an issued document.
    """

    class Kind(models.TextChoices):
        SUPERVISION = "supervision", "督办通知"
        RECTIFICATION = "rectification", "整改通知单"
        RESPONSIBILITY = "responsibility", "目标责任书"
        BULLETIN = "bulletin", "排名通报"

    kind = models.CharField("文种", max_length=16, choices=Kind.choices, default=Kind.SUPERVISION)
    issuer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name="发文机关")
    year = models.PositiveSmallIntegerField("年份")
    serial = models.PositiveIntegerField("序号")
    number = models.CharField("文号", max_length=60)
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="notices",
                            verbose_name="主送单位")
    title = models.CharField("标题", max_length=200)
    requirement = models.TextField("正文")
    subject = models.ForeignKey(Problem, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name="突出问题")
    items = models.ManyToManyField(RectificationItem, related_name="notices", verbose_name="涉及事项")
    lines = models.JSONField("事项快照", default=list)
    #: the 突出问题 as the document printed it when issued ({"org", "description"}), never read live
    subject_line = models.JSONField("突出问题快照", default=dict, blank=True)
    reply_by = models.DateField("限期反馈", null=True, blank=True)  # none for a 通报, which asks no reply
    #: the document as issued when it is typeset elsewhere (the 排名通报), frozen with its 文号
    document = models.FileField("公文 PDF", upload_to="notices/%Y/", blank=True)
    issued_on = models.DateField("成文日期", default=timezone.localdate)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name="签发人")
    issued_at = models.DateTimeField("签发时间", default=timezone.now)
    supersedes = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="superseded_by", verbose_name="更正的文件")

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = "发文"
        verbose_name_plural = "发文(督办通知、整改通知单、目标责任书、排名通报)"
        ordering = ["-issued_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["issuer", "kind", "year", "serial"],
                                               name="one_serial_per_issuer_kind_year")]

    def __str__(self):
        return f"{self.number} {self.title}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("an issued document is never changed; issue a correction instead")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("rectification:notice", args=[self.pk])


class NoticeSequence(models.Model):
    """The last serial used per issuer, document kind and year (locked while a number is taken)."""

    issuer = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Notice.Kind.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "kind", "year"], name="one_sequence_per_issuer")]

    def __str__(self):
        return f"{self.issuer_id} {self.kind} {self.year}: {self.last}"


class ReplyQuerySet(ScopedQuerySet):
    org_lookup = "notice__org"


class NoticeReply(models.Model):
    """The addressee's written reply to a 督办通知 (书面反馈); it closes the 督办."""

    notice = models.OneToOneField(Notice, on_delete=models.PROTECT, related_name="reply")
    text = models.TextField("反馈内容")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name="反馈人")
    submitted_at = models.DateTimeField("反馈时间", default=timezone.now)

    objects = ReplyQuerySet.as_manager()

    class Meta:
        verbose_name = "督办反馈"
        verbose_name_plural = "督办反馈"

    def __str__(self):
        return f"{self.notice.number} 反馈"


class ReplyFileQuerySet(ScopedQuerySet):
    org_lookup = "reply__notice__org"


class NoticeReplyFile(StoredFile):
    reply = models.ForeignKey(NoticeReply, on_delete=models.PROTECT, related_name="files")
    file = models.FileField("附件", upload_to=RandomName("rectification/replies"))

    objects = ReplyFileQuerySet.as_manager()

    class Meta:
        verbose_name = "反馈附件"
        verbose_name_plural = "反馈附件"



# 举一反三: one problem pushed down a subtree as a self-check item ---------------------------------------

class PushQuerySet(ScopedQuerySet):
    org_lookup = "root"


class SelfCheckPush(models.Model):
    root = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name="推送范围")
    sector = models.CharField("限定领域", max_length=24, blank=True)
    description = models.TextField("对照检查的问题")
    category = models.ForeignKey(ProblemCategory, on_delete=models.PROTECT, null=True, blank=True,
                                 verbose_name="问题类别")
    reply_by = models.DateField("反馈时限")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="推送人")
    created_at = models.DateTimeField("推送时间", default=timezone.now)

    objects = PushQuerySet.as_manager()

    class Meta:
        verbose_name = "举一反三推送"
        verbose_name_plural = "举一反三推送"
        ordering = ["-created_at"]

    def __str__(self):
        return self.description[:40]


class RequestQuerySet(ScopedQuerySet):
    edit_action = "ledger.work"


class SelfCheckRequest(models.Model):
    """One organisation's answer to a push: claim it as its own problem, or say why it does not apply."""

    class Answer(models.TextChoices):
        PENDING = "pending", "待反馈"
        CLAIMED = "claimed", "已认领"
        NOT_APPLICABLE = "not_applicable", "不存在此问题"

    push = models.ForeignKey(SelfCheckPush, on_delete=models.PROTECT, related_name="requests")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="self_checks",
                            verbose_name="党组织")
    answer = models.CharField("反馈", max_length=16, choices=Answer.choices, default=Answer.PENDING)
    reason = models.TextField("说明", blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name="反馈人")
    answered_at = models.DateTimeField("反馈时间", null=True, blank=True)

    history = HistoricalRecords()
    objects = RequestQuerySet.as_manager()

    class Meta:
        verbose_name = "举一反三自查"
        verbose_name_plural = "举一反三自查"
        constraints = [models.UniqueConstraint(fields=["push", "org"], name="one_request_per_push_and_org")]

    def __str__(self):
        return f"{self.org} · {self.push}"


# 任务清单 and 责任清单 -----------------------------------------------------------------------------------

class TaskQuerySet(ScopedQuerySet):
    edit_action = "ledger.work"


class Task(models.Model):
    """One line of an organisation's yearly task list, due in a quarter, reported done by the organisation."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="tasks", verbose_name="党组织")
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("完成季度", choices=[(q, f"第{q}季度") for q in range(1, 5)])
    title = models.CharField("任务", max_length=200)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="下达人")
    done = models.BooleanField("已完成", default=False)
    done_on = models.DateField("完成日期", null=True, blank=True)
    note = models.TextField("完成情况", blank=True)

    history = HistoricalRecords()
    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = "任务"
        verbose_name_plural = "任务清单"
        ordering = ["year", "quarter", "id"]
        indexes = [models.Index(fields=["year", "quarter"])]

    def __str__(self):
        return self.title


class ResponsibilityQuerySet(ScopedQuerySet):
    edit_action = "ledger.work"


class ResponsibilityEntry(models.Model):
    """责任清单: who answers for what in an organisation's year."""

    class Post(models.TextChoices):
        SECRETARY = "secretary", "书记(第一责任人)"
        DEPUTY = "deputy", "副书记(直接责任人)"
        MEMBER = "member", "委员(一岗双责)"

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="responsibilities",
                            verbose_name="党组织")
    year = models.PositiveSmallIntegerField("年度")
    post = models.CharField("职务与责任", max_length=12, choices=Post.choices)
    person = models.CharField("姓名", max_length=50)
    duties = models.TextField("责任内容")

    history = HistoricalRecords()
    objects = ResponsibilityQuerySet.as_manager()

    class Meta:
        verbose_name = "责任清单条目"
        verbose_name_plural = "责任清单"
        ordering = ["year", "post", "id"]

    def __str__(self):
        return f"{self.org} {self.year} {self.person}"


class ResponsibilityLetter(models.Model):
    """The signed 目标责任书 of an organisation's year (the newest upload counts; earlier ones are kept)."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name="党组织")
    year = models.PositiveSmallIntegerField("年度")
    file = models.FileField("目标责任书", upload_to=RandomName("rectification/letters"))
    original_name = models.CharField("文件名", max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    objects = ResponsibilityQuerySet.as_manager()

    class Meta:
        verbose_name = "目标责任书"
        verbose_name_plural = "目标责任书"
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.original_name


class PastLedgerGeneration(models.Model):
    """One row whose ``value`` moves, in the same transaction, with every write that can change a month already
    past: a log entry or progress update dated back, a withheld problem released (PostgreSQL triggers of
    migration 0011 raise it on every write path, bulk COPY included). Past months' figures are cached under it
    (``figures.month_figures``); without PostgreSQL nothing raises it and nothing is cached."""

    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "历史月份统计版本"
        verbose_name_plural = "历史月份统计版本"

    def __str__(self):
        return str(self.value)
