"""Attribution: a quote must say who is speaking.

News paragraphs often quote someone named only in the paragraph before ("…,” he
explained.). Such a passage is shown with its preceding passage as context, and
the speaker's name is indexed with it, so "What did Kotak say about security?"
finds the quote even though its own paragraph never says "Kotak".
"""

from __future__ import annotations

import re

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
