"""Entering scores quickly and safely: cell by cell, a whole page at once, or one member's sheet in Excel."""

import io
from decimal import Decimal as D

from openpyxl import load_workbook

from scoring import services
from scoring.models import Score
from tests.scoring.helpers import ALL_SCORE_ITEMS, assessment_for, indicator


def cell_key(org, code):
    return f"{org.pk}-{indicator(code).pk}"


def urls(assessment, rater):
    base = f"/scoring/{assessment.pk}/raters/{rater.pk}/"
    return {name: base + f"{name}/" for name in ("grid", "cell", "save", "export", "import")}


def test_a_refused_cell_shows_its_chinese_error_in_place_and_is_never_marked_saved(world, login):
    assessment = assessment_for(world)
    rater = assessment.raters.get(name="评议")
    client = login(world.users["inspector"])
    url = urls(assessment, rater)["cell"]
    ok = client.post(url, {f"p-{cell_key(world.branch, '2.1')}": "5.5"})
    assert ok.status_code == 200 and "已保存" in ok.content.decode() and 'data-ok="1"' in ok.content.decode()
    for raw, message in (("99", "得分应在 0 到 6.7 之间"), ("abc", "请输入数字"), ("NaN", "请输入数字")):
        bad = client.post(url, {f"p-{cell_key(world.branch, '2.1')}": raw})
        html = bad.content.decode()
        assert bad.status_code == 200 and message in html and "已保存" not in html and 'data-ok="0"' in html
    outside = client.post(url, {f"p-{cell_key(world.far_branch, '2.1')}": "5"})  # town 乙: not her scope
    assert "不在您的范围内" in outside.content.decode()
    assert list(Score.objects.values_list("points", flat=True)) == [D("5.5")]


def test_a_whole_page_is_saved_at_once_or_not_at_all(world, login):
    assessment = assessment_for(world)
    rater = assessment.raters.get(name="述职评分")
    client = login(world.users["staff"])
    page = {f"p-{cell_key(org, code)}": "5" for org in (world.branch, world.sibling) for code in ALL_SCORE_ITEMS}
    bad = {**page, f"p-{cell_key(world.sibling, '3.2')}": "9", f"p-{cell_key(world.branch, 'E3')}": "1"}
    response = client.post(urls(assessment, rater)["save"], bad)
    html = response.content.decode()
    assert response.status_code == 200 and not Score.objects.exists()
    assert "有 2 个分数不符合要求" in html and "得分应在 0 到 6.7 之间" in html and "必须填写理由" in html
    assert 'value="9"' in html and "is-invalid" in html  # what was typed stays in place, marked
    response = client.post(urls(assessment, rater)["save"], page)
    assert response.status_code == 302 and Score.objects.count() == 30
    assert set(Score.objects.values_list("member", flat=True)) == {world.users["staff"].pk}


def test_staff_enter_a_panel_members_sheet_on_their_behalf(world, login):
    assessment = assessment_for(world)
    rater = assessment.raters.get(name="评议")
    inspector = world.users["inspector"]
    client = login(world.users["staff"])
    client.post(urls(assessment, rater)["save"], {"member": inspector.pk,
                                                  f"p-{cell_key(world.branch, '1.1')}": "6"})
    assert Score.objects.get().member == inspector and Score.objects.get().entered_by == world.users["staff"]
    assert login(world.users["leader"]).post(urls(assessment, rater)["save"], {
        "member": inspector.pk, f"p-{cell_key(world.branch, '1.1')}": "6"}).status_code == 403


def sheet_rows(content):
    return list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))


def workbook(rows, exported=None):
    """``rows`` as a workbook; with ``exported`` (a sheet the system wrote), in that workbook, as a rater fills it."""
    from openpyxl import Workbook

    book = load_workbook(io.BytesIO(exported)) if exported else Workbook()
    sheet = book.worksheets[0]
    sheet.delete_rows(1, sheet.max_row)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "评分表.xlsx"
    return buffer


def test_one_members_sheet_goes_to_excel_and_comes_back_all_or_nothing(world, login):
    assessment = assessment_for(world)
    rater = assessment.raters.get(name="评议")
    inspector = world.users["inspector"]
    services.enter_score(inspector, rater=rater, org=world.branch, indicator=indicator("1.1"), points=D(6))
    client = login(inspector)
    exported = client.get(urls(assessment, rater)["export"]).content
    rows = sheet_rows(exported)
    header = rows[0]
    assert header[:2] == ("组织编码", "党组织") and "1.1 组织设置规范、按期换届(0–6.7)" in header
    assert {row[1] for row in rows[1:]} == {"东山村党支部", "西山村党支部"}  # her scope only
    filled = [list(row) for row in rows]
    for row in filled[1:]:
        for i, title in enumerate(header):
            if title[0].isdigit() and "理由" not in title:
                row[i] = 5
    column = header.index("2.2 书记履行第一责任人职责(0–6.7)")
    bad = [list(r) for r in filled]
    bad[2][column] = 8
    bad.append(["NOPE", "不存在村", *[None] * (len(header) - 2)])
    response = client.post(urls(assessment, rater)["import"], {"file": workbook(bad, exported)})
    html = response.content.decode()
    assert "发现 2 处错误，未导入任何分数" in html and "第 3 行" in html and "得分应在 0 到 6.7 之间" in html
    assert "“NOPE”不是您可以评分的被考核组织" in html
    assert list(Score.objects.values_list("points", flat=True)) == [D(6)]
    response = client.post(urls(assessment, rater)["import"], {"file": workbook(filled, exported)})
    assert response.status_code == 302
    assert Score.objects.filter(member=inspector).count() == 30 and set(
        Score.objects.values_list("points", flat=True)) == {D(5)}


def test_an_unreadable_file_is_refused_in_chinese(world, login):
    assessment = assessment_for(world)
    rater = assessment.raters.get(name="评议")
    upload = io.BytesIO(b"not a workbook")
    upload.name = "x.xlsx"
    html = login(world.users["inspector"]).post(urls(assessment, rater)["import"], {"file": upload}).content.decode()
    assert "不是有效的 Excel" in html and not Score.objects.exists()


def filled_sheet(client, assessment, rater, points=5, member=None):
    """The rows of a sheet exported for ``rater`` (and ``member``), every score cell given ``points``."""
    query = f"?member={member.pk}" if member else ""
    exported = client.get(urls(assessment, rater)["export"] + query).content
    rows = [list(row) for row in sheet_rows(exported)]
    for row in rows[1:]:
        for i, title in enumerate(rows[0]):
            if title[0].isdigit() and "理由" not in title:
                row[i] = points
    return rows, exported


def test_a_sheet_is_imported_only_for_the_assessment_body_and_member_it_was_exported_for(world, login):
    assessment = assessment_for(world)
    other_year = assessment_for(world)  # the same scheme, raters and headers
    panel, annual = assessment.raters.get(name="评议"), assessment.raters.get(name="年度考核")
    staff, inspector = world.users["staff"], world.users["inspector"]
    annual.members.add(inspector)
    client = login(staff)
    rows, exported = filled_sheet(client, assessment, annual)

    def refusal(target_assessment, rater, content, member=None):
        data = {"file": workbook(rows, content), **({"member": member.pk} if member else {})}
        response = client.post(urls(target_assessment, rater)["import"], data)
        assert response.status_code == 200
        return response.content.decode()

    assert "这是另一次考核的评分表" in refusal(other_year, other_year.raters.get(name="年度考核"), exported)
    assert "这是评分主体“年度考核”的评分表，不能导入到“评议”" in refusal(assessment, panel, exported, inspector)
    assert "这是另一位评分人的评分表" in refusal(assessment, annual, exported, inspector)
    assert "缺少评分表标记" in refusal(assessment, annual, None)  # the same headers, typed in a new workbook
    forged = load_workbook(io.BytesIO(exported))
    forged.custom_doc_props.props[0].value = forged.custom_doc_props.props[0].value.replace(
        f"{assessment.pk}:", f"{other_year.pk}:", 1)
    buffer = io.BytesIO()
    forged.save(buffer)
    assert "评分表标记无效" in refusal(other_year, other_year.raters.get(name="年度考核"), buffer.getvalue())
    assert not Score.objects.exists()
    response = client.post(urls(assessment, annual)["import"], {"file": workbook(rows, exported)})
    assert response.status_code == 302
    assert Score.objects.filter(rater=annual, member=staff).count() == 15 * (len(rows) - 1)


def test_staff_who_are_not_on_a_panel_cannot_score_it_as_themselves(world, login):
    assessment = assessment_for(world)
    panel = assessment.raters.get(name="评议")
    client = login(world.users["staff"])
    rows, exported = filled_sheet(client, assessment, panel)
    html = client.post(urls(assessment, panel)["import"], {"file": workbook(rows, exported)}).content.decode()
    assert "您不是“评议”的评分人" in html
    assert not Score.objects.exists() and list(panel.members.all()) == [world.users["inspector"]]


def test_duplicate_rows_and_overlong_reasons_are_refused_at_preview(world, login):
    assessment = assessment_for(world)
    rater = assessment.raters.get(name="述职评分")
    client = login(world.users["staff"])
    rows, exported = filled_sheet(client, assessment, rater, points=0)
    reason = next(i for i, title in enumerate(rows[0]) if "理由" in title)
    rows[1][reason] = "理" * 301
    rows.append(list(rows[2]))
    response = client.post(urls(assessment, rater)["import"], {"file": workbook(rows, exported)})
    html = response.content.decode()
    assert response.status_code == 200 and "最多 300 个" in html
    assert f"“{rows[2][0]}”与第 3 行重复" in html and f"第 {len(rows)} 行" in html
    assert not Score.objects.exists()
