"""What kind of answer a question expects, and whether a passage can supply it.

BM25 matches words, not meaning: "What is the population of Canada?" matches a
passage about the "Canadian population" that gives no number. For a few question
shapes the expected answer has a recognisable form (a number, a time), and a
passage without one cannot be the answer. Deliberately small and conservative:
it only ever turns an answer into an abstention, never the reverse.
"""

from __future__ import annotations

import re
from enum import Enum


class Expects(Enum):
    ANYTHING = "anything"
    NUMBER = "number"  # how many / how much / how old / price / population ...
    DURATION = "duration"  # how long / how far (a number or a unit of time will do)
    TIME = "time"  # when / what year / what date / how long ago ...


_NUMBER_QUESTION = re.compile(
    r"\bhow\s+(many|much|old|tall|big|large|often|fast)\b"
    r"|\bwhat\s+(is|was|are|were)\s+(the\s+)?\w*\s*(number|amount|price|cost|population|age|percentage|size|revenue|salary|value)\b"
    r"|\b(how\s+much|what)\s+does\b.*\bcost\b",
    re.IGNORECASE,
)
_DURATION_QUESTION = re.compile(r"\bhow\s+(long|far|soon)\b", re.IGNORECASE)
_TIME_QUESTION = re.compile(
    r"^\s*when\b|\bwhat\s+(year|date|day|month|time)\b|\bin\s+which\s+(year|month)\b|\bsince\s+when\b",
    re.IGNORECASE,
)
_MONTHS = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
)
_TIME_WORDS = (
    "year years month months week weeks day days today yesterday tomorrow tonight ago recently "
    "previously earlier later soon now currently decade decades century morning evening night "
    "monday tuesday wednesday thursday friday saturday sunday spring summer autumn fall winter "
    "since until before after during future past era hour hours minute minutes"
)
_NUMBER_WORDS = (
    "two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety "
    "hundred hundreds thousand thousands million millions billion billions trillion dozen dozens "
    "percent"
)
_TIME = re.compile(r"\b(\d{1,4}|" + "|".join(f"{w}\\.?" for w in (_MONTHS + " " + _TIME_WORDS).split()) + r")\b", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w.])\d[\d,.]*(?!\w)|\b(" + "|".join(_NUMBER_WORDS.split()) + r")\b", re.IGNORECASE)
_DURATION = re.compile(r"\b(year|month|week|day|hour|minute|decade|centur)", re.IGNORECASE)


def expected(question: str, max_chars: int) -> Expects:
    """The answer form a question asks for; ANYTHING unless the shape is unmistakable.

    Reads at most `max_chars` (the engine's `answers.max_question_chars`), so this step
    stays cheap however long a text it is handed."""
    question = question[:max_chars]
    if _TIME_QUESTION.search(question):
        return Expects.TIME
    if _DURATION_QUESTION.search(question):
        return Expects.DURATION
    if _NUMBER_QUESTION.search(question):
        return Expects.NUMBER
    return Expects.ANYTHING


# The words that only say which form is wanted ("how MANY", "what YEAR"): not the subject.
_FORM_WORDS = re.compile(
    r"\bhow\s+(many|much|old|tall|big|large|often|fast|long|far|soon)\b"
    r"|\b(?:what|which)\s+(year|date|day|month|time)\b",
    re.IGNORECASE,
)


def form_words(question: str, max_chars: int) -> list[str]:
    """Words of the question (its first `max_chars`) that ask for the answer's form rather than name its subject."""
    return [m.group(1) or m.group(2) for m in _FORM_WORDS.finditer(question[:max_chars])]


def supplies(text: str, expects: Expects) -> bool:
    """Whether a passage contains something of the expected form."""
    if expects is Expects.TIME:
        return bool(_TIME.search(text))
    if expects is Expects.NUMBER:
        return bool(_NUMBER.search(text))
    if expects is Expects.DURATION:
        return bool(_NUMBER.search(text) or _DURATION.search(text))
    return True
