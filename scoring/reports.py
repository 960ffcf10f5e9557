"""The ranked assessment report (排名通报) of a published assessment over a scope."""

from collections import Counter, defaultdict

from django.conf import settings
from django.db.models import Q

from orgs.models import Organization
from partybuild.kernel import charts, listing, xlsx
from partybuild.kernel.pdf import merge_numbered, render_pdf
from partybuild.kernel.reports import Built, ReportBuilder, register

from .engine import TIE_RULE, UNRATED
from .models import Assessment
from .queries import block_names, ranking_rows
from .services import RESULTS_CORRECTED


def published_over(scope):
    """Published assessments whose targets overlap ``scope``: its root lies above, at or under the scope."""
    above = [scope.path[:i] for i in range(Organization.steplen, len(scope.path) + 1, Organization.steplen)]
    return Assessment.objects.filter(status=Assessment.Status.PUBLISHED).filter(
        Q(root__path__in=above) | Q(root__path__startswith=scope.path))


def published(period, scope):
    assessment = published_over(scope).filter(pk=int(period) if period.isdigit() else 0).select_related(
        "scheme").first()
    if assessment is None:
        raise ValueError("请选择一个本范围内已发布的考核。")
    return assessment


@register
class RankingReport(ReportBuilder):
    kind = "ranking"
    label = "考核排名通报"

    def periods(self, user, scope):
        visible = published_over(scope) & Assessment.objects.visible_to(user)
        return [(str(a.pk), a.name) for a in visible.order_by("-published_at")[:50]]

    def check_period(self, period, scope):
        published(period, scope)

    def period_label(self, period):
        return Assessment.objects.filter(pk=int(period) if period.isdigit() else 0).values_list(
            "name", flat=True).first() or period

    def outdated_by(self, event, assessment=None, **payload):
        """A score corrected after closing moves totals, ranks and grades: every ranked report of the assessment."""
        return [str(assessment.pk)] if event == RESULTS_CORRECTED else []

    def build(self, scope, period, progress):
        assessment = published(period, scope)
        rows = list(ranking_rows(assessment, scope))
        progress(30)
        pdf = self._render(assessment, scope, rows, sections=listings(rows, block_names(assessment)))
        progress(90)
        return Built(pdf=pdf, xlsx=_workbook(rows, block_names(assessment), _heading(scope, assessment)))

    def parts(self, scope, period):
        assessment = published(period, scope)
        rows = ranking_rows(assessment, scope)
        if rows.count() <= settings.REPORT_FAN_OUT_ABOVE:
            return []
        children = Organization.objects.filter(path__startswith=scope.path, depth=scope.depth + 1).order_by("path")
        return [child for child in children if rows.filter(org__path__startswith=child.path).exists()]

    def build_part(self, scope, period, part):
        """One child scope's ranking tables (its organisations keep their ranks in the whole assessment)."""
        assessment = published(period, scope)
        rows = list(ranking_rows(assessment, part))
        return render_pdf("reports/ranking_part.html", {
            "part": part, "groups": listings(rows, block_names(assessment))},
            title=f"{assessment.name}排名通报", scope=part.name, period=assessment.period,
            numbered=False)

    def merge(self, scope, period, part_pdfs):
        assessment = published(period, scope)
        rows = list(ranking_rows(assessment, scope))
        cover = self._render(assessment, scope, rows, sections={}, numbered=False)
        return Built(pdf=merge_numbered([cover, *part_pdfs]),
                     xlsx=_workbook(rows, block_names(assessment), _heading(scope, assessment)))

    def _render(self, assessment, scope, rows, sections, numbered=True):
        grades = Counter(row.grade for row in rows)
        labels = [*assessment.scheme.grading_rule.labels, UNRATED]
        context = {"assessment": assessment, "groups": sections, "count": len(rows), "tie_rule": TIE_RULE,
                   "rule": assessment.scheme.grading_rule.describe(), "dimensions": block_names(assessment),
                   "grades": [(label, grades.get(label, 0)) for label in labels],
                   "grade_chart": charts.bar_chart([(label, grades.get(label, 0)) for label in labels])}
        return render_pdf("reports/ranking.html", context, title=f"{assessment.name}排名通报",
                          scope=scope.name, period=assessment.period, numbered=numbered)


def by_group(rows):
    groups = defaultdict(list)
    for row in rows:
        groups[row.peer_group].append(row)
    return dict(groups)


def _heading(scope, assessment):
    return f"{scope.name}{assessment.name}排名通报"


def listings(rows, dimensions):
    """Each peer group's ranking table as a monospaced listing (kernel.listing: a city's 7,127 rows in
    seconds, where WeasyPrint's HTML table took minutes)."""
    columns = [listing.Column("名次", "rank", 4, right=True), listing.Column("党组织", "name", 48),
               listing.Column("总分", "total", 6, right=True),
               *[listing.Column(d, f"d{i}", 6, right=True) for i, d in enumerate(dimensions)],
               listing.Column("加分", "bonus", 5, right=True), listing.Column("扣分", "deduction", 5, right=True),
               listing.Column("整改扣分", "ledger", 5, right=True), listing.Column("等次", "grade", 6),
               listing.Column("变化", "change", 5, right=True), listing.Column("备注", "note", 24)]
    return {group: listing.build(columns, (_listing_record(r, dimensions) for r in members))
            for group, members in by_group(rows).items()}


def _listing_record(row, dimensions):
    """The cells of the HTML ranking table (reports/_ranking_table.html), as text."""
    change = row.rank_change
    notes = ["一票否决({v})".format(v="、".join(row.vetoes))] if row.veto else []
    notes += [row.grade_note] if row.grade_note else []
    if row.bottom_three_twice or row.bottom_three:
        notes.append("连续两期排名后三位" if row.bottom_three_twice else "排名后三位")
    record = {"rank": "—", "name": row.org.name, "total": "—", "grade": row.grade, "note": " ".join(notes),
              "change": "—" if not change else (f"↑{change}" if change > 0 else f"↓{-change}")}
    if row.rated:
        record.update({"rank": row.rank, "total": row.total, "bonus": row.bonus, "deduction": row.deduction,
                       "ledger": row.ledger_deduction,
                       **{f"d{i}": row.subtotals.get(d, "") for i, d in enumerate(dimensions)}})
    return record


def _workbook(rows, dimensions, heading):
    """Every figure as the pages show it: for a rated organisation the block subtotals + 加分 − 扣分 − 整改扣分
    add up to 总分; an unrated one (缺评) has no rank, no figures and no grade but 缺评."""
    columns = [xlsx.Column("排名分组", "group"), xlsx.Column("名次", "rank"), xlsx.Column("组织编码", "code"),
               xlsx.Column("党组织", "name"), xlsx.Column("总分", "total")]
    columns += [xlsx.Column(d, f"d{i}") for i, d in enumerate(dimensions)]
    columns += [xlsx.Column("加分", "bonus"), xlsx.Column("扣分", "deduction"), xlsx.Column("整改扣分", "ledger"),
                xlsx.Column("等次", "grade"), xlsx.Column("定等说明", "note"), xlsx.Column("名次变化", "change"),
                xlsx.Column("一票否决", "veto"), xlsx.Column("后三名", "bottom")]
    records = ({"group": r.peer_group, "code": r.org.code, "name": r.org.name, "grade": r.grade, "note": r.grade_note,
                **({"rank": r.rank, "total": float(r.total), "bonus": float(r.bonus), "deduction": float(r.deduction),
                    "ledger": float(r.ledger_deduction),
                    **{f"d{i}": float(r.subtotals.get(d, 0)) for i, d in enumerate(dimensions)},
                    "change": r.rank_change, "veto": "、".join(r.vetoes) if r.veto else "",
                    "bottom": "连续两期" if r.bottom_three_twice else ("是" if r.bottom_three else "")}
                   if r.rated else {})}
               for r in rows)
    return xlsx.write_rows("排名", columns, records, heading=heading)
