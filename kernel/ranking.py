"""Tie-aware ranking, shared by every ranked list (assessments, observation tours). Plain Python.

Equal values share a rank and the next rank is skipped (1, 2, 2, 4): 同分并列，名次相同，后续名次顺延.
"""

TIE_RULE = "同分并列，名次相同，后续名次顺延(如 1、2、2、4)。"


def ranked(rows, key):
    """``rows`` best first (already sorted by ``key``, highest first); yields ``(rank, row)``."""
    current_rank, previous = 0, object()
    for position, row in enumerate(rows, start=1):
        value = key(row)
        if value != previous:
            current_rank, previous = position, value
        yield current_rank, row


def rank_by(rows, key):
    """Sort ``rows`` by ``key``, highest first (stable for equal values), and rank them: [(rank, row)]."""
    return list(ranked(sorted(rows, key=key, reverse=True), key))
