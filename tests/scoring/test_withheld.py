"""Nothing before publication: no score, grade or wording derived from them reaches anyone outside the staff
and leaders of the assessment's scope until it is published (problems raised at close are withheld)."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from partybuild.models import Notification
from partybuild.notifications import send_daily
from rectification.figures import Period, month_figures
from rectification.models import Problem, RectificationItem
from scoring import services
from scoring.models import Assessment
from tests.scoring.helpers import ALL_SCORE_ITEMS, assessment_for, fill, full_marks

WORDING = "评定为"
FAR_FUTURE = datetime.date(2099, 1, 1)


@pytest.fixture
def closed(world):
    """The secretary's branch graded 较差 (45 points) and closed, not yet published."""
    assessment = assessment_for(world)
    fill(assessment, world.branch, dict.fromkeys(ALL_SCORE_ITEMS, 3))
    full_marks(assessment, world.sibling)
    services.close(world.users["staff"], assessment)
    return assessment


def secretary_texts(client, world, tmp_path):
    """Every page, export and PDF a secretary reads about the ledger, as text."""
    texts = {
        "home": client.get("/").content.decode(),
        "ledger": client.get("/rectification/").content.decode(),
        "overdue ledger": client.get("/rectification/?overdue=true").content.decode(),
        "notices": client.get("/rectification/notices/").content.decode(),
        "notifications": client.get("/reports/notifications/").content.decode(),
    }
    workbook = load_workbook(io.BytesIO(client.get("/rectification/export/").content))
    texts["export"] = " ".join(str(v) for sheet in workbook for row in sheet.iter_rows(values_only=True) for v in row)
    return texts


def test_a_secretary_sees_no_score_or_grade_before_publication_and_everything_after(world, closed, login,
                                                                                    tmp_path):
    problem = Problem.objects.get(org=world.branch, source=Problem.Source.ASSESSMENT)
    client = login(world.users["secretary"])
    send_daily(FAR_FUTURE)  # the withheld item would be overdue then: no notification may mention it
    for name, text in secretary_texts(client, world, tmp_path).items():
        assert WORDING not in text and "45.00" not in text and "较差" not in text, name
    assert client.get(f"/rectification/items/{problem.item.pk}/").status_code == 404
    for url in (f"/scoring/{closed.pk}/", f"/scoring/{closed.pk}/results/",
                f"/scoring/{closed.pk}/orgs/{world.branch.pk}/", f"/scoring/{closed.pk}/dynamic/"):
        assert client.get(url).status_code == 404, url
    assert not Notification.objects.filter(user=world.users["secretary"]).exists()

    services.publish(world.users["staff"], Assessment.objects.get(pk=closed.pk))
    send_daily(FAR_FUTURE + datetime.timedelta(days=1))
    texts = secretary_texts(client, world, tmp_path)
    for name in ("home", "ledger", "export"):
        assert WORDING in texts[name] and "45.00" in texts[name], name
    assert "逾期" in texts["notifications"]
    assert WORDING in client.get(f"/rectification/items/{problem.item.pk}/").content.decode()
    assert client.get(f"/scoring/{closed.pk}/orgs/{world.branch.pk}/").status_code == 200


def test_an_inspector_and_a_township_leader_see_nothing_but_county_staff_and_leaders_do(world, closed, login):
    township_leader = world.user_with("leader", world.town_a)
    for user in (world.users["inspector"], township_leader):
        assert WORDING not in login(user).get("/rectification/").content.decode()
        assert WORDING not in login(user).get("/").content.decode()
    for user in (world.users["staff"], world.users["leader"]):
        assert WORDING in login(user).get("/rectification/").content.decode()
    month = Period.current()
    assert month_figures(world.town_a, month).total == 0  # dashboards and monthly reports: not yet
    services.publish(world.users["staff"], Assessment.objects.get(pk=closed.pk))
    assert WORDING in login(world.users["inspector"]).get("/rectification/").content.decode()
    assert month_figures(world.town_a, month).total == 1


def test_withheld_items_are_not_editable_by_the_secretary_either(world, closed):
    item = RectificationItem.objects.get(problem__org=world.branch)
    assert not RectificationItem.objects.editable_by(world.users["secretary"]).filter(pk=item.pk).exists()
    assert RectificationItem.objects.editable_by(world.users["staff"]).filter(pk=item.pk).exists()
