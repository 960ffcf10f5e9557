"""Issued documents: numbering, immutability and corrections, the 公文 PDF, 督办 to any organisation of the
scope with the addressee's written reply, overdue replies on the staff's pages."""

import datetime
import io
import shutil
import threading

import pytest
from django.db import connection
from django.utils import timezone
from pypdf import PdfReader

from kernel.errors import ServiceError
from orgs.models import Role
from rectification import notices, services
from rectification.models import Notice, NoticeSequence, Problem, RectificationItem, ResponsibilityEntry
from tests.rectification.helpers import item_of, notice_of, pdf_text, photo

Status = RectificationItem.Status
LATER = timezone.localdate() + datetime.timedelta(days=20)
YEAR = timezone.localdate().year

needs_pdftotext = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")


@needs_pdftotext
def test_a_rectification_notice_is_issued_once_numbered_and_printed_as_an_official_document(world, login, tmp_path):
    item_of(world.branch, description="活动阵地不达标", deadline=datetime.date(2020, 1, 1), status=Status.IN_PROGRESS,
            responsible_person="刘书记")
    client = login(world.users["staff"])
    response = client.post(f"/rectification/orgs/{world.branch.pk}/rectification-notice/",
                           {"requirement": "请按表抓好整改。", "reply_by": LATER.isoformat()})
    notice = Notice.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/rectification/notices/{notice.pk}/"
    assert (notice.kind, notice.issuer, notice.org, notice.serial) == (
        Notice.Kind.RECTIFICATION, world.county, world.branch, 1)
    assert notice.number == f"测组改〔{YEAR}〕1号"
    pdf = client.get(f"/rectification/notices/{notice.pk}.pdf").content
    text = pdf_text(pdf, tmp_path)
    assert text.count("中共测试县委员会组织部") >= 2  # 红头 and 落款
    for part in (notice.number, "整改通知单", "东山村党支部：", "活动阵地不达标", "刘书记", "—1—",
                 f"{notice.issued_on.year}年{notice.issued_on.month}月{notice.issued_on.day}日"):
        assert part in text.replace(" ", ""), part
    fonts = {str(font["/BaseFont"]) for page in PdfReader(io.BytesIO(pdf)).pages
             for font in page["/Resources"]["/Font"].values()}
    assert any("Noto-Serif-CJK" in name for name in fonts)  # the free substitute, embedded


@needs_pdftotext
def test_an_issued_document_never_changes_and_a_correction_supersedes_it(world, login, tmp_path):
    item = item_of(world.branch, description="党费收缴不规范", deadline=datetime.date(2020, 1, 1),
                   status=Status.IN_PROGRESS)
    first = notices.issue_supervision(world.users["staff"], world.branch, [item], requirement="限期整改",
                                      reply_by=LATER)
    with pytest.raises(ValueError):
        first.save()
    RectificationItem.objects.filter(pk=item.pk).update(deadline=datetime.date(2031, 1, 1))
    client = login(world.users["staff"])
    assert "2020-01-01" in pdf_text(client.get(f"/rectification/notices/{first.pk}.pdf").content, tmp_path)
    secretary = login(world.users["secretary"])
    assert secretary.post(f"/rectification/notices/{first.pk}/correct/", {
        "requirement": "改", "reply_by": LATER.isoformat()}).status_code == 403
    client = login(world.users["staff"])
    response = client.post(f"/rectification/notices/{first.pk}/correct/", {
        "requirement": "更正：请于限期内书面反馈。", "reply_by": (LATER + datetime.timedelta(days=5)).isoformat()})
    corrected = Notice.objects.get(supersedes=first)
    assert response["Location"] == f"/rectification/notices/{corrected.pk}/"
    assert corrected.number == f"测组督〔{YEAR}〕2号" and corrected.lines == first.lines
    assert "2020-01-01" in pdf_text(client.get(f"/rectification/notices/{corrected.pk}.pdf").content, tmp_path)
    with pytest.raises(ServiceError, match="这份文件已经被更正过"):
        notices.correct(world.users["staff"], first, requirement="再改", reply_by=LATER)
    assert Notice.objects.get(pk=first.pk).requirement == "限期整改"
    assert list(Notice.objects.visible_to(world.users["staff"]).awaiting_reply()) == [corrected]


def test_supervision_of_a_township_about_a_prominent_problem_closed_by_its_secretarys_reply(world, login):
    below = [item_of(world.branch, deadline=datetime.date(2020, 1, 1)), item_of(world.sibling)]
    closed = item_of(world.sibling, status=Status.CLOSED)
    foreign = item_of(world.far_branch)
    problem = services.raise_problem(org=world.town_a, description="所辖支部“三会一课”普遍不规范",
                                     source=Problem.Source.INSPECTION, raised_by=world.users["staff"])
    notice = notices.issue_supervision(world.users["staff"], world.town_a, [*below, closed, foreign],
                                       subject=problem, requirement="请镇党委督促整改并书面反馈。", reply_by=LATER)
    assert set(notice.items.all()) == set(below) and notice.subject == problem
    assert [RectificationItem.objects.get(pk=i.pk).escalations for i in below] == [1, 1]
    assert "所辖支部" in notice.title
    with pytest.raises(ServiceError, match="只有主送单位的书记"):
        notices.reply(world.users["secretary"], notice, text="已整改")
    town_secretary = world.user_with(Role.SECRETARY, world.town_a, recursive=False)
    client = login(town_secretary)
    assert client.post(f"/rectification/notices/{notice.pk}/reply/", {"text": "  "}).status_code == 400
    assert not hasattr(Notice.objects.get(pk=notice.pk), "reply")
    response = client.post(f"/rectification/notices/{notice.pk}/reply/",
                           {"text": "镇党委已召开专题会，逐支部整改。", "files": [photo("会议记录.png")]})
    assert response.status_code == 302
    reply = Notice.objects.get(pk=notice.pk).reply
    assert reply.author == town_secretary and reply.files.get().original_name == "会议记录.png"
    assert below[0].transitions.last().action == "supervise_reply"
    with pytest.raises(ServiceError, match="已经反馈过"):
        notices.reply(town_secretary, notice, text="再次反馈")


def test_bad_supervision_requests_are_refused_in_chinese_and_change_nothing(world):
    item = item_of(world.branch)
    staff = world.users["staff"]
    with pytest.raises(ServiceError, match="至少选择一个"):
        notices.issue_supervision(staff, world.branch, [], requirement="x", reply_by=LATER)
    with pytest.raises(ServiceError, match="晚于今天"):
        notices.issue_supervision(staff, world.branch, [item], requirement="x", reply_by=timezone.localdate())
    with pytest.raises(ServiceError, match="只有上级组织部干部"):
        notices.issue_supervision(world.users["secretary"], world.branch, [item], requirement="x", reply_by=LATER)
    assert not Notice.objects.exists() and RectificationItem.objects.get(pk=item.pk).escalations == 0


def test_overdue_replies_show_on_the_staff_pages(world, login):
    waiting = notice_of(item_of(world.branch), world.users["staff"], reply_by=datetime.date(2026, 1, 10))
    notice_of(item_of(world.sibling), world.users["staff"])  # still in time
    client = login(world.users["staff"])
    html = client.get("/rectification/notices/?overdue=1").content.decode()
    assert 'data-count="1"' in html and waiting.number in html and "逾期未反馈" in html
    home = client.get("/").content.decode()
    assert "督办逾期未反馈" in home and "/rectification/notices/?overdue=1" in home


def test_numbers_run_per_issuer_and_year_and_skip_a_number_already_taken(world):
    staff, foreign_staff = world.users["staff"], world.user_with(Role.STAFF, world.foreign_county)
    first = notices.issue_supervision(staff, world.branch, [item_of(world.branch)], requirement="x", reply_by=LATER)
    other = notices.issue_supervision(foreign_staff, world.foreign_branch, [item_of(world.foreign_branch)],
                                      requirement="x", reply_by=LATER)
    assert (first.serial, other.serial) == (1, 1) and first.issuer != other.issuer
    NoticeSequence.objects.filter(issuer=world.county).update(last=0)  # a sequence behind the documents
    again = notices.issue_supervision(staff, world.branch, [item_of(world.branch)], requirement="x", reply_by=LATER)
    assert again.serial == 2


@pytest.mark.django_db(transaction=True)
def test_two_notices_issued_at_the_same_moment_get_different_numbers(world):
    items = [item_of(world.branch), item_of(world.sibling)]
    staff = world.users["staff"]
    both_inside = threading.Barrier(2, timeout=10)
    original = notices._take_serial

    def take_serial_together(*args):
        both_inside.wait()  # both transactions ask for a number at once
        return original(*args)

    results, errors = [], []

    def issue(item):
        try:
            results.append(notices.issue_supervision(staff, item.problem.org, [item], requirement="x",
                                                     reply_by=LATER).number)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    notices._take_serial = take_serial_together
    try:
        threads = [threading.Thread(target=issue, args=(item,)) for item in items]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        notices._take_serial = original
    assert not errors and sorted(results) == [f"测组督〔{YEAR}〕1号", f"测组督〔{YEAR}〕2号"]


def _rules(positions):
    """Positions of table rules, those under a point apart taken as one (each cell draws its own borders)."""
    merged = []
    for position in sorted(positions):
        if not merged or position - merged[-1] > 1:
            merged.append(position)
    return merged


def column_lines(pdf, column):
    """The header of the attachment table's ``column`` (0 = the first) and each line of its body, on every page
    the table is printed on."""
    header, lines = None, []
    for page in pdf.pages:
        verticals = [line for line in page.lines if abs(line["x1"] - line["x0"]) < 0.1]  # the table's rules
        if not verticals:
            continue
        top, bottom = min(e["top"] for e in verticals), max(e["bottom"] for e in verticals)
        left, right = _rules(e["x0"] for e in verticals)[column:column + 2]
        rows = _rules(e["top"] for e in page.lines if e["top"] == e["bottom"] and top - 1 <= e["top"] <= bottom + 1)
        chars = [c for c in page.chars if left < (c["x0"] + c["x1"]) / 2 < right and top < c["top"] < bottom]
        header = "".join(c["text"] for c in chars if c["top"] < rows[1])
        for line in sorted({round(c["top"]) for c in chars if c["top"] > rows[1]}):
            lines.append("".join(c["text"] for c in chars if round(c["top"]) == line))
    return header, lines


def assert_readable(pdf, column, header, text):
    """``text`` printed whole under ``header``, in lines of at least four characters (the last may be shorter)."""
    printed_header, lines = column_lines(pdf, column)
    assert printed_header == header and "".join(lines) == text, (printed_header, lines)
    assert all(len(line) >= 4 for line in lines[:-1]), lines


LONG_ORG = "中共清河县青泉镇河山村第一党支部委员会"


def test_the_attachment_table_keeps_organisation_names_readable(world, login):
    """A long description and long measures do not squeeze the 党组织 column to a character per line."""
    import pdfplumber

    world.branch.name = LONG_ORG
    world.branch.save()
    item = item_of(world.branch, description="组织生活会会前谈心谈话不充分，" * 12, deadline=datetime.date(2020, 1, 1),
                   responsible_person="欧阳明月")
    RectificationItem.objects.filter(pk=item.pk).update(measures="逐一补谈并形成记录，" * 12)
    client = login(world.users["staff"])
    client.post(f"/rectification/orgs/{world.branch.pk}/rectification-notice/",
                {"requirement": "请按表抓好整改。", "reply_by": LATER.isoformat()})
    pdf = pdfplumber.open(io.BytesIO(client.get(f"/rectification/notices/{Notice.objects.get().pk}.pdf").content))
    assert_readable(pdf, 1, "党组织", LONG_ORG)
    assert_readable(pdf, 5, "责任人", "欧阳明月")


def test_the_responsibility_list_keeps_posts_and_names_readable(world, login):
    import pdfplumber

    ResponsibilityEntry.objects.create(org=world.branch, year=YEAR, post="deputy", person="欧阳明月",
                                       duties="协助书记抓好党建工作，落实“三会一课”、主题党日和组织生活会制度，" * 6)
    client = login(world.users["staff"])
    client.post(f"/rectification/orgs/{world.branch.pk}/responsibility-letter/{YEAR}/",
                {"requirement": "请签字盖章后报回。", "reply_by": LATER.isoformat()})
    pdf = pdfplumber.open(io.BytesIO(client.get(f"/rectification/notices/{Notice.objects.get().pk}.pdf").content))
    assert_readable(pdf, 1, "职务与责任", "副书记(直接责任人)")
    assert_readable(pdf, 2, "姓名", "欧阳明月")
