"""The ranked assessment report (排名通报) of a published assessment over a scope."""

from collections import Counter, defaultdict

from django.utils.translation import gettext as _

from partybuild import charts, xlsx
from partybuild.pdf import render_pdf
from partybuild.reports import Built, ReportBuilder, register

from .engine import TIE_RULE
from .models import Assessment
from .queries import dimension_names, ranking_rows


def published(period):
    assessment = Assessment.objects.filter(pk=int(period) if period.isdigit() else 0,
                                           status=Assessment.Status.PUBLISHED).select_related("scheme").first()
    if assessment is None:
        raise ValueError(_("请选择一个已发布的考核。"))
    return assessment


@register
class RankingReport(ReportBuilder):
    kind = "ranking"
    label = _("考核排名通报")
    roles = ("staff", "leader")

    def check_period(self, period):
        published(period)

    def build(self, scope, period, progress):
        assessment = published(period)
        rows = list(ranking_rows(assessment, scope))
        progress(30)
        groups = defaultdict(list)
        for row in rows:
            groups[row.peer_group].append(row)
        grades = Counter(row.grade for row in rows)
        labels = assessment.scheme.grading_rule.labels
        dimensions = dimension_names(assessment.scheme)
        context = {"assessment": assessment, "groups": dict(groups), "count": len(rows), "tie_rule": TIE_RULE,
                   "dimensions": dimensions, "grades": [(label, grades.get(label, 0)) for label in labels],
                   "grade_chart": charts.bar_chart([(label, grades.get(label, 0)) for label in labels])}
        pdf = render_pdf("reports/ranking.html", context, title=_("%(a)s排名通报") % {"a": assessment.name},
                         scope=scope.name, period=assessment.period)
        progress(90)
        return Built(pdf=pdf, xlsx=_workbook(rows, dimensions))


def _workbook(rows, dimensions):
    columns = [xlsx.Column("排名分组", "group"), xlsx.Column("名次", "rank"), xlsx.Column("组织编码", "code"),
               xlsx.Column("党组织", "name"), xlsx.Column("总分", "total")]
    columns += [xlsx.Column(d, f"d{i}") for i, d in enumerate(dimensions)]
    columns += [xlsx.Column("等次", "grade"), xlsx.Column("名次变化", "change"), xlsx.Column("一票否决", "veto"),
                xlsx.Column("后三名", "bottom")]
    records = ({"group": r.peer_group, "rank": r.rank, "code": r.org.code, "name": r.org.name, "total": float(r.total),
                **{f"d{i}": float(r.subtotals.get(d, 0)) for i, d in enumerate(dimensions)},
                "grade": r.grade, "change": r.rank_change, "veto": r.veto,
                "bottom": _("连续两期") if r.bottom_three_twice else (_("是") if r.bottom_three else "")}
               for r in rows)
    return xlsx.write_rows(_("排名"), columns, records)
