"""The measurements the answer decision combines, for one question and one passage.

Each signal is a number with a plain meaning, so "Why this?" can show it and the
calibration (calibration/) can weigh it:

- *coverage*: the share of the question's information the passage holds. Each term
  weighs its IDF, smoothed and computed as if the corpus sat among `PRIOR_PASSAGES`
  other passages that do not use the term. Without that prior, inside one article its
  subject words occur in most paragraphs and weigh almost nothing, so a question that
  matches its paragraph word for word still covered too little of its own weight.
- *matched*: the plain share of the question's counted terms the passage holds.
- *similarity*: the embedding model's cosine between question and passage, or its
  best sentence if that is closer (None without the model).
- *unknown*: the share of the question's weight in words the corpus never uses.
- *unknown_name*: the question names something the corpus never mentions.
- *form_missing*: the question asks for a time, a number or a duration and the
  passage has none (expectations.py).
- *sentence*: the coverage of its best single sentence (an answer is usually said in
  one sentence; a near miss often matches words spread over several).
- *number_missing*: the question has a number (a year, an amount) the passage lacks.
- *terms*: how many of the question's terms count (its length in subject words). Short
  questions ("Who is Patrick Leblond?") are less similar to any passage than long ones
  that restate a sentence, so the decision needs to know the length to read the similarity.
- *margin*: how far the passage is ahead of the next one, as a share of its score.

`coverage()` is the one place coverage is computed (answering and explanation call it).
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass
from typing import Iterable, Mapping

# Passages the corpus is imagined to sit among (see the module docstring); chosen with
# the calibration, measured in EVALUATION.md.
PRIOR_PASSAGES = 50

# Words that shape a question without saying what it is about; they weigh nothing.
GENERIC = frozenset(
    "could would might may must shall ever also much mani long far often name call happen make get go use".split()
)


def term_weight(doc_freq: int, size: int, prior: int = PRIOR_PASSAGES) -> float:
    """Smoothed IDF over the corpus plus `prior` passages without the term; always positive."""
    return math.log(1 + (size + prior - doc_freq + 0.5) / (doc_freq + 0.5))


def question_weights(terms: Iterable[str], doc_freq: Mapping[str, int], size: int) -> dict[str, float]:
    """What each of the question's distinct terms weighs (generic question words left out)."""
    return {t: term_weight(doc_freq.get(t, 0), size) for t in dict.fromkeys(terms) if t not in GENERIC}


def coverage(weights: Mapping[str, float], held: Iterable[str]) -> float:
    """The share of the question's weight in the held terms (1.0 for a question of only generic words)."""
    total = sum(weights.values())
    if total <= 0:
        return 1.0
    return sum(weights.get(t, 0.0) for t in set(held)) / total


@dataclass(frozen=True)
class Signals:
    coverage: float
    matched: float
    similarity: float | None
    unknown: float
    unknown_name: bool
    form_missing: bool
    margin: float
    sentence: float = 0.0
    number_missing: bool = False
    terms: int = 0

    def as_dict(self) -> dict[str, float | bool | None]:
        return asdict(self)


def margin(first: float, second: float | None) -> float:
    """How far the best score is ahead of the next, as a share of it (1.0 when alone)."""
    if second is None or first <= 0:
        return 1.0
    return max(0.0, min(1.0, (first - second) / first))


def measure(
    weights: Mapping[str, float],
    held: Iterable[str],
    doc_freq: Mapping[str, int],
    similarity: float | None,
    unknown_name: bool,
    form_missing: bool,
    score_margin: float,
    sentence: float = 0.0,
    number_missing: bool = False,
) -> Signals:
    held = set(held)
    counted = list(weights)
    matched = sum(t in held for t in counted) / len(counted) if counted else 1.0
    unknown = coverage(weights, [t for t in counted if doc_freq.get(t, 0) == 0 and t not in held]) if counted else 0.0
    return Signals(
        coverage=coverage(weights, held),
        matched=matched,
        similarity=similarity,
        unknown=unknown,
        unknown_name=unknown_name,
        form_missing=form_missing,
        margin=score_margin,
        sentence=sentence,
        number_missing=number_missing,
        terms=len(counted),
    )


# A number written as a word of its own ("1972", "5,000"), not digits inside markup ("<@&456>") or a word ("5G").
_NUMBER = re.compile(r"(?<![^\s(\"'“$])\d(?:[\d,.]*\d)?(?![^\s,.;:?!)\"'”%])")


def numbers_missing(question: str, text: str) -> bool:
    """Whether the question has a number (a year, an amount) that the passage does not."""
    numbers = {n.replace(",", "") for n in _NUMBER.findall(question)}
    if not numbers:
        return False
    present = {n.replace(",", "") for n in _NUMBER.findall(text)}
    return not numbers <= present
