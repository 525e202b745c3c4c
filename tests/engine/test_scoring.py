"""The postings scorer must give exactly rank-bm25's scores and order."""

from __future__ import annotations

import random

import numpy as np
import pytest

from bot.config import RankingConfig
from bot.engine.scoring import PostingsScorer, RankBM25Scorer


def corpus(seed: int, docs: int = 200) -> list[list[str]]:
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(40)]
    return [[rng.choice(words[: rng.randint(2, 40)]) for _ in range(rng.randint(1, 25))] for _ in range(docs)]


@pytest.mark.parametrize("variant", ["okapi", "l", "plus"])
def test_postings_equal_rank_bm25(variant: str) -> None:
    config = RankingConfig(variant=variant, k1=1.3, b=0.6)
    docs = corpus(7)
    reference, fast = RankBM25Scorer(docs, config), PostingsScorer(docs, config)
    rng = random.Random(3)
    for _ in range(150):
        # Includes repeated terms, unknown terms, and w0/w1 which occur in most passages.
        query = [rng.choice(["w0", "w1", "w5", "w20", "w39", "nope"]) for _ in range(rng.randint(0, 5))]
        assert np.allclose(reference.scores(query), fast.scores(query), atol=1e-9, rtol=0)
        a, b = reference.top(query, 5), fast.top(query, 5)
        assert [h.passage for h in a] == [h.passage for h in b]
        assert all(abs(x.score - y.score) < 1e-9 for x, y in zip(a, b))


def test_common_terms_get_okapi_floor() -> None:
    docs = [["huawei", "canada", f"x{i}"] for i in range(12)]
    fast = PostingsScorer(docs, RankingConfig(variant="okapi"))
    reference = RankBM25Scorer(docs, RankingConfig(variant="okapi"))
    assert np.allclose(fast.scores(["huawei"]), reference.scores(["huawei"]))


def test_ties_break_by_position_and_empty_queries() -> None:
    docs = [["a", "b"], ["a", "b"], ["c"], ["a", "b"]]
    for scorer in (RankBM25Scorer(docs, RankingConfig()), PostingsScorer(docs, RankingConfig())):
        assert [h.passage for h in scorer.top(["a"], 2)] == [0, 1]
        assert scorer.top([], 3) == []
        assert scorer.top(["zzz"], 3) == []
