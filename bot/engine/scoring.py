"""BM25 scoring: rank-bm25 itself, and an exact postings-based equivalent for large corpora.

rank-bm25's `get_scores` walks every passage for every query term, which is fine for
a story of a dozen paragraphs and far too slow for an archive. `PostingsScorer`
precomputes each (term, passage) contribution with rank-bm25's own formulas and
only touches passages that contain a query term; tests check both agree to 1e-9.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Protocol, Sequence

import numpy as np
import rank_bm25

from ..config import RankingConfig


@dataclass(frozen=True)
class Hit:
    passage: int  # index into the index's passage list
    score: float


class Scorer(Protocol):
    doc_freq: dict[str, int]
    size: int

    def top(self, query: Sequence[str], k: int) -> list[Hit]:
        """The k best passages that contain at least one query term, best first (ties: lower index)."""


def _order(candidates: np.ndarray, scores: np.ndarray, k: int) -> list[Hit]:
    if candidates.size == 0:
        return []
    values = scores[candidates]
    if candidates.size > k:
        keep = np.argpartition(-values, k - 1)[:k]
        # Ties at the cut: include every candidate scoring as much as the k-th, then sort.
        threshold = values[keep].min()
        keep = np.flatnonzero(values >= threshold)
        candidates, values = candidates[keep], values[keep]
    order = np.lexsort((candidates, -values))[:k]
    return [Hit(int(candidates[i]), float(values[i])) for i in order]


class RankBM25Scorer:
    """rank-bm25 as it is: the reference, and the scorer for small corpora."""

    def __init__(self, corpus: Sequence[Sequence[str]], config: RankingConfig) -> None:
        corpus = [list(doc) for doc in corpus]
        if config.variant == "okapi":
            self.bm25 = rank_bm25.BM25Okapi(corpus, k1=config.k1, b=config.b, epsilon=config.epsilon)
        elif config.variant == "l":
            self.bm25 = rank_bm25.BM25L(corpus, k1=config.k1, b=config.b, delta=config.delta)
        else:
            self.bm25 = rank_bm25.BM25Plus(corpus, k1=config.k1, b=config.b, delta=config.delta)
        self.size = len(corpus)
        self.doc_freq = dict(Counter(term for doc in self.bm25.doc_freqs for term in doc))

    def scores(self, query: Sequence[str]) -> np.ndarray:
        return np.asarray(self.bm25.get_scores(list(query)), dtype=np.float64)

    def top(self, query: Sequence[str], k: int) -> list[Hit]:
        terms = set(query)
        if not terms:
            return []
        candidates = np.array(
            [i for i, freqs in enumerate(self.bm25.doc_freqs) if not terms.isdisjoint(freqs)], dtype=np.int64
        )
        return _order(candidates, self.scores(query), k)


class PostingsScorer:
    """Exact BM25 (same formulas and parameters as rank-bm25) over precomputed postings."""

    def __init__(self, corpus: Sequence[Sequence[str]], config: RankingConfig) -> None:
        self.size = n = len(corpus)
        vocabulary: dict[str, int] = {}
        term_ids: list[int] = []
        doc_ids: list[int] = []
        freqs: list[int] = []
        lengths = np.empty(n, dtype=np.float64)
        for d, doc in enumerate(corpus):
            lengths[d] = len(doc)
            for term, tf in Counter(doc).items():
                term_ids.append(vocabulary.setdefault(term, len(vocabulary)))
                doc_ids.append(d)
                freqs.append(tf)
        self.vocabulary = vocabulary
        tids = np.asarray(term_ids, dtype=np.int64)
        order = np.argsort(tids, kind="stable")
        self.doc_ids = np.asarray(doc_ids, dtype=np.int32)[order]
        tf = np.asarray(freqs, dtype=np.float64)[order]
        df = np.bincount(tids, minlength=len(vocabulary))
        self.offsets = np.concatenate(([0], np.cumsum(df)))
        self.doc_freq = {term: int(df[i]) for term, i in vocabulary.items()}

        idf = self._idf(df.astype(np.float64), n, config)
        avgdl = lengths.sum() / n if n else 0.0
        k1, b = config.k1, config.b
        term_of_posting = np.repeat(np.arange(len(vocabulary)), df)
        norm = 1 - b + b * lengths[self.doc_ids] / avgdl
        posting_idf = idf[term_of_posting]
        if config.variant == "okapi":
            self.contrib = posting_idf * (tf * (k1 + 1) / (tf + k1 * norm))
            self.base = np.zeros(len(vocabulary))
        elif config.variant == "l":
            # rank-bm25's BM25L multiplies by tf, so a passage without the term gets 0.
            ctd = tf / norm
            delta = config.delta
            self.contrib = posting_idf * tf * (k1 + 1) * (ctd + delta) / (k1 + ctd + delta)
            self.base = np.zeros(len(vocabulary))
        else:
            delta = config.delta
            self.contrib = posting_idf * (delta + tf * (k1 + 1) / (k1 * norm + tf))
            self.base = idf * delta  # BM25Plus gives every passage idf·delta per query term
            self.contrib -= self.base[term_of_posting]
        self.idf = idf

    @staticmethod
    def _idf(df: np.ndarray, n: int, config: RankingConfig) -> np.ndarray:
        if config.variant == "okapi":
            idf = np.log(n - df + 0.5) - np.log(df + 0.5)
            average = math.fsum(idf.tolist()) / len(idf) if len(idf) else 0.0
            return np.where(idf < 0, config.epsilon * average, idf)
        if config.variant == "l":
            return np.log(n + 1) - np.log(df + 0.5)
        return np.log((n + 1) / df)

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """Scores of every passage (for checks against rank-bm25; `top` avoids this)."""
        scores = np.zeros(self.size)
        for term in query:
            t = self.vocabulary.get(term)
            if t is None:
                continue
            scores += self.base[t]
            lo, hi = self.offsets[t], self.offsets[t + 1]
            scores[self.doc_ids[lo:hi]] += self.contrib[lo:hi]
        return scores

    def top(self, query: Sequence[str], k: int) -> list[Hit]:
        ids = [t for t in (self.vocabulary.get(term) for term in query) if t is not None]
        if not ids:
            return []
        scores = np.zeros(self.size)
        base = 0.0
        touched = []
        for t in ids:
            lo, hi = self.offsets[t], self.offsets[t + 1]
            docs = self.doc_ids[lo:hi]
            scores[docs] += self.contrib[lo:hi]
            base += self.base[t]
            touched.append(docs)
        candidates = np.unique(np.concatenate(touched)) if len(touched) > 1 else touched[0].astype(np.int64)
        if base:
            scores[candidates] += base
        return _order(candidates.astype(np.int64), scores, k)


def make_scorer(corpus: Sequence[Sequence[str]], config: RankingConfig, small: int = 2000) -> Scorer:
    """rank-bm25 for small corpora (it is the reference); postings above `small` passages."""
    if len(corpus) <= small:
        return RankBM25Scorer(corpus, config)
    return PostingsScorer(corpus, config)
