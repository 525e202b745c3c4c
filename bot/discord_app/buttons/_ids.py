"""The buttons' custom ids: their format, and fitting what they carry into Discord's 100
characters (limits.CUSTOM_ID).

  sb:n:<answer id>:<rank>:<asker>:<ref>,<ref>,...  Next match (rank = the match shown now)
  sb:c:<ref>                                       Context
  sb:w:<ref or -x>[:@<doc>.<doc>...]              Why this? ("-x" for an abstention,
                                                   x = the rule's letter; the scope's documents
                                                   as short keys, when the answer had a scope
                                                   and they fit: else the channel's is re-derived)
  sb:f:<y|n>:<answer id>:<rank>:<ref or ->         Helpful / Not helpful
  sb:p:<ref>                                       an abstention's nearest passage (not an answer)

A <ref> is a passage reference (_refs.PassageRef); an <answer id> is the one the insights
log keeps for the question (bot.insights.new_answer_id makes it), so a vote joins its
question. <asker> is a short hash of the answer id and the asker's user id: Next match
tells the asker's click (page the message) from anyone else's (a private copy).

No id carries the question or its terms: they are question text, which is kept only when
the operator turns that on, and a custom id is stored by Discord on the message. Why this?
and Next match recompute the terms from the question the answer shows. Ids made before
this (Why this? with `:<term> <term> ...`, Next match without <asker>) still work.
"""

from __future__ import annotations

import hashlib
import re
from typing import Sequence

from ..limits import CUSTOM_ID

AID = r"[0-9A-Za-z_-]{6,40}"  # whatever bot.insights.new_answer_id makes (never ":" or ",")
ASKER = r"[0-9a-f]{8}"
REF = r"[a-z0-9.]+"
MORE_TERMS = "+"

NEXT = rf"sb:n:(?P<aid>{AID}):(?P<rank>\d{{1,2}}):(?:(?P<asker>{ASKER}):)?(?P<refs>[a-z0-9.,]+)"
CONTEXT = rf"sb:c:(?P<ref>{REF})"
SCOPE = r"[a-z2-7]{6}(?:\.[a-z2-7]{6})*"  # _refs.doc_key of each document of the scope
# terms: only in ids made before (a stem never starts with "@")
WHY = rf"sb:w:(?P<ref>{REF}|-[a-z]?)(?::@(?P<scope>{SCOPE})|:(?P<terms>[^:]*))?"
FEEDBACK = rf"sb:f:(?P<vote>[yn]):(?P<aid>{AID}):(?P<rank>\d{{1,2}}):(?P<ref>{REF}|-)"
FEEDBACK_PREFIX = "sb:f:"
NEAREST = rf"sb:p:(?P<ref>{REF})"

# An abstention's Why button carries "-" and a letter for the rule that abstained.
# The letters stand for the engine's decision.Abstention values; "c" was the old coverage
# rule and now stands for "unlikely", so buttons made before still read.
REASON_CODES = {"unlikely": "c", "name": "n", "form": "f", "vague": "v", "nomatch": "m"}
KIND_OF_CODE = {code: kind for kind, code in REASON_CODES.items()}

_WHY = re.compile(WHY)


def next_id(aid: str, rank: int, refs: Sequence[str], asker: str | None) -> str:
    return f"sb:n:{aid}:{rank}:" + (f"{asker}:" if asker else "") + ",".join(refs)


def asker_tag(aid: str, user_id: int) -> str:
    """Who asked, as Next match needs it: tells the asker's click from anyone else's and,
    keyed by the answer id, does not link one person's answers to each other."""
    return hashlib.sha256(f"{aid}:{user_id}".encode()).hexdigest()[:8]


def context_id(ref: str) -> str:
    return f"sb:c:{ref}"


def feedback_id(helpful: bool, aid: str, rank: int, ref: str) -> str:
    return f"{FEEDBACK_PREFIX}{'y' if helpful else 'n'}:{aid}:{rank}:{ref}"


def nearest_id(ref: str) -> str:
    return f"sb:p:{ref}"


def why_id(ref: str, scope: Sequence[str] = ()) -> str:
    """`scope`: the answer's documents as short keys; left out when they do not fit."""
    plain = f"sb:w:{ref}"
    if not scope:
        return plain
    scoped = f"{plain}:@" + ".".join(sorted(set(scope)))
    return scoped if len(scoped) <= CUSTOM_ID else plain


def why_scope(custom_id: str) -> list[str] | None:
    """The scope's document keys a Why this? id carries, or None (no scope carried)."""
    match = _WHY.fullmatch(custom_id)
    return match["scope"].split(".") if match and match["scope"] else None


def why_terms(custom_id: str) -> list[str] | None:
    """The terms an old Why this? custom id carries (without the "+"), [] for one that
    carries none, or None if it is not a Why this? id."""
    match = _WHY.fullmatch(custom_id)
    return [t for t in (match["terms"] or "").split() if t != MORE_TERMS] if match else None


def fitting_refs(aid: str, refs: Sequence[str]) -> list[str]:
    """The matches whose references fit in a Next match custom id (99 ranks at most)."""
    kept: list[str] = []
    for ref in refs[:99]:
        if len(next_id(aid, 99, kept + [ref], "0" * 8)) > CUSTOM_ID:
            break
        kept.append(ref)
    return kept
