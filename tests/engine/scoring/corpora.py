"""Corpora and checks the scoring tests share: random, Zipf-like, and rank-bm25's ranking by hand."""

from __future__ import annotations

import random

from bot.engine.scoring import PostingsScorer, RankBM25Scorer


def corpus(seed: int, docs: int = 200) -> list[list[str]]:
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(40)]
    return [[rng.choice(words[: rng.randint(2, 40)]) for _ in range(rng.randint(1, 25))] for _ in range(docs)]


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
