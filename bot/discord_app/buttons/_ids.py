"""The buttons' custom ids: their format, and fitting what they carry into Discord's 100
characters (limits.CUSTOM_ID).

  sb:n:<answer id>:<rank>:<ref>,<ref>,...   Next match (rank = the match shown now)
  sb:c:<ref>                                Context
  sb:w:<ref or -x>:<term> <term> ...        Why this? ("+" at the end: more terms than fit;
                                            "-x" for an abstention, x = the rule's letter)
  sb:f:<y|n>:<answer id>:<rank>:<ref or ->  Helpful / Not helpful

A <ref> is a passage reference (_refs.PassageRef); an <answer id> is the one the insights
log keeps for the question, so a vote joins its question.
"""

from __future__ import annotations

import re
from typing import Sequence

from ..limits import CUSTOM_ID

AID = r"[0-9a-f]{10}"
REF = r"[a-z0-9.]+"
MORE_TERMS = "+"

NEXT = rf"sb:n:(?P<aid>{AID}):(?P<rank>\d{{1,2}}):(?P<refs>[a-z0-9.,]+)"
CONTEXT = rf"sb:c:(?P<ref>{REF})"
WHY = rf"sb:w:(?P<ref>{REF}|-[a-z]?):(?P<terms>[^:]*)"
FEEDBACK = rf"sb:f:(?P<vote>[yn]):(?P<aid>{AID}):(?P<rank>\d{{1,2}}):(?P<ref>{REF}|-)"
FEEDBACK_PREFIX = "sb:f:"

# An abstention's Why button carries "-" and a letter for the rule that abstained.
REASON_CODES = {"coverage": "c", "name": "n", "form": "f", "vague": "v", "nomatch": "m"}

_WHY = re.compile(WHY)


def next_id(aid: str, rank: int, refs: Sequence[str]) -> str:
    return f"sb:n:{aid}:{rank}:{','.join(refs)}"


def context_id(ref: str) -> str:
    return f"sb:c:{ref}"


def feedback_id(helpful: bool, aid: str, rank: int, ref: str) -> str:
    return f"{FEEDBACK_PREFIX}{'y' if helpful else 'n'}:{aid}:{rank}:{ref}"


def why_custom_id(ref: str, terms: Sequence[str]) -> str:
    """As many terms as fit; a trailing "+" says some were left out."""
    head = f"sb:w:{ref}:"
    kept: list[str] = []
    for i, term in enumerate(terms):
        more = i + 1 < len(terms)
        candidate = " ".join(kept + [term])
        room = CUSTOM_ID - len(head) - (len(MORE_TERMS) + 1 if more else 0)
        if len(candidate) > room:
            kept.append(MORE_TERMS)
            break
        kept.append(term)
    return head + " ".join(kept)


def why_terms(custom_id: str) -> list[str] | None:
    """The terms a Why this? custom id carries (without the "+"), or None if it is not one."""
    match = _WHY.fullmatch(custom_id)
    return [t for t in match["terms"].split() if t != MORE_TERMS] if match else None


def fitting_refs(aid: str, refs: Sequence[str]) -> list[str]:
    """The matches whose references fit in a Next match custom id (99 ranks at most)."""
    kept: list[str] = []
    for ref in refs[:99]:
        if len(next_id(aid, 99, kept + [ref])) > CUSTOM_ID:
            break
        kept.append(ref)
    return kept
