"""Top-k selection: best first, ties by lower index, including ties at the cut."""

from __future__ import annotations

import math

import numpy as np

from bot.engine.scoring.selection import Hit, kth, ranked, slack, top_k, union


def test_top_k_best_first_ties_by_lower_index() -> None:
    scores = np.array([1.0, 3.0, 2.0, 3.0, 0.5, 3.0])
    candidates = np.array([0, 1, 2, 3, 5])  # passage 4 holds no query term
    assert top_k(candidates, scores, 2) == [Hit(1, 3.0), Hit(3, 3.0)]
    assert [h.passage for h in top_k(candidates, scores, 10)] == [1, 3, 5, 2, 0]
    assert top_k(np.array([], dtype=np.int64), scores, 3) == []


def test_ties_at_the_cut_are_decided_by_position_not_by_partition() -> None:
    # argpartition may keep any of the tied passages; the earlier ones must win.
    scores = np.ones(50)
    scores[[40, 45]] = 2.0
    assert [h.passage for h in top_k(np.arange(50), scores, 4)] == [40, 45, 0, 1]


def test_ranked_and_kth() -> None:
    assert ranked(np.array([7, 2, 4]), np.array([1.0, 1.0, 5.0]), 2) == [Hit(4, 5.0), Hit(2, 1.0)]
    assert kth(np.array([4.0, 9.0, 1.0, 7.0]), 2) == 7.0
    assert kth(np.array([4.0]), 2) == -math.inf


def test_slack_grows_with_the_magnitudes_compared() -> None:
    assert 0 < slack(0.0, 0.0, 0.0) < slack(100.0, 0.0, 0.0) == slack(-100.0, 0.0, 0.0) < slack(100.0, 50.0, 1.0)
    assert slack(1e3, 0.0, 0.0) < 1e-5  # far below any real difference between two passages


def test_union_is_the_same_whichever_way_it_is_computed() -> None:
    touched = [np.array([1, 4, 8], dtype=np.int32), np.array([0, 4, 9], dtype=np.int32)]
    expected = [0, 1, 4, 8, 9]
    assert union(touched, 6, 1000).tolist() == expected  # few postings: sort them
    assert union(touched, 6, 10).tolist() == expected  # many: mark a mask
    assert union(touched[:1], 3, 10).tolist() == [1, 4, 8]
