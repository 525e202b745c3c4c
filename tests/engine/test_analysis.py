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


def test_words_then_word_terms_are_the_terms() -> None:
    """The index build analyses each distinct word once (Analyzer.words, word_terms): that is `terms`."""
    analyzer = Analyzer()
    for text in ["'quoted' o''higgins ' meng's don't 5g-networks", "Meng’s O’Higgins ５Ｇ naïve", ""]:
        words = analyzer.words(text)
        assert analyzer.terms_of_words(words) == analyzer.terms(text) == [t.term for t in analyzer.tokens(text)]
    assert analyzer.words("Meng's 5G-networks, 'they' said") == ["meng's", "5g", "networks", "'they'", "said"]
    assert analyzer.word_terms("'they'") == () and analyzer.word_terms("o'higgins") == ("higgin",)


def test_the_c_stemmer_runs_and_stems_as_snowball_s_pure_python_one() -> None:
    """PyStemmer (a dependency) is the stemmer snowballstemmer hands out; its stems must be the
    reference implementation's, or an index built on one host would not match questions on another."""
    from pathlib import Path

    import snowballstemmer
    import Stemmer
    from snowballstemmer.english_stemmer import EnglishStemmer

    fast = snowballstemmer.stemmer("english")
    assert isinstance(fast, Stemmer.Stemmer)
    root = Path(__file__).resolve().parents[2]
    # The story, the test corpora and question sets, and the repository's own prose (more English words).
    files = [*root.glob("corpus/*.md"), *root.glob("tests/data/**/*.md"), *root.glob("tests/data/*.yaml"), *root.glob("*.md")]
    texts = [f.read_text(encoding="utf-8") for f in files]
    words = {part for text in texts for word in Analyzer().words(text) for part in word.split("'") if part}
    # Endings the English algorithm treats specially, on words the texts may lack.
    words |= {stem + end for stem in ("gener", "condit", "hop", "fly", "dy", "sky", "news", "arch") for end in
              ("", "s", "ies", "ed", "ing", "ly", "ational", "ization", "fulness", "iveness", "ement", "ance", "eed", "eedly")}
    reference = EnglishStemmer()
    assert len(words) > 2000
    assert [fast.stemWord(w) for w in sorted(words)] == [reference.stemWord(w) for w in sorted(words)]
