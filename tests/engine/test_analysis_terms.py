"""`Analyzer.terms` (the fast indexing path) gives exactly the terms of `Analyzer.tokens`."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine.analysis import Analyzer, fold

ANALYZERS = [Analyzer(), Analyzer(stop_words=False, stemming=False)]
TRICKY = list("abcXYZ09 '’`_-.\n\t\"“”") + ["\u00e9", "\u0301", "ﬁ", "５", "Ｇ", "İ", "ß", "Ⅻ", "½"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(TRICKY), max_size=40) | st.text(max_size=30))
def test_terms_equal_tokens(text: str) -> None:
    for analyzer in ANALYZERS:
        assert analyzer.terms(text) == [t.term for t in analyzer.tokens(text)]
    assert len(fold(text)) == len(text)  # offsets into the original stay valid


def test_ascii_and_unicode_paths_agree() -> None:
    analyzer = Analyzer()
    assert analyzer.terms("Meng's O'Higgins said 5G") == analyzer.terms("Meng’s O’Higgins said ５Ｇ")
