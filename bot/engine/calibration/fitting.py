"""Logistic regression by iteratively reweighted least squares, in numpy.

Small and deterministic on purpose: the same rows give the same parameters to the
last digit on any machine, which is what the reproducibility test checks, and the
bot needs no machine-learning library at run time (it only evaluates the fitted sum).
"""

from __future__ import annotations

import numpy as np


def fit_logistic(
    x: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None, l2: float = 1.0, iterations: int = 50
) -> np.ndarray:
    """Coefficients (intercept first) maximising the L2-penalised log-likelihood.

    `x` is (n, k) without the intercept column; `weights` are per-row (class balance);
    `l2` penalises the coefficients, not the intercept, which keeps separable signals
    (a question naming an unknown thing is almost never answerable) at finite values.
    """
    n, k = x.shape
    design = np.hstack([np.ones((n, 1)), x])
    w = np.ones(n) if weights is None else weights.astype(float)
    beta = np.zeros(k + 1)
    penalty = np.full(k + 1, l2)
    penalty[0] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(design @ beta)))
        gradient = design.T @ (w * (y - p)) - penalty * beta
        hessian = (design * (w * p * (1 - p))[:, None]).T @ design + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    return beta


def probability(beta: np.ndarray, x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(beta[0] + x @ beta[1:])))
