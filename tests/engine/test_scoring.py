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


# --- The fast path (MaxScore pruning, thread-local buffers, numpy-built postings) -----------------

import threading  # noqa: E402
from collections import Counter  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from bot.engine import scoring  # noqa: E402
from bot.engine.scoring import PostingsBuilder  # noqa: E402


def reference_top(reference: RankBM25Scorer, query: list[str], k: int) -> list[tuple[int, float]]:
    """rank-bm25's scores, best first, ties by position, among passages with a query term."""
    scores = reference.scores(query)
    terms = set(query)
    candidates = [i for i, freqs in enumerate(reference.bm25.doc_freqs) if not terms.isdisjoint(freqs)]
    ranked = sorted(candidates, key=lambda i: (-scores[i], i))[:k]
    return [(i, float(scores[i])) for i in ranked]


def assert_same(fast: PostingsScorer, reference: RankBM25Scorer, query: list[str], k: int) -> None:
    got = [(h.passage, h.score) for h in fast.top(query, k)]
    want = reference_top(reference, query, k)
    assert [p for p, _ in got] == [p for p, _ in want], query
    # Finalists are rescored in rank-bm25's own order, so the scores are equal to the last bit.
    assert [s for _, s in got] == [s for _, s in want], query


def skewed_corpus(seed: int, docs: int = 300) -> list[list[str]]:
    """Zipf-like: 'c0' is in nearly every passage, 'c1'–'c3' in most, r* rare: MaxScore prunes here."""
    rng = random.Random(seed)
    corpus = []
    for _ in range(docs):
        doc = [f"c{rng.randint(0, 3)}" for _ in range(rng.randint(3, 12))] + ["c0"]
        if rng.random() < 0.1:
            doc += [f"r{rng.randint(0, 15)}"] * rng.randint(1, 3)
        rng.shuffle(doc)
        corpus.append(doc)
    return corpus


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


def test_builder_postings_match_a_direct_count() -> None:
    docs = skewed_corpus(9, docs=80) + [[]]
    builder = PostingsBuilder()
    for doc in docs:
        builder.add(doc)
    arrays = builder.arrays()
    postings = {}
    for t, term in enumerate(arrays.terms):
        lo, hi = arrays.offsets[t], arrays.offsets[t + 1]
        assert list(arrays.doc_ids[lo:hi]) == sorted(arrays.doc_ids[lo:hi])
        for d, tf in zip(arrays.doc_ids[lo:hi], arrays.tf[lo:hi]):
            postings[(term, int(d))] = int(tf)
    assert postings == {(term, d): tf for d, doc in enumerate(docs) for term, tf in Counter(doc).items()}
    assert list(arrays.lengths) == [len(doc) for doc in docs]


def test_scorer_doc_freq_and_size_for_the_answer_layer() -> None:
    docs = [["a", "b"], ["a"], ["c", "c"]]
    fast = PostingsScorer(docs, RankingConfig())
    assert fast.size == 3 and fast.doc_freq == {"a": 2, "b": 1, "c": 1}
    assert fast.doc_freq == RankBM25Scorer(docs, RankingConfig()).doc_freq
    assert scoring.make_scorer(docs, RankingConfig(), small=2).__class__ is PostingsScorer
