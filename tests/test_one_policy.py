"""Every access decision through the policy (issue 21): what the outside probe found, each over HTTP.

Issued documents leave out withheld lines until publication and print only what was frozen at issue; the
organisation picker answers only for the action it serves (tests/orgs/test_picker.py); only roles that may
score are offered as tour scorers; the audit trail is scoped and records every download; retry and report kinds
ask the policy; "own organisation" has one definition; top-level organisations are the administrator's; the
Permissions-Policy header. The walk of every URL as the auditor and a user with no role is in
tests/test_permission_matrix.py.
"""

import datetime
import shutil

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from inspections.models import Tour
from kernel import reports
from kernel.audit import Action
from kernel.models import AuditEvent
from orgs.models import Organization, Role
from partybuild.models import Report
from rectification.models import Notice, Problem, RectificationItem
from scoring import services as scoring_services
from scoring.models import Assessment
from tests.inspections.helpers import answer_of, finding_of
from tests.partybuild.permission_cases import this_month
from tests.partybuild.reports_helpers import ledger_history
from tests.rectification.helpers import item_of, pdf_text
from tests.scoring.helpers import ALL_SCORE_ITEMS, assessment_for, fill, full_marks

WORDING = "评定为"  # in the text of a problem raised when an assessment closes
LATER = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
needs_pdftotext = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")


@pytest.fixture
def closed(world):
    """The secretary's branch graded 较差 and closed, not yet published: its problem is withheld."""
    assessment = assessment_for(world)
    fill(assessment, world.branch, dict.fromkeys(ALL_SCORE_ITEMS, 3))
    full_marks(assessment, world.sibling)
    scoring_services.close(world.users["staff"], assessment)
    return assessment


def _issue(client, world, kind):
    if kind == "rectification":
        url, data = f"/rectification/orgs/{world.branch.pk}/rectification-notice/", {}
    else:
        items = RectificationItem.objects.filter(problem__org=world.branch).values_list("pk", flat=True)
        url, data = f"/rectification/orgs/{world.branch.pk}/supervise/", {"items": list(items)}
    response = client.post(url, {"requirement": "请按表抓好整改。", "reply_by": LATER, **data})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Notice.objects.latest("id")


@needs_pdftotext
@pytest.mark.parametrize("kind", ["rectification", "supervision"])
def test_an_issued_document_leaves_out_withheld_lines_until_publication(world, closed, login, tmp_path, kind):
    item_of(world.branch, description="活动阵地不达标")
    notice = _issue(login(world.users["staff"]), world, kind)
    assert any(WORDING in line["description"] for line in notice.lines)  # frozen whole, shown by reader
    secretary = login(world.users["secretary"])
    for url in (f"/rectification/notices/{notice.pk}/", f"/rectification/notices/{notice.pk}.pdf"):
        response = secretary.get(url)
        text = pdf_text(response.content, tmp_path) if url.endswith(".pdf") else response.content.decode()
        text = text.replace(" ", "").replace("\n", "")
        assert WORDING not in text and "较差" not in text, url
        assert "活动阵地不达标" in text and "另有1项事项来自尚未发布的考核结果" in text, url
    staff_page = login(world.users["staff"]).get(f"/rectification/notices/{notice.pk}/").content.decode()
    assert WORDING in staff_page and "尚未发布" not in staff_page

    scoring_services.publish(world.users["staff"], Assessment.objects.get(pk=closed.pk))
    page = login(world.users["secretary"]).get(f"/rectification/notices/{notice.pk}/").content.decode()
    assert WORDING in page and "尚未发布" not in page


@needs_pdftotext
def test_a_supervision_prints_its_subject_as_issued_and_names_any_problem_in_scope(world, login, tmp_path):
    for n in range(210):  # more than the 200 the old choice list held
        item_of(world.sibling, description=f"其他问题{n:03d}")
    subject = item_of(world.branch, description="三会一课记录缺失").problem
    staff = login(world.users["staff"])
    picks = staff.get(f"/rectification/orgs/{world.town_a.pk}/supervise/subjects/", {"subject_search": "三会"})
    assert f'data-pick-code="{subject.pk}"' in picks.content.decode()
    response = staff.post(f"/rectification/orgs/{world.town_a.pk}/supervise/",
                          {"subject": subject.pk, "requirement": "限期整改", "reply_by": LATER})
    assert response.status_code == 302, response.content.decode()[:2000]
    notice = Notice.objects.get()
    Problem.objects.filter(pk=subject.pk).update(description="改写后的描述")
    Organization.objects.filter(pk=world.branch.pk).update(name="改名后的支部")
    page = staff.get(f"/rectification/notices/{notice.pk}/").content.decode()
    pdf = pdf_text(staff.get(f"/rectification/notices/{notice.pk}.pdf").content, tmp_path).replace(" ", "")
    for text in (page, pdf):
        assert "东山村党支部" in text and "三会一课记录缺失" in text and "改写后的描述" not in text


def test_a_withheld_problem_is_not_offered_nor_accepted_as_a_supervision_subject(world, closed, login):
    withheld = Problem.objects.get(org=world.branch, source=Problem.Source.ASSESSMENT)
    staff = login(world.users["staff"])
    picks = staff.get(f"/rectification/orgs/{world.branch.pk}/supervise/subjects/").content.decode()
    assert f'data-pick-code="{withheld.pk}"' not in picks
    response = staff.post(f"/rectification/orgs/{world.branch.pk}/supervise/",
                          {"subject": withheld.pk, "requirement": "限期整改", "reply_by": LATER})
    assert response.status_code == 200 and "不在可督办的范围内" in response.content.decode()
    assert not Notice.objects.exists()


def test_only_people_who_may_score_are_offered_and_accepted_as_tour_scorers(world, login):
    staff = login(world.users["staff"])
    leader = world.users["leader"]
    form = staff.get("/inspections/tours/new/").content.decode()
    assert f'value="{world.users["inspector"].pk}"' in form and f'value="{leader.pk}"' not in form
    response = staff.post("/inspections/tours/new/", {
        "name": "观摩", "kind": Tour.Kind.CIRCUIT, "root": world.county.code, "held_on": "2026-11-01",
        "stop_codes": f"{world.branch.code}\n{world.sibling.code}", "participants": [leader.pk],
        "top_share": 33, "bottom_share": 33})
    assert response.status_code == 200 and not Tour.objects.exists()
    tour = Tour.objects.create(name="旧观摩", kind=Tour.Kind.CIRCUIT, root=world.county,
                               held_on=datetime.date(2026, 11, 1), created_by=world.users["staff"])
    tour.participants.set([leader])  # made before the rule: the leader is still refused
    stop = tour.stops.create(org=world.branch, order=1)
    login(leader).post(f"/inspections/stops/{stop.pk}/score/", {"points": "90"})
    assert not stop.scores.exists()


def test_an_auditor_reads_only_the_events_of_their_own_scope(world, login):
    login(world.users["staff"]).get("/rectification/export/")
    foreign_staff = world.user_with(Role.STAFF, world.foreign_county)
    login(foreign_staff).get("/rectification/export/")
    county_auditor = world.user_with(Role.AUDITOR, world.county)
    foreign_auditor = world.user_with(Role.AUDITOR, world.foreign_county)
    for auditor, own, other in ((county_auditor, world.users["staff"], foreign_staff),
                                (foreign_auditor, foreign_staff, world.users["staff"])):
        client = login(auditor)
        page = client.get("/ops/audit/", {"category": "export"}).content.decode()
        exported = b"".join(client.get("/ops/audit/export/").streaming_content).decode()
        for text in (page, exported):
            assert own.username in text and other.username not in text
    assert world.users["staff"].username in login(world.users["admin"]).get("/ops/audit/").content.decode()


def test_a_checklist_photo_download_is_recorded(world, login):
    answer = answer_of(world, world.branch)
    response = login(world.users["staff"]).get(f"/inspections/answers/{answer.pk}/photo/")
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action=Action.DOWNLOAD, user=world.users["staff"],
                                     target__contains=f"#{answer.pk}").count() == 1


def test_retry_asks_the_policy_and_refuses_with_403(world, login):
    ledger_history(world)
    login(world.users["staff"]).post("/reports/request/", {"scope": world.county.pk, "report": this_month()})
    report = Report.objects.get()
    inspector = world.user_with(Role.INSPECTOR, world.county)  # sees the county's reports, may not ask for them
    assert login(inspector).post(f"/reports/{report.pk}/retry/").status_code == 403


def test_each_report_kind_asks_the_policy_for_its_own_action(world, login, monkeypatch):
    monthly = reports.builder_for("monthly")
    monkeypatch.setattr(type(monthly), "action", "scoring.manage")  # a kind for staff only
    ledger_history(world)
    leader = login(world.users["leader"])
    assert "monthly:" not in leader.get("/reports/").content.decode()
    assert leader.post("/reports/request/", {"scope": world.county.pk, "report": this_month()}).status_code == 404
    assert not Report.objects.exists()
    staff = login(world.users["staff"])
    assert staff.post("/reports/request/", {"scope": world.county.pk, "report": this_month()}).status_code == 302
    assert login(world.users["leader"]).post(f"/reports/{Report.objects.get().pk}/retry/").status_code == 403


def test_own_organisation_is_where_any_role_of_the_user_is_granted(world, login):
    """A staff member granted on a branch: its items are marked as theirs, and they may not accept them."""
    branch_staff = world.user_with(Role.STAFF, world.branch)
    item = item_of(world.branch, description="活动阵地不达标", status=RectificationItem.Status.SUBMITTED)
    client = login(branch_staff)
    assert "pb-mine" in client.get("/rectification/").content.decode()
    response = client.post(f"/rectification/items/{item.pk}/do/accept/", {"version": item.version}, follow=True)
    assert "不能验收或退回本单位的整改事项" in response.content.decode()
    assert RectificationItem.objects.get(pk=item.pk).status == RectificationItem.Status.SUBMITTED


def test_only_the_administrator_moves_an_organisation_to_the_top_level(world, login):
    town = world.town_a
    data = {"name": town.name, "code": town.code, "level": town.level, "kind": town.kind, "sector": town.sector,
            "is_active": "on", "parent_code": ""}
    response = login(world.users["staff"]).post(f"/orgs/{town.pk}/edit/", data)
    assert response.status_code == 200 and "只有系统管理员可以创建或移动顶级组织" in response.content.decode()
    assert Organization.objects.get(pk=town.pk).depth == 2
    assert login(world.users["admin"]).post(f"/orgs/{town.pk}/edit/", data).status_code == 302
    assert Organization.objects.get(pk=town.pk).depth == 1


def test_every_response_says_which_browser_features_the_site_uses(world, login):
    header = login(world.users["staff"]).get("/")["Permissions-Policy"]
    assert "geolocation=()" in header and "microphone=()" in header and "camera=(self)" in header


def test_an_item_links_its_original_record_only_for_a_reader_who_may_open_it(world, login):
    finding = finding_of(world, world.branch)
    finding.visit.target.team.members.clear()  # a visit by no team of the inspector's
    item = item_of(world.branch, description="三会一课记录不全")
    Problem.objects.filter(pk=item.problem_id).update(origin_type=ContentType.objects.get_for_model(finding),
                                                      origin_id=finding.pk)
    url = f"/rectification/items/{item.pk}/"
    visit_url = f"/inspections/visits/{finding.visit_id}/"
    staff = login(world.users["staff"])
    assert "查看原始记录" in staff.get(url).content.decode() and staff.get(visit_url).status_code == 200
    inspector = login(world.users["inspector"])
    assert inspector.get(url).status_code == 200 and "查看原始记录" not in inspector.get(url).content.decode()
    assert inspector.get(visit_url).status_code == 404


def test_a_responsibility_list_links_only_to_years_that_have_a_page(world, login):
    client = login(world.users["staff"])
    for year, missing in ((2000, 1999), (2100, 2101)):
        page = client.get(f"/rectification/orgs/{world.branch.pk}/responsibilities/{year}/").content.decode()
        assert f"/responsibilities/{missing}/" not in page
    middle = client.get(f"/rectification/orgs/{world.branch.pk}/responsibilities/2026/").content.decode()
    assert "/responsibilities/2025/" in middle and "/responsibilities/2027/" in middle
