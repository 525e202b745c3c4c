"""Passages: the units that are ranked and quoted.

One paragraph is one passage, unless it is longer than `max_chars`; then it is cut
at sentence boundaries into consecutive passages. A passage's text is always an
exact slice of its paragraph, so a quote is verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .documents import Document

# Words that end in a period without ending a sentence ("U.S. President", "Dec. 1").
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st mt ft gen col lt sgt capt gov sen rep rev hon pres
    jan feb mar apr jun jul aug sep sept oct nov dec inc ltd co corp bros dept est fig
    no nos vol vs etc al approx ave blvd e.g i.e u.s u.k u.n e.u""".split()
)
# The lookbehind starts a match only at the first mark of a run ("!?!?…"), so a long run
# without a following space costs one scan, not one per position (linear, not quadratic).
_SENTENCE_END = re.compile(r"(?<![.!?…])[.!?…]+[\"'”’)\]]*\s+")


@dataclass(frozen=True)
class Passage:
    document_id: str
    paragraphs: tuple[int, int]  # 1-based [first, last]
    text: str
    part: int = 1  # which piece of a split paragraph (1 when not split)
    parts: int = 1


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of sentences; conservative around abbreviations and initials."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        # The word before the mark, found by scanning back to whitespace (not by slicing from
        # `start`, which made a long paragraph of short non-sentences quadratic).
        word_start = match.start()
        while word_start > start and not text[word_start - 1].isspace():
            word_start -= 1
        before = text[word_start : match.start() + 1].rstrip(".!?…").lower()
        following = text[end : end + 1]
        if not following or not (following.isupper() or following.isdigit() or following in "\"'“‘("):
            continue
        if text[match.start()] == "." and (before.strip("\"'“‘(") in _ABBREVIATIONS or len(before.strip("\"'“‘(")) == 1):
            continue
        spans.append((start, match.start() + len(match.group().rstrip())))
        start = end
    if start < len(text):
        spans.append((start, len(text.rstrip())))
    return [s for s in spans if s[1] > s[0]]


def split_paragraph(text: str, max_chars: int) -> list[str]:
    """Greedy sentence packing: each piece ≤ max_chars unless a single sentence is longer."""
    if len(text) <= max_chars:
        return [text]
    pieces: list[str] = []
    chunk_start: int | None = None
    chunk_end = 0
    for start, end in sentence_spans(text):
        if chunk_start is None:
            chunk_start, chunk_end = start, end
        elif end - chunk_start <= max_chars:
            chunk_end = end
        else:
            pieces.append(text[chunk_start:chunk_end])
            chunk_start, chunk_end = start, end
    if chunk_start is not None:
        pieces.append(text[chunk_start:chunk_end])
    return pieces or [text]


def split_document(document: Document, max_chars: int = 600) -> list[Passage]:
    passages: list[Passage] = []
    for number, paragraph in enumerate(document.paragraphs, start=1):
        pieces = split_paragraph(paragraph, max_chars)
        for part, piece in enumerate(pieces, start=1):
            passages.append(Passage(document.id, (number, number), piece, part, len(pieces)))
    return passages
