"""The numba kernels of the tight comp-sum transform search: the NumPy fast path beside :mod:`.search`.

Mao, Mohri, Zhong, "H-Consistency Bounds: Characterization and Extensions", NeurIPS 2023 (the error
transformation); the structured search is protocol E3 of the claim notes. No input checks here: the
functions of :mod:`theorylab.theory.tight.candidates` and :mod:`~theorylab.theory.tight.search` validate and call
these, behind the ``fast=`` switch, for NumPy float64 inputs. Pairs tested equal to the array-API reference
(tests/test_tight_xp.py, tests/test_loss_protocol.py, tests/test_hconsistency.py): ``regret_rows`` ↔
:func:`~theorylab.theory.tight.candidates.regret_rows_xp`, ``map_rows`` ↔
:func:`~theorylab.theory.tight.candidates.map_rows_xp`, ``best_candidate`` ↔ their composition
(:func:`~theorylab.theory.tight.candidates.candidate_regrets` / ``best_candidate`` with ``fast=False``).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from ...losses.compsum_kernels import cstar, psi

__all__: list[str] = []  # kernels only (numba dispatchers); the documented API is in tight.candidates and tight.search


@njit(cache=True)
def pooled_value(p, order, k, tau, lam, pbar):  # pragma: no cover - compiled
    """Value of the inner infimum when the tie set is the first k classes of ``order``; inf if infeasible."""
    n = p.shape[0]
    if tau >= 2.0:
        cum = 0.0
        for i in range(k):
            cum += p[order[i]]
        if lam < 0.0:
            stop = 1.0 / k
            slow = 0.0
        else:
            e = math.exp(-2.0 * lam)
            stop = 1.0 / (k + (n - k) * e)
            slow = stop * e
        return cum * psi(stop, tau) + (1.0 - cum) * psi(slow, tau)
    cum = 0.0
    for i in range(k):
        cum += p[order[i]]
    avg = cum / k
    if k < n and p[order[k]] > avg + 1e-15:
        return np.inf
    for i in range(n):
        pbar[order[i]] = avg if i < k else p[order[i]]
    return cstar(pbar, tau, lam)


@njit(cache=True)
def order_classes(p):  # pragma: no cover - compiled
    """Class 0 first, then the others by decreasing p (class 1 comes next when it is the most likely)."""
    n = p.shape[0]
    rest = np.argsort(-p[1:]) + 1
    order = np.empty(n, dtype=np.int64)
    order[0] = 0
    order[1:] = rest
    return order


@njit(cache=True)
def regret_one(p, tau, lam, pbar):  # pragma: no cover - compiled
    """inf_{h: h_0 = max h} C_τ(h, p) − C*_τ(p) (box [−Λ, Λ]ⁿ when lam > 0)."""
    n = p.shape[0]
    order = order_classes(p)
    best = np.inf
    kmin = 1
    for k in range(kmin, n + 1):
        v = pooled_value(p, order, k, tau, lam, pbar)
        if v < best:
            best = v
    return best - cstar(p, tau, lam)


@njit(cache=True)
def map_to_p(x, t, n, out):  # pragma: no cover - compiled
    """Map raw coordinates x = (u, w_2, …, w_{n−1}) to p = (m−t, m, r) in the reduced polytope."""
    lo = max(t, (1.0 + t) / n)
    hi = (1.0 + t) / 2.0
    u = min(1.0, max(0.0, x[0]))
    m = lo + (hi - lo) * u
    R = 1.0 + t - 2.0 * m
    out[0] = m - t
    out[1] = m
    if n == 2:
        return
    ws = 0.0
    for j in range(2, n):
        ws += abs(x[j - 1])
    for j in range(2, n):
        out[j] = R * abs(x[j - 1]) / ws if ws > 0 else R / (n - 2)
    excess = 0.0
    head = 0.0
    for j in range(2, n):
        if out[j] > m:
            excess += out[j] - m
            out[j] = m
        head += m - out[j]
    if excess > 0.0 and head > 0.0:
        f = excess / head
        for j in range(2, n):
            out[j] += f * (m - out[j])


@njit(cache=True)
def summand(x, tau):  # pragma: no cover - compiled
    """Summand of C*: x^{1/(2−τ)} (τ ≠ 1) or x·log x (τ = 1), 0 at x = 0. Exact products instead of ``pow``
    where 1/(2−τ) is exactly 2 (τ = 1.5, the GCE case the E3 search runs most) or ½ (τ = 0, ``sqrt``)."""
    if x <= 0.0:
        return 0.0
    if tau == 1.0:
        return x * math.log(x)
    if tau == 1.5:
        return x * x
    if tau == 0.0:
        return math.sqrt(x)
    return x ** (1.0 / (2.0 - tau))


@njit(cache=True)
def cstar_from_sum(S, tau):  # pragma: no cover - compiled
    if tau == 1.0:
        return -S
    return -math.expm1((2.0 - tau) * math.log(S)) / (tau - 1.0)


@njit(cache=True)
def cstar_diff(S, total, tau):  # pragma: no cover - compiled
    """C*(S) − C*(total) from two sums, C*(S) = (1 − S^{2−τ})/(τ − 1). Where 2 − τ is 2, 3/2 or 1/2
    (τ = 0, ½, 3/2) the power is an exact product/``sqrt`` instead of expm1(log) (same value up to rounding:
    the difference is taken of quantities of size ≤ ~2 either way)."""
    if tau == 1.0:
        return total - S
    if tau == 1.5:
        return 2.0 * (math.sqrt(total) - math.sqrt(S))
    if tau == 0.5:
        return 2.0 * (S * math.sqrt(S) - total * math.sqrt(total))
    if tau == 0.0:
        return S * S - total * total
    return cstar_from_sum(S, tau) - cstar_from_sum(total, tau)


@njit(cache=True)
def k_consts(n, tau):  # pragma: no cover - compiled
    """Per-k constants of the τ ≥ 2 vertex values, Ψ_τ(1/k) for k = 1..n (the same for every row)."""
    c = np.empty(n)
    for k in range(1, n + 1):
        c[k - 1] = psi(1.0 / k, tau)
    return c


@njit(cache=True)
def regret_complete(p, tau, q, fq, psik):  # pragma: no cover - compiled
    """Allocation-free O(n²)-worst (insertion sort, n ≤ ~20) version of :func:`regret_one` for complete
    scores, with the transcendental work cut to the minimum:

    * τ ≥ 2: the vertex values cum_k Ψ(1/k) + (1 − cum_k) Ψ(0) use the precomputed ``psik`` (no call).
    * τ < 2: f(q_j) is evaluated once per entry (stored in ``fq``); the pooled values are only needed at the
      smallest feasible k* (first k with q_k ≤ avg_k): for k ≥ k* every k is feasible, p̄_{k+1} is an
      average of p̄_k (p̄_{k+1} ≺ p̄_k) and C* is symmetric concave hence Schur-concave, so
      C*(p̄_k) is non-decreasing in k ≥ k* and the minimum over feasible k is C*(p̄_{k*}). One f(avg_{k*})
      and one C*-difference (:func:`cstar_diff`) per row."""
    n = p.shape[0]
    q[0] = p[0]
    for j in range(1, n):  # insertion sort of p[1:], decreasing
        x = p[j]
        i = j - 1
        while i >= 1 and q[i] < x:
            q[i + 1] = q[i]
            i -= 1
        q[i + 1] = x
    mx = q[0] if q[0] > q[1] else q[1]
    best = np.inf
    cum = 0.0
    if tau >= 2.0:
        psi0 = 1.0 / (tau - 1.0)
        for k in range(1, n + 1):
            cum += q[k - 1]
            v = cum * psik[k - 1] + (1.0 - cum) * psi0
            if v < best:
                best = v
        return best - (1.0 - mx) / (tau - 1.0)
    total = 0.0
    for j in range(n):
        fq[j] = summand(q[j], tau)
        total += fq[j]
    tail = total
    for k in range(1, n + 1):
        cum += q[k - 1]
        tail -= fq[k - 1]
        avg = cum / k
        if k < n and q[k] > avg + 1e-15:
            continue
        return cstar_diff(k * summand(avg, tau) + (tail if k < n else 0.0), total, tau)
    return np.inf  # not reached: k = n is always feasible


@njit(cache=True, parallel=True)
def regret_rows(P, tau, lam, out):  # pragma: no cover - compiled
    N, n = P.shape
    nchunk = 64
    size = (N + nchunk - 1) // nchunk
    psik = k_consts(n, tau)
    for c in prange(nchunk):
        buf = np.empty(n)
        fq = np.empty(n)
        for i in range(c * size, min(N, (c + 1) * size)):
            if lam < 0.0:
                out[i] = regret_complete(P[i], tau, buf, fq, psik)
            else:
                out[i] = regret_one(P[i], tau, lam, buf)


@njit(cache=True, parallel=True)
def map_rows(X, t, n, P):  # pragma: no cover - compiled
    for i in prange(X.shape[0]):
        map_to_p(X[i], t, n, P[i])


@njit(cache=True, parallel=True)
def best_candidate(X, t, n, tau, lam, nchunk):  # pragma: no cover - compiled
    """Fused candidate loop: map each raw row to p, inner closed form, running min; no (N, n) temporaries."""
    N = X.shape[0]
    size = (N + nchunk - 1) // nchunk
    best = np.full(nchunk, np.inf)
    arg = np.zeros(nchunk, dtype=np.int64)
    psik = k_consts(n, tau)
    for c in prange(nchunk):  # fixed chunks (not threads): the reduction below is thread-count independent
        p = np.empty(n)
        buf = np.empty(n)
        fq = np.empty(n)
        for i in range(c * size, min(N, (c + 1) * size)):
            map_to_p(X[i], t, n, p)
            v = regret_complete(p, tau, buf, fq, psik) if lam < 0.0 else regret_one(p, tau, lam, buf)
            if v < best[c]:
                best[c] = v
                arg[c] = i
    j = 0
    for c in range(1, nchunk):  # fixed order, strict <: the first global argmin, as numpy.argmin
        if best[c] < best[j]:
            j = c
    return best[j], arg[j]
