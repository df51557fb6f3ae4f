"""The pass@N loss (Chen et al., 2025): ℓ_N(z, y) = −log(1 − (1 − p_y)^N), p = softmax(z); N = 1 is cross-entropy.

Success of pass@N = at least one of N independent samples from p is the label, probability 1 − (1 − p_y)^N; the
loss is its negative log. Evaluated stably as ℓ_N = −log1mexp(N·log(1 − p_y)), with log1mexp(x) = log(1 − eˣ)
(``log(−expm1(x))`` for x > −log 2, ``log1p(−exp(x))`` below, so that the large-N values (1 − p_y)^N ≪ 10⁻¹⁶ are
kept instead of rounding to 0) and log(1 − p_y) = log1p(−p_y) for p_y < ½, the log-sum-exp of the other classes'
log-softmax for p_y ≥ ½ (no cancellation in 1 − p_y). If p_y underflows (log p_y < −700), ℓ_N = −log N − log p_y
(relative error O(N p_y)).

Gradient (chain rule through p_y, ∂p_y/∂z = p_y(e_y − p)):

    ∇_z ℓ_N = F_N(p_y)·(p − e_y),   F_N(q) = N q (1 − q)^{N−1} / (1 − (1 − q)^N),

F_1 ≡ 1 (cross-entropy), F_N(0⁺) = 1, F_N(1⁻) = 0, F_N strictly decreasing on (0, 1) for N ≥ 2: confidently
correct examples are down-weighted. F_N is evaluated in logs (log N + log q + (N − 1) log(1 − q) − log1mexp(...)).

Conditional risk: C(z; η) = Σ_y η_y φ_N(q_y), q = softmax(z), φ_N(q) = −log(1 − (1 − q)^N), strictly convex
and decreasing on (0, 1]; C*(η) is the minimum over the simplex, which solves η_y h_N(q_y) = μ (h_N = −φ_N'
= N(1 − q)^{N−1}/(1 − (1 − q)^N), strictly decreasing from +∞ to 0; q_y = 0 where η_y = 0, as an infimum at
z_y → −∞). :func:`pass_at_n_optimal_probabilities` solves it by nested solve in logit space (inner: q_y from
μ/η_y; outer: log μ such that Σ q = 1), then renormalises (a feasible point, so C* is an upper estimate accurate
to rounding). q* preserves the ranking of η strictly and is flatter than η (``verifications/chen2025_pass_at_n.py``).
The solver: interpolation plus Newton for the inner inversion, safeguarded Newton for the outer multiplier.

References: F. Chen, A. Raventós, N. Cheng, S. Ganguli, S. Druckmann, "Rethinking Fine-Tuning when Scaling
Test-Time Compute: Limiting Confidence Improves Mathematical Reasoning", arXiv:2502.07154, 2025 (the pass@N
objective; the exact form used here, −log(1 − (1 − p_y)^N), is the one stated in our brief, RECONSTRUCTED).
"""
from __future__ import annotations

import math

import numpy as np

from .._validation import InputError, check_bool, check_integer, check_probability
from .analytic_loss import AnalyticLoss
from .compsum_values import _check_scores_labels

__all__ = [
    "PassAtNLoss",
    "log1mexp",
    "pass_at_n_best_risk",
    "pass_at_n_loss",
    "pass_at_n_loss_and_grad",
    "pass_at_n_optimal_probabilities",
    "pass_at_n_weight",
]

_UNDERFLOW = -700.0


def log1mexp(x):
    """log(1 − eˣ) for x ≤ 0, accurately (Mächler's switch at x = −log 2); −inf at x = 0.

    Parameters
    ----------
    x : array
        Non-positive reals.

    Returns
    -------
    ndarray
        log(1 − eˣ).

    References
    ----------
    M. Mächler, "Accurately Computing log(1 − exp(−|a|))", R package Rmpfr vignette, 2012.
    """
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(divide="ignore"):
        near = np.log(-np.expm1(np.minimum(x, -0.0)))
        far = np.log1p(-np.exp(np.minimum(x, 0.0)))
    return np.where(x > -np.log(2.0), near, far)


def _check_n_attempts(n_attempts):
    return check_integer("n_attempts", n_attempts, minimum=1)


def _logs(h, y):
    """(log p_y, log(1 − p_y), softmax p) per row, from the log-softmax."""
    m = h.max(-1, keepdims=True)
    z = h - m
    lsm = z - np.log(np.exp(z).sum(-1, keepdims=True))
    rows = np.arange(h.shape[0])
    lp = lsm[rows, y]
    others = lsm.copy()
    others[rows, y] = -np.inf
    mo = others.max(-1, keepdims=True)
    with np.errstate(invalid="ignore"):
        lo_big = (mo + np.log(np.exp(others - mo).sum(-1, keepdims=True)))[:, 0]
    lo_big = np.where(np.isfinite(mo[:, 0]), lo_big, -np.inf)
    py = np.exp(lp)
    l1m = np.where(py < 0.5, np.log1p(-np.minimum(py, 0.5)), lo_big)
    return lp, l1m, np.exp(lsm)


def _value_from_logs(lp, l1m, N):
    with np.errstate(divide="ignore"):
        v = -log1mexp(N * l1m)
    return np.where(lp < _UNDERFLOW, -np.log(N) - lp, v)


def _log_weight_from_logs(lp, l1m, N):
    if N == 1:
        return np.zeros_like(lp)
    with np.errstate(divide="ignore", invalid="ignore"):
        lw = np.log(N) + lp + (N - 1) * l1m - log1mexp(N * l1m)
    lw = np.where(l1m == -np.inf, -np.inf, lw)  # p_y = 1 exactly: F_N(1) = 0
    return np.where(lp < _UNDERFLOW, 0.0, lw)


def pass_at_n_loss(scores, labels, n_attempts):
    """ℓ_N(z, y) = −log(1 − (1 − softmax(z)_y)^N) per row (stable form of the module docstring).

    Parameters
    ----------
    scores : array (m, n)
        Logits (no NaN).
    labels : integer array (m,)
        Classes in [0, n).
    n_attempts : int
        N ≥ 1 (N = 1 is cross-entropy).

    Returns
    -------
    ndarray (m,)
        The losses (≥ 0). The gradient: :func:`pass_at_n_loss_and_grad` (F_N(p_y)(p − e_y)).

    Raises
    ------
    InputError
        For malformed scores or labels, or N not an integer ≥ 1.

    References
    ----------
    F. Chen, A. Raventós, N. Cheng, S. Ganguli, S. Druckmann, "Rethinking Fine-Tuning when Scaling Test-Time
    Compute: Limiting Confidence Improves Mathematical Reasoning", arXiv:2502.07154, 2025.
    """
    N = _check_n_attempts(n_attempts)
    _, h, lab = _check_scores_labels(scores, labels)
    lp, l1m, _ = _logs(np.asarray(h, dtype=np.float64), np.asarray(lab))
    return _value_from_logs(lp, l1m, N)


def pass_at_n_loss_and_grad(scores, labels, n_attempts):
    """(ℓ_N, ∇_z ℓ_N) with ∇_z ℓ_N = F_N(p_y)·(p − e_y), F_N(q) = Nq(1 − q)^{N−1}/(1 − (1 − q)^N).

    Parameters
    ----------
    scores : array (m, n)
        Logits (no NaN).
    labels : integer array (m,)
        Classes in [0, n).
    n_attempts : int
        N ≥ 1.

    Returns
    -------
    loss : ndarray (m,)
        The losses.
    grad : ndarray (m, n)
        The gradients.

    Raises
    ------
    InputError
        For malformed scores or labels, or a bad N.

    References
    ----------
    F. Chen, A. Raventós, N. Cheng, S. Ganguli, S. Druckmann, arXiv:2502.07154, 2025 (pass@N objective).
    """
    N = _check_n_attempts(n_attempts)
    _, h, lab = _check_scores_labels(scores, labels)
    return _value_and_grad(np.asarray(h, dtype=np.float64), np.asarray(lab), N)


def _value_and_grad(h, lab, N):
    lp, l1m, p = _logs(h, lab)
    w = np.exp(_log_weight_from_logs(lp, l1m, N))
    g = p.copy()
    g[np.arange(h.shape[0]), lab] -= 1.0
    return _value_from_logs(lp, l1m, N), w[:, None] * g


def pass_at_n_weight(q, n_attempts):
    """F_N(q) = N q (1 − q)^{N−1} / (1 − (1 − q)^N), the gradient factor (F_N(0) := 1, F_N(1) = 0 for N ≥ 2).

    Parameters
    ----------
    q : array
        Probabilities in [0, 1].
    n_attempts : int
        N ≥ 1.

    Returns
    -------
    ndarray
        F_N(q) (≡ 1 for N = 1).

    Raises
    ------
    InputError
        For q outside [0, 1] or a bad N.

    References
    ----------
    F. Chen, A. Raventós, N. Cheng, S. Ganguli, S. Druckmann, arXiv:2502.07154, 2025.
    """
    N = _check_n_attempts(n_attempts)
    q = np.asarray(q, dtype=np.float64)
    if q.dtype.kind != "f" or np.any(~(q >= 0.0)) or np.any(q > 1.0):
        raise InputError("q has entries outside [0, 1]; probabilities in [0, 1] are allowed")
    if N == 1:
        return np.ones_like(q)
    with np.errstate(divide="ignore"):
        lq = np.log(q)
        l1m = np.log1p(-q)
    lw = _log_weight_from_logs(lq, l1m, N)
    return np.where(q == 0.0, 1.0, np.exp(lw))


def _phi(q, N):
    """φ_N(q) = −log(1 − (1 − q)^N) (inf at q = 0)."""
    with np.errstate(divide="ignore"):
        return -log1mexp(N * np.log1p(-q))


def _log_h(u, N):
    """log h_N(q) at q = sigmoid(u): log N + (N−1) log(1−q) − log(1 − (1−q)^N)."""
    l1m = -np.logaddexp(0.0, u)  # log(1 − q)
    with np.errstate(divide="ignore"):
        return np.log(N) + (N - 1) * l1m - log1mexp(N * l1m)


def pass_at_n_optimal_probabilities(eta, n_attempts, *, iters=64):
    """q*(η) = argmin over the simplex of Σ_y η_y φ_N(q_y), φ_N(q) = −log(1 − (1 − q)^N) (module docstring).

    Nested solve: for a multiplier μ, q_y(μ) solves log h_N(q_y) = log μ − log η_y (on the logit
    u = log(q/(1 − q)) ∈ [−700, 40]: interpolation in a table of log h_N, then four Newton steps); the outer
    level finds log μ with Σ_y q_y = 1 by Newton's method safeguarded by bisection inside the bracket
    [min_y log η_y, max_y log η_y] + log h_N(1/K); the result is renormalised. q_y = 0 where η_y = 0.

    Parameters
    ----------
    eta : array (..., n)
        Class probabilities.
    n_attempts : int
        N ≥ 1 (N = 1 returns η).
    iters : int, default 64
        Most outer steps (it stops earlier once Σq = 1 to 1e−14; the renormalised q is feasible, so C* is off
        by second order only).

    Returns
    -------
    ndarray (..., n)
        The minimising probabilities.

    Raises
    ------
    InputError
        For invalid probabilities, N or iters.

    References
    ----------
    F. Chen, A. Raventós, N. Cheng, S. Ganguli, S. Druckmann, arXiv:2502.07154, 2025 (the pass@N objective);
    the Lagrange condition is standard convex optimisation (S. Boyd, L. Vandenberghe, "Convex Optimization",
    2004, §5.5.3).
    """
    N = _check_n_attempts(n_attempts)
    iters = check_integer("iters", iters, minimum=20)
    _, eta = check_probability("eta", eta)
    return _optimal_rows(np.asarray(eta, dtype=np.float64), N, iters)


_U_LO, _U_HI = -700.0, 40.0
_TABLES = {}


def _table(N):
    """(log h_N on a decreasing order, u grid) for the interpolated first guess of the inner inversion."""
    if N not in _TABLES:
        u = np.linspace(_U_LO, _U_HI, 8001)
        _TABLES[N] = (_log_h(u, N)[::-1], u[::-1])
    return _TABLES[N]


def _dlog_h(u, N):
    """d log h_N / du at q = sigmoid(u): −q·[(N − 1) + N/expm1(−N log(1 − q))]."""
    q = 0.5 * (1.0 + np.tanh(0.5 * u))
    l1m = -np.logaddexp(0.0, u)
    with np.errstate(divide="ignore", over="ignore"):
        return -q * (N - 1) - N * q / np.expm1(-N * l1m)


def _inner(target, N):
    """u with log h_N(sigmoid(u)) = target (elementwise): interpolation, then Newton steps (clipped)."""
    lh, ug = _table(N)
    t = np.clip(target, lh[0], lh[-1])
    u = np.interp(t, lh, ug)
    for _ in range(4):
        d = _dlog_h(u, N)
        u = np.clip(u - (_log_h(u, N) - t) / d, _U_LO, _U_HI)
    return u


def _optimal_rows(E, N, iters=64):
    E = np.asarray(E, dtype=np.float64)
    if N == 1:
        return E / E.sum(-1, keepdims=True)
    pos = E > 0
    with np.errstate(divide="ignore"):
        le = np.where(pos, np.log(np.where(pos, E, 1.0)), np.nan)
    K = E.shape[-1]
    lh_unif = float(_log_h(np.array(-np.log(K - 1.0)), N))  # log h_N(1/K)
    # λ = log μ: at λ = min(log η_y) + log h(1/K) every q_y ≥ 1/K (Σ ≥ 1); at the max every q_y ≤ 1/K
    lo = np.nanmin(le, -1) + lh_unif
    hi = np.nanmax(le, -1) + lh_unif

    def q_and_slope(lam):
        u = _inner(lam[..., None] - np.where(pos, le, 0.0), N)
        q = np.where(pos, 0.5 * (1.0 + np.tanh(0.5 * u)), 0.0)
        dq = np.where(pos, q * (1.0 - q) / _dlog_h(u, N), 0.0)  # dq/dλ (negative)
        return q, dq

    lam = 0.5 * (lo + hi)
    for _ in range(iters):
        q, dq = q_and_slope(lam)
        g = q.sum(-1) - 1.0
        lo = np.where(g > 0, lam, lo)  # Σq too large: λ must grow
        hi = np.where(g > 0, hi, lam)
        slope = dq.sum(-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = lam - g / slope
        ok = np.isfinite(newton) & (newton > lo) & (newton < hi)
        step = np.where(ok, newton, 0.5 * (lo + hi))
        if np.all(np.abs(step - lam) <= 1e-15 * (1.0 + np.abs(lam))) and np.all(np.abs(g) < 1e-14):
            lam = step
            break
        lam = step
    q, _ = q_and_slope(lam)
    return q / q.sum(-1, keepdims=True)


def _risk_at(E, Q, N):
    with np.errstate(invalid="ignore"):
        return np.where(E > 0, E * _phi(Q, N), 0.0).sum(-1)


def pass_at_n_best_risk(eta, n_attempts):
    """C*(η) = min over the simplex of Σ_y η_y φ_N(q_y), at :func:`pass_at_n_optimal_probabilities`.

    Parameters
    ----------
    eta : array (..., n)
        Class probabilities.
    n_attempts : int
        N ≥ 1 (N = 1: the Shannon entropy).

    Returns
    -------
    ndarray or float
        C*(η) (computed with log1p/log1mexp, accurate for large N where C* ≈ Σ η_y (1 − q_y)^N ≪ 1).

    Raises
    ------
    InputError
        For invalid probabilities or N.

    References
    ----------
    F. Chen, A. Raventós, N. Cheng, S. Ganguli, S. Druckmann, arXiv:2502.07154, 2025.
    """
    N = _check_n_attempts(n_attempts)
    _, eta = check_probability("eta", eta)
    E = np.asarray(eta, dtype=np.float64)
    out = _risk_at(E, _optimal_rows(E, N), N)
    return float(out) if out.ndim == 0 else out


class PassAtNLoss(AnalyticLoss):
    """The pass@N loss as a Loss: values, gradient F_N(p_y)(p − e_y), C(h, p), C*(p) by the exact solver.

    By default C* is the generic numerical minimisation of CallableLoss (``has_closed_best_risk`` False), which
    the calibration searches call on single rows many times; ``exact_best_risk=True`` uses the nested
    solver instead (exact, a few ms per call whatever the number of rows: meant for batches).

    Parameters
    ----------
    n_attempts : int
        N ≥ 1.
    exact_best_risk : bool, default False
        Use :func:`pass_at_n_best_risk`'s solver for C*.

    References
    ----------
    F. Chen, A. Raventós, N. Cheng, S. Ganguli, S. Druckmann, "Rethinking Fine-Tuning when Scaling Test-Time
    Compute: Limiting Confidence Improves Mathematical Reasoning", arXiv:2502.07154, 2025.
    """

    def __init__(self, n_attempts, exact_best_risk=False):
        N = _check_n_attempts(n_attempts)
        exact_best_risk = check_bool("exact_best_risk", exact_best_risk)
        self.n_attempts = N

        def fn(h, y):
            lp, l1m, _ = _logs(h, y)
            return _value_from_logs(lp, l1m, N)

        def grad(h, y):
            return _value_and_grad(h, y, N)

        def risk(P, H):
            m = H.max(-1, keepdims=True)
            z = H - m
            lsm = z - np.log(np.exp(z).sum(-1, keepdims=True))
            q = np.exp(lsm)
            # log(1 − q_y) = log Σ_{k≠y} q_k, accurate also for q_y near 1 (log1p(−q) below ½)
            n = H.shape[-1]
            M = np.where(np.eye(n, dtype=bool), -np.inf, lsm[..., None, :])  # row y: lsm without class y
            mo = M.max(-1)
            with np.errstate(invalid="ignore"):
                lo = mo + np.log(np.exp(M - np.where(np.isfinite(mo), mo, 0.0)[..., None]).sum(-1))
            l1m = np.where(q < 0.5, np.log1p(-np.minimum(q, 0.5)), lo)
            with np.errstate(divide="ignore", invalid="ignore"):
                V = np.where(lsm < _UNDERFLOW, -np.log(N) - lsm, -log1mexp(N * l1m))
                return np.where(P > 0, P * V, 0.0).sum(-1)

        def risk1(p, h):
            m = max(h)
            lse = m + math.log(sum(math.exp(v - m) for v in h))
            lsm = [v - lse for v in h]
            out = 0.0
            for y, py in enumerate(p):
                if py <= 0:
                    continue
                if lsm[y] < _UNDERFLOW:
                    out += py * (-math.log(N) - lsm[y])
                    continue
                q = math.exp(lsm[y])
                if q < 0.5:
                    l1m = math.log1p(-q)
                else:
                    others = [v for k, v in enumerate(lsm) if k != y]
                    mo = max(others)
                    l1m = -math.inf if mo == -math.inf else mo + math.log(sum(math.exp(v - mo) for v in others))
                x = N * l1m
                if x == -math.inf:
                    continue  # (1 − q)^N = 0: loss 0
                out -= py * (math.log(-math.expm1(x)) if x > -math.log(2.0) else math.log1p(-math.exp(x)))
            return out

        def best(P):
            return _risk_at(P, _optimal_rows(P, N), N)

        super().__init__(fn, grad, f"pass_at_{N}", N == 1, False, {"n_attempts": N},
                         best_fn=best if exact_best_risk else None, risk_fn=risk, risk1_fn=risk1)
