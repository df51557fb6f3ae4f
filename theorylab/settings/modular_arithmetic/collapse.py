"""Softmax Collapse: framework-style cross-entropy in a given float format, the exact collapse predicate, gaps.

Cross-entropy as frameworks compute it (Prieto et al. 2025, Sec. 3): ``d = z − max z``, ``S = Σ_j e^{d_j}``,
``lsm = d − log S``, loss ``ℓ = −lsm_y``, gradient ``∂ℓ/∂z_j = e^{lsm_j} − 1[j = y]``, every operation rounded to
the working format. A sample is *collapsed* iff ``fl(S) = 1``: then ``log S = 0``, ``lsm_y = 0`` and the loss and
the correct-class gradient are exactly 0, while the wrong-class gradients ``e^{d_j}`` survive until ``exp``
underflows. For logits ``(g, 0, …, 0)`` and a format with ``p`` significand bits (round to nearest, ties to even)
the collapse gap lies in ``[p ln 2, p ln 2 + ln(K − 1)]``: adding the ``K − 1`` terms ``e^{−g}`` to 1 one at a
time collapses as soon as ``e^{−g} ≤ 2^{−p}``; summing the small terms first needs ``(K − 1) e^{−g} ≤ 2^{−p}``.
"""
from __future__ import annotations

import math

import numpy as np

from ..._validation import InputError, check_integer, check_real
from ._checks import check_dtype, check_order

__all__ = ["significand_bits", "sum_exp", "framework_cross_entropy", "is_collapsed", "gap_logits",
           "collapse_gap", "collapse_bounds", "underflow_gap"]


def significand_bits(dtype):
    """Number of significand bits ``p`` of a float format (implicit bit included): 11, 24, 53.

    Parameters
    ----------
    dtype : {"float16", "float32", "float64"}
        The format.

    Returns
    -------
    int
        ``p = 1 − log2(ε_mach)``.

    References
    ----------
    IEEE 754-2019, Table 3.5 (binary16, binary32, binary64 precision p).
    """
    return int(np.finfo(check_dtype("dtype", dtype)).nmant) + 1


def _as_logits(z, dt):
    try:
        a = np.asarray(z, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError("z must be a real array of logits, shape (K,) or (n, K)") from None
    if a.ndim not in (1, 2) or a.shape[-1] < 2 or not np.all(np.isfinite(a)):
        raise InputError(f"z must be a finite array of shape (K,) or (n, K) with K >= 2, got shape {a.shape}")
    return a.astype(dt)


def sum_exp(z, dtype="float32", order="numpy"):
    """``S = Σ_j e^{z_j − max z}`` in the given format and reduction order.

    Parameters
    ----------
    z : array_like
        Logits, shape ``(K,)`` or ``(n, K)``, cast to ``dtype`` first.
    dtype : {"float16", "float32", "float64"}
        Working format; every subtraction, ``exp`` and addition is rounded to it (NumPy's float16 arithmetic
        rounds each operation through float32, which is exact for these sums).
    order : {"sequential", "small-first", "numpy"}
        ``sequential``: left to right in class-index order; ``small-first``: every term except the first largest
        one, left to right, then the largest (``e^0 = 1``) added last; ``numpy``: ``np.sum`` along the class axis
        (NumPy's pairwise summation; for float16 NumPy accumulates in float32 and rounds once).

    Returns
    -------
    numpy.ndarray
        ``S`` in ``dtype``, shape ``()`` or ``(n,)``.

    References
    ----------
    L. Prieto, M. Barsbey, P. Mediano, T. Birdal, "Grokking at the Edge of Numerical Stability", ICLR 2025,
    arXiv 2501.04697, Sec. 3 (Softmax Collapse, the sum ``Σ e^{z_j − max z}`` rounding to 1); N. J. Higham,
    "Accuracy and Stability of Numerical Algorithms", SIAM 2002, ch. 4 (summation order).
    """
    dt = check_dtype("dtype", dtype)
    order = check_order("order", order)
    a = _as_logits(z, dt)
    one = a.ndim == 1
    a = np.atleast_2d(a)
    e = np.exp(a - a.max(axis=1, keepdims=True))
    if order == "numpy":
        S = np.ascontiguousarray(e).sum(axis=1, dtype=dt)
    else:
        cols = list(range(e.shape[1]))
        if order == "small-first":
            top = np.argmax(a, axis=1)
            rows = np.arange(e.shape[0])
            big = e[rows, top].copy()
            small = e.copy()
            small[rows, top] = 0  # adding an exact 0 changes nothing
            S = np.zeros(e.shape[0], dt)
            for j in cols:
                S = (S + small[:, j]).astype(dt)
            S = (S + big).astype(dt)
        else:
            S = e[:, 0].copy()
            for j in cols[1:]:
                S = (S + e[:, j]).astype(dt)
    S = S.astype(dt)
    return S[0] if one else S


def framework_cross_entropy(z, y, dtype="float32", order="numpy"):
    """Per-sample cross-entropy and its gradient as a framework computes them in ``dtype``.

    ``lsm = d − log S`` with ``d = z − max z`` and ``S`` from :func:`sum_exp`; ``ℓ = −lsm_y``;
    ``∂ℓ/∂z_j = e^{lsm_j} − 1[j = y]``, all in ``dtype``.

    Parameters
    ----------
    z : array_like
        Logits, shape ``(K,)`` or ``(n, K)``.
    y : int or array_like of int
        Labels in ``0..K−1`` (one per row).
    dtype : {"float16", "float32", "float64"}
        Working format.
    order : {"sequential", "small-first", "numpy"}
        Reduction order of ``S`` (see :func:`sum_exp`).

    Returns
    -------
    loss : numpy.ndarray
        Shape ``()`` or ``(n,)``, in ``dtype``.
    grad : numpy.ndarray
        ``∂ℓ/∂z``, the shape of ``z``, in ``dtype``.

    References
    ----------
    L. Prieto, M. Barsbey, P. Mediano, T. Birdal, "Grokking at the Edge of Numerical Stability", ICLR 2025,
    arXiv 2501.04697, Sec. 3, eq. (1)–(2) (softmax, cross-entropy and its gradient ``softmax − onehot``).
    """
    dt = check_dtype("dtype", dtype)
    a = _as_logits(z, dt)
    one = a.ndim == 1
    a = np.atleast_2d(a)
    yy = np.atleast_1d(np.asarray(y))
    if yy.shape != (a.shape[0],) or not np.issubdtype(yy.dtype, np.integer) or yy.min() < 0 \
            or yy.max() >= a.shape[1]:
        raise InputError(f"y must hold one integer label in 0..{a.shape[1] - 1} per row of z")
    S = np.atleast_1d(sum_exp(a, dt, order))
    d = a - a.max(axis=1, keepdims=True)
    lsm = (d - np.log(S)[:, None]).astype(dt)
    rows = np.arange(a.shape[0])
    loss = (-lsm[rows, yy]).astype(dt)
    grad = np.exp(lsm)
    grad[rows, yy] = grad[rows, yy] - dt.type(1)
    grad = grad.astype(dt)
    return (loss[0], grad[0]) if one else (loss, grad)


def is_collapsed(z, dtype="float32", order="numpy"):
    """The exact Softmax Collapse predicate ``fl(Σ_j e^{z_j − max z}) = 1``.

    Parameters
    ----------
    z : array_like
        Logits, shape ``(K,)`` or ``(n, K)``.
    dtype : {"float16", "float32", "float64"}
        Working format.
    order : {"sequential", "small-first", "numpy"}
        Reduction order (see :func:`sum_exp`).

    Returns
    -------
    bool or numpy.ndarray of bool
        True where the sum rounds to exactly 1.

    References
    ----------
    L. Prieto, M. Barsbey, P. Mediano, T. Birdal, "Grokking at the Edge of Numerical Stability", ICLR 2025,
    arXiv 2501.04697, Sec. 3 (a sample is collapsed when the softmax sum equals 1 in working precision).
    """
    S = sum_exp(z, dtype, order)
    out = S == 1
    return bool(out) if np.ndim(out) == 0 else out


def gap_logits(g, K):
    """Logits ``(g, 0, …, 0)``: the correct class 0 leads every other class by ``g``.

    Parameters
    ----------
    g : float or array_like
        Gap(s) ``g ≥ 0`` (float64; cast to the working format by the consumer).
    K : int
        Number of classes (≥ 2).

    Returns
    -------
    numpy.ndarray
        Shape ``(K,)`` for scalar ``g``, ``(len(g), K)`` otherwise; float64.

    References
    ----------
    L. Prieto, M. Barsbey, P. Mediano, T. Birdal, "Grokking at the Edge of Numerical Stability", ICLR 2025,
    arXiv 2501.04697, Sec. 3 (collapse once the correct logit dominates the others).
    """
    K = check_integer("K", K, 2)
    ga = np.asarray(g, dtype=np.float64)
    if ga.ndim > 1 or not np.all(np.isfinite(ga)) or np.any(ga < 0):
        raise InputError("g must be a finite non-negative number or 1-d array")
    z = np.zeros(ga.shape + (K,))
    z[..., 0] = ga
    return z


def collapse_gap(K, dtype="float32", order="numpy", tol=1e-10):
    """Smallest gap ``g`` (to ``tol``) at which logits ``(g, 0, …, 0)`` collapse, by bisection on the predicate.

    ``g`` is a real (float64) number; the logits are cast to ``dtype``, so the answer is the real ``g`` where
    the predicate flips (a rounding boundary of ``dtype`` when the format's grid is coarser than the true
    threshold's resolution, as for float16). The predicate is monotone in ``g`` (``exp``, rounding and sums of
    non-negative terms are monotone), so bisection between ``g = 0`` (``S = K``) and
    ``p ln 2 + ln(K − 1) + 2`` is exact up to ``tol``.

    Parameters
    ----------
    K : int
        Number of classes (≥ 2).
    dtype : {"float16", "float32", "float64"}
        Working format.
    order : {"sequential", "small-first", "numpy"}
        Reduction order (see :func:`sum_exp`).
    tol : float
        Bisection width (positive).

    Returns
    -------
    float
        ``g*``: not collapsed at ``g* − tol``, collapsed at ``g*``.

    References
    ----------
    L. Prieto, M. Barsbey, P. Mediano, T. Birdal, "Grokking at the Edge of Numerical Stability", ICLR 2025,
    arXiv 2501.04697, Sec. 3 (Softmax Collapse threshold).
    """
    K = check_integer("K", K, 2)
    check_order("order", order)
    tol = check_real("tol", tol, allow_inf=False)
    if tol <= 0:
        raise InputError(f"tol must be positive, got {tol!r}")
    p = significand_bits(dtype)
    lo, hi = 0.0, p * math.log(2) + math.log(K - 1) + 2.0
    if not is_collapsed(gap_logits(hi, K), dtype, order):  # pragma: no cover - guarded by the bounds
        raise RuntimeError("no collapse at the upper bracket")
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if is_collapsed(gap_logits(mid, K), dtype, order):
            hi = mid
        else:
            lo = mid
    return hi


def collapse_bounds(K, dtype="float32"):
    """The interval ``[p ln 2, p ln 2 + ln(K − 1)]`` that holds the collapse gap for every reduction order.

    ``fl(1 + t) = 1`` iff ``t ≤ 2^{−p}`` (round to nearest, ties to even), so adding the small terms one at a
    time to 1 collapses at ``e^{−g} ≤ 2^{−p}``, i.e. ``g ≥ p ln 2``; adding them first gives ``(K−1) e^{−g}``
    and ``g ≥ p ln 2 + ln(K − 1)``; other orders lie in between (up to the rounding of ``exp`` and of ``g``).

    Parameters
    ----------
    K : int
        Number of classes (≥ 2).
    dtype : {"float16", "float32", "float64"}
        Working format.

    Returns
    -------
    tuple of float
        ``(p ln 2, p ln 2 + ln(K − 1))``.

    References
    ----------
    L. Prieto, M. Barsbey, P. Mediano, T. Birdal, "Grokking at the Edge of Numerical Stability", ICLR 2025,
    arXiv 2501.04697, Sec. 3; D. Goldberg, "What every computer scientist should know about floating-point
    arithmetic", ACM Computing Surveys 23 (1991) (rounding of ``1 + t``).
    """
    K = check_integer("K", K, 2)
    p = significand_bits(dtype)
    return p * math.log(2), p * math.log(2) + math.log(K - 1)


def underflow_gap(dtype="float32"):
    """``g_u = −ln(s/2)``, ``s`` the smallest subnormal: beyond it ``e^{−g}`` rounds to 0 in ``dtype``.

    Parameters
    ----------
    dtype : {"float16", "float32", "float64"}
        Working format.

    Returns
    -------
    float
        ``g_u`` (float16 25 ln 2 ≈ 17.33, float32 150 ln 2 ≈ 103.97, float64 1075 ln 2 ≈ 745.13).

    References
    ----------
    IEEE 754-2019, Sec. 3.3 (subnormal numbers; the smallest is ``2^{emin − p + 1}``).
    """
    s = float(np.finfo(check_dtype("dtype", dtype)).smallest_subnormal)
    return math.log(2.0) - math.log(s)  # s/2 itself underflows in float64
