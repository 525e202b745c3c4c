"""Does the story answer the question? One calibrated probability, one threshold.

The signals of the best passage (signals.py) go into a logistic model whose few
coefficients were fitted on public data (calibration/: SQuAD v1.1 questions about
their own article are answerable, questions about other articles are not, and SQuAD
2.0's crowd-written near misses are not). There are two fitted models: one with the
embedding model's similarity and one for a bot running without the model, which
decides from the word-level signals alone.

The bot answers when the probability reaches `answers.min_probability`. When it does
not, the reason given is the most telling signal that lowered it: a name the corpus
never mentions, else a missing time or number the question asks for, else that the
passages match too little of the question.
Abstention and confidence are typed values here; the sentences people read about
them live in the presentation layer (bot/presentation.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .calibration import Model, load_models
from .signals import Signals


class Abstention(Enum):
    """Why the bot did not answer (the values are stable: they travel in button ids and logs)."""

    NO_MATCH = "nomatch"  # no passage shares a word with the question
    VAGUE = "vague"  # the question has only everyday words ("What did they say?")
    UNKNOWN_NAME = "name"  # it names something the corpus never mentions
    MISSING_FORM = "form"  # it asks for a time or a number that no matching passage has
    UNLIKELY = "unlikely"  # the best passage matches too little of it


class Confidence(Enum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


# Probability from which an answer is called high / medium confidence (below: low). On
# the validation articles answers at "high" were right about 9 times in 10 (EVALUATION.md).
HIGH_FROM = 0.85
MEDIUM_FROM = 0.65


def confidence_of(probability: float) -> Confidence:
    if probability >= HIGH_FROM:
        return Confidence.HIGH
    if probability >= MEDIUM_FROM:
        return Confidence.MEDIUM
    return Confidence.LOW


@dataclass(frozen=True)
class Decision:
    probability: float
    abstention: Abstention | None  # None: answer

    @property
    def answered(self) -> bool:
        return self.abstention is None


def model_for(signals: Signals) -> Model:
    models = load_models()
    return models.with_similarity if signals.similarity is not None else models.without_similarity


def probability(signals: Signals) -> float:
    return model_for(signals).probability(signals)


def decide(signals: Signals, threshold: float) -> Decision:
    """Answer from the threshold on; a passage without the form the question asks for never answers.

    The form stays a rule as well as a signal: fitted on SQuAD, its coefficient is about
    nothing, because SQuAD labels the question (answerable from its article), not the
    passage shown; but a "how old" question answered with a paragraph that gives no age
    is a wrong answer whatever the other signals say.
    """
    p = probability(signals)
    if signals.form_missing:
        return Decision(p, Abstention.MISSING_FORM)
    if p >= threshold:
        return Decision(p, None)
    if signals.unknown_name:
        return Decision(p, Abstention.UNKNOWN_NAME)
    if signals.form_missing:
        return Decision(p, Abstention.MISSING_FORM)
    return Decision(p, Abstention.UNLIKELY)

