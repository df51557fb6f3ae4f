"""LDR-KL loss values: ψ_λ(f, y) in closed form with its λ → 0 and λ → ∞ limits, the weights p*, ALDR-KL.

Zhu, Ying, Yang, "Label Distributionally Robust Losses for Multi-class Classification: Consistency, Robustness
and Adaptivity", ICML 2023 (arXiv 2112.14869):

    ψ_λ(f, y) = max_{p ∈ Δ_K} Σ_k p_k δ_k − λ KL(p ‖ unif),   δ_k = f_k − f_y + c·1[k ≠ y]
              = λ log((1/K) Σ_k exp(δ_k/λ)),                 p* = softmax(δ/λ).

Numerics (:func:`_ldr_eval`): δ is formed exactly as a pair of floats and ψ_λ = M + λ·log1p(mean_k expm1(w_k)),
w_k = (δ_k − M)/λ, M = max δ; float32 inputs are computed in float64; rows with entries beyond 2^1000 are scaled
by an exact power of two, so ψ_λ is ±inf exactly where its value is beyond the float range, never NaN.
Measured against 60-digit references (tests/test_loss_accuracy.py): the weights and gradients to relative error
≤ 1e-12 (float64) / 1e-5 (float32) for scores in ±1e4, ψ_λ to that relative error plus the same times
Σ_k p*_k|δ_k| (the effect of one rounding of each δ_k, which dominates only near the zeros of ψ_λ, where no
float64 evaluation is relatively accurate).

Everything public is re-exported by :mod:`theorylab.losses.ldr`.
"""
from __future__ import annotations

import math

import numpy as np

from .._validation import (InputError, array_device, check_labels, check_no_nan, check_nonnegative, check_real,
                           is_traced, real_namespace)
from .compsum_values import _two_sum

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
    lab = check_labels("labels", labels, K, length=f.shape[0], xp=xp, device=array_device(f))
    c = check_nonnegative("margin", margin)
    return xp, _deltas_core(xp, f, lab, c)


def _deltas_core(xp, f, lab, c):
    K = f.shape[1]
    onehot = xp.arange(K, device=array_device(f))[None, :] == xp.astype(lab, xp.int64)[:, None]
    fy = xp.sum(xp.where(onehot, f, xp.zeros_like(f)), axis=1)
    return f - fy[:, None] + xp.where(onehot, xp.zeros_like(f), xp.full_like(f, c))


def _ldr_core(xp, delta, lam):
    """ψ_λ per row of δ (B, K) for the conditional risks and their minimisers: m + λ(log Σ_k e^{(δ_k − m)/λ} − log K).

    Kept as it was (not the loss's :func:`_ldr_dd`): the risk minimisers (SLSQP, BFGS) turn last-bit changes of
    the objective into changes of ~1e-8 in the minimisers the claims report, and their δ are O(1) (no overflow,
    λ ≤ 10: the λ·2⁻⁵³·log K lost to the final subtraction is below the optimisers' tolerances).
    """
    K = delta.shape[1]
    if lam == 0.0:
        return xp.max(delta, axis=1)
    if math.isinf(lam):
        return xp.mean(delta, axis=1)
    m = xp.max(delta, axis=1)
    return m + lam * (xp.log(xp.sum(xp.exp((delta - m[:, None]) / lam), axis=1)) - math.log(K))


def _ldr_dd(xp, dhi, dlo, lam, want_weights: bool):
    """ψ_λ per row, and the weights p* when asked, from δ = dhi + dlo (B, K) carried as a pair of finite floats.

    M = max_k δ_k is taken on the pairs (lexicographically: the exact maximum; the first maximiser a on ties) and

        ψ_λ = M + λ·log1p((1/K) Σ_k expm1(w_k)),   w_k = (δ_k − M)/λ ≤ 0,   p* = e^{w}/Σ e^{w}:

    the sum has no cancellation (every expm1(w_k) ∈ [−1, 0]) and log1p keeps a mean close to 1 accurate, where
    log(Σ e^{w}) − log K would lose λ·2⁻⁵³·log K. ``lam`` is 0, inf, a float > 0 or a (B, 1) array of them.
    """
    K = dhi.shape[1]
    Mhi = xp.max(dhi, axis=1, keepdims=True)
    cand = dhi == Mhi
    Mlo = xp.max(xp.where(cand, dlo, xp.full_like(dlo, -math.inf)), axis=1, keepdims=True)
    if isinstance(lam, float) and lam == 0.0:
        value = (Mhi + Mlo)[:, 0]
        if not want_weights:
            return value
        first = xp.argmax(xp.astype(cand & (dlo == Mlo), xp.int8), axis=1, keepdims=True)
        return value, xp.astype(xp.arange(K, dtype=first.dtype, device=array_device(first)) == first, dhi.dtype)
    if isinstance(lam, float) and math.isinf(lam):
        value = (xp.sum(dhi, axis=1) + xp.sum(dlo, axis=1)) / K
        return (value, xp.full_like(dhi, 1.0 / K)) if want_weights else value
    t_hi, t_lo = _two_sum(xp, dhi, -Mhi)
    w = (t_hi + (t_lo + (dlo - Mlo))) / lam
    S = xp.sum(xp.expm1(w), axis=1, keepdims=True) / K
    value = (Mhi + (Mlo + lam * xp.log1p(S)))[:, 0]
    if not want_weights:
        return value
    ew = xp.exp(w)
    return value, ew / xp.sum(ew, axis=1, keepdims=True)


_HUGE = 2.0 ** 1000  # rows with |f| or c beyond this are scaled by 2^-64 (exactly): ψ_λ(f; c) = s·ψ_{λ/s}(f/s; c/s)
_SCALE = 2.0 ** -64


def _ldr_eval(scores, labels, lam, margin, want_weights: bool):
    """(xp, ψ_λ per row, p* or None, one-hot labels, output dtype), validated; computed in float64.

    δ_k = f_k − f_y + c·1[k ≠ y] is formed exactly as a pair of floats (two TwoSums and a renormalisation), so
    the loss and the weights carry no rounding of |f|-sized intermediates (a 1e4-sized score would otherwise
    cost 1e4·2⁻⁵³ absolute in δ, and that divided by λ in the exponent of p*). Rows with an |f| or c above
    2^1000 are scaled down by 2^-64 (an exact power of two) and their ψ scaled back: δ cannot overflow, and ψ is
    ±inf exactly where its value is beyond the float range, never NaN.
    """
    lam = _check_lam(lam)
    xp, (f,) = real_namespace(scores=scores)
    if f.ndim != 2 or f.shape[1] < 2:
        raise InputError(f"scores has shape {tuple(f.shape)}; a (batch, K) array with K >= 2 is allowed")
    check_no_nan("scores", f, xp)
    K = f.shape[1]
    lab = check_labels("labels", labels, K, length=f.shape[0], xp=xp, device=array_device(f))
    c = check_nonnegative("margin", margin)
    out_dtype = f.dtype
    if xp.finfo(f.dtype).bits < 64:
        f = xp.astype(f, xp.float64)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        onehot = xp.arange(K, device=array_device(f))[None, :] == xp.astype(lab, xp.int64)[:, None]
        zero = xp.zeros_like(f)
        big = xp.max(xp.abs(f), axis=1, keepdims=True) >= _HUGE
        # a traced (jax.jit) f cannot be tested on the host: the exact scaled path runs (scale 1 on ordinary rows)
        scaled = is_traced(f) or c >= _HUGE or bool(xp.any(big))
        if scaled:
            sc = xp.where(big, xp.full_like(big, _SCALE, dtype=f.dtype), xp.full_like(big, 1.0, dtype=f.dtype))
            if c >= _HUGE:
                sc = xp.full_like(sc, _SCALE)
            f = f * sc
            cm = xp.where(onehot, zero, c * sc + zero)
            if lam != 0.0 and not math.isinf(lam):
                lam = xp.maximum(lam * sc, xp.full_like(sc, 5e-324))  # λ·2^-64 may underflow: the smallest λ > 0
        else:
            cm = xp.where(onehot, zero, xp.full_like(f, c))
        fy = xp.sum(xp.where(onehot, f, zero), axis=1, keepdims=True)
        d_hi, d_lo = _two_sum(xp, f, -fy)
        t, e2 = _two_sum(xp, d_hi, cm)
        dhi, dlo = _two_sum(xp, t, d_lo + e2)
        res = _ldr_dd(xp, dhi, dlo, lam, want_weights)
        value, weights = res if want_weights else (res, None)
        if scaled:
            value = value / sc[:, 0]
    return xp, value, weights, onehot, out_dtype


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
    xp, value, _, _, out_dtype = _ldr_eval(scores, labels, lam, margin, want_weights=False)
    return xp.astype(value, out_dtype) if value.dtype != out_dtype else value


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
    xp, _, weights, _, out_dtype = _ldr_eval(scores, labels, lam, margin, want_weights=True)
    return xp.astype(weights, out_dtype) if weights.dtype != out_dtype else weights


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
