"""BM25 scoring: rank-bm25 itself, and an exact postings-based equivalent for large corpora.

rank-bm25's `get_scores` walks every passage for every query term, which is fine for
a story of a dozen paragraphs and far too slow for an archive. `PostingsScorer`
precomputes each (term, passage) contribution with rank-bm25's own formulas and
only touches passages that contain a query term; tests check both agree to 1e-9.
"""

from __future__ import annotations

import math
import threading
from array import array
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
        builder = PostingsBuilder()
        for doc in corpus:
            builder.add(doc)
        self._setup(builder.arrays(), config)

    @classmethod
    def from_arrays(cls, arrays: "PostingsArrays", config: RankingConfig) -> "PostingsScorer":
        scorer = cls.__new__(cls)
        scorer._setup(arrays, config)
        return scorer

    def _setup(self, arrays: "PostingsArrays", config: RankingConfig) -> None:
        self.arrays = arrays
        self.config = config
        self.size = n = len(arrays.lengths)
        self.vocabulary: dict[str, int] = {term: i for i, term in enumerate(arrays.terms)}
        self.doc_ids = arrays.doc_ids
        self.offsets = arrays.offsets
        df = np.diff(self.offsets)
        self.df = df
        df_list = df.tolist()
        self.doc_freq = dict(zip(arrays.terms, df_list))
        self.lengths = arrays.lengths.astype(np.float64)
        # rank-bm25: total length (Python int) / passages.
        self.avgdl = int(arrays.lengths.sum(dtype=np.int64)) / n if n else 0.0
        self.idf = np.array(self._idf(df_list, n, config), dtype=np.float64)

        tf = arrays.tf.astype(np.float64)
        idf = self.idf
        k1, b, delta, avgdl = config.k1, config.b, config.delta, self.avgdl
        posting_idf = np.repeat(idf, df)
        norm = 1 - b + b * self.lengths[self.doc_ids] / avgdl
        if config.variant == "okapi":
            self.contrib = posting_idf * (tf * (k1 + 1) / (tf + k1 * norm))
            self.base = np.zeros(len(df))
        elif config.variant == "l":
            # rank-bm25's BM25L multiplies by tf, so a passage without the term gets 0.
            ctd = tf / norm
            self.contrib = posting_idf * tf * (k1 + 1) * (ctd + delta) / (k1 + ctd + delta)
            self.base = np.zeros(len(df))
        else:
            self.contrib = posting_idf * (delta + tf * (k1 + 1) / (k1 * norm + tf))
            self.base = idf * delta  # BM25Plus gives every passage idf·delta per query term
            self.contrib -= np.repeat(self.base, df)
        del posting_idf, norm, tf
        # Largest contribution of each term (MaxScore's bound); pruning needs all of them > 0.
        self.bound = np.maximum.reduceat(self.contrib, self.offsets[:-1]) if len(df) else np.zeros(0)
        self._prunable = bool(len(df)) and bool(self.contrib.min() > 0)
        self._local = threading.local()

    @staticmethod
    def _idf(df: list[int], n: int, config: RankingConfig) -> list[float]:
        """rank-bm25's idf, computed as it does (math.log, its order of summation)."""
        if config.variant == "okapi":
            values = [math.log(n - freq + 0.5) - math.log(freq + 0.5) for freq in df]
            total = 0
            for value in values:  # rank-bm25 sums in first-occurrence order, as terms are numbered
                total += value
            eps = config.epsilon * (total / len(values)) if values else 0.0
            return [eps if value < 0 else value for value in values]
        if config.variant == "l":
            return [math.log(n + 1) - math.log(freq + 0.5) for freq in df]
        return [math.log((n + 1) / freq) for freq in df]

    def _term_scores(self, t: int, tf: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Term t's addition to the score of passages with these tf and lengths (rank-bm25's expressions)."""
        idf = float(self.idf[t])
        k1, b, delta, avgdl = self.config.k1, self.config.b, self.config.delta, self.avgdl
        if self.config.variant == "okapi":
            return idf * (tf * (k1 + 1) / (tf + k1 * (1 - b + b * lengths / avgdl)))
        if self.config.variant == "l":
            ctd = tf / (1 - b + b * lengths / avgdl)
            return idf * tf * (k1 + 1) * (ctd + delta) / (k1 + ctd + delta)
        return idf * (delta + (tf * (k1 + 1)) / (k1 * (1 - b + b * lengths / avgdl) + tf))

    def _tf(self, t: int, docs: np.ndarray) -> np.ndarray:
        """Frequency of term t in each of `docs` (0 where absent)."""
        lo, hi = int(self.offsets[t]), int(self.offsets[t + 1])
        postings = self.doc_ids[lo:hi]
        where = np.searchsorted(postings, docs)
        where[where == hi - lo] = 0
        found = postings[where] == docs
        tf = np.zeros(len(docs), dtype=np.float64)
        tf[found] = self.arrays.tf[lo + where[found]]
        return tf

    def exact_scores(self, query: Sequence[str], docs: np.ndarray) -> np.ndarray:
        """Scores of `docs` bit for bit as rank-bm25's get_scores: term by term, in query order."""
        score = np.zeros(len(docs))
        lengths = self.lengths[docs]
        for term in query:
            t = self.vocabulary.get(term)
            if t is not None:  # rank-bm25 adds 0 for a term it has never seen
                score += self._term_scores(t, self._tf(t, docs), lengths)
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

    def top(self, query: Sequence[str], k: int) -> list[Hit]:
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
        offsets, doc_ids, contrib = self.offsets, self.doc_ids, self.contrib
        scores = self._buffer()
        touched: list[np.ndarray] = []
        touched_count = 0
        candidates: np.ndarray | None = None
        try:
            for i, t in enumerate(terms):
                lo, hi = int(offsets[t]), int(offsets[t + 1])
                if self._prunable and touched and hi - lo > max(_CHECK_MIN, touched_count // 2):
                    # Long postings ahead: are they worth scattering, or can they only reorder?
                    candidates = _union(touched, touched_count, scores)
                    theta = _kth(scores[candidates], k)
                    slack = _TOLERANCE * (abs(theta) + rest[i] + base + 1)
                    if rest[i] + slack < theta:
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
                candidates = _union(touched, touched_count, scores)
            values = scores[candidates]
        finally:
            for docs in touched:
                scores[docs] = 0.0
        if candidates.size > k:
            # Finalists: the top k and whatever is within rounding of the k-th.
            kth = _kth(values, k)
            candidates = candidates[values >= kth - _TOLERANCE * (abs(kth) + base + 1)]
        exact = self.exact_scores(query, candidates)
        order = np.lexsort((candidates, -exact))[:k]
        return [Hit(int(candidates[i]), float(exact[i])) for i in order]

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
            theta = _kth(partial, k)
            keep = keep[partial >= theta - rest[j] - _TOLERANCE * (abs(theta) + rest[j] + base + 1)]
            lo, hi = int(self.offsets[t]), int(self.offsets[t + 1])
            docs = self.doc_ids[lo:hi]
            where = np.searchsorted(docs, keep)
            where[where == hi - lo] = 0
            found = docs[where] == keep
            values = self.contrib[lo + where[found]]
            if counts[t] > 1:
                values = values * counts[t]
            scores[keep[found]] += values
        return keep


# Relative slack for rounding when comparing fast (reordered) sums: far above the ~1e-15
# they can differ by, far below any real difference between two passages' scores.
_TOLERANCE = 1e-9
# Postings shorter than this are scattered without first asking whether they can matter.
_CHECK_MIN = 256


def _union(touched: list[np.ndarray], count: int, scores: np.ndarray) -> np.ndarray:
    """Passages in any of the touched postings, ascending."""
    if len(touched) == 1:
        return touched[0].astype(np.int64)
    if count * 8 < scores.size:
        return np.unique(np.concatenate(touched)).astype(np.int64)
    mask = np.zeros(scores.size, dtype=bool)
    for docs in touched:
        mask[docs] = True
    return np.flatnonzero(mask)


def _kth(values: np.ndarray, k: int) -> float:
    """The k-th largest value (a lower bound on the final k-th best score); -inf if fewer."""
    if values.size < k:
        return -math.inf
    return float(np.partition(values, values.size - k)[values.size - k])


@dataclass
class PostingsArrays:
    """Everything a PostingsScorer is computed from; what the index cache stores."""

    terms: list[str]  # term of each id
    offsets: np.ndarray  # int64, postings of term t are [offsets[t], offsets[t+1])
    doc_ids: np.ndarray  # int32, ascending within a term
    tf: np.ndarray  # int32, term frequency of each posting
    lengths: np.ndarray  # int32, terms per passage


class PostingsBuilder:
    """Collects analysed passages as term ids; `arrays()` turns them into postings with numpy."""

    def __init__(self) -> None:
        self.vocabulary: dict[str, int] = {}
        self._ids = array("i")
        self._lengths = array("i")

    def add(self, terms: Sequence[str]) -> None:
        vocabulary = self.vocabulary
        ids = [vocabulary.setdefault(term, len(vocabulary)) for term in terms]
        self._ids.extend(ids)
        self._lengths.append(len(ids))

    def __len__(self) -> int:
        return len(self._lengths)

    def arrays(self) -> PostingsArrays:
        lengths = np.frombuffer(self._lengths, dtype=np.int32).copy()
        ids = np.frombuffer(self._ids, dtype=np.int32).astype(np.int64)
        n = len(lengths)
        # One sort by (term, passage) groups postings by term and counts term frequency.
        keys = ids * max(n, 1)
        del ids
        keys += np.repeat(np.arange(n, dtype=np.int64), lengths)
        keys, tf = np.unique(keys, return_counts=True)
        terms_of_posting = keys // max(n, 1)
        doc_ids = (keys - terms_of_posting * max(n, 1)).astype(np.int32)
        del keys
        df = np.bincount(terms_of_posting, minlength=len(self.vocabulary))
        offsets = np.zeros(len(df) + 1, dtype=np.int64)
        np.cumsum(df, out=offsets[1:])
        return PostingsArrays(list(self.vocabulary), offsets, doc_ids, tf.astype(np.int32), lengths)


def make_scorer(corpus: Sequence[Sequence[str]], config: RankingConfig, small: int = 2000) -> Scorer:
    """rank-bm25 for small corpora (it is the reference); postings above `small` passages."""
    if len(corpus) <= small:
        return RankBM25Scorer(corpus, config)
    return PostingsScorer(corpus, config)
