"""Reports never block: asking answers at once with the row queued and polled; without a worker (the embedded
quick start) the report is built in a thread after the response; 下载排名通报 downloads once the file is ready."""

import time

import pytest
from django.utils import timezone

from partybuild.models import Report
from tests.scoring.helpers import published_for


def _wait_until_done(report, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if not report.is_running:
            return report
        time.sleep(0.5)
    raise AssertionError(f"report still {report.status} after {seconds} s")


@pytest.mark.django_db(transaction=True)  # the thread has its own connection: it must see committed rows
def test_without_a_worker_the_report_is_built_after_the_response(world, login, settings):
    settings.REPORTS_IN_BACKGROUND_THREAD = True
    client = login(world.users["staff"])
    response = client.post("/reports/request/", {"scope": world.county.pk,
                                                "report": f"monthly:{timezone.localdate():%Y-%m}"})
    assert response.status_code == 302
    report = Report.objects.get()
    page = client.get(response.url).content.decode()
    assert "正在生成" in page and report.title in page  # titled by kind, scope and period in Chinese
    report = _wait_until_done(report)
    assert report.status == Report.Status.DONE, report.error
    assert report.pdf and report.xlsx


def test_the_dashboard_asks_for_the_ranking_report_and_downloads_it_when_ready(world, login):
    assessment = published_for(world, scored=True)
    client = login(world.users["leader"])
    html = client.get("/").content.decode()
    assert f'name="report" value="ranking:{assessment.pk}"' in html and 'name="download"' in html
    response = client.post("/reports/request/", {"scope": world.county.pk, "report": f"ranking:{assessment.pk}",
                                                "download": "1"})
    report = Report.objects.get(kind="ranking")
    assert response.url == f"/reports/?download={report.pk}#report-{report.pk}"
    centre = client.get(f"/reports/?download={report.pk}").content.decode()
    assert f"/reports/{report.pk}/pdf/?attachment=1" in centre and "data-auto-download" in centre
    home = client.get("/").content.decode()  # ready: the button is the download itself
    assert f'href="/reports/{report.pk}/pdf/?attachment=1"' in home
    download = client.get(f"/reports/{report.pk}/pdf/?attachment=1")
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
