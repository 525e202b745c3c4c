"""rank-bm25 as it is: the reference every other scorer is checked against, and the scorer for small corpora."""

from __future__ import annotations

from collections import Counter
from typing import Sequence

import numpy as np

from ...config import RankingConfig
from .selection import Hit, top_k
from .variants import variant_of


class RankBM25Scorer:
    """rank-bm25's class for the configured variant; `top` ranks the passages that hold a query term."""

    def __init__(self, corpus: Sequence[Sequence[str]], config: RankingConfig) -> None:
        corpus = [list(doc) for doc in corpus]
        self.bm25 = variant_of(config).reference(corpus, config)
        self.size = len(corpus)
        self.doc_freq = dict(Counter(term for doc in self.bm25.doc_freqs for term in doc))

    def scores(self, query: Sequence[str]) -> np.ndarray:
        return np.asarray(self.bm25.get_scores(list(query)), dtype=np.float64)

    def top(self, query: Sequence[str], k: int, within: np.ndarray | None = None) -> list[Hit]:
        terms = set(query)
        if not terms:
            return []
        candidates = np.array(
            [
                i
                for i, freqs in enumerate(self.bm25.doc_freqs)
                if (within is None or within[i]) and not terms.isdisjoint(freqs)
            ],
            dtype=np.int64,
        )
        return top_k(candidates, self.scores(query), k)

    def doc_freq_within(self, terms: Sequence[str], within: np.ndarray) -> dict[str, int]:
        inside = [freqs for i, freqs in enumerate(self.bm25.doc_freqs) if within[i]]
        counts = {t: sum(t in freqs for freqs in inside) for t in dict.fromkeys(terms) if t in self.doc_freq}
        return {t: n for t, n in counts.items() if n}
