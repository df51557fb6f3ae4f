"""StableMax (Prieto et al., ICLR 2025): s(x) = x + 1 (x ≥ 0), 1/(1 − x) (x < 0), and its cross-entropy.

StableMax_i(z) = s(z_i)/Σ_j s(z_j); the StableMax cross-entropy is ℓ(z, y) = −log StableMax_y(z). Properties
(checked in ``verifications/prieto2025_stablemax.py``): s > 0, s(0) = 1, s'(0^±) = 1 (C¹, not C²),
s'(x)/s(x) = 1/(1 + |x|); the loss is not shift invariant but its argmax is; its gradient is

    ∂ℓ/∂z_j = s'(z_j)/Σ_k s(z_k) − 1{j = y}/(1 + |z_y|),   s'(x) = 1 (x ≥ 0), 1/(1 − x)² (x < 0).

Since s maps ℝ onto (0, ∞) increasingly, StableMax maps ℝⁿ onto the open simplex, so the conditional risk
−Σ_y p_y log StableMax_y(z) has the same infimum as cross-entropy, C*(p) = H(p) = −Σ p_y log p_y, attained at
StableMax(z) = p: the loss is proper and classification-calibrated (our derivation; the paper does not discuss
calibration).

The authors' code (``utils.py``) writes 1/(1 − x + 1e−30) for x < 0. The 1e−30 is dropped here: for x < 0,
1 − x ≥ 1 and half an ulp of any float ≥ 1 is ≥ 2⁻⁵³ ≈ 1.1e−16 in float64 (larger in float32/float16), so
fl(1 − x + 1e−30) = fl(1 − x) for every x < 0 — the term never changes a value (tested bit for bit).

Numerics: log s(x) = log1p(x) (x ≥ 0), −log1p(−x) (x < 0); with m = max_k log s(z_k) (attained first at a),
ℓ = (m − log s(z_y)) + log1p(Σ_{k≠a} e^{log s(z_k) − m}): no overflow for any finite z and no cancellation, so
tiny losses (a confident correct prediction, ℓ ~ 1e−11 at logit gaps ~1e5) keep full relative accuracy.

References: L. Prieto, M. Barsbey, P. Mediano, T. Birdal, "Grokking at the Edge of Numerical Stability",
ICLR 2025, arXiv:2501.04697 (StableMax, §4; code ``utils.py``).
"""
from __future__ import annotations

import math

import numpy as np

from .._validation import check_no_nan, real_namespace
from .analytic_loss import AnalyticLoss
from .compsum_values import _check_scores_labels

__all__ = [
    "StableMaxCrossEntropy",
    "log_stablemax",
    "shannon_entropy",
    "stablemax",
    "stablemax_cross_entropy",
    "stablemax_cross_entropy_and_grad",
    "stablemax_probabilities",
]


def stablemax(x):
    """s(x) = x + 1 for x ≥ 0, 1/(1 − x) for x < 0, elementwise (array API: the namespace and dtype of x).

    Parameters
    ----------
    x : array
        Real numbers (no NaN); integers are converted to float64.

    Returns
    -------
    array
        s(x) > 0, same shape.

    Raises
    ------
    InputError
        For non-real or NaN input.

    References
    ----------
    L. Prieto, M. Barsbey, P. Mediano, T. Birdal, "Grokking at the Edge of Numerical Stability", ICLR 2025,
    arXiv:2501.04697 (the function s of StableMax, §4; the code's 1e−30 is a no-op, module docstring).
    """
    xp, (x,) = real_namespace(x=x)
    check_no_nan("x", x, xp)
    neg = xp.minimum(x, xp.zeros_like(x))
    return xp.where(x >= 0, x + 1, 1 / (1 - neg))


def log_stablemax(x):
    """log s(x) elementwise: log1p(x) for x ≥ 0, −log1p(−x) for x < 0 (array API).

    Parameters
    ----------
    x : array
        Real numbers (no NaN).

    Returns
    -------
    array
        log s(x), accurate near 0 (no rounding of s(x) to 1).

    Raises
    ------
    InputError
        For non-real or NaN input.

    References
    ----------
    L. Prieto, M. Barsbey, P. Mediano, T. Birdal, "Grokking at the Edge of Numerical Stability", ICLR 2025,
    arXiv:2501.04697 (§4).
    """
    xp, (x,) = real_namespace(x=x)
    check_no_nan("x", x, xp)
    return xp.sign(x) * xp.log1p(xp.abs(x))


def _log_stablemax_np(z):
    return np.sign(z) * np.log1p(np.abs(z))


def _log_norm(ls):
    m = ls.max(-1, keepdims=True)
    return m + np.log(np.exp(ls - m).sum(-1, keepdims=True))


def _loss_terms(ls, y):
    """ℓ = (m − log s_y) + log1p(Σ_{k≠a} e^{log s_k − m}), m = max log s attained first at a (no cancellation:
    a loss far below 1e−16 keeps its relative accuracy), and log Σ s = m + that log1p."""
    rows = np.arange(ls.shape[0])
    a = np.argmax(ls, -1)
    m = ls[rows, a]
    e = np.exp(ls - m[:, None])
    e[rows, a] = 0.0
    L = np.log1p(e.sum(-1))
    return (m - ls[rows, y]) + L, m + L


def stablemax_probabilities(z):
    """StableMax_i(z) = s(z_i)/Σ_j s(z_j) along the last axis (NumPy float64).

    Parameters
    ----------
    z : array (..., n)
        Logits (no NaN).

    Returns
    -------
    ndarray (..., n)
        Probabilities (positive, summing to 1).

    Raises
    ------
    InputError
        For non-real or NaN input, or no class axis.

    References
    ----------
    L. Prieto, M. Barsbey, P. Mediano, T. Birdal, "Grokking at the Edge of Numerical Stability", ICLR 2025,
    arXiv:2501.04697 (StableMax, §4).
    """
    _, (z,) = real_namespace(z=z)
    check_no_nan("z", z)
    z = np.asarray(z, dtype=np.float64)
    if z.ndim < 1:
        from .._validation import InputError
        raise InputError("z is a scalar; an array (..., n) of logits is required")
    ls = _log_stablemax_np(z)
    return np.exp(ls - _log_norm(ls))


def _risk(P, H):
    """C(h, p) = −Σ_y p_y log StableMax_y(h), each row once."""
    ls = _log_stablemax_np(H)
    return _weighted(P, _log_norm(ls) - ls)


def _weighted(P, V):
    """Σ_y P_y V_y with terms of P_y = 0 left out (so an infinite V there does not give NaN)."""
    with np.errstate(invalid="ignore", over="ignore"):
        return np.where(P > 0, P * V, 0.0).sum(-1)


def _risk1(p, h):
    """:func:`_risk` for one row (Python floats)."""
    ls = [math.copysign(math.log1p(abs(v)), v) for v in h]
    m = max(ls)
    lz = m + math.log(sum(math.exp(v - m) for v in ls))
    return sum(pk * (lz - lk) for pk, lk in zip(p, ls) if pk > 0)


def _entropy1(p):
    return -sum(pk * math.log(pk) for pk in p if pk > 0)


def _values(h, y):
    return _loss_terms(_log_stablemax_np(h), y)[0]


def _values_and_grad(h, y):
    v, lz = _loss_terms(_log_stablemax_np(h), y)
    rows = np.arange(h.shape[0])
    ds = np.where(h >= 0, 1.0, 1.0 / (1.0 - np.minimum(h, 0.0)) ** 2)  # s'(z)
    g = ds * np.exp(-lz)[:, None]
    g[rows, y] -= 1.0 / (1.0 + np.abs(h[rows, y]))
    return v, g


def stablemax_cross_entropy(scores, labels):
    """ℓ(z, y) = −log StableMax_y(z) = log Σ_j s(z_j) − log s(z_y), per row (NumPy float64).

    Parameters
    ----------
    scores : array (m, n)
        Logits (no NaN).
    labels : integer array (m,)
        Classes in [0, n).

    Returns
    -------
    ndarray (m,)
        The losses (≥ 0).

    Raises
    ------
    InputError
        For malformed scores or labels.

    References
    ----------
    L. Prieto, M. Barsbey, P. Mediano, T. Birdal, "Grokking at the Edge of Numerical Stability", ICLR 2025,
    arXiv:2501.04697 (the StableMax cross-entropy, §4; ``utils.py``).
    """
    _, h, lab = _check_scores_labels(scores, labels)
    return _values(np.asarray(h, dtype=np.float64), np.asarray(lab))


def stablemax_cross_entropy_and_grad(scores, labels):
    """(ℓ, ∂ℓ/∂z) of the StableMax cross-entropy: ∂ℓ/∂z_j = s'(z_j)/Σ s − 1{j=y}/(1 + |z_y|).

    Parameters
    ----------
    scores : array (m, n)
        Logits (no NaN).
    labels : integer array (m,)
        Classes in [0, n).

    Returns
    -------
    loss : ndarray (m,)
        The losses.
    grad : ndarray (m, n)
        The gradients.

    Raises
    ------
    InputError
        For malformed scores or labels.

    References
    ----------
    L. Prieto, M. Barsbey, P. Mediano, T. Birdal, "Grokking at the Edge of Numerical Stability", ICLR 2025,
    arXiv:2501.04697 (§4).
    """
    _, h, lab = _check_scores_labels(scores, labels)
    return _values_and_grad(np.asarray(h, dtype=np.float64), np.asarray(lab))


def shannon_entropy(P):
    """H(p) = −Σ_y p_y log p_y per row (0 log 0 = 0): C* of cross-entropy-like proper losses.

    Parameters
    ----------
    P : ndarray (..., n)
        Probability rows.

    Returns
    -------
    ndarray
        The entropies.

    References
    ----------
    T. M. Cover, J. A. Thomas, "Elements of Information Theory", 2nd ed., Wiley, 2006 (§2.1).
    """
    P = np.asarray(P, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.where(P > 0, P * np.log(np.where(P > 0, P, 1.0)), 0.0).sum(-1)


class StableMaxCrossEntropy(AnalyticLoss):
    """The StableMax cross-entropy as a Loss: values, closed-form gradient, C(h, p), C*(p) = H(p) exactly.

    Not convex (−log s(z_y) is concave for z_y < 0: ``convex`` False), unbounded above. C*(p) = H(p) because
    StableMax maps ℝⁿ onto the open simplex (module docstring).

    References
    ----------
    L. Prieto, M. Barsbey, P. Mediano, T. Birdal, "Grokking at the Edge of Numerical Stability", ICLR 2025,
    arXiv:2501.04697 (§4).
    """

    def __init__(self):
        super().__init__(_values, _values_and_grad, "stablemax_ce", False, False, {}, best_fn=shannon_entropy,
                         risk_fn=_risk, risk1_fn=_risk1, best1_fn=_entropy1)
