"""Is an unknown word just a misspelling or a derived form of a word the corpus uses?

Two uses: reading a misspelt question word as the corpus word it meant ("Wangzhou",
"huwei", "kotek", "trudo"; `Vocabulary.correction`), and deciding whether a
capitalised word names something the corpus never mentions ("Nokia") or misspells
something it does ("Ghengis", "Univeristy", "Californian"; `Vocabulary.resembles`).
Candidates share the first letters and a similar length; the comparisons are banded
edit distances, so they stay cheap.

Short words are where people misspell names most ("huwei"), and where a plain edit
distance finds too many neighbours, so short corrections use a distance in which a
vowel for a vowel, or a missing or extra vowel, costs half an edit (people get a name's
consonants right and its vowels wrong: "kotek", "trudo" for Trudeau), and among the
candidates within reach the one sharing the longest beginning with the typed word
wins (a typo seldom hits the first letters). A guess between equals is no correction.

A word English already has is no misspelling, even when the corpus lacks it: "price"
is not a slip for "prime", nor "tech" for "teaches" (`is_english_word`). The English
words are the whole words of the embedding model's WordPiece vocabulary (30,522 entries,
shipped in the repository with the model: semantic/tokenizer.json), so the check needs
no other word list and works with the model off.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from functools import lru_cache
from typing import Iterable

from .semantic.model import TOKENIZER_FILE


@lru_cache(maxsize=1)
def _english_words() -> frozenset[str]:
    vocabulary = json.loads(TOKENIZER_FILE.read_text(encoding="utf-8"))["model"]["vocab"]
    return frozenset(w for w in vocabulary if len(w) > 1 and w.isalpha())  # no "##" pieces, no marks


def is_english_word(word: str) -> bool:
    """Whether `word` (folded: lower case, no accents) is a whole word of the model's English vocabulary."""
    return word in _english_words()


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance with adjacent transpositions, or limit+1 once it exceeds limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


_WORDS = re.compile(r"[^\W_]+")


def spells_acronym(term: str, folded_text: str) -> bool:
    """Whether consecutive words of the (folded) text have `term` as initials: cfo → chief financial officer."""
    if not (2 <= len(term) <= 6 and term.isalpha()):
        return False
    initials = "".join(w[0] for w in _WORDS.findall(folded_text))
    return term in initials


_VOWELS = frozenset("aeiouy")


def vowel_distance(a: str, b: str, limit: float) -> float:
    """Edit distance where vowel-for-vowel and vowel insertions/deletions cost 0.5; > limit once past it."""
    if abs(len(a) - len(b)) > 2 * limit:
        return limit + 1
    previous = [0.0]
    for cb in b:
        previous.append(previous[-1] + (0.5 if cb in _VOWELS else 1.0))
    for ca in a:
        gap_a = 0.5 if ca in _VOWELS else 1.0
        current = [previous[0] + gap_a]
        for j, cb in enumerate(b, 1):
            if ca == cb:
                sub = 0.0
            elif ca in _VOWELS and cb in _VOWELS:
                sub = 0.5
            else:
                sub = 1.0
            gap_b = 0.5 if cb in _VOWELS else 1.0
            current.append(min(previous[j] + gap_a, current[j - 1] + gap_b, previous[j - 1] + sub))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


# Letters written before an apostrophe in names, which the analysis drops as words of
# their own (O'Higgins, D'Arcy, L'Oréal): typed without the apostrophe they join the name.
ELISION_PREFIXES = ("o", "d", "l")


class Vocabulary:
    """The corpus' terms bucketed by first letter, for near-match lookups."""

    def __init__(self, terms: Iterable[str]) -> None:
        self.buckets: dict[str, list[str]] = defaultdict(list)
        self.pairs: dict[str, list[str]] = defaultdict(list)  # by first two letters, for corrections
        for term in terms:
            if len(term) >= 3:
                self.buckets[term[0]].append(term)
                if term.isalpha():
                    self.pairs[term[:2]].append(term)

    def correction(self, term: str) -> str | None:
        """The corpus word a misspelt question word most likely meant ("wangzhou" → wanzhou).

        Only for alphabetic words of 6+ letters that keep their first two letters, within
        one edit (two from 10 letters), and only when exactly one corpus word is that close:
        a guess between several words is no correction.
        """
        if len(term) < 6 or not term.isalpha():
            return None
        limit = 1 if len(term) < 10 else 2
        best: list[str] = []
        best_distance = limit + 1
        for candidate in self.pairs.get(term[:2], ()):
            if abs(len(candidate) - len(term)) > limit:
                continue
            distance = edit_distance(term, candidate, limit)
            if distance > limit:
                continue
            if distance < best_distance:
                best, best_distance = [candidate], distance
            elif distance == best_distance:
                best.append(candidate)
        return best[0] if len(best) == 1 else None

    def short_correction(self, term: str) -> str | None:
        """The corpus word a misspelt 4- to 9-letter word meant, by the vowel-lenient distance.

        Within 1 (1.5 from 5 letters) of the typed word, sharing its first two letters;
        the candidate with the longest common beginning, then the smallest distance,
        wins, and only if it is the only one so placed.
        """
        if not (4 <= len(term) <= 9) or not term.isalpha():
            return None
        limit = 1.0 if len(term) < 5 else 1.5
        ranked: list[tuple[int, float, str]] = []
        for candidate in self.pairs.get(term[:2], ()):
            if len(candidate) < 4 or abs(len(candidate) - len(term)) > 3:
                continue
            distance = vowel_distance(term, candidate, limit)
            if distance <= limit:
                ranked.append((-common_prefix(term, candidate), distance, candidate))
        if not ranked:
            return None
        ranked.sort()
        if len(ranked) > 1 and ranked[1][:2] == ranked[0][:2]:
            return None
        return ranked[0][2]

    def split_name(self, term: str, known: "set[str] | dict[str, int]") -> str | None:
        """A name typed without its apostrophe ("ohiggins"): the corpus term after O/D/L."""
        if len(term) >= 5 and term[0] in ELISION_PREFIXES and term[1:] in known:
            return term[1:]
        return None

    def resembles(self, term: str) -> bool:
        if len(term) < 5:
            return False
        limit = 1 if len(term) < 6 else 2
        for candidate in self.buckets.get(term[0], ()):
            if len(candidate) >= 4 and (term.startswith(candidate) or candidate.startswith(term)):
                if min(len(term), len(candidate)) >= len(term) - 3:
                    return True
            if abs(len(candidate) - len(term)) <= limit and edit_distance(term, candidate, limit) <= limit:
                return True
        return False
