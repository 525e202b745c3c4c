"""The package's interface: both scorers keep the Scorer contract, and make_scorer picks by size."""

from __future__ import annotations

from bot.config import RankingConfig
from bot.engine import scoring
from bot.engine.scoring import PostingsScorer, RankBM25Scorer


def test_ties_break_by_position_and_empty_queries() -> None:
    docs = [["a", "b"], ["a", "b"], ["c"], ["a", "b"]]
    for scorer in (RankBM25Scorer(docs, RankingConfig()), PostingsScorer(docs, RankingConfig())):
        assert [h.passage for h in scorer.top(["a"], 2)] == [0, 1]
        assert scorer.top([], 3) == []
        assert scorer.top(["zzz"], 3) == []


def test_scorer_doc_freq_and_size_for_the_answer_layer() -> None:
    docs = [["a", "b"], ["a"], ["c", "c"]]
    fast = PostingsScorer(docs, RankingConfig())
    assert fast.size == 3 and fast.doc_freq == {"a": 2, "b": 1, "c": 1}
    assert fast.doc_freq == RankBM25Scorer(docs, RankingConfig()).doc_freq
    assert scoring.make_scorer(docs, RankingConfig(), small=2).__class__ is PostingsScorer


def test_make_scorer_keeps_rank_bm25_up_to_the_threshold() -> None:
    docs = [["a"], ["b"]]
    assert type(scoring.make_scorer(docs, RankingConfig(), small=2)) is RankBM25Scorer
    assert type(scoring.make_scorer(docs, RankingConfig())) is RankBM25Scorer
