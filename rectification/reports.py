"""The monthly progress report (月度整改进展报告), rebuilt only from the ledger's append-only log.

Status at a month's end comes from ItemTransition (``with_status_as_of``), so last month's report can be
rebuilt later with the same figures. (Deadlines and categories are read as they stand today.)
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.models import Organization
from partybuild.kernel import charts, xlsx
from partybuild.kernel.dates import add_months, parse_month, recent_months
from partybuild.kernel.pdf import render_pdf
from partybuild.kernel.reports import Built, ReportBuilder, register

from .models import ItemTransition, ProgressUpdate, RectificationItem
from .queries import with_status_as_of

Status = RectificationItem.Status
TREND_MONTHS = 12
#: how many months back the download centre offers
PERIOD_CHOICES = 24
LISTED_ROWS = 300


def _moment(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass
class MonthFigures:
    existing: int
    raised: int
    closed: int
    open: int
    overdue: int

    @property
    def completion_rate(self):
        return round(100 * (self.existing - self.open) / self.existing, 1) if self.existing else None


def items_in(scope):
    """The scope's items as reports show them: problems withheld until an assessment's publication left out."""
    return RectificationItem.objects.unarchived().released().filter(problem__org__path__startswith=scope.path)


def month_figures(scope, month):
    """Counts for the calendar month starting at ``month`` (a date), as the log had them at its end."""
    start, end = month, add_months(month, 1)
    rows = with_status_as_of(items_in(scope), _moment(end)).filter(status_then__isnull=False)
    rows = rows.values_list("status_then", "deadline")
    existing = opened = overdue = 0
    for status, deadline in rows:
        existing += 1
        if status != Status.CLOSED:
            opened += 1
            overdue += bool(deadline and deadline < end)
    log = ItemTransition.objects.released().filter(item__problem__org__path__startswith=scope.path,
                                                   happened_at__gte=_moment(start), happened_at__lt=_moment(end))
    raised = log.filter(action__in=["raise", "import"], from_status="").values("item").distinct().count()
    closed = log.filter(to_status=Status.CLOSED).values("item").distinct().count()
    return MonthFigures(existing, raised, closed, opened, overdue)


def breakdown(scope, month):
    """Open and overdue items at the month's end by child organisation of the scope and by category."""
    end = add_months(month, 1)
    rows = (with_status_as_of(items_in(scope), _moment(end)).filter(status_then__isnull=False)
            .values_list("status_then", "deadline", "problem__org__path", "problem__category__name"))
    children = dict(Organization.objects.filter(path__startswith=scope.path, depth=scope.depth + 1)
                    .values_list("path", "name"))
    by_unit, by_category = defaultdict(Counter), defaultdict(Counter)
    width = len(scope.path) + Organization.steplen
    for status, deadline, path, category in rows:
        unit = children.get(path[:width], scope.name)
        for table, key in ((by_unit, unit), (by_category, category or _("未分类"))):
            table[key]["total"] += 1
            table[key]["closed"] += status == Status.CLOSED
            table[key]["open"] += status != Status.CLOSED
            table[key]["overdue"] += status != Status.CLOSED and bool(deadline and deadline < end)
    return _rated(by_unit), _rated(by_category)


def _rated(table):
    return [{"name": name, **counts, "rate": round(100 * counts["closed"] / counts["total"], 1)}
            for name, counts in sorted(table.items(), key=lambda pair: -pair[1]["total"])]


def overdue_items(scope, month):
    end = add_months(month, 1)
    rows = (with_status_as_of(items_in(scope), _moment(end)).exclude(status_then=Status.CLOSED)
            .filter(status_then__isnull=False, deadline__lt=end).select_related("problem__org")
            .order_by("deadline", "id"))
    return list(rows[:LISTED_ROWS]), rows.count()


def missed_updates(scope, month):
    """Organisations with items open through the month but no progress update in it."""
    end = add_months(month, 1)
    reported = ProgressUpdate.objects.filter(month=month).values("item")
    rows = (with_status_as_of(items_in(scope), _moment(end)).filter(problem__found_on__lt=month)
            .exclude(status_then=Status.CLOSED).filter(status_then__isnull=False).exclude(pk__in=reported)
            .values_list("problem__org__name", flat=True))
    return Counter(rows).most_common(LISTED_ROWS)


@register
class MonthlyProgressReport(ReportBuilder):
    kind = "monthly"
    label = _("月度整改进展报告")

    def periods(self, user, scope):
        return [(f"{month:%Y-%m}", f"{month.year}年{month.month}月")
                for month in recent_months(timezone.localdate(), PERIOD_CHOICES)]

    def check_period(self, period, scope):
        parse_month(period)

    def period_label(self, period):
        month = parse_month(period)
        return f"{month.year}年{month.month}月"

    def build(self, scope, period, progress):
        month = parse_month(period)
        current, previous = month_figures(scope, month), month_figures(scope, add_months(month, -1))
        progress(20)
        by_unit, by_category = breakdown(scope, month)
        progress(40)
        months = [add_months(month, -i) for i in reversed(range(TREND_MONTHS))]
        trend = [month_figures(scope, m) for m in months]
        progress(70)
        overdue, overdue_count = overdue_items(scope, month)
        missed = missed_updates(scope, month)
        context = {
            "current": current, "previous": previous, "by_unit": by_unit, "by_category": by_category,
            "overdue": overdue, "overdue_count": overdue_count, "missed": missed, "listed": LISTED_ROWS,
            "trend_chart": charts.line_chart([f"{m:%y.%m}" for m in months], [
                (_("未销号"), "#1565c0", [f.open for f in trend]), (_("逾期"), "#b71c1c", [f.overdue for f in trend])]),
        }
        pdf = render_pdf("reports/monthly.html", context, title=_("整改进展月度报告"), scope=scope.name,
                         period=f"{month:%Y年%m月}")
        progress(90)
        return Built(pdf=pdf, xlsx=_workbook(current, previous, by_unit, by_category, overdue))


SUMMARY = [xlsx.Column("指标", "name"), xlsx.Column("本月", "now"), xlsx.Column("上月", "before")]
TABLE = [xlsx.Column("单位或类别", "name"), xlsx.Column("问题总数", "total"), xlsx.Column("已销号", "closed"),
         xlsx.Column("未销号", "open"), xlsx.Column("逾期", "overdue"), xlsx.Column("完成率(%)", "rate")]
OVERDUE = [xlsx.Column("党组织", "org"), xlsx.Column("问题描述", "description"), xlsx.Column("整改时限", "deadline"),
           xlsx.Column("责任人", "person")]


def _workbook(current, previous, by_unit, by_category, overdue):
    labels = [("existing", _("问题总数")), ("raised", _("本月新增")), ("closed", _("本月销号")), ("open", _("未销号")),
              ("overdue", _("逾期")), ("completion_rate", _("完成率(%)"))]
    summary = [{"name": label, "now": getattr(current, key), "before": getattr(previous, key)}
               for key, label in labels]
    late = [{"org": i.problem.org.name, "description": i.problem.description, "deadline": i.deadline,
             "person": i.responsible_person} for i in overdue]
    return xlsx.write_sheets([(_("总体情况"), SUMMARY, summary), (_("分单位"), TABLE, by_unit),
                              (_("分类别"), TABLE, by_category), (_("逾期事项"), OVERDUE, late)])
