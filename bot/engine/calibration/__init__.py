"""The fitted answer model: a handful of coefficients read from parameters.json.

`fit.py` writes parameters.json from public data (run it as
`python -m bot.engine.calibration.fit`, see its docstring); the bot only reads it.
A model is a logistic sum over named features of the Signals (signals.py), so the
file says in words what each coefficient multiplies.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

from ..signals import Signals

PARAMETERS = Path(__file__).with_name("parameters.json")

# Feature name → how it is read from the Signals. Booleans count 1/0; no similarity counts 0
# (the model without similarity has no such feature).
FEATURES: dict[str, Callable[[Signals], float]] = {
    "coverage": lambda s: s.coverage,
    "matched": lambda s: s.matched,
    "similarity": lambda s: s.similarity or 0.0,
    "unknown": lambda s: s.unknown,
    "unknown_name": lambda s: float(s.unknown_name),
    "form_missing": lambda s: float(s.form_missing),
    "margin": lambda s: s.margin,
    "sentence": lambda s: s.sentence,
    "number_missing": lambda s: float(s.number_missing),
    "brevity": lambda s: 1.0 / max(1, s.terms),  # 1 for a one-word question, 0.1 for ten words
    "brief_similarity": lambda s: (s.similarity or 0.0) / max(1, s.terms),
}


@dataclass(frozen=True)
class Model:
    features: tuple[str, ...]
    intercept: float
    coefficients: tuple[float, ...]

    def logit(self, signals: Signals) -> float:
        return self.intercept + sum(c * FEATURES[f](signals) for f, c in zip(self.features, self.coefficients))

    def probability(self, signals: Signals) -> float:
        z = self.logit(signals)
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0

    @classmethod
    def from_json(cls, data: dict) -> "Model":
        features = tuple(data["features"])
        unknown = [f for f in features if f not in FEATURES]
        if unknown or len(data["coefficients"]) != len(features):
            raise ValueError(f"{PARAMETERS}: unknown features {unknown} or a wrong number of coefficients")
        return cls(features, float(data["intercept"]), tuple(float(c) for c in data["coefficients"]))


@dataclass(frozen=True)
class Models:
    with_similarity: Model
    without_similarity: Model
    threshold: float  # the default of answers.min_probability, chosen when fitting


@lru_cache(maxsize=1)
def load_models(path: Path = PARAMETERS) -> Models:
    data = json.loads(path.read_text(encoding="utf-8"))
    return Models(
        Model.from_json(data["with_similarity"]),
        Model.from_json(data["without_similarity"]),
        float(data["threshold"]),
    )
