import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from inspections import services
from inspections.models import Tour
from kernel.errors import ServiceError
from rectification.models import Problem
from tests.factories import OrganizationFactory


@pytest.fixture
def tour(world):
    stops = [world.branch, world.sibling, world.far_branch] + [
        OrganizationFactory(parent=world.town_b, name=name) for name in ("北坡村党支部", "中和村党支部")]
    raters = [world.users["inspector"], world.user_with("inspector", world.town_b),
              world.user_with("inspector", world.county)]
    return services.create_tour(world.users["staff"], name="逐村观摩", kind=Tour.Kind.CIRCUIT, root=world.county,
                                held_on=datetime.date(2026, 11, 1), stops=stops, participants=raters), raters


def score_all(tour, raters, table):
    stops = list(tour.stops.order_by("order"))
    for rater, row in zip(raters, table, strict=True):
        for stop, points in zip(stops, row, strict=True):
            services.score_stop(rater, stop, Decimal(points))


def test_three_participants_rank_five_organisations_with_a_tie(world, tour, login):
    tour, raters = tour
    score_all(tour, raters, [[90, 85, 86, 70, 95], [92, 86, 85, 75, 60], [94, 87, 87, 80, 70]])
    services.file_tour(world.users["staff"], tour)
    rows = [(s.org.name, s.mean, s.rank, s.standing) for s in tour.stops.order_by("rank", "order")]
    assert rows == [
        ("东山村党支部", Decimal("92.00"), 1, "先进"),
        ("西山村党支部", Decimal("86.00"), 2, "先进"),
        ("南湖村党支部", Decimal("86.00"), 2, "先进"),
        ("北坡村党支部", Decimal("75.00"), 4, "后进"),
        ("中和村党支部", Decimal("75.00"), 4, "后进"),
    ]
    with pytest.raises(ServiceError, match="已归档"):
        services.score_stop(raters[0], tour.stops.first(), Decimal(50))
    sheet = load_workbook(io.BytesIO(login(world.users["leader"]).get(f"/inspections/tours/{tour.pk}/export/")
                                     .content)).active
    assert sheet["A1"].value.startswith(tour.name) and sheet["A2"].value == "名次"  # a title row above the header
    assert list(sheet.iter_rows(min_row=3, max_row=3, values_only=True))[0][2:] == ("东山村党支部", 92.0, "先进")


def test_lagging_stops_get_problems_in_one_step(world, tour):
    tour, raters = tour
    score_all(tour, raters, [[90, 85, 86, 70, 95], [92, 86, 85, 75, 60], [94, 87, 87, 80, 70]])
    with pytest.raises(ServiceError, match="请先归档"):
        services.raise_lagging(world.users["staff"], tour)
    services.file_tour(world.users["staff"], tour)
    services.raise_lagging(world.users["staff"], tour)
    services.raise_lagging(world.users["staff"], tour)
    problems = Problem.objects.filter(source=Problem.Source.OBSERVATION)
    assert sorted(p.org.name for p in problems) == ["中和村党支部", "北坡村党支部"]


def test_only_participants_score_and_points_stay_in_range(world, tour):
    tour, raters = tour
    stop = tour.stops.first()
    with pytest.raises(ServiceError, match="不是本次观摩的评分人"):
        services.score_stop(world.users["staff"], stop, Decimal(80))
    with pytest.raises(ServiceError, match="0 到 100"):
        services.score_stop(raters[0], stop, Decimal(101))


def test_phone_scoring_page_and_live_ranking(world, tour, login):
    tour, raters = tour
    client = login(raters[0])
    stop = tour.stops.first()
    client.post(f"/inspections/stops/{stop.pk}/score/", {"points": "91.5"})
    html = client.get(f"/inspections/tours/{tour.pk}/ranking/").content.decode()
    assert "91.50" in html and "东山村党支部" in html
    response = client.post(f"/inspections/stops/{stop.pk}/score/", {"points": "abc"}, follow=True)
    assert "得分应为 0 到 100 之间的数字" in response.content.decode()
