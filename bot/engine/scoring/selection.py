"""Top-k selection: from candidate passages and their scores to the k best, best first.

Kept apart from scoring (as bm25s keeps `selection.py` apart from `scoring.py`): both
scorers end here, and the postings scorer's pruning asks the same questions (what is
the k-th best so far? which passages were touched?).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# Relative slack for rounding when comparing fast (reordered) sums: far above the ~1e-15
# they can differ by, far below any real difference between two passages' scores.
TOLERANCE = 1e-9


@dataclass(frozen=True)
class Hit:
    passage: int  # index into the index's passage list
    score: float


def top_k(candidates: np.ndarray, scores: np.ndarray, k: int) -> list[Hit]:
    """The k best of `candidates` (ascending indices into `scores`), best first, ties by lower index."""
    if candidates.size == 0:
        return []
    values = scores[candidates]
    if candidates.size > k:
        keep = np.argpartition(-values, k - 1)[:k]
        # Ties at the cut: include every candidate scoring as much as the k-th, then sort.
        threshold = values[keep].min()
        keep = np.flatnonzero(values >= threshold)
        candidates, values = candidates[keep], values[keep]
    return ranked(candidates, values, k)


def ranked(candidates: np.ndarray, values: np.ndarray, k: int) -> list[Hit]:
    """Candidates with these scores, best first, ties by lower index, at most k."""
    order = np.lexsort((candidates, -values))[:k]
    return [Hit(int(candidates[i]), float(values[i])) for i in order]


def kth(values: np.ndarray, k: int) -> float:
    """The k-th largest value (a lower bound on the final k-th best score); -inf if fewer."""
    if values.size < k:
        return -math.inf
    return float(np.partition(values, values.size - k)[values.size - k])


def slack(theta: float, rest: float, base: float) -> float:
    """How far a fast sum near `theta` may be off by rounding, given what is still to add and the floor."""
    return TOLERANCE * (abs(theta) + rest + base + 1)


def union(touched: list[np.ndarray], count: int, size: int) -> np.ndarray:
    """Passages in any of the touched postings (`count` in all, of `size` passages), ascending."""
    if len(touched) == 1:
        return touched[0].astype(np.int64)
    if count * 4 < size:
        # Sort and drop repeats. Not np.unique: since numpy 2.3 it hashes first and was 10-25x
        # slower here (2 ms for 12,000 postings at 100,000 passages: most of a slow query).
        docs = np.sort(np.concatenate(touched))
        first = np.empty(docs.size, dtype=bool)
        first[:1] = True
        np.not_equal(docs[1:], docs[:-1], out=first[1:])
        return docs[first].astype(np.int64)
    mask = np.zeros(size, dtype=bool)
    for docs in touched:
        mask[docs] = True
    return np.flatnonzero(mask)
