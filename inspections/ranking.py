"""Ranking of an observation tour from the participants' on-site scores. Plain data in and out.

- each stop's score is the mean of its participants' points; with ``drop_extremes`` and at least three
  scores, one highest and one lowest are dropped first;
- ties share a rank and the next rank is skipped (1, 2, 2, 4); stops without any score are not ranked;
- classes by rank: the top ``top_share`` % (rounded up, at least one) are 先进, the bottom ``bottom_share`` %
  (rounded up, at least one) are 后进, the rest 达标; tied stops always share a class (the better one).
"""

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from kernel.ranking import rank_by

ADVANCED, STANDARD, LAGGING = "先进", "达标", "后进"


@dataclass(frozen=True)
class Standing:
    key: object
    mean: Decimal
    rank: int
    standing: str


def mean_score(points, drop_extremes=False):
    values = sorted(Decimal(p) for p in points)
    if drop_extremes and len(values) >= 3:
        values = values[1:-1]
    return (sum(values) / len(values)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def rank(scores: dict, *, drop_extremes=False, top_share=33, bottom_share=33) -> list[Standing]:
    """``scores`` maps a stop key to the list of its participants' points; returns best first."""
    means = {key: mean_score(points, drop_extremes) for key, points in scores.items() if points}
    count = len(means)
    top = max(1, math.ceil(count * top_share / 100)) if count else 0
    bottom_start = count - max(1, math.ceil(count * bottom_share / 100)) + 1 if count else 0
    result = []
    for current_rank, (key, value) in rank_by(means.items(), key=lambda pair: pair[1]):
        standing = ADVANCED if current_rank <= top else LAGGING if current_rank >= bottom_start else STANDARD
        result.append(Standing(key, value, current_rank, standing))
    return result
