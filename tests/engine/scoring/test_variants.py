"""Each variant's table must be rank-bm25's formulas exactly: same idf, same term weight, to the last bit."""

from __future__ import annotations

import typing

import numpy as np
import pytest

from bot.config import RankingConfig
from bot.engine.scoring import PostingsScorer, RankBM25Scorer
from bot.engine.scoring.variants import VARIANTS, variant_of

from .corpora import corpus

NAMES = list(typing.get_args(typing.get_type_hints(RankingConfig)["variant"]))


def test_every_configurable_variant_has_a_table() -> None:
    assert sorted(VARIANTS) == sorted(NAMES)
    assert all(variant_of(RankingConfig(variant=name)).name == name for name in NAMES)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("epsilon", [0.25, 0.0])
def test_idf_is_rank_bm25s(name: str, epsilon: float) -> None:
    docs = corpus(2, docs=60)
    config = RankingConfig(variant=name, epsilon=epsilon)
    reference = RankBM25Scorer(docs, config).bm25
    terms = list(reference.idf)  # rank-bm25's first-occurrence order
    df = [sum(term in doc for doc in reference.doc_freqs) for term in terms]
    assert VARIANTS[name].idf(df, len(docs), config) == [reference.idf[term] for term in terms]


@pytest.mark.parametrize("name", NAMES)
def test_weight_of_one_term_is_rank_bm25s_score(name: str) -> None:
    docs = corpus(8, docs=80)
    config = RankingConfig(variant=name, k1=1.4, b=0.65, delta=0.9)
    reference = RankBM25Scorer(docs, config).bm25
    lengths = np.array([len(doc) for doc in docs], dtype=np.float64)
    for term in ("w0", "w3", "w21"):
        tf = np.array([doc.count(term) for doc in docs], dtype=np.float64)
        weight = VARIANTS[name].weight(reference.idf[term], tf, lengths, reference.avgdl, config)
        assert weight.tolist() == reference.get_scores([term]).tolist(), term


def test_only_bm25_plus_has_a_floor_and_the_postings_leave_it_out() -> None:
    assert [name for name in NAMES if VARIANTS[name].floor is not None] == ["plus"]
    docs = [["a", "b"], ["c"], ["a"]]
    fast = PostingsScorer(docs, RankingConfig(variant="plus", delta=1.0))
    reference = RankBM25Scorer(docs, RankingConfig(variant="plus", delta=1.0))
    # A passage without "a" still gets idf("a")·delta, which the postings hold apart as the base.
    assert fast.base[fast.vocabulary["a"]] == reference.bm25.idf["a"] * 1.0
    assert fast.scores(["a"])[1] == reference.scores(["a"])[1] > 0


def test_common_terms_get_okapi_floor() -> None:
    docs = [["huawei", "canada", f"x{i}"] for i in range(12)]
    fast = PostingsScorer(docs, RankingConfig(variant="okapi"))
    reference = RankBM25Scorer(docs, RankingConfig(variant="okapi"))
    assert np.allclose(fast.scores(["huawei"]), reference.scores(["huawei"]))
