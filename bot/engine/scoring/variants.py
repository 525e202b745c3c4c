"""The BM25 variants: one table of formulas each, written as rank-bm25 writes them.

rank-bm25 has one small class per variant that differs only in its idf and its score
formula. Both scorers read the same table: `RankBM25Scorer` builds rank-bm25's class
from it, `PostingsScorer` evaluates its formulas over numpy arrays. Each formula is
written once, with rank-bm25's operations in rank-bm25's order, so that the postings
scorer's scores equal rank-bm25's to the last bit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence, Union

import numpy as np
import rank_bm25

from ...config import RankingConfig

Number = Union[float, np.ndarray]


@dataclass(frozen=True)
class Variant:
    """What makes a BM25 variant: its idf, its term weight, and what a passage without the term gets."""

    name: str
    # rank-bm25's own class for this variant, built with the config's parameters.
    reference: Callable[[list[list[str]], RankingConfig], rank_bm25.BM25]
    # idf of each term from its document frequency and the number of passages (rank-bm25's `_calc_idf`).
    idf: Callable[[Sequence[int], int, RankingConfig], list[float]]
    # A term's addition to the score of passages with frequencies `tf` and these lengths (`get_scores`).
    weight: Callable[[Number, np.ndarray, np.ndarray, float, RankingConfig], np.ndarray]
    # What every passage gets per query term even without it (BM25+'s idf·delta); None: nothing.
    floor: Callable[[np.ndarray, RankingConfig], np.ndarray] | None = None


def _okapi_idf(df: Sequence[int], n: int, config: RankingConfig) -> list[float]:
    values = [math.log(n - freq + 0.5) - math.log(freq + 0.5) for freq in df]
    total = 0
    for value in values:  # rank-bm25 sums in first-occurrence order, as terms are numbered
        total += value
    # Terms in more than half the passages would weigh less than nothing: rank-bm25 floors them.
    eps = config.epsilon * (total / len(values)) if values else 0.0
    return [eps if value < 0 else value for value in values]


def _okapi_weight(idf: Number, tf: np.ndarray, lengths: np.ndarray, avgdl: float, c: RankingConfig) -> np.ndarray:
    return idf * (tf * (c.k1 + 1) / (tf + c.k1 * (1 - c.b + c.b * lengths / avgdl)))


def _l_idf(df: Sequence[int], n: int, config: RankingConfig) -> list[float]:
    return [math.log(n + 1) - math.log(freq + 0.5) for freq in df]


def _l_weight(idf: Number, tf: np.ndarray, lengths: np.ndarray, avgdl: float, c: RankingConfig) -> np.ndarray:
    # rank-bm25's BM25L multiplies by tf, so a passage without the term gets 0.
    ctd = tf / (1 - c.b + c.b * lengths / avgdl)
    return idf * tf * (c.k1 + 1) * (ctd + c.delta) / (c.k1 + ctd + c.delta)


def _plus_idf(df: Sequence[int], n: int, config: RankingConfig) -> list[float]:
    return [math.log((n + 1) / freq) for freq in df]


def _plus_weight(idf: Number, tf: np.ndarray, lengths: np.ndarray, avgdl: float, c: RankingConfig) -> np.ndarray:
    return idf * (c.delta + (tf * (c.k1 + 1)) / (c.k1 * (1 - c.b + c.b * lengths / avgdl) + tf))


def _plus_floor(idf: np.ndarray, c: RankingConfig) -> np.ndarray:
    return idf * c.delta


OKAPI = Variant(
    "okapi",
    lambda corpus, c: rank_bm25.BM25Okapi(corpus, k1=c.k1, b=c.b, epsilon=c.epsilon),
    _okapi_idf,
    _okapi_weight,
)
BM25L = Variant(
    "l",
    lambda corpus, c: rank_bm25.BM25L(corpus, k1=c.k1, b=c.b, delta=c.delta),
    _l_idf,
    _l_weight,
)
BM25PLUS = Variant(
    "plus",
    lambda corpus, c: rank_bm25.BM25Plus(corpus, k1=c.k1, b=c.b, delta=c.delta),
    _plus_idf,
    _plus_weight,
    _plus_floor,
)

VARIANTS: dict[str, Variant] = {variant.name: variant for variant in (OKAPI, BM25L, BM25PLUS)}


def variant_of(config: RankingConfig) -> Variant:
    """The formulas `config.variant` names (the config loader has already checked the name)."""
    return VARIANTS[config.variant]
