"""BM25 scoring, one step per module (as bm25s splits it):

    variants.py         each BM25 variant's formulas (idf, term weight, floor), as rank-bm25 writes them
    postings.py         analysed passages → postings arrays (what the index cache stores)
    reference.py        RankBM25Scorer: rank-bm25 itself, the reference and the scorer for small corpora
    postings_scorer.py  PostingsScorer: the same scores from postings, with MaxScore pruning, for archives
    selection.py        candidates and scores → the top k (ties: lower index)

This module is the package's interface: the `Scorer` both scorers satisfy, and the choice between them.
"""

from __future__ import annotations

from typing import Protocol, Sequence

import numpy as np

from ...config import RankingConfig
from .postings import PostingsArrays, PostingsBuilder
from .postings_scorer import PostingsScorer
from .reference import RankBM25Scorer
from .selection import Hit

__all__ = [
    "Hit",
    "PostingsArrays",
    "PostingsBuilder",
    "PostingsScorer",
    "RankBM25Scorer",
    "Scorer",
    "make_scorer",
]


class Scorer(Protocol):
    doc_freq: dict[str, int]
    size: int

    def top(self, query: Sequence[str], k: int, within: np.ndarray | None = None) -> list[Hit]:
        """The k best passages that contain at least one query term, best first (ties: lower index).

        `within`: a boolean mask over the passages (engine/scope.py); only those may be hits.
        """

    def doc_freq_within(self, terms: Sequence[str], within: np.ndarray) -> dict[str, int]:
        """How many passages inside the mask hold each of these terms (terms none holds left out)."""


def make_scorer(corpus: Sequence[Sequence[str]], config: RankingConfig, small: int = 2000) -> Scorer:
    """rank-bm25 for small corpora (it is the reference); postings above `small` passages."""
    if len(corpus) <= small:
        return RankBM25Scorer(corpus, config)
    return PostingsScorer(corpus, config)
