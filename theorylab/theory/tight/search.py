"""The tight error transformation T^true(t) of any Loss: the structured comp-sum search (protocol E3 of the
claim notes), the generic joint search for multi-class losses, the margin search for n = 2.

T(t) = inf { C_τ(h, p) − C*_τ(p) : p ∈ Δ_n, h a score vector predicting a class whose 0-1 conditional
regret max_y p_y − p_pred equals t } over h ∈ ℝⁿ (complete) or h ∈ [−Λ, Λ]ⁿ (box); definition of the error
transformation in Mao, Mohri, Zhong, "H-Consistency Bounds: Characterization and Extensions" (NeurIPS 2023)
as reconstructed in ``shared/claims/surrogate-losses.md`` §1 and E3.

Structured reduction (each step is provably valid):

1. Permutation symmetry: class 0 is predicted, class 1 is the most likely: p = (m − t, m, r_2, …, r_{n−1}),
   r_j ≤ m, Σ p = 1, m ∈ [max(t, (1+t)/n), (1+t)/2].
2. For fixed p the inner infimum over h with h_0 = max h is solved in closed form:
   * τ < 2: Σ p_j Ψ_τ(s_j) is convex in s = softmax(h) and the image of ℝⁿ (or of the box, the polytope
     {s : s_i ≤ e^{2Λ} s_j}) is convex, so the KKT conditions with the constraints s_0 ≥ s_j give a
     pooled solution: the tie set S = {0} ∪ {top k−1 classes}, p̄ = p averaged over S, value C*(p̄)
     (over all k whose pooled vector keeps class 0 maximal).
   * τ ≥ 2: Ψ_τ is concave, the optimum is a vertex: s uniform on S ∋ 0 (box: S at Λ, the rest at −Λ).
3. The outer infimum over p (n − 2 free coordinates) is a global search: structured candidates (edges of
   the p-polytope), random candidates (evaluated in one numba-parallel pass), then Nelder–Mead refinement
   of the best few. The result is an upper estimate of T(t) that is exact for n = 2 and, for τ ≥ 2, at
   polytope vertices.

The same search is written in plain NumPy (:func:`regret_rows_numpy`) for the benchmark.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.optimize import minimize

from ..._fastpath import use_fast
from ..._validation import (InputError, check_finite, check_generator, check_in_unit_interval, check_integer,
                           check_positive, check_probability, check_real, real_namespace)
from ...losses.base import Loss
from ...losses.compsum import (CompSumLoss, best_conditional_risk, best_scores, check_bound, check_n, check_tau,
                              conditional_risk)
from ..margin_transforms import binary_transform_numeric
from .kernels import best_candidate as _best_candidate
from .kernels import map_rows as _map_rows
from .kernels import map_to_p as _map_to_p
from .kernels import order_classes as _order
from .kernels import pooled_value as _pooled_value
from .kernels import regret_one as _regret_one
from .kernels import regret_rows as _regret_rows

def _check_t(t) -> float:
    """The 0-1 regret t: one real number in [0, 1]."""
    t = check_real("t", t, allowed="a number in [0, 1]")
    check_in_unit_interval("t", t)
    return t


def _check_raw_rows(X, n):
    """Raw candidate coordinates: a finite (N, n − 1) array (float64, C-contiguous for the kernels)."""
    _, (X,) = real_namespace(X=X)
    X = np.ascontiguousarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != n - 1 or X.shape[0] == 0:
        raise InputError(f"X has shape {X.shape}; raw candidate rows of shape (N, n - 1) = (N, {n - 1}), N >= 1, "
                         "are allowed")
    check_finite("X", X, np)
    return X


def _check_rows(P):
    """Probability rows: a (N, n) array, n >= 2, each row a probability vector (float64, C-contiguous)."""
    _, (P,) = real_namespace(P=P)
    P = np.ascontiguousarray(P, dtype=np.float64)
    if P.ndim != 2 or P.shape[0] == 0:
        raise InputError(f"P has shape {P.shape}; a (N, n) array of probability rows, N >= 1, is allowed")
    check_probability("P", P, np)
    return np.clip(P, 0.0, 1.0)


def best_candidate(X, t, n, tau, bound=None, *, fast=None):
    """(min, argmin) over raw candidate rows X (see :func:`map_rows_numpy`) of the inner-minimised regret.

    The candidate stage of the E3 search: map each row to p, take the closed-form inner infimum
    (:func:`regret_rows`), keep the first minimiser. The numba path fuses the three into one pass.

    Parameters
    ----------
    X : array (N, n − 1)
        Raw candidate coordinates (finite).
    t : float
        0-1 regret t ∈ [0, 1].
    n : int
        Number of classes ≥ 2.
    tau : float
        τ ≥ 0.
    bound : float, optional
        Score bound Λ > 0; None for complete scores.
    fast : bool or None, default None
        The fast-path switch (:func:`theorylab._fastpath.use_fast`): True the fused numba kernel, False the
        NumPy reference (:func:`map_rows_numpy`, :func:`regret_rows_numpy`; complete scores only), None the
        kernel when the package switch is on.

    Returns
    -------
    value : float
        The smallest regret.
    index : int
        The first row attaining it.

    Raises
    ------
    InputError
        For invalid X, t, n, τ, Λ or fast, or ``fast=False`` with a bound.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds: Characterization and Extensions", NeurIPS 2023 (the error
    transformation whose outer infimum the candidates sample).
    """
    tau = check_tau(tau)
    lam = check_bound(bound)
    t, n = _check_t(t), check_n(n)
    X = _check_raw_rows(X, n)
    if not use_fast(fast, numpy_inputs=True):
        vals = regret_rows(map_rows_numpy(X, t, n), tau, lam, fast=False)
        i = int(np.argmin(vals))
        return float(vals[i]), i
    v, i = _best_candidate(X, t, n, tau, -1.0 if lam is None else lam, 64)
    return float(v), int(i)


def regret_rows(P, tau, bound=None, *, fast=None):
    """Inner-minimised surrogate regret inf_{h: class 0 predicted} C_τ(h,p) − C*_τ(p) for each row p of P.

    The inner infimum is closed-form: for τ < 2 a pooled solution (tie set S = {0} ∪ top k−1 classes, value
    C*(p̄)); for τ ≥ 2 a vertex (s uniform on S ∋ 0). Numba kernel.

    Parameters
    ----------
    P : array (N, n)
        Probability rows, n ≥ 2.
    tau : float
        τ ≥ 0.
    bound : float, optional
        Score bound Λ > 0; None for complete scores.
    fast : bool or None, default None
        The fast-path switch (:func:`theorylab._fastpath.use_fast`): True the numba kernel, False the NumPy
        reference :func:`regret_rows_numpy` (complete scores only), None the kernel when the package switch
        is on.

    Returns
    -------
    ndarray (N,)
        The regrets.

    Raises
    ------
    InputError
        For invalid τ, Λ, probability rows or fast, or ``fast=False`` with a bound (no reference for the box).

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds: Characterization and Extensions", NeurIPS 2023 (the error
    transformation); A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and
    Applications", ICML 2023, arXiv:2304.07288 (comp-sum losses).
    """
    tau = check_tau(tau)
    lam = check_bound(bound)
    P = _check_rows(P)
    if not use_fast(fast, numpy_inputs=True):
        if lam is not None:
            raise InputError(f"fast=False with bound={bound!r} is not allowed: the NumPy reference covers complete "
                             "scores only; use fast=None or True")
        return regret_rows_numpy(P, tau)
    out = np.empty(P.shape[0])
    _regret_rows(P, tau, -1.0 if lam is None else lam, out)
    return out


# ------------------------------------------------------------------ NumPy reference (same search)


def regret_rows_numpy(P, tau):
    """Plain NumPy version of the complete-scores regret kernel, the same algorithm as the numba kernel.

    Class 0 first, the rest sorted decreasingly, running sums, f evaluated once per entry, the pooled value
    only at the first feasible tie-set size k*, precomputed Ψ_τ(1/k) for τ ≥ 2. Vectorised over rows.

    Parameters
    ----------
    P : array (N, n)
        Probability rows.
    tau : float
        τ ≥ 0.

    Returns
    -------
    ndarray (N,)
        inf_{h: class 0 predicted} C_τ(h, p) − C*_τ(p) per row (complete scores).

    Raises
    ------
    InputError
        For invalid τ or probability rows.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds: Characterization and Extensions", NeurIPS 2023 (the error
    transformation).
    """
    tau = check_tau(tau)
    P = _check_rows(P)
    N, n = P.shape
    Q = np.concatenate([P[:, :1], -np.sort(-P[:, 1:], axis=1)], axis=1)  # class 0 first, then decreasing
    cum = np.cumsum(Q, axis=1)
    ks = np.arange(1, n + 1)
    mx = P.max(1)
    if tau >= 2:
        psi_k = -np.expm1((tau - 1.0) * np.log(1.0 / ks)) / (tau - 1.0)
        vals = cum * psi_k + (1 - cum) / (tau - 1)
        return vals.min(1) - (1 - mx) / (tau - 1)

    def f(x):
        with np.errstate(divide="ignore", invalid="ignore"):
            if tau == 1:
                return np.where(x > 0, x * np.log(np.where(x > 0, x, 1.0)), 0.0)
            if tau == 1.5:
                return x * x  # x ≥ 0: the same exact product as the numba kernel
            if tau == 0:
                return np.sqrt(np.maximum(x, 0.0))
            return np.where(x > 0, np.where(x > 0, x, 1.0) ** (1.0 / (2.0 - tau)), 0.0)

    def cstar_diff(S, total):  # C*(S) − C*(total), as :func:`_cstar_diff`
        if tau == 1:
            return total - S
        if tau == 1.5:
            return 2.0 * (np.sqrt(total) - np.sqrt(S))
        if tau == 0.5:
            return 2.0 * (S * np.sqrt(S) - total * np.sqrt(total))
        if tau == 0:
            return S * S - total * total
        return (np.expm1((2.0 - tau) * np.log(total)) - np.expm1((2.0 - tau) * np.log(S))) / (tau - 1.0)

    fq = f(Q)
    cf = np.cumsum(fq, axis=1)
    total = cf[:, -1]
    avg = cum / ks
    feas = np.ones_like(avg, dtype=bool)
    feas[:, :-1] = Q[:, 1:] <= avg[:, :-1] + 1e-15
    kk = np.argmax(feas, axis=1)  # k* − 1: the first feasible tie-set size (k = n always is)
    rows = np.arange(N)
    tail = np.where(kk < n - 1, total - cf[rows, kk], 0.0)
    return cstar_diff((kk + 1) * f(avg[rows, kk]) + tail, total)


def map_rows_numpy(X, t, n):
    """Plain NumPy version of the candidate map: raw coordinates ↦ p = (m − t, m, r_2, …, r_{n−1}).

    m = lo + (hi − lo)·clip(x_0, 0, 1) with lo = max(t, (1+t)/n), hi = (1+t)/2; the r_j ∝ |x_j| share
    1 + t − 2m, capped at m (the excess redistributed).

    Parameters
    ----------
    X : array (N, n − 1)
        Raw candidate coordinates (finite).
    t : float
        0-1 regret t ∈ [0, 1].
    n : int
        Number of classes ≥ 2.

    Returns
    -------
    ndarray (N, n)
        Probability rows with class 1 most likely and p_1 − p_0 = t.

    Raises
    ------
    InputError
        For invalid t, n or X.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds: Characterization and Extensions", NeurIPS 2023 (the error
    transformation, whose outer infimum this parametrises).
    """
    t, n = _check_t(t), check_n(n)
    X = _check_raw_rows(X, n)
    lo = max(t, (1.0 + t) / n)
    hi = (1.0 + t) / 2.0
    m = lo + (hi - lo) * np.clip(X[:, 0], 0, 1)
    R = 1.0 + t - 2.0 * m
    P = np.empty((X.shape[0], n))
    P[:, 0] = m - t
    P[:, 1] = m
    if n > 2:
        W = np.abs(X[:, 1:])
        ws = W.sum(1, keepdims=True)
        r = np.where(ws > 0, R[:, None] * W / np.where(ws > 0, ws, 1), (R / (n - 2))[:, None])
        excess = np.maximum(r - m[:, None], 0).sum(1)
        r = np.minimum(r, m[:, None])
        head = (m[:, None] - r).sum(1)
        f = np.where((excess > 0) & (head > 0), excess / np.where(head > 0, head, 1), 0.0)
        P[:, 2:] = r + f[:, None] * (m[:, None] - r)
    return P


# ------------------------------------------------------------------------------------ the search


def _structured_candidates(t, n, n_m=33):
    """Edges of the reduced p-polytope: q of the r_j at the cap m, one fractional, the rest 0."""
    lo = max(t, (1.0 + t) / n)
    hi = (1.0 + t) / 2.0
    rows = []
    for m in np.linspace(lo, hi, n_m):
        R = 1.0 + t - 2.0 * m
        base = np.zeros(n)
        base[0], base[1] = m - t, m
        if n == 2:
            rows.append(base)
            continue
        q = int(min(n - 2, math.floor(R / m + 1e-12))) if m > 0 else 0
        r = np.zeros(n - 2)
        r[:q] = m
        if q < n - 2:
            r[q] = max(R - q * m, 0.0)
        p = base.copy()
        p[2:] = r
        rows.append(p)
        if n > 3:  # the same mass spread evenly
            p2 = base.copy()
            p2[2:] = R / (n - 2)
            rows.append(p2)
    return np.array(rows)


def _search(t, n, tau, lam, rng, n_random, n_refine):
    """Global search over p (structured + random + Nelder–Mead); returns (value, p)."""
    P = _structured_candidates(t, n)
    if n > 2 and n_random > 0:
        X = np.empty((n_random, n - 1))
        X[:, 0] = rng.uniform(0.0, 1.0, n_random)
        gamma = rng.uniform(0.3, 4.0, (n_random, 1))
        X[:, 1:] = rng.exponential(1.0, (n_random, n - 2)) ** gamma
        PR = np.empty((n_random, n))
        _map_rows(X, t, n, PR)
        P = np.concatenate([P, PR])
    vals = np.empty(P.shape[0])
    _regret_rows(np.ascontiguousarray(P), tau, lam, vals)
    i = int(np.argmin(vals))
    best_v, best_p = float(vals[i]), P[i].copy()
    if n > 2 and n_refine > 0:
        lo = max(t, (1.0 + t) / n)
        hi = (1.0 + t) / 2.0
        pbar = np.empty(n)
        buf = np.empty(n)

        def f(x):
            _map_to_p(x, t, n, buf)
            return _regret_one(buf, tau, lam, pbar)

        for j in np.argsort(vals)[:n_refine]:
            p0 = P[j]
            x0 = np.empty(n - 1)
            x0[0] = 0.0 if hi == lo else (p0[1] - lo) / (hi - lo)
            x0[1:] = p0[2:] + 1e-9
            res = minimize(f, x0, method="Nelder-Mead",
                           options={"xatol": 1e-10, "fatol": 1e-13, "maxiter": 300 * (n - 1), "maxfev": 400 * (n - 1)})
            if res.fun < best_v:
                best_v = float(res.fun)
                _map_to_p(res.x, t, n, buf)
                best_p = buf.copy()
    return max(best_v, 0.0) if best_v > -1e-12 else best_v, best_p


def _witness_h(p, tau, lam):
    """Scores attaining the inner infimum for p (class 0 predicted; ties broken towards class 0 by ε)."""
    n = p.shape[0]
    order = _order(p)
    pbar = np.empty(n)
    vals = [_pooled_value(p, order, k, tau, -1.0 if lam is None else lam, pbar) for k in range(1, n + 1)]
    k = int(np.argmin(vals)) + 1
    S = [int(j) for j in order[:k]]
    if tau >= 2:
        h = np.full(n, -np.inf if lam is None else -lam)
        h[S] = 0.0 if lam is None else lam
    else:
        cum = p[order[:k]].sum() / k
        pbar = p.copy()
        pbar[order[:k]] = cum
        h = best_scores(pbar, tau, lam)
    return h, S


# ------------------------------------------------- multi-class max / sum / constrained losses (§9)


def forced_scores(loss, D):
    """Scores predicting class 0 from free coordinates d ∈ ℝ^{n−1} (vectorised over leading axes).

    h_j = h_0 − d_j² (so h_0 = max h; d_j = 0 is a tie), with h_0 = 0 (max/sum losses, shift invariant) or
    h_0 = Σ_j d_j²/n (constrained losses: Σ_y h_y = 0).

    Parameters
    ----------
    loss : Loss
        A multi-class loss (its ``constrained`` decides the constraint).
    D : array (..., n − 1)
        Free coordinates.

    Returns
    -------
    ndarray (..., n)
        The scores.

    Raises
    ------
    InputError
        When loss is not a multi-class Loss or D is not real with a non-empty last axis.

    References
    ----------
    P. Awasthi, A. Mao, M. Mohri, Y. Zhong, "Multi-Class H-Consistency Bounds", NeurIPS 2022.
    """
    _check_multiclass(loss)
    _, (D,) = real_namespace(D=D)
    D = np.asarray(D, dtype=np.float64)
    if D.ndim < 1 or D.shape[-1] < 1:
        raise InputError(f"D has shape {D.shape}; free coordinates (..., n - 1) with n >= 2 are allowed")
    sq = D * D
    h0 = sq.sum(-1, keepdims=True) / (sq.shape[-1] + 1) if loss.constrained else np.zeros(sq.shape[:-1] + (1,))
    return np.concatenate([h0, h0 - sq], axis=-1)


def _multiclass_candidates(t, n, rng, n_random):
    """Joint (p, d) candidates: structured and random p (as for comp-sum), each with a random tie pattern
    (class 0 tied with the k−1 most likely other classes, d = 0 there) and random d elsewhere on
    log-uniform scales 10^{−2..1}."""
    P = _structured_candidates(t, n)
    if n > 2 and n_random > 0:
        X = np.empty((n_random, n - 1))
        X[:, 0] = rng.uniform(0.0, 1.0, n_random)
        X[:, 1:] = rng.exponential(1.0, (n_random, n - 2)) ** rng.uniform(0.3, 4.0, (n_random, 1))
        PR = np.empty((n_random, n))
        _map_rows(X, t, n, PR)
        P = np.concatenate([P, PR])
    reps = max(1, (n_random or 200) // max(len(P), 1)) if n == 2 else 4
    P = np.repeat(P, reps, axis=0)
    N = len(P)
    D = rng.exponential(1.0, (N, n - 1)) * 10.0 ** rng.uniform(-2, 1, (N, 1))
    k = rng.integers(1, n + 1, N)  # tie-set size (class 0 included)
    rank = np.argsort(np.argsort(-P[:, 1:], axis=1), axis=1)  # 0 = most likely of classes 1..n−1
    D[rank < (k - 1)[:, None]] = 0.0
    return P, D


def multiclass_tight_transform(loss, t, n, *, rng=None, n_random=2000, n_refine=4):
    """Brute-force tight transform of a multi-class max/sum/constrained loss.

    T(t) = inf { C(h, p) − C*(p) : p = (m − t, m, r_2, …), r_j ≤ m, h_0 = max h } (class 0 predicted,
    class 1 most likely; constrained losses: Σh = 0). Joint search over (p, h) with h from
    :func:`forced_scores`: structured + random candidates evaluated in one vectorised pass, then multistart
    Nelder–Mead in the joint coordinates from the ``n_refine`` best. C*(p) is the loss's closed form
    (:meth:`MulticlassLoss.best_conditional_risk`); for losses without one it is a multistart minimisation
    per candidate (slow; few candidates). The value is an upper estimate of T(t).

    Parameters
    ----------
    loss : Loss
        A multi-class loss (a :class:`~theorylab.losses.base.Loss` that is not a margin loss): the search uses
        only its protocol methods ``conditional_risk_rows``, ``best_conditional_risk_rows``,
        ``has_closed_best_risk`` and ``constrained``.
    t : float
        0-1 regret t ∈ [0, 1].
    n : int
        Number of classes ≥ 2.
    rng : numpy.random.Generator, optional
        Random candidates (``default_rng(0)`` when None).
    n_random : int, default 2000
        Number of random candidates (≥ 0; at most 50 without a closed-form C*).
    n_refine : int, default 4
        Number of best candidates refined by Nelder–Mead (≥ 1).

    Returns
    -------
    value : float
        Upper estimate of T(t).
    witness : dict
        ``p``, ``h`` and ``tie`` (classes tied with class 0), as :func:`tight_transform`.

    Raises
    ------
    InputError
        For a non-multiclass loss or invalid n, t, rng, n_random, n_refine.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds: Characterization and Extensions", NeurIPS 2023 (tight bounds
    for constrained losses, the error transformation); P. Awasthi, A. Mao, M. Mohri, Y. Zhong, "Multi-Class
    H-Consistency Bounds", NeurIPS 2022 (max and sum losses).
    """
    _check_multiclass(loss)
    n = check_n(n)
    t = _check_t(t)
    rng = check_generator("rng", rng, optional=True)
    n_random = check_integer("n_random", n_random, minimum=0)
    n_refine = check_integer("n_refine", n_refine)
    rng = np.random.default_rng(0) if rng is None else rng
    if t == 0.0:
        return 0.0, {"p": np.full(n, 1.0 / n), "h": np.zeros(n), "tie": list(range(n))}
    closed = loss.has_closed_best_risk
    if not closed:
        n_random = min(n_random, 50)
    P, D = _multiclass_candidates(t, n, rng, n_random if n > 2 else 0)
    with np.errstate(over="ignore", invalid="ignore"):
        vals = loss.conditional_risk_rows(P, forced_scores(loss, D)) - loss.best_conditional_risk_rows(P)
    vals = np.where(np.isnan(vals), np.inf, vals)
    buf = np.empty(n)
    h = np.empty(n)

    def f(z):
        _map_to_p(z[: n - 1], t, n, buf)
        sq = z[n - 1:] ** 2
        h[0] = sq.sum() / n if loss.constrained else 0.0
        h[1:] = h[0] - sq
        with np.errstate(over="ignore", invalid="ignore"):
            v = float(loss.conditional_risk_rows(buf, h) - loss.best_conditional_risk_rows(buf))
        return v if v == v else np.inf

    best_v, best_z = np.inf, None
    for j in np.argsort(vals)[:n_refine]:
        p0 = P[j]
        lo, hi = max(t, (1.0 + t) / n), (1.0 + t) / 2.0
        z = np.concatenate([[0.0 if hi == lo else (p0[1] - lo) / (hi - lo)], p0[2:] + 1e-9, D[j]])
        fz = f(z)
        for _ in range(3):  # Nelder–Mead restarts from its own optimum (fresh simplex)
            r = minimize(f, z, method="Nelder-Mead",
                         options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 400 * len(z), "maxfev": 500 * len(z),
                                  "adaptive": len(z) > 4})
            if r.fun >= fz - 1e-15:
                break
            z, fz = r.x, float(r.fun)
        if fz < best_v:
            best_v, best_z = fz, z
    p = np.empty(n)
    _map_to_p(best_z[: n - 1], t, n, p)
    d = best_z[n - 1:]
    h = forced_scores(loss, d)
    tie = [0] + [j + 1 for j in range(n - 1) if d[j] * d[j] < 1e-9]
    return best_v, {"p": p, "h": h, "tie": tie}


def tight_transform(loss, t, n, bound=None, *, rng=None, n_random=20_000, n_refine=4):
    """The tight error transformation T(t) and a minimising (p, h).

    T(t) = inf { C_ℓ(h, p) − C*_ℓ(p) : p ∈ Δ_n, h predicting a class with 0-1 conditional regret
    max_y p_y − p_pred = t }, over h ∈ ℝⁿ (complete) or [−Λ, Λ]ⁿ (box), by the structured global search of
    the module docstring.

    Parameters
    ----------
    loss : Loss or ("comp_sum", τ)
        Any :class:`~theorylab.losses.base.Loss`; its declared ``tight_search`` picks the search: a
        comp-sum loss (``CompSumLoss(τ)``, or the shorthand ``("comp_sum", τ)`` converted once here) the
        structured search; a binary margin loss (n = 2) the one-dimensional search; a multi-class loss
        (e.g. :mod:`theorylab.losses.multiclass`) the generic, slow joint search.
    t : float in [0, 1]
        Zero-one conditional regret.
    n : int ≥ 2
        Number of classes.
    bound : float > 0 or None
        Scores boxed in [−Λ, Λ]ⁿ; None for the complete hypothesis set.
    rng : numpy.random.Generator, optional
        Random candidates (default: ``default_rng(0)``).
    n_random : int, default 20000
        Number of random candidates (≥ 0).
    n_refine : int, default 4
        Number of best candidates refined by Nelder–Mead (≥ 0).

    Returns
    -------
    value : float
        Upper estimate of inf{ΔC_ℓ(h, p) : ΔC_01(h, p) = t} (exact at n = 2 and for τ ≥ 2 vertices).
    witness : dict
        ``p`` (class 0 predicted, class 1 most likely), ``h`` (scores; −inf means "→ −∞"), ``tie``
        (classes tied with class 0; perturb h_0 up by ε to predict class 0 strictly).

    Raises
    ------
    InputError
        For an unsupported loss, a bound with a multiclass loss, n ≠ 2 with a margin loss, or invalid arguments.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds: Characterization and Extensions", NeurIPS 2023 (definition of
    the error transformation); the search is this project's (protocol E3 of the claim
    notes, shared/claims/surrogate-losses.md).
    """
    n = check_n(n)
    t = _check_t(t)
    lam = check_bound(bound)
    rng = check_generator("rng", rng, optional=True)
    n_random = check_integer("n_random", n_random, minimum=0)
    n_refine = check_integer("n_refine", n_refine, minimum=0)
    rng = np.random.default_rng(0) if rng is None else rng
    loss = as_loss(loss)  # the one conversion: ("comp_sum", τ) → CompSumLoss(τ)
    return _SEARCHES[loss.tight_search](loss, t, n, bound, lam, rng, n_random, n_refine)


def as_loss(loss) -> Loss:
    """The loss object for ``loss``: a :class:`~theorylab.losses.base.Loss` as is, the shorthand
    ``("comp_sum", τ)`` as ``CompSumLoss(τ)``.

    Parameters
    ----------
    loss : Loss or ("comp_sum", τ)
        The loss.

    Returns
    -------
    Loss
        The loss object.

    Raises
    ------
    InputError
        For anything else, or an invalid τ.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023,
    arXiv:2304.07288 (the comp-sum family ℓ^τ).
    """
    if isinstance(loss, tuple) and len(loss) == 2 and loss[0] == "comp_sum":
        return CompSumLoss(check_tau(loss[1]))
    if isinstance(loss, Loss):
        return loss
    raise InputError(f"loss={loss!r} is not allowed; use ('comp_sum', tau), a margin loss object or a "
                     "multiclass loss object")


def _comp_sum_search(loss, t, n, bound, lam, rng, n_random, n_refine):
    """The structured comp-sum search (closed-form inner infimum), for a loss declaring it (reads ``tau``)."""
    tau = loss.tau
    if lam is None:
        lam = loss.bound
    if t == 0.0:
        p = np.full(n, 1.0 / n)
        return 0.0, {"p": p, "h": np.zeros(n), "tie": list(range(n))}
    v, p = _search(t, n, tau, -1.0 if lam is None else lam, rng, n_random if n > 2 else 0, n_refine)
    h, S = _witness_h(p, tau, lam)
    return v, {"p": p, "h": h, "tie": S}


def _joint_search(loss, t, n, bound, lam, rng, n_random, n_refine):
    """The generic joint (p, h) search of :func:`multiclass_tight_transform` (complete scores only)."""
    if lam is not None:
        raise InputError(f"bound={bound!r} is not allowed for a multiclass loss object; use bound=None "
                         "(complete scores)")
    return multiclass_tight_transform(loss, t, n, rng=rng, n_random=min(n_random, 4000), n_refine=n_refine)


def _margin_search(loss, t, n, bound, lam, rng, n_random, n_refine):
    """The one-dimensional margin search of :func:`binary_transform_numeric` (n = 2)."""
    if n != 2:
        raise InputError(f"n={n} is not allowed for a binary margin loss; use n=2")
    v, alpha = binary_transform_numeric(loss, t, bound, return_argmin=True)
    return float(v), {"p": np.array([(1 - t) / 2, (1 + t) / 2]), "h": np.array([alpha / 2, -alpha / 2]),
                      "tie": [0]}


_SEARCHES = {"comp_sum": _comp_sum_search, "joint": _joint_search, "margin": _margin_search}


def _check_multiclass(loss):
    """A multi-class Loss (not a margin loss), for the joint search."""
    if not isinstance(loss, Loss) or loss.is_margin:
        raise InputError(f"loss={loss!r} is not allowed; a multiclass loss object (multiclass_loss(kind, phi)) is")


def surrogate_regret(tau, p, h, bound=None):
    """ΔC_τ(h, p) = C_τ(h, p) − C*_τ(p) (box-bounded C* when ``bound`` is given: h must lie in the box).

    Parameters
    ----------
    tau : float
        τ ≥ 0.
    p : array (n,)
        Conditional label distribution.
    h : array (n,)
        Scores.
    bound : float, optional
        Score bound Λ > 0; None for complete scores.

    Returns
    -------
    float
        The conditional surrogate regret.

    Raises
    ------
    InputError
        For invalid arguments or scores outside the box.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023,
    arXiv:2304.07288 (conditional regret of comp-sum losses).
    """
    lam = check_bound(bound)
    if lam is not None:
        _, (hh,) = real_namespace(h=h)
        if np.any(np.abs(np.asarray(hh)) > lam * (1 + 1e-12)):
            raise InputError(f"h has scores outside the box [-{lam:g}, {lam:g}] of bound={bound!r}; the regret "
                             "against the box-bounded C* needs scores inside it")
    return float(conditional_risk(p, h, tau) - best_conditional_risk(p, tau, bound))


def witness_regrets(tau, witness, bound=None, eps=1e-9):
    """(surrogate regret, 0-1 regret) of the ε-perturbed witness (class 0 strictly predicted).

    Parameters
    ----------
    tau : float
        τ ≥ 0.
    witness : dict
        The witness of :func:`tight_transform` (keys ``p``, ``h``).
    bound : float, optional
        Score bound Λ > 0; None for complete scores (−inf scores become −10⁶).
    eps : float, default 1e-9
        Perturbation ε > 0 breaking the ties towards class 0.

    Returns
    -------
    surrogate : float
        ΔC_τ(h, p).
    zero_one : float
        max_y p_y − p_pred.

    Raises
    ------
    InputError
        For a malformed witness or invalid ε, τ, Λ.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds: Characterization and Extensions", NeurIPS 2023 (the error
    transformation is attained in the limit by such witnesses).
    """
    if not isinstance(witness, dict) or "p" not in witness or "h" not in witness:
        raise InputError(f"witness={witness!r} is not allowed; the witness dict of tight_transform (keys p, h) is")
    eps = check_positive("eps", eps)
    _, (p, h) = real_namespace(p=witness["p"], h=witness["h"])
    p = np.asarray(p, dtype=np.float64)
    h = np.array(h, dtype=np.float64)
    if p.ndim != 1 or h.shape != p.shape:
        raise InputError(f"witness p has shape {p.shape} and h has shape {h.shape}; equal shapes (n,) are required")
    lam = check_bound(bound)
    h = np.where(np.isneginf(h), -1e6 if lam is None else -lam, h)
    if lam is not None:
        tied = [j for j in range(len(h)) if j != 0 and h[j] >= h[0]]
        h[tied] = h[0] - eps
    else:
        h[0] += eps
    pred = int(np.argmax(h))
    return surrogate_regret(tau, p, h, bound), float(p.max() - p[pred])


__all__ = ["tight_transform", "multiclass_tight_transform", "forced_scores", "regret_rows", "regret_rows_numpy", "map_rows_numpy", "surrogate_regret",
           "witness_regrets", "as_loss", "best_candidate"]
