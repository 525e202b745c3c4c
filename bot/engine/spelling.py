"""Is an unknown word just a misspelling or a derived form of a word the corpus uses?

Used only to decide whether a capitalised word in a question names something the
corpus never mentions ("Nokia") or misspells something it does ("Ghengis",
"Univeristy", "Californian"). Candidates share the first letter and a similar
length; the comparison is a banded edit distance, so it stays cheap.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Iterable


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
