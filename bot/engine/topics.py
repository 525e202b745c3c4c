"""What a question is about: its subject terms, as the insights "gaps" view groups them.

Taken from the Answer, so they are the terms the engine searched with (one analysis:
stop words dropped, stemmed, a misspelling read as the corpus word), minus the words
that shape a question without naming its subject ("could", "many", "say", "tell me
about the story"). Each comes with the word the member wrote, for an operator to read
(`compani` was written "companies"), and with its weight in the story when asked (the
smoothed IDF "Why this?" shows: highest for a word the story never uses), which is how
the gaps view tells a telling word from one the whole story is about.
"""

from __future__ import annotations

from typing import NamedTuple

from .analysis import Analyzer, fold
from .answering import GENERIC, QUESTION_FILLER, VAGUE, Answer


class Topic(NamedTuple):
    term: str  # the analysed term (a stem)
    word: str  # the word the member wrote, folded (lower case, no accents)
    weight: float  # the term's weight in the story when asked


def topics(answer: Answer, analyzer: Analyzer) -> tuple[Topic, ...]:
    """The answer's subject terms, each once, in the question's order."""
    folded = fold(answer.question)
    written: dict[str, str] = {}
    for token in analyzer.tokens(answer.question):
        written.setdefault(token.term, folded[token.start : token.end])
    out: list[Topic] = []
    for term in dict.fromkeys(answer.terms):
        weight = answer.term_weights.get(term)
        if weight is None or term in GENERIC or term in VAGUE or term in QUESTION_FILLER:
            continue
        # A corrected misspelling ("wangzhou" read as wanzhou) shows as the word it was read as.
        out.append(Topic(term, written.get(term, term), float(weight)))
    return tuple(out)
