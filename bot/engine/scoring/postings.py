"""Postings: for each term, the passages that contain it and how often; built with numpy.

What the postings scorer is computed from and what the index cache stores. Building
goes through term ids in compact arrays so that a million passages do not become a
million Python dicts.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from itertools import chain
from typing import Callable, Iterable, Sequence

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
    """Collects analysed passages as term ids; `arrays()` turns them into postings with numpy.

    Terms are numbered in order of first occurrence. The per-term work is done by C loops
    (`map` over dict lookups), since a large corpus has millions of terms.
    """

    def __init__(self) -> None:
        self.vocabulary: dict[str, int] = _Numbering()
        self._ids = array("i")
        self._lengths = array("i")
        self._word_ids: _WordIds | None = None

    def add(self, terms: Iterable[str]) -> None:
        before = len(self._ids)
        self._ids.extend(map(self.vocabulary.__getitem__, terms))
        self._lengths.append(len(self._ids) - before)

    def add_words(self, words: Iterable[str], word_terms: Callable[[str], Sequence[str]]) -> None:
        """Add the passage whose terms are those of `words`, in order: `add(chain(*map(word_terms, words)))`.

        Faster: each distinct word is analysed and its term ids found once, then every
        later occurrence is one lookup. `word_terms` must be the same function at every call.
        """
        if self._word_ids is None:
            self._word_ids = _WordIds(word_terms, self.vocabulary)
        elif self._word_ids.word_terms is not word_terms:
            raise ValueError("add_words: a builder's words must all be analysed by one function")
        before = len(self._ids)
        self._ids.extend(chain.from_iterable(map(self._word_ids.__getitem__, words)))
        self._lengths.append(len(self._ids) - before)

    def __len__(self) -> int:
        return len(self._lengths)

    def arrays(self) -> PostingsArrays:
        self._word_ids = None  # no more words come; free the memo before numpy's peak
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


class _Numbering(dict):
    """term → id; a term looked up for the first time gets the next id."""

    def __missing__(self, term: str) -> int:
        number = self[term] = len(self)
        return number


class _WordIds(dict):
    """word → the ids of its terms, computed on first lookup."""

    def __init__(self, word_terms: Callable[[str], Sequence[str]], vocabulary: dict[str, int]) -> None:
        super().__init__()
        self.word_terms = word_terms
        self.vocabulary = vocabulary

    def __missing__(self, word: str) -> tuple[int, ...]:
        ids = self[word] = tuple(map(self.vocabulary.__getitem__, self.word_terms(word)))
        return ids


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
