"""Which sentence of the quoted passage answers the question.

The passage is quoted whole (the bot never cuts what it cites), and the sentence that
answers is marked in it. Each sentence is scored with the same signals and the same
fitted model as the passage (signals.py, decision.py): its coverage of the question,
its share of matched terms, the expected form (a "when" question wants the sentence
with the date), and its similarity to the question when the embedding model is loaded.
The best-scoring sentence wins; on a tie, the earlier one.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Mapping, Sequence

from .decision import probability
from .expectations import Expects, supplies
from .passages import sentence_spans
from .signals import Signals, coverage

if TYPE_CHECKING:
    from .answering import Match
    from .index import Index


def answer_sentence(
    index: "Index",
    match: "Match",
    terms: Sequence[str],
    weights: Mapping[str, float],
    question: str,
    signals: Signals,
    form: Expects,
) -> tuple[int, int] | None:
    """(start, end) of the answering sentence in match.passage.text, or None for an empty passage."""
    from .answering import held_terms

    text = match.passage.text
    spans = sentence_spans(text)
    if len(spans) <= 1:
        return spans[0] if spans else None
    texts = [text[a:b] for a, b in spans]
    similarities: Sequence[float | None] = [None] * len(spans)
    if signals.similarity is not None and index.semantic is not None:
        # Precomputed with the passage (semantic/vectors.py): no model call beyond the question's.
        similarities = index.semantic.sentence_similarities(question, match.position)
    best, best_score = spans[0], -1.0
    counted = list(weights)
    for span, sentence, similarity in zip(spans, texts, similarities):
        held = set(held_terms(index, sentence, sentence, terms))
        sentence_signals = replace(
            signals,
            coverage=coverage(weights, held),
            matched=sum(t in held for t in counted) / len(counted) if counted else 1.0,
            similarity=similarity if similarity is not None else signals.similarity,
            form_missing=not supplies(sentence, form),
            sentence=coverage(weights, held),
        )
        score = probability(sentence_signals)
        if score > best_score + 1e-12:
            best, best_score = span, score
    return best
