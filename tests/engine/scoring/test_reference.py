"""The reference scorer is rank-bm25 as configured, ranking only passages that hold a query term."""

from __future__ import annotations

import pytest
import rank_bm25

from bot.config import RankingConfig
from bot.engine.scoring import RankBM25Scorer


@pytest.mark.parametrize(
    "variant, cls, extra",
    [("okapi", rank_bm25.BM25Okapi, "epsilon"), ("l", rank_bm25.BM25L, "delta"), ("plus", rank_bm25.BM25Plus, "delta")],
)
def test_builds_rank_bm25s_class_with_the_configured_parameters(variant, cls, extra) -> None:
    config = RankingConfig(variant=variant, k1=1.7, b=0.3, epsilon=0.1, delta=0.7)
    scorer = RankBM25Scorer([["a", "b"], ["b"]], config)
    assert type(scorer.bm25) is cls
    assert (scorer.bm25.k1, scorer.bm25.b, getattr(scorer.bm25, extra)) == (1.7, 0.3, getattr(config, extra))
    assert scorer.size == 2 and scorer.doc_freq == {"a": 1, "b": 2}


def test_passages_without_a_query_term_are_never_hits() -> None:
    # BM25+ gives every passage idf·delta per query term, so "c" scores above 0 without holding "a".
    docs = [["a", "b"], ["c"], ["a"]]
    scorer = RankBM25Scorer(docs, RankingConfig(variant="plus"))
    assert scorer.scores(["a"])[1] > 0
    assert [h.passage for h in scorer.top(["a"], 3)] == [2, 0]
