"""Exact BM25 over precomputed postings, with MaxScore pruning: rank-bm25's scores for large corpora.

rank-bm25's `get_scores` walks every passage for every query term, which is fine for
a story of a dozen paragraphs and far too slow for an archive. This scorer precomputes
each (term, passage) contribution at index time with the variant's own formulas and
touches only passages that contain a query term.
"""

from __future__ import annotations

import math
import threading
from typing import Sequence

import numpy as np

from ...config import RankingConfig
from .postings import PostingsArrays, build_postings, find
from .selection import Hit, kth, ranked, slack, union
from .variants import variant_of

# Postings shorter than this are scattered without first asking whether they can matter.
_CHECK_MIN = 256


class PostingsScorer:
    """Exact BM25 over precomputed postings: the same scores as rank-bm25, to the last bit.

    Postings are grouped by term, passages ascending within a term. Each posting holds
    the term's contribution to that passage, so ranking a query is a few scatter-adds
    over the passages that contain its terms instead of rank-bm25's walk over all of
    them. `top` also skips work that cannot change the top k (MaxScore): once the terms
    still to add could not lift a passage that has none of the terms added so far past
    the current k-th best, they are only looked up for the passages still in the running.

    Summing in a different order can change the last bit of a score, and so the order
    of two passages that rank-bm25 scores as exactly tied. So the few finalists (the
    top k and anything within a hair of the k-th) are rescored with rank-bm25's own
    formulas, idf values and summation order, and ranked by those scores.
    """

    def __init__(self, corpus: Sequence[Sequence[str]], config: RankingConfig) -> None:
        self._setup(build_postings(corpus), config)

    @classmethod
    def from_arrays(cls, arrays: PostingsArrays, config: RankingConfig) -> "PostingsScorer":
        scorer = cls.__new__(cls)
        scorer._setup(arrays, config)
        return scorer

    def _setup(self, arrays: PostingsArrays, config: RankingConfig) -> None:
        self.arrays = arrays
        self.config = config
        self.variant = variant = variant_of(config)
        self.size = n = len(arrays.lengths)
        self.vocabulary: dict[str, int] = {term: i for i, term in enumerate(arrays.terms)}
        self.doc_ids = arrays.doc_ids
        self.offsets = arrays.offsets
        self.df = df = np.diff(self.offsets)
        df_list = df.tolist()
        self.doc_freq = dict(zip(arrays.terms, df_list))
        self.lengths = arrays.lengths.astype(np.float64)
        # rank-bm25: total length (Python int) / passages.
        self.avgdl = int(arrays.lengths.sum(dtype=np.int64)) / n if n else 0.0
        self.idf = np.array(variant.idf(df_list, n, config), dtype=np.float64)

        self.contrib = variant.weight(
            np.repeat(self.idf, df), arrays.tf.astype(np.float64), self.lengths[self.doc_ids], self.avgdl, config
        )
        if variant.floor is None:
            self.base = np.zeros(len(df))
        else:
            # Every passage gets the floor per query term: keep only what holding the term adds,
            # so that passages without any query term need not be touched.
            self.base = variant.floor(self.idf, config)
            self.contrib -= np.repeat(self.base, df)
        # Largest contribution of each term (MaxScore's bound); pruning needs all of them > 0.
        self.bound = np.maximum.reduceat(self.contrib, self.offsets[:-1]) if len(df) else np.zeros(0)
        self._prunable = bool(len(df)) and bool(self.contrib.min() > 0)
        self._local = threading.local()

    def _postings(self, t: int) -> tuple[int, int]:
        """Term t's postings: [lo, hi) in doc_ids, tf and contrib."""
        return int(self.offsets[t]), int(self.offsets[t + 1])

    def _tf(self, t: int, docs: np.ndarray) -> np.ndarray:
        """Frequency of term t in each of `docs` (0 where absent)."""
        lo, hi = self._postings(t)
        found, where = find(self.doc_ids[lo:hi], docs)
        tf = np.zeros(len(docs), dtype=np.float64)
        tf[found] = self.arrays.tf[lo + where[found]]
        return tf

    def exact_scores(self, query: Sequence[str], docs: np.ndarray) -> np.ndarray:
        """Scores of `docs` bit for bit as rank-bm25's get_scores: term by term, in query order."""
        score = np.zeros(len(docs))
        lengths = self.lengths[docs]
        weight, idf, avgdl, config = self.variant.weight, self.idf, self.avgdl, self.config
        for term in query:
            t = self.vocabulary.get(term)
            if t is not None:  # rank-bm25 adds 0 for a term it has never seen
                score += weight(float(idf[t]), self._tf(t, docs), lengths, avgdl, config)
        return score

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """Scores of every passage (for checks against rank-bm25; `top` avoids this)."""
        return self.exact_scores(query, np.arange(self.size))

    def _buffer(self) -> np.ndarray:
        # One zeroed score array per thread, handed back zeroed after each query.
        scores = getattr(self._local, "scores", None)
        if scores is None:
            scores = self._local.scores = np.zeros(self.size)
        return scores

    def top(self, query: Sequence[str], k: int, within: np.ndarray | None = None) -> list[Hit]:
        """`within` (a boolean mask over the passages) keeps the others out of the running
        before any pruning: the k-th best the pruning compares with is the k-th best inside it."""
        vocabulary = self.vocabulary
        counts: dict[int, int] = {}
        for term in query:
            t = vocabulary.get(term)
            if t is not None:
                counts[t] = counts.get(t, 0) + 1
        if not counts or k <= 0:
            return []
        bound = self.bound
        # Highest possible contribution first: rare terms, short postings.
        terms = sorted(counts, key=lambda t: (-bound[t] * counts[t], t))
        bounds = [float(bound[t]) * counts[t] for t in terms]
        base = math.fsum(float(self.base[t]) * counts[t] for t in terms)
        rest = [math.fsum(bounds[i:]) for i in range(len(terms) + 1)]
        doc_ids, contrib = self.doc_ids, self.contrib
        scores = self._buffer()
        touched: list[np.ndarray] = []
        touched_count = 0
        candidates: np.ndarray | None = None
        try:
            for i, t in enumerate(terms):
                lo, hi = self._postings(t)
                if self._prunable and touched and hi - lo > max(_CHECK_MIN, touched_count // 2):
                    # Long postings ahead: are they worth scattering, or can they only reorder?
                    candidates = _inside(union(touched, touched_count, scores.size), within)
                    theta = kth(scores[candidates], k)
                    if rest[i] + slack(theta, rest[i], base) < theta:
                        candidates = self._finish(candidates, terms[i:], counts, rest[i:], k, base)
                        break
                    candidates = None
                docs = doc_ids[lo:hi]
                values = contrib[lo:hi]
                if counts[t] > 1:
                    values = values * counts[t]
                scores[docs] += values
                touched.append(docs)
                touched_count += hi - lo
            if candidates is None:
                candidates = _inside(union(touched, touched_count, scores.size), within)
            values = scores[candidates]
        finally:
            for docs in touched:
                scores[docs] = 0.0
        if candidates.size > k:
            # Finalists: the top k and whatever is within rounding of the k-th.
            cut = kth(values, k)
            candidates = candidates[values >= cut - slack(cut, 0.0, base)]
        return ranked(candidates, self.exact_scores(query, candidates), k)

    def doc_freq_within(self, terms: Sequence[str], within: np.ndarray) -> dict[str, int]:
        counts = {}
        for term in dict.fromkeys(terms):
            t = self.vocabulary.get(term)
            if t is not None:
                lo, hi = self._postings(t)
                n = int(within[self.doc_ids[lo:hi]].sum())
                if n:
                    counts[term] = n
        return counts

    def _finish(
        self, candidates: np.ndarray, terms: list[int], counts: dict[int, int], rest: list[float], k: int, base: float
    ) -> np.ndarray:
        """Add the remaining terms, looked up only for passages that can still reach the top k.

        `rest[j]` bounds what terms[j:] can still add. After each term the k-th best partial
        score (a floor for the final k-th) rises and the bound falls, so the field narrows.
        """
        scores = self._buffer()
        keep = candidates
        for j, t in enumerate(terms):
            partial = scores[keep]
            theta = kth(partial, k)
            keep = keep[partial >= theta - rest[j] - slack(theta, rest[j], base)]
            lo, hi = self._postings(t)
            found, where = find(self.doc_ids[lo:hi], keep)
            values = self.contrib[lo + where[found]]
            if counts[t] > 1:
                values = values * counts[t]
            scores[keep[found]] += values
        return keep


def _inside(candidates: np.ndarray, within: np.ndarray | None) -> np.ndarray:
    """The candidates the mask keeps (all of them without one)."""
    return candidates if within is None else candidates[within[candidates]]
