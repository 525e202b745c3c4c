"""Attribution: a quote must say who is speaking.

News paragraphs often quote someone named only in the paragraph before ("…,” he
explained.). Such a passage is shown with its preceding passage as context, and
the speaker's name is indexed with it, so "What did Kotak say about security?"
finds the quote even though its own paragraph never says "Kotak".
"""

from __future__ import annotations

import re
from typing import Sequence

from .passages import Passage

_QUOTED = re.compile(r"“[^”]*(?:”|$)|\"[^\"]*(?:\"|$)")
_NAME = re.compile(r"\b[A-Z][\w'’.-]*")
_NOT_NAMES = frozenset(
    "He She They It We I You The This That These Those His Her Their Its A An And But So Or "
    "In On At For As If When Then Also Even Such Other Some Any All".split()
)
_LEADING_PRONOUN = re.compile(r"^[\"“‘(]*(He|She|They|His|Her|Their|Its|It|This|These|Those)\b")


def names(text: str) -> list[str]:
    """Capitalised words that are not sentence-starting function words."""
    return [n for n in _NAME.findall(text) if n not in _NOT_NAMES]


def needs_attribution(text: str) -> bool:
    """True when a passage quotes someone without naming them, or opens with a pronoun."""
    if _LEADING_PRONOUN.match(text):
        return True
    if "“" not in text and text.count('"') < 2:
        return False
    return not names(_QUOTED.sub(" ", text))


def speaker_names(previous: str) -> str:
    """The names a context passage contributes to the passage it introduces (outside quotes)."""
    return " ".join(names(_QUOTED.sub(" ", previous)))


def context_position(passages: Sequence[Passage], i: int) -> int | None:
    """The passage that names the speaker of passage i (the one before it), if it needs one.

    The one rule for both indexing (the speaker's name is indexed with the quote) and
    answering (that passage is shown before the quote).
    """
    if i > 0 and passages[i - 1].document_id == passages[i].document_id and needs_attribution(passages[i].text):
        return i - 1
    return None


def indexed_text(passages: Sequence[Passage], i: int) -> str:
    """What the index holds for passage i: its text, plus its speaker's name when it needs one."""
    source = context_position(passages, i)
    if source is None:
        return passages[i].text
    return passages[i].text + " " + speaker_names(passages[source].text)
