"""LDR-KL loss values: ψ_λ(f, y) in closed form with its λ → 0 and λ → ∞ limits, the weights p*, ALDR-KL.

Zhu, Ying, Yang, "Label Distributionally Robust Losses for Multi-class Classification: Consistency, Robustness
and Adaptivity", ICML 2023 (arXiv 2112.14869):

    ψ_λ(f, y) = max_{p ∈ Δ_K} Σ_k p_k δ_k − λ KL(p ‖ unif),   δ_k = f_k − f_y + c·1[k ≠ y]
              = λ log((1/K) Σ_k exp(δ_k/λ)),                 p* = softmax(δ/λ).

Everything public is re-exported by :mod:`theorylab.losses.ldr`.
"""
from __future__ import annotations

import math

import numpy as np

from .._validation import InputError, check_labels, check_no_nan, check_nonnegative, check_real, real_namespace

__all__ = ["ldr_kl_loss", "ldr_kl_weights", "aldr_kl_loss"]


def _check_lam(lam, name="lam") -> float:
    v = check_real(name, lam, allow_nan=True, allowed=f"{name} >= 0 (0: Crammer-Singer, inf: mean)")
    if math.isnan(v) or v < 0:
        raise InputError(f"{name}={lam!r} is not allowed; {name} >= 0 (0: Crammer-Singer limit, inf: mean limit) is")
    return v


def _deltas(scores, labels, margin):
    """(xp, δ) with δ_ik = f_ik − f_{i,y_i} + c·1[k ≠ y_i], in the namespace of ``scores``."""
    xp, (f,) = real_namespace(scores=scores)
    if f.ndim != 2 or f.shape[1] < 2:
        raise InputError(f"scores has shape {tuple(f.shape)}; a (batch, K) array with K >= 2 is allowed")
    check_no_nan("scores", f, xp)
    K = f.shape[1]
    lab = check_labels("labels", labels, K, length=f.shape[0], xp=xp)
    c = check_nonnegative("margin", margin)
    return xp, _deltas_core(xp, f, lab, c)


def _deltas_core(xp, f, lab, c):
    K = f.shape[1]
    onehot = xp.arange(K)[None, :] == xp.astype(lab, xp.int64)[:, None]
    fy = xp.sum(xp.where(onehot, f, xp.zeros_like(f)), axis=1)
    return f - fy[:, None] + xp.where(onehot, xp.zeros_like(f), xp.full_like(f, c))


def _ldr_core(xp, delta, lam):
    K = delta.shape[1]
    if lam == 0.0:
        return xp.max(delta, axis=1)
    if math.isinf(lam):
        return xp.mean(delta, axis=1)
    m = xp.max(delta, axis=1)
    return m + lam * (xp.log(xp.sum(xp.exp((delta - m[:, None]) / lam), axis=1)) - math.log(K))


def ldr_kl_loss(scores, labels, lam, margin):
    """LDR-KL loss ψ_λ(f, y) = λ log((1/K) Σ_k exp((f_k − f_y + c·1[k≠y])/λ)) per example.

    ψ_λ(f, y) = max_{p ∈ Δ_K} Σ_k p_k δ_k − λ KL(p ‖ unif), δ_k = f_k − f_y + c·1[k ≠ y]. ``lam = 0`` gives the
    Crammer–Singer loss max_k δ_k, ``lam = inf`` the mean (1/K) Σ_k δ_k.

    Parameters
    ----------
    scores : array (batch, K)
        Scores f, any array-API namespace, K ≥ 2, no NaN.
    labels : integer array (batch,)
        Class indices in [0, K).
    lam : float
        Temperature λ ≥ 0, or inf.
    margin : float
        Margin c ≥ 0.

    Returns
    -------
    array (batch,)
        ψ_λ(f_i, y_i), in the namespace of ``scores``.

    Raises
    ------
    InputError
        For a negative or NaN λ, a negative margin, malformed scores or labels.

    References
    ----------
    D. Zhu, Y. Ying, T. Yang, "Label Distributionally Robust Losses for Multi-class Classification:
    Consistency, Robustness and Adaptivity", ICML 2023, arXiv:2112.14869 (the LDR-KL loss).
    """
    lam = _check_lam(lam)
    xp, delta = _deltas(scores, labels, margin)
    return _ldr_core(xp, delta, lam)


def ldr_kl_weights(scores, labels, lam, margin):
    """The maximising label weights p* = softmax(δ/λ), shape (batch, K) (λ > 0 finite).

    Parameters
    ----------
    scores : array (batch, K)
        Scores f (no NaN).
    labels : integer array (batch,)
        Class indices in [0, K).
    lam : float
        Temperature λ, finite and > 0.
    margin : float
        Margin c ≥ 0.

    Returns
    -------
    array (batch, K)
        p*_ik = exp(δ_ik/λ)/Σ_j exp(δ_ij/λ).

    Raises
    ------
    InputError
        For λ = 0 or inf (no unique softmax form), or invalid scores/labels/margin.

    References
    ----------
    D. Zhu, Y. Ying, T. Yang, "Label Distributionally Robust Losses for Multi-class Classification:
    Consistency, Robustness and Adaptivity", ICML 2023, arXiv:2112.14869 (closed form of the inner maximiser).
    """
    lam = _check_lam(lam)
    if lam == 0.0 or math.isinf(lam):
        raise InputError(f"lam={lam!r} is not allowed here; a finite lam > 0 is")
    xp, delta = _deltas(scores, labels, margin)
    z = delta / lam
    z = z - xp.max(z, axis=1)[:, None]
    e = xp.exp(z)
    return e / xp.sum(e, axis=1)[:, None]


def aldr_kl_loss(scores, labels, lam0=10.0, alpha=2.0, margin=0.1, lam_prev=None):
    """Adaptive LDR-KL: per-example temperatures and the loss.

    λ_i = λ₀ − λ₀ KL(p̂_i ‖ unif)/(α log K), p̂_i = renormalised softmax(f_i/λ_i^prev) + 10⁻⁵ (no margin), the
    maximiser over λ of −λ KL(p̂_i‖unif) − (α log K/(2λ₀))(λ − λ₀)²; it lies in [λ₀(1 − 1/α), λ₀]. The loss is
    λ_i log((1/K) Σ_k e^{δ_ik/λ_i}) − (α log K/(2λ₀))(λ_i − λ₀)² (no gradient through λ_i).

    Parameters
    ----------
    scores : array (batch, K)
        Scores f.
    labels : integer array (batch,)
        Class indices in [0, K).
    lam0 : float, default 10.0
        Base temperature λ₀, finite and > 0.
    alpha : float, default 2.0
        Regularisation strength α > 1 (finite).
    margin : float, default 0.1
        Margin c ≥ 0.
    lam_prev : array (batch,), optional
        Previous temperatures λ_i^prev (finite, > 0); λ₀ for every example when None.

    Returns
    -------
    loss : ndarray (batch,)
        The ALDR-KL losses.
    lam : ndarray (batch,)
        The temperatures λ_i.

    Raises
    ------
    InputError
        For invalid λ₀, α, lam_prev, scores, labels or margin.

    References
    ----------
    D. Zhu, Y. Ying, T. Yang, "Label Distributionally Robust Losses for Multi-class Classification:
    Consistency, Robustness and Adaptivity", ICML 2023, arXiv:2112.14869 (ALDR-KL, as in its repository code).
    """
    lam0 = _check_lam(lam0)
    if not (0 < lam0 < math.inf):
        raise InputError(f"lam0={lam0!r} is not allowed; a finite lam0 > 0 is")
    alpha = check_real("alpha", alpha, allowed="a finite number > 1")
    if not (1 < alpha < math.inf):
        raise InputError(f"alpha={alpha!r} is not allowed; a finite alpha > 1 keeps the temperatures positive")
    _, (f,) = real_namespace(scores=scores)
    f = np.asarray(f, dtype=float)
    _, delta = _deltas(f, labels, margin)
    B, K = f.shape
    if lam_prev is None:
        lp = np.full(B, lam0)
    else:
        _, (lp,) = real_namespace(lam_prev=lam_prev)
        lp = np.asarray(lp, dtype=float)
        if lp.shape != (B,) or not np.all(np.isfinite(lp) & (lp > 0)):
            raise InputError(f"lam_prev has shape {lp.shape} or entries <= 0 / not finite; ({B},) finite "
                             "temperatures > 0 are allowed")
    z = f / lp[:, None]
    z -= z.max(1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(1, keepdims=True)
    p = p + 1e-5
    p /= p.sum(1, keepdims=True)
    kl = np.sum(p * np.log(K * p), axis=1)
    lam = lam0 - lam0 * kl / (alpha * math.log(K))
    m = delta.max(1)
    base = m + lam * (np.log(np.exp((delta - m[:, None]) / lam[:, None]).sum(1)) - math.log(K))
    return base - alpha * math.log(K) / (2 * lam0) * (lam - lam0) ** 2, lam
