from kernel.ranking import rank_by, ranked


def test_equal_values_share_a_rank_and_the_next_is_skipped():
    assert [(rank, name) for rank, (name, _v) in rank_by([("甲", 30), ("乙", 35), ("丙", 35), ("丁", 20)],
                                                         key=lambda row: row[1])] == [
        (1, "乙"), (1, "丙"), (3, "甲"), (4, "丁")]


def test_ranked_keeps_the_given_order_and_an_empty_list_ranks_nothing():
    assert list(ranked([5, 5, 5], key=lambda v: v)) == [(1, 5), (1, 5), (1, 5)]
    assert rank_by([], key=lambda v: v) == []
