"""The candidate stage of the tight comp-sum search: candidate rows ↦ p, and the closed-form inner infimum per row.

The outer infimum of the error transformation runs over p = (m − t, m, r_2, …, r_{n−1}) (class 0 predicted,
class 1 most likely); this module maps raw candidate coordinates to such p (:func:`map_rows_numpy`), takes
the closed-form inner infimum over h for each row (:func:`regret_rows`, :func:`regret_rows_numpy`), fuses
both into one pass (:func:`best_candidate`) and lists the structured candidates (edges of the p-polytope)
that :mod:`.search` and :mod:`.multiclass` start from. The numba kernels are in :mod:`.kernels`; the plain
NumPy versions here are the same algorithm, for the benchmark and the equality tests.

References: Mao, Mohri, Zhong, "H-Consistency Bounds: Characterization and Extensions", NeurIPS 2023 (the
error transformation); Mao, Mohri, Zhong, ICML 2023, arXiv:2304.07288 (comp-sum losses).
"""
from __future__ import annotations

import math

import numpy as np

from ..._fastpath import use_fast
from ..._parallel import numba_threads_for
from ..._validation import (InputError, check_finite, check_in_unit_interval, check_probability, check_real,
                           real_namespace)
from ...losses.compsum import check_bound, check_n, check_tau
from .kernels import best_candidate as _best_candidate
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
    with numba_threads_for(X.shape[0]):
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
    with numba_threads_for(P.shape[0]):
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


# ------------------------------------------------------------------------- structured candidates


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


__all__ = ["best_candidate", "regret_rows", "regret_rows_numpy", "map_rows_numpy"]
