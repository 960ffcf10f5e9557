"""Every headline figure of the ledger, defined once, as of a moment rebuilt from the log.

A figure is a set of items: its number is the size of the set, and the list a dashboard card, a chart
element or a report line links to shows exactly that set (``figure_items``). The ledger at a moment is the
newest log entry of each item before it: ItemTransition snapshots status, organisation (and its tree path),
category, deadline and archiving, so a past month reads the same whenever it is rebuilt, whatever was
changed since. A month is counted at its end; the current month at this moment. 逾期 means open and past
the deadline on the report date (the month's last day, or today).
"""

import datetime
import time
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Substr
from django.utils import timezone

from kernel import history
from kernel.dates import add_months, local_midnight, month_start, parse_month
from kernel.policy import scope_of
from orgs.models import Organization

from .models import ItemHead, ItemTransition, PastLedgerGeneration, ProblemCategory, ProgressUpdate, RectificationItem

Status = RectificationItem.Status
OPEN = ~Q(to_status=Status.CLOSED)
DONE = Q(to_status=Status.CLOSED)


def overdue_on(day):
    return OPEN & Q(deadline__lt=day)


@dataclass(frozen=True)
class Period:
    """A calendar month as reported on ``today`` (a past month at its end, the current month now)."""

    month: datetime.date
    today: datetime.date = field(default_factory=timezone.localdate)

    @classmethod
    def current(cls, today=None):
        today = today or timezone.localdate()
        return cls(month_start(today), today)

    @classmethod
    def parse(cls, text, today=None):
        """'2026-10' → Period; ValueError with a Chinese message for bad or future months."""
        today = today or timezone.localdate()
        month = parse_month(text)
        if month > today:
            raise ValueError("不能统计尚未开始的月份。")
        return cls(month, today)

    @property
    def key(self):
        return f"{self.month:%Y-%m}"

    @property
    def end(self):
        return add_months(self.month, 1)

    @property
    def is_current(self):
        return self.today < self.end

    @property
    def report_date(self):
        return min(self.today, self.end - datetime.timedelta(days=1))

    @property
    def moment(self):
        """The instant the month is counted at: its end, or for the current month now (today's end in tests)."""
        return min(local_midnight(self.end), local_midnight(self.today + datetime.timedelta(days=1)),
                   timezone.now()) if self.is_current else local_midnight(self.end)

    @property
    def previous(self):
        return Period(add_months(self.month, -1), self.today)

    @property
    def opening_moment(self):
        return local_midnight(self.month)


@dataclass(frozen=True)
class Coverage:
    """What a figure counts: one organisation's items, with those of all its subordinates (``subtree``) or not
    (a grant without 含下级). Every function below takes a Coverage or an organisation (its whole subtree)."""

    org: Organization
    subtree: bool = True

    @classmethod
    def of(cls, scope):
        return scope if isinstance(scope, Coverage) else cls(scope)

    @classmethod
    def for_user(cls, user, org):
        """``org`` as ``user`` may read it: with its subordinates only where a grant covering them reaches it."""
        return cls(org, scope_of(user).covers_subtree(org.path))

    @property
    def path(self):
        return self.org.path

    @property
    def key(self):
        return f"{self.org.pk}:{self.org.path}:{int(self.subtree)}"

    def q(self, field="org_path"):
        return Q(**{f"{field}__startswith": self.path}) if self.subtree else Q(**{field: self.path})

    def covers(self, path):
        return path.startswith(self.path) if self.subtree else path == self.path


def states_at(moment):
    """The newest log entry of every item before ``moment`` (items archived by then drop out, and so do problems
    still withheld until an assessment's publication)."""
    later = ItemTransition.objects.filter(previous=OuterRef("pk"), happened_at__lt=moment)
    return ItemTransition.objects.released().filter(happened_at__lt=moment).exclude(Exists(later)).filter(
        archived=False)


def current_states():
    """The state of every item now: its ``ItemHead`` (a copy of its newest log entry, kept by the log's writers),
    read without searching the log. Withheld and archived problems are few: they are left out by anti-joins."""
    return (ItemHead.objects.filter(archived=False)
            .exclude(item_id__in=RectificationItem.objects.filter(
                Q(problem__withheld_for__isnull=False) | Q(problem__archived=True)).values("pk")))


def states(scope, period, category=None):
    """The state rows under ``scope`` (None: the whole tree) for ``period``, optionally of one category."""
    rows = current_states() if period.is_current else states_at(period.moment)
    if scope is not None:
        rows = rows.filter(Coverage.of(scope).q())
    if category == "none":
        return rows.filter(category__isnull=True)
    return rows.filter(category_id=category) if category else rows


# the figures counted on the state of the ledger: each one condition on an item's newest entry ---------------

def conditions(period):
    """{figure: condition on a state row}; the lists filter by it and ``month_figures`` counts by it."""
    # the month's few new items and its progress updates, each left out by key (a hashed set), not searched for
    # item by item
    raised_in_month = ItemTransition.objects.filter(previous__isnull=True,
                                                    happened_at__gte=local_midnight(period.month)).values("item_id")
    reported = ProgressUpdate.objects.filter(month=period.month).values("item_id")
    return {
        "total": Q(pk__isnull=False),
        "open": OPEN,
        "overdue": overdue_on(period.report_date),
        "done": DONE,
        # 本月未报送: open, entered before the month began, no progress update in the month
        "missing_report": OPEN & ~Q(item_id__in=raised_in_month) & ~Q(item_id__in=reported),
    }


def state_figure(name, scope, period, category=None):
    return states(scope, period, category).filter(conditions(period)[name])


def overdue(scope, period, category=None):
    return state_figure("overdue", scope, period, category)


def missing_report(scope, period, category=None):
    return state_figure("missing_report", scope, period, category)


STATE_FIGURES = ("total", "open", "overdue", "done", "missing_report")


# the month's flows: every log entry of the month that moved an item into or out of the open set ------------

FLOW_FIGURES = ("raised", "reopened", "moved_in", "closed", "moved_out", "archived")


def flows(scope, period):
    """Item ids per flow; opening + raised + reopened + moved_in − closed − moved_out − archived = open."""
    scope = Coverage.of(scope)
    entries = (ItemTransition.objects.released()
               .filter(happened_at__gte=period.opening_moment, happened_at__lt=period.moment)
               .filter(scope.q() | scope.q("previous__org_path"))
               .order_by("happened_at", "id")
               .values_list("item_id", "previous_id", "to_status", "org_path", "archived", "previous__to_status",
                            "previous__org_path", "previous__archived"))
    result = {name: [] for name in FLOW_FIGURES}
    for item_id, previous_id, status, path, archived, was_status, was_path, was_archived in entries:
        now_open = _counted_open(scope, status, path, archived)
        was_open = previous_id is not None and _counted_open(scope, was_status, was_path, was_archived)
        if now_open == was_open:
            continue
        result[_flow(scope, previous_id, status, path, archived, was_status, was_path, now_open)].append(item_id)
    return result


def _counted_open(scope, status, path, archived):
    return status != Status.CLOSED and scope.covers(path) and not archived


def _flow(scope, previous_id, status, path, archived, was_status, was_path, now_open):
    if now_open:
        if previous_id is None:
            return "raised"
        return "reopened" if was_status == Status.CLOSED and scope.covers(was_path) else "moved_in"
    if archived:
        return "archived"
    return "closed" if status == Status.CLOSED and scope.covers(path) else "moved_out"


LABELS = {
    "total": "问题总数", "open": "未销号", "overdue": "逾期",
    "done": "已销号", "missing_report": "本月未报送",
    "raised": "本月新增", "reopened": "重新整改(回头看未通过、回潮)",
    "moved_in": "转入", "closed": "本月销号", "moved_out": "转出",
    "archived": "归档",
}


def figure_items(name, scope, period, category=None):
    """The items behind one figure: what its card, chart element or report line opens."""
    if name in STATE_FIGURES:
        ids = state_figure(name, scope, period, category).values("item_id")
    elif name in FLOW_FIGURES:
        ids = flows(scope, period)[name]
    else:
        raise ValueError("未知的统计口径。")
    return RectificationItem.objects.filter(pk__in=ids)


@dataclass
class MonthFigures:
    period: Period
    total: int
    open: int
    overdue: int
    done: int
    missing_report: int
    opening: int
    flows: dict
    #: the state figures per child organisation (``by_unit``'s rows): the figures above are their sums
    units: tuple

    @property
    def completion_rate(self):
        return round(100 * self.done / self.total, 1) if self.total else None

    @property
    def raised(self):
        return self.flows["raised"]

    @property
    def closed(self):
        return self.flows["closed"]

    @property
    def balances(self):
        f = self.flows
        return (self.opening + f["raised"] + f["reopened"] + f["moved_in"] - f["closed"] - f["moved_out"]
                - f["archived"]) == self.open

    def flow_rows(self):
        """The flow table: opening, each flow with its sign, closing."""
        signs = {"raised": "+", "reopened": "+", "moved_in": "+", "closed": "−", "moved_out": "−", "archived": "−"}
        rows = [("上月末未销号", "", self.opening, None)]
        rows += [(LABELS[name], signs[name], self.flows[name], name) for name in FLOW_FIGURES]
        rows.append(("本月末未销号", "=", self.open, "open"))
        return rows


def month_figures(scope, period, opening=None):
    """Every figure of the month in four queries (``opening``, the open count at the previous month's end,
    may be passed on by a caller walking the months in order).

    A past month is kept in the cache under ``PastLedgerGeneration``: its figures change only when the past
    itself is written (a log entry or progress update dated back, a withheld problem released), and the
    database moves the generation in the same transaction as each of those writes."""
    if period.is_current:
        return _count_month(Coverage.of(scope), period, opening if opening is not None
                            else month_figures(scope, period.previous).open)
    return _month_figures(Coverage.of(scope), period, opening, past_generation())


def month_series(scope, periods):
    """``month_figures`` of consecutive months, oldest first, each opening where the one before closed."""
    generation = past_generation() if any(not period.is_current for period in periods) else None
    series = []
    for period in periods:
        series.append(_month_figures(Coverage.of(scope), period, series[-1].open if series else None, generation))
    return series


def _month_figures(scope, period, opening, generation):
    if period.is_current or generation is None:
        return _count_month(scope, period, opening)
    key = f"ledger-month:{MONTH_FIGURES_SHAPE}:{scope.key}:{period.key}:{generation}"
    figures = cache.get(key)
    if figures is None:
        figures = _count_month(scope, period, opening)
        cache.set(key, figures, PAST_MONTH_CACHE_SECONDS)
    return figures


PAST_MONTH_CACHE_SECONDS = 7 * 24 * 3600
#: moved whenever ``MonthFigures`` gains or loses a field: a figure cached in another shape is never read back
MONTH_FIGURES_SHAPE = 2


def past_generation():
    """The generation past months are cached under, or None where no trigger keeps it (SQLite: not cached).
    A row made anew (after a flush) starts from the clock, so it never repeats a value cached before."""
    if connection.vendor != "postgresql":
        return None
    row, _created = PastLedgerGeneration.objects.get_or_create(pk=1, defaults={"value": time.time_ns()})
    return row.value


def _count_month(scope, period, opening):
    """The month's figures, summed from its per-unit counts: one pass over the states serves both."""
    units = _unit_counts(scope, period)
    counts = {name: sum(row[name] for row in units) for name in STATE_FIGURES}
    if opening is None:
        opening = states_at(period.opening_moment).filter(scope.q()).filter(OPEN).count()
    return MonthFigures(period=period, opening=opening, **counts, units=units,
                        flows={name: len(ids) for name, ids in flows(scope, period).items()})


def _grouped(rows, period, key):
    table = conditions(period)
    return rows.values(key).annotate(**{name: Count("item_id", filter=table[name])
                                        for name in STATE_FIGURES}).order_by(key)


def _unit_counts(scope, period):
    """The state figures per child organisation of the scope, by the first step of the path below it."""
    width = len(scope.path) + Organization.steplen
    return tuple(_grouped(states(scope, period).annotate(unit=Substr("org_path", 1, width)), period, "unit"))


def _rate(row):
    return round(100 * row["done"] / row["total"], 1) if row["total"] else None


def as_at_end(model, ids, period):
    """{pk: record} of the rows as they stood at a past month's end (kernel.history); {} for the current month,
    whose rows are read as they are now."""
    return {} if period.is_current else history.as_of(model, ids, period.moment)


def by_unit(scope, period, figures=None):
    """Per child organisation of the scope (listed by code; the scope's own items under the scope itself);
    from ``figures``, the month's ``MonthFigures`` when the caller has them, rather than counted again."""
    scope = Coverage.of(scope)
    rows = figures.units if figures is not None else _unit_counts(scope, period)
    units = {o.path: o for o in Organization.objects.filter(scope.q("path"), depth__lte=scope.org.depth + 1)}
    named = as_at_end(Organization, [unit.pk for unit in units.values()], period)
    table = []
    for row in rows:
        unit = units.get(row["unit"], scope.org)
        unit = named.get(unit.pk, unit)
        table.append({**row, "code": unit.code, "name": unit.name, "rate": _rate(row)})
    return sorted(table, key=lambda r: (-r["total"], r["code"]))


def by_category(scope, period):
    rows = _grouped(states(scope, period), period, "category_id")
    names = dict(ProblemCategory.objects.values_list("pk", "name"))
    names |= {pk: record.name for pk, record in as_at_end(ProblemCategory, names, period).items()}
    table = [{**row, "category": row["category_id"] or "none", "code": "",
              "name": names.get(row["category_id"], "未分类"), "rate": _rate(row)} for row in rows]
    return sorted(table, key=lambda r: (-r["total"], str(r["name"])))


def missing_by_org(scope, period, limit):
    """Organisations with items missing the month's update (never merged by name), their codes and names as at
    the month's end; most first, then by code."""
    counted = missing_report(scope, period).values("org_id").annotate(n=Count("item_id"))
    rows = list(counted.order_by("-n", "org_id")[:limit])
    orgs = Organization.objects.in_bulk([r["org_id"] for r in rows])
    named = as_at_end(Organization, orgs, period)
    listed = [(named.get(r["org_id"], orgs[r["org_id"]]), r["n"]) for r in rows]
    return sorted(((org.code, org.name, n) for org, n in listed), key=lambda row: (-row[2], row[0]))


# proof: the figures served against a recount from the log and against the lists they open ------------------

def recount(scope, period):
    """The state figures counted straight from the log, with no cache and no ``ItemHead``."""
    rows = states_at(period.moment).filter(Coverage.of(scope).q())
    if period.is_current:
        rows = rows.exclude(item__problem__archived=True)
    table = conditions(period)
    return {name: rows.filter(table[name]).count() for name in STATE_FIGURES}


def differences(scope, period):
    """Every way the figures served for ``scope`` and ``period`` (the dashboard's and the report's) differ from
    a recount from the log, from the lists they open, or from their own breakdowns; empty when all agree."""
    served = month_figures(scope, period)
    found = [f"{LABELS[name]}：显示 {getattr(served, name)}，按流转记录重算 {n}"
             for name, n in recount(scope, period).items() if getattr(served, name) != n]
    for name in STATE_FIGURES + FLOW_FIGURES:
        shown = getattr(served, name) if name in STATE_FIGURES else served.flows[name]
        listed = figure_items(name, scope, period).count()
        if shown != listed:
            found.append(f"{LABELS[name]}：显示 {shown}，所链接的清单 {listed} 项")
    if not served.balances:
        found.append("月度流量表不平衡：上月末未销号加减本月各项流量不等于本月末未销号")
    for label, rows in (("各单位", by_unit(scope, period)), ("各问题类别", by_category(scope, period))):
        if sum(row["total"] for row in rows) != served.total:
            found.append(f"{label}合计 {sum(row['total'] for row in rows)}，与问题总数 {served.total} 不符")
    return found
