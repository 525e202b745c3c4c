"""Questions and passages meet on the same terms."""

from __future__ import annotations

import pytest

from bot.engine.analysis import Analyzer


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.mark.parametrize(
    "a, b",
    [
        ("Meng’s arrest", "Meng's arrested"),  # curly apostrophe, possessive, stemming
        ("MENG WANZHOU", "meng wanzhou"),  # case
        ("Café naïve", "cafe naive"),  # accents
        ("next-generation networks", "next generation network"),  # hyphens
        ("ＦＵＬＬ width", "full width"),  # compatibility forms
        ("What did Huawei say?", "Huawei said"),  # irregular past tense
    ],
)
def test_same_terms(analyzer: Analyzer, a: str, b: str) -> None:
    assert analyzer.terms(a) == analyzer.terms(b)


def test_keeps_5g_and_numbers_drops_stop_words(analyzer: Analyzer) -> None:
    terms = analyzer.terms("Who is the 5G expert in 2018?")
    assert "5g" in terms and "2018" in terms
    assert not {"who", "is", "the", "in"} & set(terms)


def test_o_higgins_is_found_by_his_surname(analyzer: Analyzer) -> None:
    assert set(analyzer.terms("Higgins")) <= set(analyzer.terms("Brian O’Higgins told CTV News"))


def test_token_offsets_point_into_the_original_text(analyzer: Analyzer) -> None:
    text = "“Beijing’s ﬁrms” — Café Naïve, Meng’s 5G"
    for token in analyzer.tokens(text):
        original = text[token.start : token.end]
        assert analyzer.terms(original) == [token.term]


def test_terms_and_tokens_agree(analyzer: Analyzer) -> None:
    text = "Prime Minister Justin Trudeau’s “decision” on Canada’s 5G-networks, don't it?"
    assert analyzer.terms(text) == [t.term for t in analyzer.tokens(text)]


def test_settings_change_with_options() -> None:
    assert Analyzer().settings != Analyzer(stemming=False).settings
    assert Analyzer(stop_words=False).terms("the networks") == ["the", "network"]
    assert Analyzer(stemming=False).terms("networks") == ["networks"]
