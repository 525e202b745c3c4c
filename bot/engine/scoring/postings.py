"""Postings: for each term, the passages that contain it and how often; built with numpy.

What the postings scorer is computed from and what the index cache stores. Building
goes through term ids in compact arrays so that a million passages do not become a
million Python dicts.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import Sequence

import numpy as np


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


def build_postings(corpus: Sequence[Sequence[str]]) -> PostingsArrays:
    """Postings of analysed passages held in memory (the index streams into a builder instead)."""
    builder = PostingsBuilder()
    for doc in corpus:
        builder.add(doc)
    return builder.arrays()


def find(postings: np.ndarray, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which of `docs` (ascending) are in one term's `postings`, and where: (found mask, positions).

    Positions are only meaningful where found; a binary search, because a term's
    postings can be long and the passages still in the running few.
    """
    where = np.searchsorted(postings, docs)
    where[where == len(postings)] = 0
    return postings[where] == docs, where
