"""Text analysis shared by the index and the questions.

One Analyzer turns both passages and questions into terms, so a question word and
a passage word meet exactly when they mean the same term: Unicode folding (curly
quotes, accents, full-width forms), case folding, word tokens that keep `5G`,
possessives reduced (`Meng's` → meng), hyphenated and apostrophe words split,
English stop words removed, Snowball stemming.

A text's terms are the terms of its words, in order (`terms` = `words` then `word_terms`
of each): the index build uses the same two steps, memoising the term ids of each
distinct word, so indexing does per-token work at C speed and cannot drift from a
question's analysis.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from typing import Callable

# With PyStemmer installed (a dependency), snowballstemmer.stemmer returns its C stemmer:
# the same Snowball algorithm and the same stems (checked on the story, SQuAD and synthetic
# corpora, and in tests/engine/test_analysis.py), about 70x faster per word than the pure-Python one.
import snowballstemmer

from .stopwords import ENGLISH_STOP_WORDS

# Letters and digits, joined by apostrophes ("o'higgins", "meng's"). Each repetition of the
# group must consume an apostrophe, so matching stays linear in the input length.
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\uff07": "'", "`": "'"})
_POSSESSIVE = re.compile(r"'s$")
# Irregular past forms the Snowball stemmer leaves alone; mapped so "say" finds "said".
IRREGULAR = dict(
    pair.split(":")
    for pair in """said:say told:tell made:make took:take taken:take gave:give given:give knew:know
    known:know thought:think found:find began:begin begun:begin became:become brought:bring
    bought:buy caught:catch sold:sell held:hold kept:keep met:meet paid:pay ran:run saw:see
    seen:see spoke:speak spoken:speak stood:stand taught:teach understood:understand won:win
    wrote:write written:write chose:choose chosen:choose done:do went:go gone:go got:get
    gotten:get shown:show drove:drive driven:drive fought:fight grew:grow grown:grow hid:hide
    hidden:hide led:lead lost:lose meant:mean rose:rise sent:send spent:spend struck:strike
    threw:throw thrown:throw wore:wear worn:wear fell:fall fallen:fall felt:feel forgot:forget
    forgotten:forget built:build sought:seek taught:teach""".split()
)


@dataclass(frozen=True)
class Token:
    """A term and where it came from in the original text (for highlighting)."""

    term: str
    start: int
    end: int


def fold(text: str) -> str:
    """Normalise a string the same way for index and query: NFKC, no accents, casefolded.

    Works per character so that offsets into the original text survive (needed to
    highlight matched words in a verbatim quote).
    """
    if text.isascii():
        return text.lower()
    return text.translate(_FOLD_TABLE)


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch.isascii():
        return ch.lower()
    ch = ch.translate(_APOSTROPHES)
    decomposed = unicodedata.normalize("NFKD", ch)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    base = unicodedata.normalize("NFKC", base).casefold()
    # Keep one output character per input character so offsets stay aligned.
    if len(base) == 1:
        return base
    if base == "" or not base[:1].isalnum():
        return " " if not unicodedata.combining(ch) else "\u0300"
    return base[0]


class _FoldTable(dict):
    """Code point → folded character, filled on first use; lets str.translate fold at C speed."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


_FOLD_TABLE = _FoldTable()
# On ASCII-only text (after fold) the word pattern is this, and much faster to match.
_ASCII_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")
# Faster still on ASCII text: every character that cannot be in a word becomes a space and
# str.split cuts the runs of letters, digits and apostrophes that are left. A run holds the
# same words as _ASCII_WORD finds in it (the pattern cannot cross a separator); the rare run
# with an apostrophe is split by the pattern in `word_terms`.
_ASCII_SEPARATORS = str.maketrans({chr(c): " " for c in range(128) if not (chr(c).isalnum() or chr(c) == "'")})


def _term_function(stop_words: frozenset[str], stemmer: object | None):
    """word → term (None for a stop word): possessive dropped, irregular past mapped, stemmed."""

    def term(word: str) -> str | None:
        word = _POSSESSIVE.sub("", word)
        if word in stop_words:
            return None
        if stemmer is not None and not word.isdigit():
            word = stemmer.stemWord(IRREGULAR.get(word, word))  # type: ignore[attr-defined]
        return word

    return term


def _word_terms_function(term: Callable[[str], str | None]) -> Callable[[str], tuple[str, ...]]:
    """word (a run from `Analyzer.words`) → its terms: none for a stop word, several for "o'higgins"."""

    def word_terms(word: str) -> tuple[str, ...]:
        if "'" not in word:
            found = term(word)
            return (found,) if found else ()
        out = []
        # "o'higgins" → o, higgins (the o is a stop word); "don't" → don, t; "meng's" → meng.
        for match in _WORD.findall(word):
            for part in _POSSESSIVE.sub("", match).split("'"):
                if part and (found := term(part)):
                    out.append(found)
        return tuple(out)

    return word_terms


class Analyzer:
    """Turns text into index terms; cheap to call repeatedly (stems are memoised)."""

    def __init__(self, stop_words: bool = True, stemming: bool = True, language: str = "english") -> None:
        self.stop_words = ENGLISH_STOP_WORDS if stop_words else frozenset()
        self._stemmer = snowballstemmer.stemmer(language) if stemming else None
        # Memoise a function that does not hold `self`: a bound method here would make a
        # reference cycle, and an index freed on reload would wait for the cyclic GC.
        self._term = lru_cache(maxsize=500_000)(_term_function(self.stop_words, self._stemmer))
        # word → its terms (a tuple, empty for a stop word), memoised the same way; and the same
        # function without that memo, for a caller that keeps its own (the index build: another
        # 50,000-entry memo of the same words would only cost memory).
        self.word_terms_unmemoised = _word_terms_function(self._term)
        self.word_terms: Callable[[str], tuple[str, ...]] = lru_cache(maxsize=500_000)(self.word_terms_unmemoised)

    @property
    def settings(self) -> tuple[object, ...]:
        """What changes the terms; part of the index cache key."""
        return ("v2", sorted(self.stop_words), self._stemmer is not None)

    def tokens(self, text: str) -> list[Token]:
        folded = fold(text)
        result: list[Token] = []
        for match in _WORD.finditer(folded):
            word = match.group()
            start = match.start()
            if "'" in word:
                word = _POSSESSIVE.sub("", word)
                # "o'higgins" → o, higgins (the o is a stop word); "don't" → don, t.
                offset = start
                for part in word.split("'"):
                    term = self._term(part) if part else None
                    if term:
                        result.append(Token(term, offset, offset + len(part)))
                    offset += len(part) + 1
                continue
            term = self._term(word)
            if term:
                result.append(Token(term, start, match.end()))
        return result

    def words(self, text: str) -> list[str]:
        """The text's words in order, folded, before stop words and stemming: what `word_terms` takes."""
        folded = fold(text)
        if folded.isascii():
            return folded.translate(_ASCII_SEPARATORS).split()
        return _WORD.findall(folded)

    def terms(self, text: str) -> list[str]:
        """Same terms as `tokens`, without offsets: the terms of each of its words, in order."""
        return self.terms_of_words(self.words(text))

    def terms_of_words(self, words: list[str]) -> list[str]:
        """The terms of these words (from `words`), in order."""
        return list(chain.from_iterable(map(self.word_terms, words)))
