"""The ranked report (排名通报) read back from its PDF as a reader sees it: ruled tables, text of at least 9 pt,
nothing past the page or the table's rules, the header on every page, groups following one another, 第 x 页 / 共 y 页.
A monospaced listing (no rules), a shrunken table or an overflowing one fails here."""

import shutil
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from django.utils import timezone

from kernel import typeset
from kernel.reports import builder_for
from rectification.models import Notice
from scoring import reports
from scoring.models import Plaque
from scoring.queries import block_names
from scoring.reports import document_data, tables
from tests.pdf_reading import assert_readable, pages_of
from tests.scoring.helpers import assessment_for, published_for


def test_the_county_report_is_a_ruled_numbered_document(world):
    assessment = published_for(world, scored=True)
    built = builder_for("ranking").build(world.county, str(assessment.pk), lambda percent: None)
    names = ["东山村党支部", "西山村党支部", "南湖村党支部"]
    text = "".join(assert_readable(built.pdf, names))
    for words in ("一、考核情况", "二、等次分布", "三、排名后三位及处理", "四、命名授牌与摘牌",
                  "党组织负责人进行诫勉谈话", "中共测试县委员会组织部", "述职评分4、评议3、年度考核3"):
        assert words in text
    assert all(text.count(name) >= 1 for name in names)
    plaques = text[text.index("四、命名授牌与摘牌"):text.index("五、排名情况")].replace("\n", "")
    named = Plaque.objects.filter(assessment=assessment).select_related("org")
    assert named and all(plaque.org.name in plaques for plaque in named)  # every one named, by area and title
    assert "中共甲镇委员会" in plaques


def _row(n, group):
    return SimpleNamespace(
        rated=True, rank=n, org=SimpleNamespace(name=f"第{n}村党支部委员会(长名称的党组织用来检查换行与列宽)"),
        total=D("90.50"), subtotals={}, bonus=D("1.00"), deduction=D("0.50"), ledger_deduction=D("0"),
        grade="较好", rank_change=-2 if n % 3 else 4, veto=False, vetoes=[], grade_note="",
        bottom_three=n > 48, bottom_three_twice=False, peer_group=group)


def test_long_tables_repeat_their_header_and_groups_follow_one_another(world):
    """Two groups of 50 rows: several pages each with the header, the second group starting on the page where
    the first ends (mid-page), pages filled (no page holds only a handful of rows)."""
    assessment = published_for(world)
    ordered = [(world.town_a, group, [_row(n, group) for n in range(1, 51)]) for group in ("村·农村", "社区·社区")]
    pdf = typeset.render("ranking.typ", document_data(assessment, world.county, tables(ordered, block_names(
        assessment))))
    texts = assert_readable(pdf, [])
    pages = pages_of(pdf)
    assert len(pages) >= 3
    for page, text in zip(pages, texts, strict=True):
        assert "名次" in text and "党组织" in text and "整改扣分" in text  # the header, on every page
        assert len(page.search("党支部委员会")) >= 15 or page is pages[-1]  # two-line rows: ~18 a page
    second = next(i for i, text in enumerate(texts) if "中共甲镇委员会 · 社区·社区" in text)
    assert "第50村党支部委员会" in texts[second]  # the first group ends on the page where the second begins
    assert all(len(page.search("长名称")) == len(page.search("党支部委员会")) for page in pages)  # names wrap


def test_a_long_ranking_is_typeset_in_runs_and_numbered_across_them(world, monkeypatch):
    """Runs of CHUNK_ROWS rows (bounded memory): the same rows in the same order, a table cut in two goes on
    under its title with (续), and the merged pages are numbered 第 x 页 / 共 y 页 throughout."""
    assessment = published_for(world, scored=True)
    monkeypatch.setattr(reports, "CHUNK_ROWS", 2)
    rows = list(reports.ranking_rows(assessment, world.county))
    pdf = reports.ranking_pdf(assessment, world.county, rows)
    text = "".join(assert_readable(pdf, ["东山村党支部", "西山村党支部", "南湖村党支部"]))
    assert text.index("东山村党支部") < text.index("西山村党支部") < text.index("南湖村党支部")
    runs = list(reports.chunked([{"title": "甲", "rows": [1, 2, 3]}, {"title": "乙", "rows": [4]}]))
    assert runs == [[{"title": "甲", "rows": [1, 2]}], [{"title": "甲(续)", "rows": [3]}, {"title": "乙", "rows": [4]}]]


@pytest.mark.parametrize("broken", ["small", "listing"])
def test_the_check_fails_on_small_text_or_an_unruled_listing(world, broken, monkeypatch, tmp_path):
    """The guard itself: a ranking at 7 pt, or without rules (a listing), does not pass ``assert_readable``."""
    assessment = published_for(world)
    shutil.copytree(typeset.TEMPLATES, tmp_path, dirs_exist_ok=True)
    template = tmp_path / "ranking.typ"
    source = template.read_text()
    changed = source.replace("#set text(size: 9pt)", "#set text(size: 7pt)") if broken == "small" else (
        source.replace("stroke: 0.5pt + luma(100)", "stroke: none"))
    assert changed != source
    template.write_text(changed)
    monkeypatch.setattr(typeset, "TEMPLATES", tmp_path)
    rows = [_row(n, "村·农村") for n in range(1, 4)]
    ranked = tables([(world.town_a, "村·农村", rows)], block_names(assessment))
    pdf = typeset.render("ranking.typ", document_data(assessment, world.county, ranked))
    with pytest.raises(AssertionError):
        assert_readable(pdf, ["第1村党支部委员会"])


def test_staff_issue_the_published_ranking_as_a_numbered_bulletin(world, login):
    assessment = published_for(world, scored=True)
    client = login(world.users["staff"])
    response = client.post(f"/scoring/{assessment.pk}/bulletin/")
    notice = Notice.objects.get(kind=Notice.Kind.BULLETIN)
    assert response.url == notice.get_absolute_url() and notice.org == world.county and notice.reply_by is None
    assert notice.number == f"测组通〔{timezone.localdate().year}〕1号"
    pdf = client.get(f"/rectification/notices/{notice.pk}.pdf").content
    text = "".join(assert_readable(pdf, ["东山村党支部"]))
    assert notice.number in text and "中共测试县委员会组织部" in text
    client.post(f"/scoring/{assessment.pk}/bulletin/")
    assert Notice.objects.filter(kind=Notice.Kind.BULLETIN).latest("id").number.endswith("〕2号")
    page = client.get(notice.get_absolute_url()).content.decode()
    assert "排名通报" in page and "限期反馈" not in page


def test_a_bulletin_waits_for_publication_and_for_staff(world, login):
    assessment = assessment_for(world)
    response = login(world.users["staff"]).post(f"/scoring/{assessment.pk}/bulletin/", follow=True)
    assert "考核结果发布后才能印发排名通报。" in response.content.decode()
    published = published_for(world)
    assert login(world.users["secretary"]).post(f"/scoring/{published.pk}/bulletin/").status_code in (403, 404)
    assert not Notice.objects.filter(kind=Notice.Kind.BULLETIN).exists()
