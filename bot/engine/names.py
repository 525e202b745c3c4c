"""Does the question name something the corpus never mentions?

A question about Nokia or Germany is not answered by a paragraph about Huawei's 5G
bans, however many of its other words match. Two kinds of name are recognised:

- a capitalised word inside the question (not its first word), or an acronym, that the
  corpus never uses and that is no misspelling or derived form of a corpus word
  ("Ghengis", "Californian" are not unknown);
- typed in lower case, as people do in chat, a place name (countries, capitals,
  continents, US states, large cities; data/places.txt, from GeoNames) that the
  corpus never uses: "did huawei get banned in germany".

A name is one signal of the answer decision (signals.py), not a veto on its own.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Sequence

from .analysis import Token, fold
from .index import Index

PLACES = Path(__file__).with_name("data") / "places.txt"


@lru_cache(maxsize=1)
def places() -> tuple[frozenset[str], int]:
    """The folded place names, and the most words any of them has."""
    names = frozenset(
        line.strip() for line in PLACES.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")
    )
    return names, max((n.count(" ") + 1 for n in names), default=1)


def unknown_names(question: str, tokens: Sequence[Token], doc_freq: dict[str, int], index: Index, matches: Sequence = ()) -> list[str]:
    """The names in the question that the corpus never mentions, as typed."""
    if not any(c.islower() for c in question):
        return []  # shouting tells nothing about names
    return _capitalised(question, tokens, doc_freq, index, matches) + _places(question, tokens, doc_freq)


def _capitalised(question: str, tokens: Sequence[Token], doc_freq: dict[str, int], index: Index, matches: Sequence) -> list[str]:
    """Capitalised words inside the question, and acronyms, the corpus never uses.

    Short words (CFO, PM, Feb) are left to coverage: they are often abbreviations of
    words the story spells out.
    """
    names = []
    # Computed without slicing the question per token, which was quadratic in its length.
    lead = len(question) - len(question.lstrip(" \t\"'“‘(¿¡"))
    for token in tokens:
        word = question[token.start : token.end]
        before = token.start
        while before > 0 and question[before - 1].isspace():
            before -= 1
        at_start = token.start <= lead or before == 0 or question[before - 1] in ".?!:"
        capitalised = word[:1].isupper() and not word.isupper() and not at_start
        acronym = word.isupper() and not word.isdigit()
        if len(word) >= 4 and (capitalised or acronym):
            # A misspelling of a corpus word is not a name; a word of a document outside the scope
            # (in the index, not in `doc_freq`) is one the scope never mentions.
            if token.term in doc_freq or (token.term not in index.scorer.doc_freq and index.vocabulary.resembles(token.term)):
                continue
            if acronym and any(token.term in m.matched_terms for m in matches):
                continue  # an acronym the matching passages spell out
            names.append(word)
    return names


def _places(question: str, tokens: Sequence[Token], doc_freq: dict[str, int]) -> list[str]:
    """Lower-case place names of one to three words, at least one of which the corpus never uses."""
    names, longest = places()
    words = [(fold(question[t.start : t.end]), t) for t in tokens]
    found: list[str] = []
    i = 0
    # Stop words are gone from the tokens, so "new york" is two tokens; a name is matched
    # on the question's own characters between its first and last token.
    while i < len(words):
        for n in range(min(longest, len(words) - i), 0, -1):
            first, last = words[i][1], words[i + n - 1][1]
            phrase = " ".join(fold(question[first.start : last.end]).replace("-", " ").split())
            if phrase in names and any(t.term not in doc_freq for _, t in words[i : i + n]):
                if question[first.start : first.start + 1].islower():
                    found.append(question[first.start : last.end])
                i += n
                break
        else:
            i += 1
    return found
