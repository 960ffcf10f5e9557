import csv
import datetime
import io

import pytest
from django.db.models import QuerySet
from django.utils import timezone

from kernel import audit
from kernel.audit import Action
from kernel.models import AuditEvent
from kernel.tasks import prune_audit
from orgs.models import Role, RoleAssignment
from partybuild.models import Notification, Report
from scoring.models import Assessment
from tests.orgs.test_import_export import upload, workbook
from tests.partybuild.reports_helpers import ledger_history
from tests.scoring.helpers import assessment_for

PASSWORD = "pw-test-123"


def events(action, **filters):
    return list(AuditEvent.objects.filter(action=action, **filters))


def only(action, **filters):
    found = events(action, **filters)
    assert len(found) == 1, [str(e) for e in AuditEvent.objects.all()]
    return found[0]


def sign_in(client, username, password=PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_a_login_and_a_logout_are_recorded_once_with_who_when_and_where(world, client):
    before = timezone.now()
    assert sign_in(client, world.users["staff"].username).status_code == 302
    login = only(Action.LOGIN)
    assert (login.user, login.username, login.ip) == (world.users["staff"], world.users["staff"].username, "127.0.0.1")
    assert before <= login.at <= timezone.now()
    client.post("/accounts/logout/")
    assert only(Action.LOGOUT).user == world.users["staff"]


def test_a_failed_login_is_recorded_with_the_name_tried(world, client):
    response = sign_in(client, world.users["staff"].username, "wrong-password")
    assert response.status_code == 200
    failed = only(Action.LOGIN_FAILED)
    assert (failed.user, failed.username, failed.ip) == (None, world.users["staff"].username, "127.0.0.1")
    assert not events(Action.LOGIN)


def test_a_refusal_of_another_scopes_object_is_recorded(world, login):
    client = login(world.users["staff"])
    assert client.get(f"/orgs/{world.foreign_county.pk}/").status_code == 404
    refused = only(Action.ACCESS_DENIED)
    assert (refused.user, refused.target, refused.details["status"]) == (
        world.users["staff"], f"/orgs/{world.foreign_county.pk}/", 404)
    assert client.get("/no-such-page/").status_code == 404
    assert len(events(Action.ACCESS_DENIED)) == 1  # a mistyped address is not a refusal


def test_a_ledger_export_is_recorded_with_its_filter(world, login):
    client = login(world.users["staff"])
    assert client.get("/rectification/export/?status=pending").status_code == 200
    export = only(Action.EXPORT)
    assert (export.user, export.target, export.details) == (world.users["staff"], "整改台账",
                                                            {"filter": "status=pending"})


def test_a_report_request_and_its_download_are_recorded(world, login):
    ledger_history(world)
    client = login(world.users["leader"])
    client.post("/reports/request/", {"scope": world.county.pk, "report": "monthly:2026-09"})
    report = Report.objects.get()
    assert only(Action.REPORT_REQUESTED).details == {"report": report.pk, "scope": world.county.name,
                                                     "period": "2026-09"}
    assert client.get(f"/reports/{report.pk}/xlsx/").status_code == 200
    download = only(Action.DOWNLOAD)
    assert download.user == world.users["leader"] and download.target.endswith("(xlsx)")
    assert download.details == {"report": report.pk, "scope": world.county.name, "period": "2026-09"}


def test_an_import_is_recorded_once_with_file_size_and_outcome(world, login):
    client = login(world.users["staff"])
    rows = [["N1", "新建村党支部", world.town_b.code, "村", "党支部", "农村"]]
    response = upload(client, workbook(rows))
    assert not events(Action.IMPORT)  # the preview writes nothing
    client.post("/orgs/import/confirm/", {"token": response.context["token"]})
    imported = only(Action.IMPORT)
    assert (imported.user, imported.target, imported.details["file"]) == (world.users["staff"], "orgs", "orgs.xlsx")
    assert imported.details["size"] > 0 and "导入完成" in imported.details["outcome"]


def test_publication_and_a_correction_are_recorded(world, login):
    from scoring import services
    from tests.scoring.helpers import full_marks, indicator

    assessment = assessment_for(world)
    full_marks(assessment, world.branch)
    services.close(world.users["staff"], assessment)
    client = login(world.users["staff"])
    client.post(f"/scoring/{assessment.pk}/publish/")
    assert Assessment.objects.get(pk=assessment.pk).status == Assessment.Status.PUBLISHED
    assert only(Action.PUBLISHED).target.endswith(str(assessment))
    rater = assessment.raters.get(name="述职评分")
    client.post(f"/scoring/{assessment.pk}/raters/{rater.pk}/cell/", {
        f"p-{world.branch.pk}-{indicator('1.1').pk}": "6", "correction_reason": "复核"})
    corrected = only(Action.CORRECTED)
    assert corrected.details == {"org": world.branch.name, "indicator": "1.1", "points": "6", "reason": "复核"}


def test_role_changes_in_the_admin_are_recorded_once_each(world, login):
    client = login(world.users["admin"])
    user = world.users["inspector"]
    response = client.post("/admin/orgs/roleassignment/add/", {
        "user": user.pk, "role": Role.LEADER, "org": world.town_b.pk, "recursive": "on"})
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=user, role=Role.LEADER)
    created = only("role.created", user=world.users["admin"])
    assert created.details["values"]["org"] == world.town_b.name
    client.post(f"/admin/orgs/roleassignment/{assignment.pk}/change/", {
        "user": user.pk, "role": Role.LEADER, "org": world.town_b.pk})
    assert only("role.changed").details["changed"] == {"recursive": ["True", "False"]}
    client.post(f"/admin/orgs/roleassignment/{assignment.pk}/delete/", {"post": "yes"})
    assert only("role.deleted").user == world.users["admin"]
    assert not AuditEvent.objects.filter(action__startswith="admin.")  # not twice through the admin's own log


def test_other_admin_actions_are_mirrored_from_the_admin_log(world, login):
    client = login(world.users["admin"])
    org = world.far_branch
    client.post(f"/admin/orgs/organization/{org.pk}/delete/", {"post": "yes"})
    deleted = only("admin.delete")
    assert deleted.user == world.users["admin"] and deleted.target.startswith("orgs.organization")


def test_a_bulk_deletion_in_the_admin_is_recorded_per_object(world, login):
    user = world.users["leader"]
    notes = [Notification.objects.create(user=user, text=f"提醒{i}", key=f"k{i}") for i in range(2)]
    client = login(world.users["admin"])
    response = client.post("/admin/partybuild/notification/", {
        "action": "delete_selected", "_selected_action": [n.pk for n in notes], "post": "yes"})
    assert response.status_code == 302 and not Notification.objects.exists()
    deleted = events("admin.delete")
    assert sorted(e.target for e in deleted) == sorted(f"partybuild.notification #{n.pk} {n}" for n in notes)
    assert {e.user for e in deleted} == {world.users["admin"]}


def test_account_changes_are_recorded_without_the_password(world, login):
    client = login(world.users["admin"])
    user = world.users["leader"]
    response = client.post(f"/admin/auth/user/{user.pk}/change/", {
        "username": user.username, "first_name": user.first_name, "last_name": "", "email": "",
        "is_active": "", "date_joined_0": "2026-01-01", "date_joined_1": "08:00:00",
        "role_assignments-TOTAL_FORMS": "0", "role_assignments-INITIAL_FORMS": "0"})
    assert response.status_code == 302, response.content.decode()[:2000]
    changed = only("account.changed")
    assert changed.details["changed"] == {"is_active": ["True", "False"]}
    assert "password" not in str(AuditEvent.objects.values_list("details", flat=True))


def test_entries_cannot_be_changed_or_deleted_through_the_admin_or_the_models(world, login):
    event = audit.record(world.users["staff"], Action.EXPORT, "整改台账")
    client = login(world.users["admin"])
    assert client.get("/admin/kernel/auditevent/").status_code == 200
    page = client.get(f"/admin/kernel/auditevent/{event.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(f"/admin/kernel/auditevent/{event.pk}/change/", {"target": "改过"}).status_code == 403
    assert client.post(f"/admin/kernel/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post("/admin/kernel/auditevent/", {"action": "delete_selected", "_selected_action": [event.pk],
                                                      "post": "yes"}).status_code in (200, 302)
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.update(target="改过")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).target == "整改台账"


def csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")  # so that Excel reads it as UTF-8
    header, *rows = csv.reader(io.StringIO(text[1:]))
    assert header == ["时间", "账号", "地址", "事件", "事件代码", "对象", "详情"]
    return rows


def test_the_admin_exports_the_selected_entries_as_text_never_formulas(world, login):
    event = audit.record(world.users["staff"], Action.IMPORT, '=HYPERLINK("http://x","y")', file="@SUM(1).xlsx")
    client = login(world.users["admin"])
    response = client.post("/admin/kernel/auditevent/", {"action": "export_csv", "_selected_action": [event.pk]})
    [row] = csv_rows(response)
    assert row[1:6] == [world.users["staff"].username, "", "导入", "import", '\'=HYPERLINK("http://x","y")']
    assert row[6] == "文件：@SUM(1).xlsx"


def test_old_entries_are_pruned_after_the_retention_period(world, settings):
    settings.AUDIT_RETENTION_DAYS = 180
    audit.record(world.users["staff"], Action.EXPORT, "old")
    audit.record(world.users["staff"], Action.EXPORT, "recent")
    long_ago = timezone.now() - datetime.timedelta(days=181)
    QuerySet.update(AuditEvent.objects.filter(target="old"), at=long_ago)
    QuerySet.update(AuditEvent.objects.filter(target="recent"), at=long_ago + datetime.timedelta(days=2))
    assert prune_audit()["audit_events"] == 1
    assert list(AuditEvent.objects.filter(target__in=["old", "recent"]).values_list("target", flat=True)) == ["recent"]


def test_the_prune_job_is_scheduled_nightly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["prune-audit-trail"]
    assert entry["task"] == "kernel.tasks.prune_audit"


def test_the_audit_page_is_for_administrators_only(world, login):
    audit.record(world.users["staff"], Action.EXPORT, "整改台账")
    audit.record(world.users["leader"], Action.LOGIN, world.users["leader"].username)
    assert login(world.users["staff"]).get("/ops/audit/").status_code == 403
    client = login(world.users["admin"])
    page = client.get("/ops/audit/").content.decode()
    assert "审计记录" in page and "整改台账" in page
    filtered = client.get("/ops/audit/", {"category": "export"}).content.decode()
    assert "整改台账" in filtered and "登录成功" not in filtered
    bad = client.get("/ops/audit/", {"since": "2026-02-01", "until": "2026-01-01"}).content.decode()
    assert "开始日期不能晚于结束日期" in bad


def test_the_read_only_auditor_reads_the_trail_but_no_records(world, login):
    audit.record(world.users["staff"], Action.EXPORT, "整改台账")
    client = login(world.user_with(Role.AUDITOR, world.county))
    start = client.get("/")  # the auditor's start page is the audit trail, their menu leads there
    assert start.status_code == 302 and start["Location"] == "/ops/audit/"
    assert 'href="/ops/audit/"' in client.get(start["Location"]).content.decode()
    assert client.get("/rectification/").status_code == 403
    assert "整改台账" in client.get("/ops/audit/").content.decode()
    assert client.get("/ops/audit/export/").status_code == 200
    assert 'href="/ops/audit/"' not in login(world.users["staff"]).get("/").content.decode()


def test_the_audit_export_is_itself_recorded(world, login):
    audit.record(world.users["staff"], Action.EXPORT, "整改台账")
    client = login(world.users["admin"])
    response = client.get("/ops/audit/export/", {"category": "export"})
    rows = csv_rows(response)
    assert [(row[1], row[3], row[5]) for row in rows] == [(world.users["staff"].username, "导出", "整改台账")]
    assert only(Action.EXPORT, target="审计记录").user == world.users["admin"]


def test_the_audit_trail_reads_in_words(world, login):
    """Field names, True/False and ids never reach the page: each detail is a label and a value in Chinese."""
    RoleAssignment.objects.create(user=world.users["leader"], role=Role.STAFF, org=world.town_b, recursive=False)
    client = login(world.users["admin"])  # the administrator's and the system's events are the administrator's
    page = client.get("/ops/audit/").content.decode()
    assert "values=" not in page and "recursive" not in page and "False" not in page
    assert f"党组织：{world.town_b.name}" in page and "角色：组织部干部" in page and "含下级组织：否" in page
    exported = b"".join(client.get("/ops/audit/export/").streaming_content).decode()
    assert "含下级组织：否" in exported and "recursive" not in exported
