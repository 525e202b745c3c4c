"""A passage about something, above one that only mentions it in passing.

"Why was Meng arrested?": the arrest is reported in one paragraph ("Canada … arrested
… Meng Wanzhou") and referred back to in another ("In apparent retaliation over Meng's
arrest, two Canadians … were detained"). Both hold the question's words, and the second
even holds "arrest" twice; but there Meng is only the possessor of something the
paragraph takes as known. A name that a passage uses only as a possessive ("Meng's"),
while the question does not, is a mention, not the passage's subject.

So among the best few candidates, the ranking score is lowered in proportion to the
question's weight held only that way (half of it is taken away). General English
grammar, no word list: the possessive marks given information.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from .analysis import Analyzer, Token, fold

RERANKED = 5  # the candidates looked at
PENALTY = 0.5  # share of a possessive-only term's weight taken away


def possessive_terms(analyzer: Analyzer, text: str, tokens: Sequence[Token] | None = None) -> tuple[set[str], set[str]]:
    """(terms used as a possessive somewhere, terms used otherwise somewhere) in a text."""
    folded = fold(text)
    possessive: set[str] = set()
    plain: set[str] = set()
    for token in tokens if tokens is not None else analyzer.tokens(text):
        if folded[token.end : token.end + 2] == "'s":
            possessive.add(token.term)
        else:
            plain.add(token.term)
    return possessive, plain


def mention_share(
    analyzer: Analyzer, text: str, question_plain: set[str], weights: Mapping[str, float]
) -> float:
    """The share of the question's weight that this text holds only as possessives the question does not use."""
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    possessive, plain = possessive_terms(analyzer, text)
    only = {t for t in possessive - plain if t in question_plain}
    return sum(weights.get(t, 0.0) for t in only) / total
