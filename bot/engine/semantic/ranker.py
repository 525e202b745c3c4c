"""Re-ranking BM25's best candidates by meaning: the blend of BM25 and cosine similarity.

BM25 finds passages that share the question's words; it cannot tell "detained" from
"arrested" or "finance chief" from "chief financial officer". The sentence vectors
can, but alone they drift to passages that are merely about the same topic. So BM25
chooses the candidates (its best `candidates`, 20 by default) and the order among
them is

    blended = (1 − weight) × BM25 / best BM25 among the candidates + weight × cosine

with weight 0.7 by default (chosen on SQuAD v1.1, see EVALUATION.md). A candidate's
cosine similarity is kept on it for the answer decision.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..scoring import Hit
from .model import QUESTION_TOKENS, Embedder
from .vectors import PassageVectors

QUESTIONS_KEPT = 256  # question vectors memoised per index
ON_DEMAND = 4  # at most this many candidates' vectors are computed while a question waits


@dataclass(frozen=True)
class Candidate:
    """One ranked passage: BM25's score and, when the model is loaded, the semantic signals.

    `passage` and `score` mean what they mean on a scoring.Hit (position in the index,
    BM25 score), so a Candidate can stand wherever a Hit did.
    """

    passage: int
    score: float
    # Cosine of the question's vector and the passage's (or its closest sentence's), −1…1 (≈0 unrelated).
    similarity: float | None = None
    blended: float | None = None  # the re-ranking score; None when BM25 alone ranked


def bm25_only(hits: Sequence[Hit]) -> list[Candidate]:
    return [Candidate(h.passage, h.score) for h in hits]


def blend(scores: np.ndarray, similarities: np.ndarray, weight: float) -> np.ndarray:
    """(1 − weight) × BM25 scaled by the best candidate's + weight × cosine."""
    best = float(scores.max()) if len(scores) else 0.0
    scaled = scores / best if best > 0 else np.zeros_like(scores)
    return (1.0 - weight) * scaled + weight * similarities


class SemanticRanker:
    """The embedder, the corpus's passage vectors and the blend settings of one index."""

    def __init__(self, embedder: Embedder, vectors: PassageVectors, candidates: int, weight: float) -> None:
        self.embedder = embedder
        self.vectors = vectors
        self.candidates = candidates
        self.weight = weight
        self._questions: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def question_vector(self, question: str) -> np.ndarray:
        """The question's unit vector, memoised: the re-ranking and the answer decision share it.

        (A plain dict, not functools.lru_cache on the method: that would keep every
        replaced index alive, and a per-instance one would be a reference cycle; see
        index._collector_paused for why the index holds none.)
        """
        with self._lock:
            vector = self._questions.get(question)
            if vector is not None:
                self._questions.move_to_end(question)
                return vector
        vector = self.embedder.embed([question], max_tokens=QUESTION_TOKENS)[0]
        vector.setflags(write=False)
        with self._lock:
            self._questions[question] = vector
            while len(self._questions) > QUESTIONS_KEPT:
                self._questions.popitem(last=False)
        return vector

    def similarities(self, question: str, positions: Sequence[int]) -> np.ndarray:
        """Each passage's similarity to the question: the best cosine of the passage or one of its sentences."""
        if not len(positions):
            return np.zeros(0, dtype=np.float32)
        return self.vectors.similarities(positions, self.question_vector(question))

    def sentence_similarities(self, question: str, position: int) -> list[float]:
        """Cosine of the question with each sentence of passage `position`, in the order of
        passages.sentence_spans(passage.text); one value (the whole passage) for a passage of
        one sentence. Precomputed with the passage: no model call beyond the question's."""
        sims = self.vectors.rows(position) @ self.question_vector(question)
        return [float(s) for s in (sims[1:] if len(sims) > 1 else sims)]

    def rank(self, question: str, hits: Sequence[Hit]) -> list[Candidate]:
        """BM25's hits with the first `candidates` re-ordered by the blend, the rest after them.

        While a large archive is still being embedded in the background, a question whose
        candidates lack more than ON_DEMAND vectors is ranked by BM25 alone (no similarity):
        embedding 20 passages and their sentences would take a second or more.
        """
        missing = sum(not self.vectors.done[h.passage] for h in hits[: self.candidates])
        if missing > ON_DEMAND:
            return bm25_only(hits)
        head = self.rerank(question, hits[: self.candidates])
        tail = hits[self.candidates :]
        sims = self.similarities(question, [h.passage for h in tail])
        return head + [Candidate(h.passage, h.score, float(s)) for h, s in zip(tail, sims)]

    def rerank(self, question: str, hits: Sequence[Hit]) -> list[Candidate]:
        """The hits re-ordered by the blend, best first (BM25's order breaks ties)."""
        if not hits:
            return []
        scores = np.array([h.score for h in hits], dtype=np.float64)
        sims = self.similarities(question, [h.passage for h in hits]).astype(np.float64)
        blended = blend(scores, sims, self.weight)
        order = sorted(range(len(hits)), key=lambda i: (-blended[i], i))
        return [Candidate(hits[i].passage, hits[i].score, float(sims[i]), float(blended[i])) for i in order]
