"""The ranked assessment report (排名通报) of a published assessment over a scope."""

from collections import Counter, defaultdict

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from kernel import typeset, xlsx
from kernel.reports import Built, ReportBuilder, register
from orgs.models import Organization
from rectification.notices import issuer_name

from .engine import TIE_RULE, UNRATED
from .models import Assessment, Consequence, Plaque
from .queries import block_names, ranking_rows

#: the event of a score corrected after closing (results recomputed); ``summary`` says which, by whom, when
RESULTS_CORRECTED = "results_corrected"


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
        pdf = ranking_pdf(assessment, scope, rows)
        progress(90)
        return Built(pdf=pdf, xlsx=_workbook(sections(rows, scope), block_names(assessment),
                                             _heading(scope, assessment)))

    def parts(self, scope, period):
        """The summary pages (the part that is the scope itself), then each child scope's ranking tables: one
        task each."""
        assessment = published(period, scope)
        rows = ranking_rows(assessment, scope)
        if rows.count() <= settings.REPORT_FAN_OUT_ABOVE:
            return []
        children = Organization.objects.filter(path__startswith=scope.path, depth=scope.depth + 1).order_by("path")
        return [scope, *(child for child in children if rows.filter(org__path__startswith=child.path).exists())]

    def build_part(self, scope, period, part):
        """The summary pages when ``part`` is the scope itself, else one child scope's ranking tables (its
        organisations keep their ranks in the whole assessment)."""
        assessment = published(period, scope)
        if part == scope:
            rows = list(ranking_rows(assessment, scope))
            return typeset.render("ranking.typ", document_data(assessment, scope, [], numbered=False,
                                                               summary=summary(assessment, scope, rows)))
        rows = list(ranking_rows(assessment, part))
        return typeset.concatenate([typeset.render("ranking.typ", document_data(assessment, scope, chunk,
                                                                                numbered=False))
                                    for chunk in chunked(tables(sections(rows, scope), block_names(assessment)))])

    def merge(self, scope, period, part_pdfs):
        assessment = published(period, scope)
        rows = list(ranking_rows(assessment, scope))
        return Built(pdf=typeset.merge_numbered(part_pdfs, title=_title(assessment)),
                     xlsx=_workbook(sections(rows, scope), block_names(assessment), _heading(scope, assessment)))


#: rows Typst typesets in one go: it keeps every laid-out page until it writes the PDF (about 100 KB a row),
#: so a longer ranking is typeset in runs of this many rows and the runs' pages merged and numbered
CHUNK_ROWS = 1000


def ranking_pdf(assessment, scope, rows, *, number=""):
    """The whole 排名通报 in this process (``number``: its 文号 once issued), its memory bounded by CHUNK_ROWS."""
    ranked = tables(sections(rows, scope), block_names(assessment))
    cover = summary(assessment, scope, rows)
    if len(rows) <= CHUNK_ROWS:
        return typeset.render("ranking.typ", document_data(assessment, scope, ranked, summary=cover, number=number))
    first = typeset.render("ranking.typ", document_data(assessment, scope, [], summary=cover, numbered=False,
                                                        number=number))
    runs = [typeset.render("ranking.typ", document_data(assessment, scope, chunk, numbered=False))
            for chunk in chunked(ranked)]
    return typeset.merge_numbered([first, *runs], title=_title(assessment))


def tables(ordered, dimensions):
    """The ranking tables as printed: a title and the rows' cells per section of ``sections``."""
    return [{"title": f"{area.name} · {group}(共 {len(members)} 个)",
             "rows": [_cells(row, dimensions) for row in members]} for area, group, members in ordered]


def chunked(ranked):
    """``ranked`` (tables) cut into runs of at most CHUNK_ROWS rows, in order; a table cut in two goes on
    under its title marked (续). Tables follow one another inside a run."""
    size = CHUNK_ROWS
    run, used = [], 0
    for table in ranked:
        rows, title = table["rows"], table["title"]
        while rows:
            if used == size:
                yield run
                run, used = [], 0
            piece, rows = rows[:size - used], rows[size - used:]
            run.append({"title": title, "rows": piece})
            used += len(piece)
            title = f"{table['title']}(续)"
    if run:
        yield run


def _title(assessment):
    return f"{assessment.name}排名通报"


def _heading(scope, assessment):
    return f"{scope.name}{_title(assessment)}"


def sections(rows, scope):
    """[(area, peer group, rows)]: the ranking by area (the organisation right under ``scope`` that a row's
    organisation belongs to: a county of a city, a township of a county), then peer group (层级·领域), each in
    rank order (ranks are within the peer group of the whole assessment). The PDF and the XLSX both follow it."""
    area_of = _area_finder(scope, [row.org for row in rows])
    grouped = defaultdict(list)
    for row in rows:
        grouped[(area_of(row.org), row.peer_group)].append(row)
    return [(area, group, members) for (area, group), members in _by_area(grouped)]


def _area_finder(scope, orgs):
    """The function: organisation → its area (the organisation right under ``scope`` above it, else ``scope``)."""
    depth = scope.depth + 1
    prefix = Organization.steplen * depth
    areas = {o.path: o for o in Organization.objects.filter(path__in={org.path[:prefix] for org in orgs},
                                                            depth=depth)}
    return lambda org: areas.get(org.path[:prefix], scope) if org.depth >= depth else scope


def _by_area(grouped):
    """The items of ``grouped`` (keyed by (area, …)) in tree order of the area, then the rest of the key."""
    return sorted(grouped.items(), key=lambda entry: (entry[0][0].path, *entry[0][1:]))


#: the ranking table's columns after the dimensions: (title, width in pt, numeric); 0 = what is left
LEAD_COLUMNS = [("名次", 30, True), ("党组织", 0, False), ("总分", 38, True)]
TAIL_COLUMNS = [("加分", 30, True), ("扣分", 30, True), ("整改扣分", 46, True), ("等次", 36, False),
                ("变化", 32, True), ("备注", 118, False)]
DIMENSION_WIDTH = 44
#: A4 portrait width inside the margins (186 mm), and the least the 党组织 column may have
PORTRAIT_WIDTH_PT, NAME_MIN_PT = 527, 190


def document_data(assessment, scope, ranked, *, summary=None, numbered=True, number=""):
    """What templates/typst/ranking.typ prints: the title block, the summary (None for a part of a merged
    document) and the ranking tables (``tables``). ``number``: the 文号 once issued as a 通报."""
    dimensions = block_names(assessment)
    columns = [*LEAD_COLUMNS, *[(d, DIMENSION_WIDTH, True) for d in dimensions], *TAIL_COLUMNS]
    fixed = sum(width for _title, width, _numeric in columns)
    return {
        "title": _title(assessment), "issuer": issuer_name(assessment.root), "number": number,
        "date": _chinese_date(timezone.localdate()), "period": assessment.period, "scope": scope.name,
        "numbered": numbered, "landscape": fixed > PORTRAIT_WIDTH_PT - NAME_MIN_PT,
        "columns": [title for title, _w, _n in columns], "widths": [width for _t, width, _n in columns],
        "numeric": [i for i, (_t, _w, numeric) in enumerate(columns) if numeric],
        "summary": summary, "sections": ranked,
    }


def _chinese_date(day):
    return f"{day.year}年{day.month}月{day.day}日"


def _cells(row, dimensions):
    """One row of the ranking table, as text; an unrated organisation (缺评) has no rank and no figures."""
    change = row.rank_change
    notes = ["一票否决({v})".format(v="、".join(row.vetoes))] if row.veto else []
    notes += [row.grade_note] if row.grade_note else []
    if row.bottom_three_twice or row.bottom_three:
        notes.append("连续两期排名后三位" if row.bottom_three_twice else "排名后三位")
    figures = ([str(row.total), *[str(row.subtotals.get(d, "")) for d in dimensions], str(row.bonus),
                str(row.deduction), str(row.ledger_deduction)] if row.rated else ["—", *[""] * (len(dimensions) + 3)])
    return [str(row.rank) if row.rated else "—", row.org.name, *figures, row.grade,
            "—" if not change else (f"↑{change}" if change > 0 else f"↓{-change}"), " ".join(notes)]


#: seed 003's words on the bottom three, and seed 004's on naming and removing plaques
BOTTOM_RULE = ("排名后三位的单位各类评优一票否决，党组织负责人进行诫勉谈话；对连续两年排名后三位的领导班子进行调整，"
               "党组织负责人免职。")
PLAQUE_RULE = "年年考核排队，命名表彰与摘牌淘汰并举：达到命名标准的命名授牌，未达到的摘牌。"


def summary(assessment, scope, rows):
    """The report's first pages: what was assessed and by which rules, the grade distribution, the bottom
    three with the consequences recorded at publication, and the plaques named and removed."""
    grades = Counter(row.grade for row in rows)
    labels = [*assessment.scheme.grading_rule.labels, UNRATED]
    raters = "、".join(f"{r.name}{r.weight}" for r in assessment.raters.filter(is_self=False).order_by("id"))
    decided = defaultdict(list)
    consequences = Consequence.objects.filter(assessment=assessment, org__path__startswith=scope.path)
    for org_id, kind in consequences.exclude(kind=Consequence.Kind.PLAQUE_REMOVED).values_list("org_id", "kind"):
        decided[org_id].append(Consequence.Kind(kind).label)
    removed = consequences.filter(kind=Consequence.Kind.PLAQUE_REMOVED).select_related("org")
    named = Plaque.objects.filter(assessment=assessment, org__path__startswith=scope.path).select_related(
        "org").order_by("org__path")
    return {
        "assessed": [
            f"{assessment.name}({assessment.period})对{scope.name}范围内 {len(rows)} 个党组织进行了考核。"
            f"评分主体及权重：{raters}(按权重比例汇总)，分层级、领域进行排名；{TIE_RULE}",
            f"定等规则：{assessment.scheme.grading_rule.describe()}总分 = 各维度得分 + 加分 − 扣分 − 整改扣分。"],
        "grades": [(label, grades.get(label, 0), f"{100 * grades.get(label, 0) / max(1, len(rows)):.1f}%")
                   for label in labels],
        "bottom_rule": BOTTOM_RULE,
        "bottom": [(r.org.name, r.peer_group, f"{r.rank}/{r.group_size}", "、".join(decided.get(r.org_id, [])))
                   for r in rows if r.rated and r.bottom_three],
        "plaque_rule": PLAQUE_RULE,
        "named": _named_by_area(named, scope),
        "removed": [(c.org.name, c.basis) for c in removed],
        "ranking_note": "以下按所属单位、排名分组列出各党组织的名次和得分(名次为在全部同组组织中的名次)。",
    }


def _named_by_area(plaques, scope):
    """The plaques named, one line per area and title: [(area, 称号(等次), how many, the names joined by 、)];
    a city names thousands, which a row each would spread over a hundred pages."""
    plaques = list(plaques)
    area_of = _area_finder(scope, [p.org for p in plaques])
    grouped = defaultdict(list)
    for plaque in plaques:
        grouped[(area_of(plaque.org), f"{plaque.title}({plaque.grade})")].append(plaque.org.name)
    return [(area.name, title, len(names), "、".join(names)) for (area, title), names in _by_area(grouped)]


def _workbook(ordered, dimensions, heading):
    """Every figure as the pages show it: for a rated organisation the block subtotals + 加分 − 扣分 − 整改扣分
    add up to 总分; an unrated one (缺评) has no rank, no figures and no grade but 缺评."""
    columns = [xlsx.Column("所属单位", "area"), xlsx.Column("排名分组", "group"), xlsx.Column("名次", "rank"),
               xlsx.Column("组织编码", "code"), xlsx.Column("党组织", "name"), xlsx.Column("总分", "total")]
    columns += [xlsx.Column(d, f"d{i}") for i, d in enumerate(dimensions)]
    columns += [xlsx.Column("加分", "bonus"), xlsx.Column("扣分", "deduction"), xlsx.Column("整改扣分", "ledger"),
                xlsx.Column("等次", "grade"), xlsx.Column("定等说明", "note"), xlsx.Column("名次变化", "change"),
                xlsx.Column("一票否决", "veto"), xlsx.Column("后三名", "bottom")]
    records = ({"area": area.name, "group": r.peer_group, "code": r.org.code, "name": r.org.name, "grade": r.grade,
                "note": r.grade_note,
                **({"rank": r.rank, "total": float(r.total), "bonus": float(r.bonus), "deduction": float(r.deduction),
                    "ledger": float(r.ledger_deduction),
                    **{f"d{i}": float(r.subtotals.get(d, 0)) for i, d in enumerate(dimensions)},
                    "change": r.rank_change, "veto": "、".join(r.vetoes) if r.veto else "",
                    "bottom": "连续两期" if r.bottom_three_twice else ("是" if r.bottom_three else "")}
                   if r.rated else {})}
               for area, _group, members in ordered for r in members)
    return xlsx.write_rows("排名", columns, records, heading=heading)
