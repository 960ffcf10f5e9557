import datetime
import io
import shutil
import subprocess

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from kernel.errors import ServiceError
from kernel.reports import builder_for
from partybuild import tasks
from partybuild.models import Report
from rectification import services as ledger
from rectification.figures import Period, month_figures
from rectification.models import ItemTransition, Problem, ProblemCategory, ProgressUpdate
from scoring import services as scoring_services
from scoring.models import Assessment
from tests.factories import OrganizationFactory
from tests.partybuild.reports_helpers import at, ledger_history
from tests.rectification.helpers import item_of
from tests.scoring.helpers import assessment_for, full_marks, published_for

SEPTEMBER = Period(datetime.date(2026, 9, 1))


def pdf_text(content, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_monthly_figures_come_from_the_log(world):
    ledger_history(world)
    september = month_figures(world.county, SEPTEMBER)
    # 乙问题 is due on 30 September, the report date: not yet overdue in September's report
    assert (september.total, september.raised, september.closed, september.open, september.overdue) == (
        2, 1, 1, 1, 0)
    assert september.completion_rate == 50.0
    october = month_figures(world.county, Period(datetime.date(2026, 10, 1)))
    assert (october.total, october.raised, october.closed, october.open) == (3, 1, 0, 2)
    assert month_figures(world.town_b, SEPTEMBER).total == 0


def test_last_months_report_is_rebuilt_identically_after_later_changes(world):
    a, b, c = ledger_history(world)
    before = month_figures(world.county, SEPTEMBER)
    ledger.perform(world.users["secretary"], b, "start")
    ledger.perform(world.users["secretary"], b, "submit")
    ledger.perform(world.users["staff"], b, "accept")
    assert month_figures(world.county, SEPTEMBER) == before


def workbook_values(content):
    book = load_workbook(io.BytesIO(content))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def test_every_sheet_of_a_past_month_reads_the_months_end(world):
    """Change every kind of field after October (status, deadline, 责任人, description, category and its name,
    the organisation's name and code, a new item, a progress report): October's workbook stays the same."""
    a, b, c = ledger_history(world)
    category = ProblemCategory.objects.first()
    Problem.objects.filter(pk=b.problem_id).update(category=category)
    ItemTransition.objects.create(item=b, action="edit", from_status=b.status, to_status=b.status,
                                  happened_at=at("2026-10-11"))
    build = builder_for("monthly")
    before = workbook_values(build.build(world.county, "2026-10", lambda percent: None).xlsx)
    assert any("王五" in row for row in before["逾期事项"])
    for role, action in (("secretary", "start"), ("secretary", "submit"), ("staff", "accept")):
        ledger.perform(world.users[role], b, action)
    b.refresh_from_db()
    b.responsible_person, b.deadline = "赵六", datetime.date(2027, 3, 1)
    b.save()
    b.problem.description, b.problem.category = "改写后的问题", ProblemCategory.objects.exclude(pk=category.pk).first()
    b.problem.save()
    category.name = "改名后的类别"
    category.save()
    world.branch.name, world.branch.code = "改名后的党支部", "99999999"
    world.branch.save()
    item_of(world.branch, description="十二月新问题", deadline=datetime.date(2026, 8, 1))
    ProgressUpdate.objects.create(item=c, month=datetime.date(2026, 12, 1), text="本月进展", percent=10,
                                  author=world.users["secretary"])
    assert workbook_values(build.build(world.county, "2026-10", lambda percent: None).xlsx) == before


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_monthly_report_pdf_and_xlsx_in_chinese(world, tmp_path):
    ledger_history(world)
    built = builder_for("monthly").build(world.county, "2026-10", lambda percent: None)
    text = pdf_text(built.pdf, tmp_path)
    assert "整改进展月度报告" in text and "中共测试县委员会" in text and "2026年10月" in text
    assert "乙问题" in text and "王五" in text  # the overdue item with its responsible person
    assert world.branch.code in text  # 东山村党支部 missed October's update (乙问题 was raised in September)
    summary = load_workbook(io.BytesIO(built.xlsx))["总体情况"]
    rows = {r[0]: r[1] for r in summary.iter_rows(min_row=2, values_only=True)}
    assert (rows["问题总数"], rows["逾期"], rows["完成率(%)"], rows["本月未报送"]) == (3, 1, 33.3, 1)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_ranking_report_lists_every_organisation_once_in_rank_order(world, tmp_path):
    assessment = published_for(world, scored=True)
    built = builder_for("ranking").build(world.county, str(assessment.pk), lambda percent: None)
    sheet = load_workbook(io.BytesIO(built.xlsx)).active
    assert sheet["A1"].value.endswith("排名通报") and sheet["A2"].value == "所属单位"  # a title row, then the header
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    town_a, town_b = "中共甲镇委员会", "中共乙镇委员会"
    assert [(r[0], r[2], r[4]) for r in rows] == [(town_a, 1, "东山村党支部"), (town_a, 2, "西山村党支部"),
                                                 (town_b, 3, "南湖村党支部")]
    text = pdf_text(built.pdf, tmp_path)  # the PDF lists the same rows in the same order
    assert "排名通报" in text and text.index("东山村党支部") < text.index("西山村党支部") < text.index("南湖村党支部")


def test_requesting_a_report_generates_it_and_only_the_scope_may_download(world, login):
    ledger_history(world)
    client = login(world.users["leader"])
    client.post("/reports/request/", {"scope": world.county.pk, "report": "monthly:2026-09"})
    report = Report.objects.get()
    assert (report.status, report.progress, report.attempts) == (Report.Status.DONE, 100, 1)
    assert client.get(f"/reports/{report.pk}/pdf/").status_code == 200
    assert login(world.users["secretary"]).get(f"/reports/{report.pk}/pdf/").status_code == 404
    outsider = world.user_with("leader", world.foreign_county)
    assert login(outsider).get(f"/reports/{report.pk}/xlsx/").status_code == 404


def test_regenerating_replaces_the_files(world, django_capture_on_commit_callbacks):
    ledger_history(world)
    with django_capture_on_commit_callbacks(execute=True):
        first = tasks.request_report(world.users["staff"], kind="monthly", scope=world.county, period="2026-09")
    first.refresh_from_db()
    old_pdf = first.pdf.name
    with django_capture_on_commit_callbacks(execute=True):
        second = tasks.request_report(world.users["staff"], kind="monthly", scope=world.county, period="2026-09")
    second.refresh_from_db()
    assert Report.objects.count() == 1 and second.pdf.name != old_pdf
    assert not second.pdf.storage.exists(old_pdf) and second.pdf.storage.exists(second.pdf.name)


def test_a_failing_builder_records_its_error_on_the_row(world, monkeypatch):
    def broken(self, scope, period, progress):
        raise RuntimeError("模板缺失")

    monkeypatch.setattr(type(builder_for("monthly")), "build", broken)
    report = tasks.request_report(world.users["staff"], kind="monthly", scope=world.county, period="2026-09")
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED and "生成失败" in report.error and "模板缺失" in report.error


def test_bad_periods_and_foreign_scopes_are_refused_in_chinese(world):
    with pytest.raises(ServiceError, match="2026-10 的形式"):
        tasks.request_report(world.users["staff"], kind="monthly", scope=world.county, period="十月")
    with pytest.raises(ServiceError, match="不能生成这个范围"):
        tasks.request_report(world.users["staff"], kind="monthly", scope=world.foreign_county, period="2026-09")
    with pytest.raises(ServiceError, match="本范围内已发布的考核"):
        tasks.request_report(world.users["staff"], kind="ranking", scope=world.county, period="999")
    assert not Report.objects.exists()


@pytest.fixture
def broker_down():
    from partybuild.celery import app

    def point_broker_at(url, eager):
        app.conf.task_always_eager, app.conf.broker_url = eager, url
        app._pool = app.amqp._producer_pool = None  # forget connections made to the previous broker

    saved = app.conf.broker_url
    point_broker_at("redis://127.0.0.1:1/0", eager=False)
    yield
    point_broker_at(saved, eager=True)


def test_with_the_broker_down_the_request_is_kept_and_answered_in_chinese(world, login, broker_down):
    response = login(world.users["staff"]).post(
        "/reports/request/", {"scope": world.county.pk, "report": "monthly:2026-09"}, follow=True)
    assert "报告服务暂时不可用" in response.content.decode()
    assert Report.objects.get().status == Report.Status.QUEUED


def test_daily_reminders_notify_once_per_day(world):
    from partybuild import notifications
    from tests.rectification.helpers import item_of

    item_of(world.branch, deadline=datetime.date(2020, 1, 1))
    assert notifications.send_daily(datetime.date(2026, 11, 24)) == 1
    assert notifications.send_daily(datetime.date(2026, 11, 24)) == 0
    note = world.users["secretary"].notifications.get(key__startswith="secretary-")
    assert "1 个整改事项已逾期" in note.text


def test_the_monthly_beat_job_queues_every_county(world):
    tasks.queue_monthly_reports(datetime.date(2026, 11, 1))
    assert set(Report.objects.values_list("scope__name", "period")) == {
        ("中共测试县委员会", "2026-10"), ("中共外县委员会", "2026-10")}


def test_leader_dashboard_figures_and_one_click_report(world, login):
    ledger_history(world)
    client = login(world.users["leader"])
    html = client.get("/").content.decode()
    assert "本月整改情况" in html and "生成本月报告" in html
    month = datetime.date.today().strftime("%Y-%m")
    client.post("/reports/request/", {"scope": world.county.pk, "report": f"monthly:{month}"})
    assert Report.objects.get().status == Report.Status.DONE


@pytest.mark.bench
def test_report_benchmark_prints_its_figures(db, capsys):
    from django.core.management import call_command

    call_command("seed_demo")
    call_command("bench_reports", "--runs", "1")
    out = capsys.readouterr().out
    assert "月度整改进展报告 · 中共清河县委员会：中位数" in out and "考核排名通报" in out


def test_dashboard_figures_follow_every_ledger_write_at_once(world, login, django_assert_max_num_queries):
    a, b, c = ledger_history(world)
    client = login(world.users["leader"])
    client.get("/")
    with django_assert_max_num_queries(18):
        assert client.get("/").context["dashboard"]["ledger"]["open"] == 2
    for role, action in (("secretary", "start"), ("secretary", "submit"), ("staff", "accept")):
        ledger.perform(world.users[role], b, action)
    assert client.get("/").context["dashboard"]["ledger"]["open"] == 1


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_a_large_ranking_fans_out_per_child_scope_and_merges(world, settings, tmp_path,
                                                             django_capture_on_commit_callbacks):
    from partybuild.models import ReportPart

    settings.REPORT_FAN_OUT_ABOVE = 2
    assessment = published_for(world)
    assert [p.name for p in builder_for("ranking").parts(world.county, str(assessment.pk))] == [
        world.county.name, "中共甲镇委员会", "中共乙镇委员会"]
    with django_capture_on_commit_callbacks(execute=True):
        report = tasks.request_report(world.users["staff"], kind="ranking", scope=world.county,
                                     period=str(assessment.pk))
    report.refresh_from_db()
    assert report.status == Report.Status.DONE, report.error
    text = pdf_text(report.pdf.read(), tmp_path)
    assert text.index("等次分布") < text.index("中共甲镇委员会 · ") < text.index("中共乙镇委员会 · ")
    for name in ("东山村党支部", "西山村党支部", "南湖村党支部"):
        assert text.count(name) == 1
    assert not ReportPart.objects.exists()
    rows = list(load_workbook(io.BytesIO(report.xlsx.read())).active.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 3
    pages = PdfReader(io.BytesIO(report.pdf.open("rb").read())).pages
    numbers = [page.extract_text().split("第 ")[-1].strip() for page in pages]
    assert len(pages) >= 3 and numbers == [f"{n} 页 / 共 {len(pages)} 页" for n in range(1, len(pages) + 1)]


def test_dashboard_shows_the_grade_distribution_and_the_ends_of_the_ranking(world, login):
    """Twelve villages: the chart shows the first five and the last five, in rank order, never the middle two."""
    villages = [world.branch, world.sibling, world.far_branch] + [
        OrganizationFactory(parent=world.town_b, name=f"第{n}村党支部", level=world.branch.level) for n in range(4, 13)]
    assessment = assessment_for(world)
    for place, org in enumerate(villages):
        full_marks(assessment, org, minus=place / 2)
    scoring_services.close(world.users["staff"], assessment)
    scoring_services.publish(world.users["staff"], Assessment.objects.get(pk=assessment.pk))
    dashboard = login(world.users["leader"]).get("/").context["dashboard"]
    charts = dashboard["charts"]
    assert sum(g["value"] for g in charts["grades"]) == 12
    assert charts["ranked"] == [org.name for org in villages[:5] + villages[-5:]]
    assert charts["totals"] == sorted(charts["totals"], reverse=True) and len(set(charts["totals"])) == 10
    assert charts["results_url"] == f"/scoring/{dashboard['latest'].pk}/results/"


def test_the_dashboard_ranking_is_counted_once_but_names_organisations_as_they_are_now(world, login):
    published_for(world, scored=True)
    client = login(world.users["leader"])
    before = client.get("/").context["dashboard"]["charts"]
    position = before["ranked"].index("东山村党支部")
    world.branch.name = "东风村党支部"
    world.branch.save()
    after = client.get("/").context["dashboard"]["charts"]
    assert after["ranked"][position] == "东风村党支部" and after["totals"] == before["totals"]
    assert after["grades"] == before["grades"]


def test_a_database_error_while_building_is_retried_not_recorded(world, monkeypatch):
    from django.db import OperationalError

    builder = type(builder_for("monthly"))
    real_build, calls = builder.build, []

    def flaky(self, scope, period, progress):
        calls.append(period)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real_build(self, scope, period, progress)

    monkeypatch.setattr(builder, "build", flaky)
    report = tasks.request_report(world.users["staff"], kind="monthly", scope=world.county, period="2026-09")
    report.refresh_from_db()
    assert report.status == Report.Status.DONE and report.error == "" and report.attempts == 2


def test_when_retries_run_out_the_last_error_is_recorded_once(world, monkeypatch):
    from django.db import OperationalError

    def down(self, scope, period, progress):
        raise OperationalError("数据库不可用")

    monkeypatch.setattr(type(builder_for("monthly")), "build", down)
    report = tasks.request_report(world.users["staff"], kind="monthly", scope=world.county, period="2026-09")
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED and report.error.startswith("生成失败：数据库不可用")
    assert report.error.count("生成失败") == 1  # the last attempt's error, not one per attempt
    assert report.attempts == tasks.ReportTask.max_retries + 1
