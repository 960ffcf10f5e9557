"""The seeded schemes, the scheme editor outside the admin, and the rules shown with every scheme."""

import pytest

from kernel.errors import ServiceError
from scoring import services
from scoring.models import Indicator, Scheme


def seed_004():
    return Scheme.objects.get(name="“五个好”村党支部考核管理办法", year=2026, version=1)


def test_seed_004_scheme_has_its_three_blocks_fifty_items_and_three_vetoes(db):
    scheme = seed_004()
    blocks = list(scheme.indicators.filter(kind=Indicator.Kind.GROUP).order_by("order"))
    assert [b.name for b in blocks] == ["党组织履行职责方面的措施要求", "农村基层组织和党员队伍建设方面的目标要求",
                                        "两个文明建设方面成效的综合要求"]
    assert scheme.indicators.filter(kind=Indicator.Kind.SCORE).count() == 50
    vetoes = scheme.indicators.filter(kind=Indicator.Kind.VETO)
    assert [v.name for v in vetoes] == ["经济建设一票否决", "计划生育一票否决", "社会治安一票否决"]
    assert set(vetoes.values_list("consequence", flat=True)) == {"not_passing"}
    guidance = list(scheme.indicators.filter(kind=Indicator.Kind.SCORE).values_list("guidance", flat=True))
    assert len(set(guidance)) == 50 and all(guidance)  # every item its own 评分标准
    assert scheme.grading_rule.describe().startswith("两档制")


def editor_post(scheme, settings=None, rows=None):
    rows = rows if rows is not None else services.indicator_rows(scheme)
    data = {"grading": scheme.grading, "basis": scheme.basis, "thresholds": "", "shares": "",
            "overdue_deduction": "1", "rectify_months": "3", "plaque_title": "", "plaque_grades": "",
            "rows-TOTAL_FORMS": str(len(rows)), "rows-INITIAL_FORMS": str(len(rows)), **(settings or {})}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"rows-{i}-{key}"] = "" if value is None else str(value)
    return data


def test_the_scheme_editor_saves_rules_and_items_and_refuses_items_over_their_block(world, login):
    scheme = services.copy_scheme(seed_004())
    client = login(world.users["staff"])
    url = f"/scoring/schemes/{scheme.pk}/edit/"
    assert "两个文明建设方面成效的综合要求" in client.get(url).content.decode()
    rows = services.indicator_rows(scheme)
    over = [dict(row, max_points=3) if row["code"] == "1.1" else row for row in rows]
    html = client.post(url, editor_post(scheme, rows=over), follow=True).content.decode()
    assert "其下计分指标合计 31.0 分，超出了维度分值" in html
    assert Indicator.objects.get(scheme=scheme, code="1.1").max_points == 2
    fixed = [dict(row, max_points=3) if row["code"] in ("1.1", "1") else row for row in rows]
    fixed = [dict(row, max_points=31) if row["code"] == "1" else row for row in fixed]
    fixed.append({"pk": "", "code": "1.16", "parent": "1", "name": "党建品牌创建", "kind": "score", "max_points": 0,
                  "guidance": "有品牌得满分", "consequence": ""})
    response = client.post(url, editor_post(scheme, {"thresholds": "92,75", "advanced_cap": "30"}, fixed))
    assert "须有大于 0 的分值" in response.content.decode()
    fixed[-1]["max_points"] = 1
    fixed = [dict(row, max_points=30) if row["code"] == "1.2" else row for row in fixed]
    response = client.post(url, editor_post(scheme, {"thresholds": "92,75", "advanced_cap": "30"}, fixed))
    assert "超出了维度分值" in response.content.decode()
    fixed = [dict(row, max_points=1) if row["code"] == "1.2" else row for row in fixed]
    settings = {"thresholds": "92,75", "advanced_cap": "30"}
    assert client.post(url, editor_post(scheme, settings, fixed)).status_code == 302
    scheme.refresh_from_db()
    assert scheme.thresholds == [92, 75] and scheme.advanced_cap == 30
    assert scheme.indicators.get(code="1.16").parent.code == "1"
    assert "先进≥92分" in client.get(f"/scoring/schemes/{scheme.pk}/").content.decode()


def test_a_scheme_in_use_is_never_edited(world, login):
    scheme = seed_004()
    Scheme.objects.filter(pk=scheme.pk).update(in_use=True)
    with pytest.raises(ServiceError, match="复制为新版本"):
        services.update_scheme(world.users["staff"], Scheme.objects.get(pk=scheme.pk), settings={},
                               rows=services.indicator_rows(scheme))
    response = login(world.users["staff"]).get(f"/scoring/schemes/{scheme.pk}/edit/", follow=True)
    assert "不能修改" in response.content.decode()


def test_bad_thresholds_and_shares_are_refused_in_chinese(world):
    scheme = services.copy_scheme(Scheme.objects.get(name="村(社区)党组织年度考核细则", year=2026, version=1))
    rows = services.indicator_rows(scheme)
    with pytest.raises(Exception, match="分数线应有 3 个，由高到低"):
        services.update_scheme(world.users["staff"], scheme, settings={"thresholds": [60, 80, 90]}, rows=rows)
    with pytest.raises(Exception, match="合计不超过 100"):
        services.update_scheme(world.users["staff"], scheme, settings={"basis": "shares", "shares": [50, 40, 30]},
                               rows=rows)
