"""What kind of answer a question expects, and whether a passage can supply it.

BM25 matches words, not meaning: "What is the population of Canada?" matches a
passage about the "Canadian population" that gives no number. For a few question
shapes the expected answer has a recognisable form (a number, a time), and a
passage without one cannot be the answer. Deliberately small and conservative:
a missing form is one signal of the answer decision (signals.py), and a "when"
question prefers, among the best few passages, one that has a time.

The forms are strict on purpose: "in the new year" is a time but "currently" is not;
"Dec. 1" is a date, not a count or an age; "two Canadians" is a count but no duration.
"""

from __future__ import annotations

import re
from enum import Enum


class Expects(Enum):
    ANYTHING = "anything"
    NUMBER = "number"  # how many / how much / how old / price / population ...
    DURATION = "duration"  # how long / how far (a quantity of time or distance)
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

# What counts as a time: a date or a time reference a reader could answer "when" with.
# Months are matched capitalised (edited text), so the verb "may" is no month; bare
# words like "now", "currently", "before" say no when.
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?)"
)
# A digit run starts only where no digit, comma or point precedes it, and is matched
# possessively (`*+`): "1,1,1,…" is then scanned once, not once per start position (which was
# quadratic; tests/engine/test_hostile_input.py measures it).
_UNIT = r"(?:second|minute|hour|day|week|fortnight|month|year|decade|centur(?:y|ies))s?"
_QUANTITY = (
    r"(?:(?<![\d,.])\d[\d,.]*+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty"
    r"|forty|fifty|hundred|a\s+few|few|several|many|some|a\s+couple\s+of|dozens\s+of|hundreds\s+of)"
)
_TIME = re.compile(
    rf"\b{_MONTH}(?=[\s,]|$)"
    r"|\b(?:1[0-9]|20)\d\d\b|\b\d{1,2}(?:st|nd|rd|th)?\s+century\b|\b\d{3,4}s\b"
    r"|\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
    r"|\b(?:today|yesterday|tomorrow|tonight|recently|lately)\b"
    rf"|\b(?:last|next|this|the\s+new|the\s+coming|the\s+past|the\s+same|earlier\s+this|later\s+this)\s+{_UNIT}\b"
    r"|\b(?:in\s+the\s+)?(?:near|distant|foreseeable)\s+future\b"
    rf"|\b{_QUANTITY}\s+{_UNIT}\s+(?:ago|later|earlier|away|from\s+now|before|after)\b"
    r"|\b(?:spring|summer|autumn|winter)\s+(?:of\s+)?\d{4}\b|\bin\s+(?:the\s+)?(?:spring|summer|autumn|fall|winter)\b"
    r"|\b(?:morning|afternoon|evening|night)\s+of\b|\b\d{1,2}(?::\d\d)?\s*(?:a\.m\.|p\.m\.|am|pm)\b",
)
_NUMBER_WORDS = (
    "two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety "
    "hundred hundreds thousand thousands million millions billion billions trillion dozen dozens "
    "percent half third quarter"
)
# A count or an amount: digits or number words, but not the parts of a date (a day of the
# month, a year), which answer "when", not "how many".
_DATE_PARTS = re.compile(rf"{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?|\b(?:in|since|by|until|from|of)\s+\d{{4}}\b")
_NUMBER = re.compile(r"(?<![\w.])\d[\d,.]*(?!\w)|\b(" + "|".join(_NUMBER_WORDS.split()) + r")\b", re.IGNORECASE)
_DURATION = re.compile(
    rf"\b{_QUANTITY}[\s-]+{_UNIT}\b|\b{_UNIT}\s+(?:away|long)\b|\bsince\s+(?:{_MONTH}|\d{{4}})"
    r"|\b(?<![\d,.])\d[\d,.]*+\s*(?:km|kilometres?|kilometers?|miles?|metres?|meters?|feet|ft)\b",
    re.IGNORECASE,
)


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
        return bool(_NUMBER.search(_DATE_PARTS.sub(" ", text)))
    if expects is Expects.DURATION:
        return bool(_DURATION.search(text))
    return True


# "How old" asks for an age: any number will not do ("two Canadians", "Dec. 1").
_AGE_QUESTION = re.compile(r"\bhow\s+old\b|\bwhat\s+age\b|\bwhat\s+(?:is|was)\s+\S+\s+age\b", re.IGNORECASE)
_AGE = re.compile(
    r"\b\d{1,3}[- ]years?[- ]old\b|\baged\s+\d{1,3}\b|\bage\s+(?:of\s+)?\d{1,3}\b|\bborn\s+(?:in|on)\b"
    r"|\(\s*born\b|\b(?:1[0-9]|20)\d\d\s*[-–]\s*(?:1[0-9]|20)\d\d\b|\b(?:was|were|is|are)\s+\d{1,3}\b"
    r"|\b(?:founded|established|built|created)\s+in\b|\b(?:ten|\d+)\s+(?:years?|decades?|centur(?:y|ies))\b",
    re.IGNORECASE,
)


def asks_age(question: str) -> bool:
    """Whether the question asks how old someone or something is (callers pass the cut question)."""
    return bool(_AGE_QUESTION.search(question))


def gives_age(text: str) -> bool:
    """An age: "55-year-old", "aged 46", "born in 1972", "(1856–1943)", "founded in", "for ten years"."""
    return bool(_AGE.search(text))

