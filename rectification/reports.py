"""The monthly progress report (月度整改进展报告), rebuilt only from the ledger's append-only log.

Every number comes from ``rectification.figures`` (the same definitions the dashboard and the lists use), as
the ledger stood at the month's end, so last month's report reads the same however the ledger changes later.
"""

from django.utils import timezone

from kernel import charts, xlsx
from kernel.dates import add_months, parse_month, recent_months
from kernel.pdf import render_pdf
from kernel.reports import Built, ReportBuilder, register
from orgs.models import Organization

from . import figures
from .figures import Period, month_series
from .models import LedgerCheckpoint, Problem, RectificationItem

TREND_MONTHS = 12
#: how many months back the download centre offers
PERIOD_CHOICES = 24
LISTED_ROWS = 300


def monthly_content(scope, period):
    """Everything the monthly report says, as plain data (the PDF and the workbook render it)."""
    months = [Period(add_months(period.month, -i), period.today) for i in reversed(range(TREND_MONTHS))]
    trend = month_series(scope, months)
    current, previous = trend[-1], trend[-2]
    return {
        "current": current, "previous": previous, "flow_rows": current.flow_rows(),
        "by_unit": figures.by_unit(scope, period, current), "by_category": figures.by_category(scope, period),
        "trend": [(m.key, f.open, f.overdue) for m, f in zip(months, trend, strict=True)],
        "overdue": overdue_rows(scope, period),
        "overdue_count": current.overdue,
        "missed": figures.missing_by_org(scope, period, LISTED_ROWS),
        "checkpoint": LedgerCheckpoint.objects.filter(month=period.month).first(),
    }


def overdue_rows(scope, period):
    """The items overdue at the month's end with their organisation, description and 责任人 as they stood then
    (the log entry has the deadline; the history records the rest), so a later change never moves the month."""
    late = list(figures.overdue(scope, period).select_related("org", "item__problem").order_by(
        "deadline", "item_id")[:LISTED_ROWS])
    orgs = figures.as_at_end(Organization, [e.org_id for e in late], period)
    items = figures.as_at_end(RectificationItem, [e.item_id for e in late], period)
    problems = figures.as_at_end(Problem, [e.item.problem_id for e in late], period)
    rows = []
    for entry in late:
        org = orgs.get(entry.org_id, entry.org)
        rows.append({"code": org.code, "org": org.name, "deadline": entry.deadline,
                     "description": problems.get(entry.item.problem_id, entry.item.problem).description,
                     "person": items.get(entry.item_id, entry.item).responsible_person})
    return rows


@register
class MonthlyProgressReport(ReportBuilder):
    kind = "monthly"
    label = "月度整改进展报告"

    def periods(self, user, scope):
        return [(f"{month:%Y-%m}", f"{month.year}年{month.month}月")
                for month in recent_months(timezone.localdate(), PERIOD_CHOICES)]

    def check_period(self, period, scope):
        Period.parse(period)

    def period_label(self, period):
        month = parse_month(period)
        return f"{month.year}年{month.month}月"

    def build(self, scope, period, progress):
        month = Period.parse(period)
        content = monthly_content(scope, month)
        progress(70)
        trend = content["trend"]
        context = {**content, "listed": LISTED_ROWS, "trend_chart": charts.line_chart(
            [key[2:].replace("-", ".") for key, _o, _d in trend],
            [("未销号", "#1565c0", [o for _k, o, _d in trend]), ("逾期", "#b71c1c", [d for _k, _o, d in trend])])}
        pdf = render_pdf("reports/monthly.html", context, title="整改进展月度报告", scope=scope.name,
                         period=f"{month.month:%Y年%m月}")
        progress(90)
        return Built(pdf=pdf, xlsx=_workbook(content))


SUMMARY = [xlsx.Column("指标", "name"), xlsx.Column("本月", "now"), xlsx.Column("上月", "before")]
FLOW = [xlsx.Column("项目", "name"), xlsx.Column("增减", "sign"), xlsx.Column("事项数", "count")]
TABLE = [xlsx.Column("组织编码", "code"), xlsx.Column("单位或类别", "name"), xlsx.Column("问题总数", "total"),
         xlsx.Column("已销号", "done"), xlsx.Column("未销号", "open"), xlsx.Column("逾期", "overdue"),
         xlsx.Column("完成率(%)", "rate")]
OVERDUE = [xlsx.Column("组织编码", "code"), xlsx.Column("党组织", "org"), xlsx.Column("问题描述", "description"),
           xlsx.Column("整改时限", "deadline"), xlsx.Column("责任人", "person")]
MISSED = [xlsx.Column("组织编码", "code"), xlsx.Column("党组织", "name"), xlsx.Column("未报送事项数", "count")]


def _workbook(content):
    current, previous = content["current"], content["previous"]
    labels = [("total", "问题总数"), ("raised", "本月新增"), ("closed", "本月销号"), ("open", "未销号"),
              ("overdue", "逾期"), ("completion_rate", "完成率(%)"), ("missing_report", "本月未报送")]
    summary = [{"name": label, "now": getattr(current, key), "before": getattr(previous, key)}
               for key, label in labels]
    flow = [{"name": str(name), "sign": sign, "count": count} for name, sign, count, _key in content["flow_rows"]]
    missed = [{"code": code, "name": name, "count": n} for code, name, n in content["missed"]]
    return xlsx.write_sheets([("总体情况", SUMMARY, summary), ("增减情况", FLOW, flow),
                              ("分单位", TABLE, content["by_unit"]), ("分类别", TABLE, content["by_category"]),
                              ("逾期事项", OVERDUE, content["overdue"]), ("未按月报送", MISSED, missed)])
