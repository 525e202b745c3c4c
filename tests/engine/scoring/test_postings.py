"""Postings built with numpy must be exactly the (term, passage) → frequency table of the passages."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine.analysis import Analyzer
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


def _same(a, b) -> bool:
    return a.terms == b.terms and all(
        np.array_equal(getattr(a, name), getattr(b, name)) for name in ("offsets", "doc_ids", "tf", "lengths")
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("abAB o'’-5é.")), max_size=30), max_size=12))
def test_words_added_once_per_distinct_word_give_the_postings_of_their_terms(texts: list[str]) -> None:
    """The index build's add_words (term ids memoised per word) is add(terms) of the same texts."""
    analyzer = Analyzer()
    by_terms, by_words = PostingsBuilder(), PostingsBuilder()
    for text in texts + texts[:3]:
        by_terms.add(analyzer.terms(text))
        by_words.add_words(analyzer.words(text), analyzer.word_terms)
    assert _same(by_terms.arrays(), by_words.arrays())


def test_the_story_indexed_by_words_is_its_terms_postings() -> None:
    analyzer = Analyzer()
    root = Path(__file__).resolve().parents[3]
    paragraphs = [p for f in sorted(root.glob("corpus/*.md")) for p in f.read_text(encoding="utf-8").split("\n\n")]
    by_words = PostingsBuilder()
    for text in paragraphs:
        by_words.add_words(analyzer.words(text), analyzer.word_terms_unmemoised)  # as the index build does
    with pytest.raises(ValueError, match="one function"):
        by_words.add_words(["networks"], Analyzer(stemming=False).word_terms_unmemoised)
    assert _same(build_postings([analyzer.terms(text) for text in paragraphs]), by_words.arrays())
