"""The postings scorer must give exactly rank-bm25's scores and order, pruned or not, from any thread."""

from __future__ import annotations

import random
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import RankingConfig
from bot.engine.scoring import PostingsScorer, RankBM25Scorer
from bot.engine.scoring.postings import build_postings

from .corpora import assert_same, corpus, skewed_corpus


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


@pytest.mark.parametrize("variant", ["okapi", "l", "plus"])
def test_every_passage_scores_as_rank_bm25_to_the_last_bit(variant: str) -> None:
    docs = corpus(5, docs=120)
    config = RankingConfig(variant=variant, k1=1.7, b=0.4, delta=0.8)
    reference, fast = RankBM25Scorer(docs, config), PostingsScorer(docs, config)
    for query in (["w0"], ["w3", "w3", "w17"], ["w39", "nope", "w1", "w2"]):
        assert fast.scores(query).tolist() == reference.scores(query).tolist(), query


def test_from_arrays_is_the_scorer_built_from_passages() -> None:
    docs = skewed_corpus(4, docs=60)
    config = RankingConfig(variant="l")
    built, loaded = PostingsScorer(docs, config), PostingsScorer.from_arrays(build_postings(docs), config)
    assert loaded.contrib.tolist() == built.contrib.tolist() and loaded.doc_freq == built.doc_freq
    assert loaded.top(["c0", "r3"], 4) == built.top(["c0", "r3"], 4)


@pytest.mark.parametrize("variant", ["okapi", "l", "plus"])
def test_pruned_queries_equal_rank_bm25_and_pruning_happens(variant: str, monkeypatch: pytest.MonkeyPatch) -> None:
    finished = []
    original = PostingsScorer._finish

    def spy(self, *args, **kwargs):
        finished.append(args[1])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(PostingsScorer, "_finish", spy)
    docs = skewed_corpus(11)
    config = RankingConfig(variant=variant)
    fast, reference = PostingsScorer(docs, config), RankBM25Scorer(docs, config)
    rng = random.Random(5)
    for _ in range(120):
        query = [rng.choice(["c0", "c1", "c2", "c3", "r1", "r2", "r7", "nope"]) for _ in range(rng.randint(1, 6))]
        for k in (1, 3, 5):
            assert_same(fast, reference, query, k)
    # The skipped terms were the common ones: the path that only looks them up was exercised.
    assert finished and all(set(terms) <= {fast.vocabulary[f"c{i}"] for i in range(4)} for terms in finished)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from("a b c d e f g h".split()), min_size=1, max_size=10), min_size=1, max_size=40),
    st.lists(st.sampled_from("a b c d e f g h zz".split()), max_size=6),
    st.integers(1, 6),
    st.sampled_from(["okapi", "l", "plus"]),
)
def test_any_corpus_and_query_equal_rank_bm25(docs, query, k, variant) -> None:
    config = RankingConfig(variant=variant)
    assert_same(PostingsScorer(docs, config), RankBM25Scorer(docs, config), query, k)


def test_ties_at_the_cut_keep_the_earlier_passages() -> None:
    # 20 identical passages with a rare term, many more with only the common one.
    docs = [["rare", "common"]] * 20 + [["common", "x"]] * 200
    config = RankingConfig()
    fast, reference = PostingsScorer(docs, config), RankBM25Scorer(docs, config)
    assert [h.passage for h in fast.top(["common", "rare"], 5)] == [0, 1, 2, 3, 4]
    assert_same(fast, reference, ["common", "rare"], 5)
    assert_same(fast, reference, ["common", "common", "rare"], 7)


def test_terms_in_more_than_half_the_passages_and_zero_weights() -> None:
    # Every term in more than half the passages: BM25Okapi's floor; epsilon=0 gives zero weights,
    # so nothing is pruned and passages that contain a term still count as matches.
    docs = [["a", "b"], ["a", "b", "b"], ["a"], ["b", "a", "a"], ["c"]]
    for config in (RankingConfig(variant="okapi"), RankingConfig(variant="okapi", epsilon=0.0)):
        fast, reference = PostingsScorer(docs, config), RankBM25Scorer(docs, config)
        for query in (["a"], ["a", "b"], ["b", "b"], ["c", "a"], ["zz", "a"]):
            assert_same(fast, reference, query, 3)
    assert [h.passage for h in PostingsScorer(docs, RankingConfig(variant="okapi", epsilon=0.0)).top(["a"], 9)] == [
        0, 1, 2, 3,
    ]


def test_unknown_and_empty_queries_and_k_beyond_matches() -> None:
    docs = skewed_corpus(3, docs=50)
    fast, reference = PostingsScorer(docs, RankingConfig()), RankBM25Scorer(docs, RankingConfig())
    assert fast.top([], 5) == [] and fast.top(["zz", "yy"], 5) == [] and fast.top(["c0"], 0) == []
    assert_same(fast, reference, ["r3", "zz"], 50)


def test_concurrent_queries_from_threads_give_the_same_answers() -> None:
    docs = skewed_corpus(7, docs=400)
    fast = PostingsScorer(docs, RankingConfig())
    queries = [["c0", "r1"], ["c1", "c2"], ["r5", "c3", "c0"], ["r2"]] * 30
    expected = [fast.top(q, 5) for q in queries]
    results: list[list] = [[] for _ in range(4)]

    def worker(n: int) -> None:
        results[n] = [fast.top(q, 5) for q in queries]

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == expected for r in results)
    # Each thread's buffer is handed back zeroed.
    assert not fast._buffer().any()
