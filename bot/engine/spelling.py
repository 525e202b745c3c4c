"""Is an unknown word just a misspelling or a derived form of a word the corpus uses?

Used only to decide whether a capitalised word in a question names something the
corpus never mentions ("Nokia") or misspells something it does ("Ghengis",
"Univeristy", "Californian"). Candidates share the first letter and a similar
length; the comparison is a banded edit distance, so it stays cheap.
"""

from __future__ import annotations

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


class Vocabulary:
    """The corpus' terms bucketed by first letter, for near-match lookups."""

    def __init__(self, terms: Iterable[str]) -> None:
        self.buckets: dict[str, list[str]] = defaultdict(list)
        for term in terms:
            if len(term) >= 3:
                self.buckets[term[0]].append(term)

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
