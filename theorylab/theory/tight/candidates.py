"""The candidate stage of the tight comp-sum search: candidate rows ↦ p, and the closed-form inner infimum per row.

The outer infimum of the error transformation runs over p = (m − t, m, r_2, …, r_{n−1}) (class 0 predicted,
class 1 most likely); this module maps raw candidate coordinates to such p (:func:`map_rows_xp`), takes the
closed-form inner infimum over h for each row (:func:`regret_rows_xp`), composes both over a batch of N
candidates (:func:`candidate_regrets`, :func:`best_candidate`) and lists the structured candidates (edges of the
p-polytope) that :mod:`.search` and :mod:`.multiclass` start from.

Two paths, one algorithm, tested equal (``tests/test_tight_xp.py``, ``tests/test_hconsistency.py``):

* the **reference** (:func:`map_rows_xp`, :func:`regret_rows_xp`) is written against the array API and runs in
  the namespace of its input, on its device, in its floating dtype: one array program for all N candidates (sorts,
  cumulative sums and gathers along the class axis, no Python loop over rows), every creation call passing
  ``device=``, the tie tolerance scaled with ``xp.finfo(dtype).eps``. It is what runs for CuPy, torch, JAX or
  array-api-strict inputs (e.g. on a GPU), and for NumPy inputs with ``fast=False``;
* the **fast path** for NumPy float64 inputs is the numba kernels of :mod:`.kernels`, behind the package's
  ``fast=`` switch (:func:`theorylab._fastpath.use_fast`).

:func:`map_rows_numpy` and :func:`regret_rows_numpy` are the old names of the reference (any namespace; kept for
their callers).

References: Mao, Mohri, Zhong, "H-Consistency Bounds: Characterization and Extensions", NeurIPS 2023 (the
error transformation); Mao, Mohri, Zhong, ICML 2023, arXiv:2304.07288 (comp-sum losses).
"""
from __future__ import annotations

import math

import numpy as np
from array_api_compat import array_namespace

from ..._fastpath import use_fast
from ..._parallel import numba_threads_for
from ..._validation import (InputError, array_device, check_finite, check_in_unit_interval, check_probability,
                           check_real, real_namespace)
from ...losses.compsum import check_bound, check_n, check_tau
from .kernels import best_candidate as _best_candidate
from .kernels import regret_rows as _regret_rows

_TIE_TOL64 = 1e-15  # the kernels' tie tolerance in float64 (≈ 4.5 eps); the reference scales it with the dtype's eps


def _check_t(t) -> float:
    """The 0-1 regret t: one real number in [0, 1]."""
    t = check_real("t", t, allowed="a number in [0, 1]")
    check_in_unit_interval("t", t)
    return t


def _is_numpy(a) -> bool:
    return isinstance(a, np.ndarray)


def _check_raw_rows(X, n):
    """Raw candidate coordinates: a finite (N, n − 1) array. NumPy inputs (and Python lists) become float64,
    C-contiguous (for the kernels); arrays of other namespaces keep their namespace, device and floating dtype."""
    xp, (X,) = real_namespace(X=X)
    if _is_numpy(X):
        X = np.ascontiguousarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != n - 1 or X.shape[0] == 0:
        raise InputError(f"X has shape {tuple(X.shape)}; raw candidate rows of shape (N, n - 1) = (N, {n - 1}), "
                         "N >= 1, are allowed")
    check_finite("X", X, xp)
    return X


def _check_rows(P):
    """Probability rows: a (N, n) array, n >= 2, each row a probability vector, clipped to [0, 1]. NumPy inputs
    become float64, C-contiguous; arrays of other namespaces keep their namespace, device and floating dtype."""
    xp, (P,) = real_namespace(P=P)
    if _is_numpy(P):
        P = np.ascontiguousarray(P, dtype=np.float64)
    if P.ndim != 2 or P.shape[0] == 0:
        raise InputError(f"P has shape {tuple(P.shape)}; a (N, n) array of probability rows, N >= 1, is allowed")
    check_probability("P", P, xp)
    return xp.clip(P, 0.0, 1.0)


def best_candidate(X, t, n, tau, bound=None, *, fast=None):
    """(min, argmin) over raw candidate rows X (see :func:`map_rows_xp`) of the inner-minimised regret.

    The candidate stage of the E3 search: map each row to p, take the closed-form inner infimum
    (:func:`regret_rows`), keep the first minimiser. The numba path fuses the three into one pass; the reference
    (:func:`candidate_regrets`) runs in the namespace and on the device of X.

    Parameters
    ----------
    X : array (N, n − 1)
        Raw candidate coordinates (finite), of any array-API namespace.
    t : float
        0-1 regret t ∈ [0, 1].
    n : int
        Number of classes ≥ 2.
    tau : float
        τ ≥ 0.
    bound : float, optional
        Score bound Λ > 0; None for complete scores (the only case of the reference).
    fast : bool or None, default None
        The fast-path switch (:func:`theorylab._fastpath.use_fast`): True the fused numba kernel (NumPy X only),
        False the array-API reference (complete scores only), None the kernel for NumPy X when the package switch
        is on, else the reference.

    Returns
    -------
    value : float
        The smallest regret (a Python float: one scalar read from X's device).
    index : int
        The first row attaining it.

    Raises
    ------
    InputError
        For invalid X, t, n, τ, Λ or fast, ``fast=True`` with non-NumPy X, or the reference with a bound.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds: Characterization and Extensions", NeurIPS 2023 (the error
    transformation whose outer infimum the candidates sample).
    """
    tau = check_tau(tau)
    lam = check_bound(bound)
    t, n = _check_t(t), check_n(n)
    X = _check_raw_rows(X, n)
    if not use_fast(fast, numpy_inputs=_is_numpy(X)):
        if lam is not None:
            raise InputError(f"bound={bound!r} is not allowed on the reference path (fast=False or non-NumPy X): "
                             "it covers complete scores only; use bound=None, or NumPy X with fast=None or True")
        vals = _candidate_regrets_ref(X, t, n, tau)
        i = int(array_namespace(vals).argmin(vals))
        return float(vals[i]), i
    with numba_threads_for(X.shape[0]):
        v, i = _best_candidate(X, t, n, tau, -1.0 if lam is None else lam, 64)
    return float(v), int(i)


def candidate_regrets(X, t, n, tau, *, fast=None):
    """The inner-minimised regret of each of N raw candidate rows: the batched candidate stage, one array program.

    ``regret_rows(map_rows(X, t, n), tau)`` for complete scores: on the namespace, device and floating dtype of X
    (the reference :func:`map_rows_xp` then :func:`regret_rows_xp`), or, for NumPy float64 X with the fast path
    on, the numba kernels. This is the workload a GPU runs for the tight search (``benchmarks/bench_backends.py``).

    Parameters
    ----------
    X : array (N, n − 1)
        Raw candidate coordinates (finite), of any array-API namespace.
    t : float
        0-1 regret t ∈ [0, 1].
    n : int
        Number of classes ≥ 2.
    tau : float
        τ ≥ 0.
    fast : bool or None, default None
        The fast-path switch (:func:`theorylab._fastpath.use_fast`): True the numba kernels (NumPy X only), False
        the reference, None the kernels for NumPy X when the package switch is on, else the reference.

    Returns
    -------
    array (N,)
        The regrets, in X's namespace, on X's device, in X's floating dtype (float64 for NumPy X).

    Raises
    ------
    InputError
        For invalid X, t, n, τ or fast, or ``fast=True`` with non-NumPy X.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds: Characterization and Extensions", NeurIPS 2023 (the error
    transformation whose outer infimum the candidates sample).
    """
    tau = check_tau(tau)
    t, n = _check_t(t), check_n(n)
    X = _check_raw_rows(X, n)
    if not use_fast(fast, numpy_inputs=_is_numpy(X)):
        return _candidate_regrets_ref(X, t, n, tau)
    from .kernels import map_rows as _map_rows
    P = np.empty((X.shape[0], n))
    out = np.empty(X.shape[0])
    with numba_threads_for(X.shape[0]):
        _map_rows(X, t, n, P)
        _regret_rows(P, tau, -1.0, out)
    return out


def regret_rows(P, tau, bound=None, *, fast=None):
    """Inner-minimised surrogate regret inf_{h: class 0 predicted} C_τ(h,p) − C*_τ(p) for each row p of P.

    The inner infimum is closed-form: for τ < 2 a pooled solution (tie set S = {0} ∪ top k−1 classes, value
    C*(p̄)); for τ ≥ 2 a vertex (s uniform on S ∋ 0). Numba kernel for NumPy rows, the array-API reference
    :func:`regret_rows_xp` for rows of any other namespace (on their device, in their dtype).

    Parameters
    ----------
    P : array (N, n)
        Probability rows, n ≥ 2, of any array-API namespace.
    tau : float
        τ ≥ 0.
    bound : float, optional
        Score bound Λ > 0; None for complete scores.
    fast : bool or None, default None
        The fast-path switch (:func:`theorylab._fastpath.use_fast`): True the numba kernel (NumPy P only), False
        the reference :func:`regret_rows_xp` (complete scores only), None the kernel for NumPy P when the package
        switch is on, else the reference.

    Returns
    -------
    array (N,)
        The regrets (P's namespace, device and floating dtype; float64 for NumPy P).

    Raises
    ------
    InputError
        For invalid τ, Λ, probability rows or fast, ``fast=True`` with non-NumPy rows, or the reference with a
        bound (no reference for the box).

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds: Characterization and Extensions", NeurIPS 2023 (the error
    transformation); A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and
    Applications", ICML 2023, arXiv:2304.07288 (comp-sum losses).
    """
    tau = check_tau(tau)
    lam = check_bound(bound)
    P = _check_rows(P)
    if not use_fast(fast, numpy_inputs=_is_numpy(P)):
        if lam is not None:
            raise InputError(f"bound={bound!r} is not allowed on the reference path (fast=False or non-NumPy P): "
                             "it covers complete scores only; use bound=None, or NumPy P with fast=None or True")
        return _regret_rows_ref(P, tau)
    out = np.empty(P.shape[0])
    with numba_threads_for(P.shape[0]):
        _regret_rows(P, tau, -1.0 if lam is None else lam, out)
    return out


# ------------------------------------------------------------------ array-API reference (same search)


def regret_rows_xp(P, tau):
    """Array-API reference of the complete-scores regret kernel: the same algorithm, batched over rows.

    Class 0 first, the rest sorted decreasingly, running sums, f evaluated once per entry, the pooled value
    only at the first feasible tie-set size k* (tie tolerance 1e-15 in float64, the kernels' value, scaled by
    ``xp.finfo(dtype).eps`` in other dtypes), precomputed Ψ_τ(1/k) for τ ≥ 2. Runs in P's namespace, on P's
    device, in P's floating dtype (float32 stays float32).

    Parameters
    ----------
    P : array (N, n)
        Probability rows, of any array-API namespace.
    tau : float
        τ ≥ 0.

    Returns
    -------
    array (N,)
        inf_{h: class 0 predicted} C_τ(h, p) − C*_τ(p) per row (complete scores), in P's namespace and device.

    Raises
    ------
    InputError
        For invalid τ or probability rows.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds: Characterization and Extensions", NeurIPS 2023 (the error
    transformation).
    """
    return _regret_rows_ref(_check_rows(P), check_tau(tau))


def _candidate_regrets_ref(X, t, n, tau):
    """The reference candidate stage on validated X: the mapped rows are probability rows by construction, clipped
    to [0, 1] against rounding (float32: m − t can come out −eps) and not validated a second time."""
    P = _map_rows_ref(X, t, n)
    return _regret_rows_ref(array_namespace(P).clip(P, 0.0, 1.0), tau)


def _regret_rows_ref(P, tau):
    """:func:`regret_rows_xp` on validated rows."""
    xp = array_namespace(P)
    dev, dt = array_device(P), P.dtype
    N, n = P.shape
    Q = xp.concat([P[:, :1], -xp.sort(-P[:, 1:], axis=1)], axis=1)  # class 0 first, then decreasing
    cum = xp.cumulative_sum(Q, axis=1)
    ks = xp.arange(1, n + 1, dtype=dt, device=dev)
    mx = xp.max(P, axis=1)
    if tau >= 2:
        psi_k = -xp.expm1((tau - 1.0) * xp.log(1.0 / ks)) / (tau - 1.0)
        vals = cum * psi_k + (1.0 - cum) / (tau - 1.0)
        return xp.min(vals, axis=1) - (1.0 - mx) / (tau - 1.0)

    def f(x):  # the summand of C*, 0 at x = 0 (no warnings: the guarded branch never sees x ≤ 0)
        pos = x > 0
        safe = xp.where(pos, x, 1.0)
        if tau == 1:
            return xp.where(pos, x * xp.log(safe), 0.0)
        if tau == 1.5:
            return x * x  # x ≥ 0: the same exact product as the numba kernel
        if tau == 0:
            return xp.sqrt(xp.clip(x, min=0.0))
        return xp.where(pos, safe ** (1.0 / (2.0 - tau)), 0.0)

    def cstar_diff(S, total):  # C*(S) − C*(total), as the kernels' cstar_diff
        if tau == 1:
            return total - S
        if tau == 1.5:
            return 2.0 * (xp.sqrt(total) - xp.sqrt(S))
        if tau == 0.5:
            return 2.0 * (S * xp.sqrt(S) - total * xp.sqrt(total))
        if tau == 0:
            return S * S - total * total
        return (xp.expm1((2.0 - tau) * xp.log(total)) - xp.expm1((2.0 - tau) * xp.log(S))) / (tau - 1.0)

    tol = _TIE_TOL64 * float(xp.finfo(dt).eps) / float(np.finfo(np.float64).eps)
    fq = f(Q)
    cf = xp.cumulative_sum(fq, axis=1)
    total = cf[:, -1]
    avg = cum / ks
    feas = xp.concat([Q[:, 1:] <= avg[:, :-1] + tol, xp.ones((N, 1), dtype=xp.bool, device=dev)], axis=1)
    kk = xp.argmax(xp.astype(feas, xp.int8), axis=1)  # k* − 1: the first feasible tie-set size (k = n always is)
    kcol = kk[:, None]
    tail = xp.where(kk < n - 1, total - xp.take_along_axis(cf, kcol, axis=1)[:, 0], 0.0)
    avg_k = xp.take_along_axis(avg, kcol, axis=1)[:, 0]
    return cstar_diff(xp.astype(kk + 1, dt) * f(avg_k) + tail, total)


def map_rows_xp(X, t, n):
    """Array-API reference of the candidate map: raw coordinates ↦ p = (m − t, m, r_2, …, r_{n−1}), batched.

    m = lo + (hi − lo)·clip(x_0, 0, 1) with lo = max(t, (1+t)/n), hi = (1+t)/2; the r_j ∝ |x_j| share
    1 + t − 2m, capped at m (the excess redistributed). Runs in X's namespace, on X's device, in X's floating
    dtype.

    Parameters
    ----------
    X : array (N, n − 1)
        Raw candidate coordinates (finite), of any array-API namespace.
    t : float
        0-1 regret t ∈ [0, 1].
    n : int
        Number of classes ≥ 2.

    Returns
    -------
    array (N, n)
        Probability rows with class 1 most likely and p_1 − p_0 = t (in X's namespace, device and dtype).

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
    return _map_rows_ref(_check_raw_rows(X, n), t, n)


def _map_rows_ref(X, t, n):
    """:func:`map_rows_xp` on validated X."""
    xp = array_namespace(X)
    lo = max(t, (1.0 + t) / n)
    hi = (1.0 + t) / 2.0
    m = lo + (hi - lo) * xp.clip(X[:, 0], 0.0, 1.0)
    cols = [(m - t)[:, None], m[:, None]]
    if n > 2:
        R = 1.0 + t - 2.0 * m
        mc = m[:, None]
        W = xp.abs(X[:, 1:])
        ws = xp.sum(W, axis=1, keepdims=True)
        pos = ws > 0
        r = xp.where(pos, R[:, None] * W / xp.where(pos, ws, 1.0), (R / (n - 2))[:, None])
        excess = xp.sum(xp.clip(r - mc, min=0.0), axis=1)
        r = xp.minimum(r, mc)
        head = xp.sum(mc - r, axis=1)
        f = xp.where((excess > 0) & (head > 0), excess / xp.where(head > 0, head, 1.0), 0.0)
        cols.append(r + f[:, None] * (mc - r))
    return xp.concat(cols, axis=1)


def regret_rows_numpy(P, tau):
    """The old name of :func:`regret_rows_xp` (the reference regret kernel; any array-API namespace).

    Parameters
    ----------
    P : array (N, n)
        Probability rows.
    tau : float
        τ ≥ 0.

    Returns
    -------
    array (N,)
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
    return regret_rows_xp(P, tau)


def map_rows_numpy(X, t, n):
    """The old name of :func:`map_rows_xp` (the reference candidate map; any array-API namespace).

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
    array (N, n)
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
    return map_rows_xp(X, t, n)


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


__all__ = ["best_candidate", "candidate_regrets", "regret_rows", "regret_rows_xp", "map_rows_xp", "regret_rows_numpy",
           "map_rows_numpy"]
