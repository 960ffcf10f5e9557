from decimal import Decimal

from inspections.ranking import ADVANCED, LAGGING, STANDARD, mean_score, rank


def test_mean_drops_one_highest_and_one_lowest_when_asked():
    assert mean_score([90, 80, 70]) == Decimal("80.00")
    assert mean_score([100, 80, 70, 10], drop_extremes=True) == Decimal("75.00")
    assert mean_score([100, 60], drop_extremes=True) == Decimal("80.00")  # too few scores to drop any


def test_five_stops_three_participants_with_a_tie():
    scores = {"甲": [90, 92, 94], "乙": [85, 86, 87], "丙": [86, 85, 87], "丁": [70, 75, 80], "戊": [95, 60, 70]}
    result = rank(scores)
    assert [(s.key, s.mean, s.rank, s.standing) for s in result] == [
        ("甲", Decimal("92.00"), 1, ADVANCED),
        ("乙", Decimal("86.00"), 2, ADVANCED),
        ("丙", Decimal("86.00"), 2, ADVANCED),
        ("丁", Decimal("75.00"), 4, LAGGING),
        ("戊", Decimal("75.00"), 4, LAGGING),
    ]


def test_classes_by_share_and_unscored_stops_are_left_out():
    scores = {k: [v] for k, v in zip("ABCDEF", [99, 90, 80, 70, 60, 50], strict=True)} | {"G": []}
    result = rank(scores, top_share=20, bottom_share=20)
    assert [s.standing for s in result] == [ADVANCED, ADVANCED, STANDARD, STANDARD, LAGGING, LAGGING]
    assert "G" not in {s.key for s in result}


def test_dropping_extremes_changes_the_order():
    scores = {"甲": [100, 70, 71], "乙": [80, 79, 78]}
    assert [s.key for s in rank(scores)] == ["甲", "乙"]
    assert [s.key for s in rank(scores, drop_extremes=True)] == ["乙", "甲"]
