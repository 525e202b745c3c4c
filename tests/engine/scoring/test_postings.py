"""Postings built with numpy must be exactly the (term, passage) → frequency table of the passages."""

from __future__ import annotations

from collections import Counter

import numpy as np

from bot.engine.scoring.postings import PostingsBuilder, build_postings, find

from .corpora import skewed_corpus


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


def test_terms_are_numbered_in_first_occurrence_order_and_empty_corpus() -> None:
    # rank-bm25 sums Okapi's idf in this order; the builder must number terms the same way.
    arrays = build_postings([["b", "a"], ["c", "b"]])
    assert arrays.terms == ["b", "a", "c"] and arrays.offsets.tolist() == [0, 2, 3, 4]
    assert len(PostingsBuilder()) == 0
    empty = PostingsBuilder().arrays()
    assert empty.terms == [] and empty.offsets.tolist() == [0] and empty.lengths.size == 0


def test_find_locates_passages_in_a_term_postings() -> None:
    postings = np.array([2, 5, 9], dtype=np.int32)
    found, where = find(postings, np.array([0, 2, 6, 9, 12]))
    assert found.tolist() == [False, True, False, True, False]
    assert where[found].tolist() == [0, 2]
