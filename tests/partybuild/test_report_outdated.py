"""A score corrected after publication reaches everything at once: the results page reads the new order, and a
ranked report built before it is 已过期 (with which correction, by whom and when), never offered as current,
and rebuilt on request."""

import io
from decimal import Decimal as D

from openpyxl import load_workbook

from kernel.reports import builder_for
from partybuild import jobs
from partybuild.models import Report
from scoring import services
from scoring.models import Result
from tests.scoring.helpers import indicator, published_for

REASON = "复核发现会议记录缺失"


def _ranked_names(client, report):
    """The workbook's organisations by rank (the workbook lists them by area and peer group)."""
    workbook = client.get(f"/reports/{report.pk}/xlsx/")
    assert workbook.status_code == 200
    rows = list(load_workbook(io.BytesIO(b"".join(workbook.streaming_content))).active.iter_rows(values_only=True))
    header = next(n for n, row in enumerate(rows) if "党组织" in row)
    name, rank = rows[header].index("党组织"), rows[header].index("名次")
    return [row[name] for row in sorted(rows[header + 1:], key=lambda row: int(row[rank]))]


def _requested_ranking(world, client, assessment):
    client.post("/reports/request/", {"scope": world.county.pk, "report": f"ranking:{assessment.pk}"})
    report = Report.objects.get(kind="ranking")
    assert report.status == Report.Status.DONE, report.error
    return report


def _correct_first_village(world, client, assessment, reason=REASON):
    """Staff take 5 points off 东山村 (100 → 95: from first to third) on the grid, after publication."""
    rater = assessment.raters.get(name="述职评分")
    item = indicator("1.1", assessment.scheme)
    return client.post(f"/scoring/{assessment.pk}/raters/{rater.pk}/cell/", {
        f"p-{world.branch.pk}-{item.pk}": str(item.max_points - 5), f"r-{world.branch.pk}-{item.pk}": "",
        "correction_reason": reason, "member": str(rater.members.first().pk)})


def test_a_correction_outdates_the_ranked_report_which_is_rebuilt_on_request(world, login):
    assessment = published_for(world, scored=True)
    client = login(world.users["staff"])
    report = _requested_ranking(world, client, assessment)
    assert _ranked_names(client, report) == ["东山村党支部", "西山村党支部", "南湖村党支部"]

    assert "已保存" in _correct_first_village(world, client, assessment).content.decode()
    report.refresh_from_db()
    assert report.status == Report.Status.OUTDATED
    centre = client.get("/reports/").content.decode()
    assert "已过期" in centre and REASON in centre and "东山村党支部" in centre and assessment.name in centre
    assert world.users["staff"].get_full_name() in report.outdated_reason
    assert f"/reports/{report.pk}/pdf/" not in centre and f"/reports/{report.pk}/xlsx/" not in centre
    assert "重新生成" in centre
    assert client.get(f"/reports/{report.pk}/pdf/").status_code == 404
    assert client.get(f"/reports/{report.pk}/xlsx/").status_code == 404
    api = client.get(f"/api/v1/reports/{report.pk}/").json()
    assert (api["status"], api["downloads"]) == ("outdated", {}) and REASON in api["outdated_reason"]
    assert client.get(f"/api/v1/reports/{report.pk}/pdf/").status_code == 404

    results = client.get(f"/scoring/{assessment.pk}/results/").content.decode()  # the new order at once
    assert results.index("西山村党支部") < results.index("南湖村党支部") < results.index("东山村党支部")

    client.post(f"/reports/{report.pk}/retry/")
    report.refresh_from_db()
    assert (report.status, report.outdated_reason) == (Report.Status.DONE, "")
    assert _ranked_names(client, report) == ["西山村党支部", "南湖村党支部", "东山村党支部"]


def test_a_refused_correction_outdates_nothing(world, login):
    assessment = published_for(world, scored=True)
    client = login(world.users["staff"])
    report = _requested_ranking(world, client, assessment)
    refused = _correct_first_village(world, client, assessment, reason=" ").content.decode()
    assert "必须说明更正理由" in refused
    report.refresh_from_db()
    assert (report.status, report.outdated_reason) == (Report.Status.DONE, "")
    assert _ranked_names(client, report)[0] == "东山村党支部"


def test_a_correction_in_the_admin_goes_through_the_service(world, login):
    assessment = published_for(world, scored=True)
    client = login(world.users["admin"])
    report = _requested_ranking(world, client, assessment)
    score = assessment.scores.get(org=world.branch, indicator=indicator("1.1", assessment.scheme))
    url = f"/admin/scoring/score/{score.pk}/change/"
    refused = client.post(url, {"points": "0", "reason": "", "correction_reason": ""}, follow=True)
    assert "必须说明更正理由" in refused.content.decode()
    score.refresh_from_db()
    assert score.points != 0
    client.post(url, {"points": "0", "reason": "", "correction_reason": REASON})
    assert Result.objects.get(assessment=assessment, org=world.branch).rank == 3  # computed again
    report.refresh_from_db()
    assert report.status == Report.Status.OUTDATED and REASON in report.outdated_reason
    result = Result.objects.get(assessment=assessment, org=world.branch)
    assert client.post(f"/admin/scoring/result/{result.pk}/change/", {"total": "100"}).status_code == 403


def test_a_report_being_built_when_the_correction_commits_ends_outdated(world, monkeypatch):
    """The build may have read the figures before the correction: it is not offered as current."""
    assessment = published_for(world, scored=True)
    report, _due = jobs.reset_row("ranking", world.county, str(assessment.pk))
    builder = builder_for("ranking")
    build = builder.build

    def build_during_a_correction(scope, period, progress):
        built = build(scope, period, progress)
        services.enter_score(world.users["staff"], rater=assessment.raters.get(name="述职评分"), org=world.branch,
                             indicator=indicator("1.1", assessment.scheme), points=D(0), correction_reason=REASON)
        return built

    monkeypatch.setattr(builder, "build", build_during_a_correction)
    jobs.generate(report.pk)
    report.refresh_from_db()
    assert report.status == Report.Status.OUTDATED and REASON in report.outdated_reason


def test_other_assessments_and_report_kinds_stay_current(world, login):
    assessment = published_for(world, scored=True)
    client = login(world.users["staff"])
    report = _requested_ranking(world, client, assessment)
    monthly = Report.objects.create(kind="monthly", scope=world.county, period=assessment.closes_on.strftime("%Y-%m"),
                                    status=Report.Status.DONE)
    other = Report.objects.create(kind="ranking", scope=world.county, period=str(assessment.pk + 1000),
                                  status=Report.Status.DONE)
    _correct_first_village(world, client, assessment)
    assert Report.objects.get(pk=report.pk).status == Report.Status.OUTDATED
    assert {r.status for r in Report.objects.filter(pk__in=[monthly.pk, other.pk])} == {Report.Status.DONE}
