"""Comp-sum loss values and gradients: log-softmax, ℓ^τ per example, (ℓ^τ, ∂ℓ^τ/∂h) by reference or numba kernel.

Mao, Mohri, Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023
(arXiv 2304.07288), §3: ℓ^τ(h, x, y) = Ψ_τ(softmax(h)_y) and ∂ℓ^τ/∂h_j = s_y^{τ−1}(s_j − 1{j=y}), s = softmax(h).

Numerics: a raw score is never exponentiated. With m = max_k h_k (attained first at a), G = m − h_y ≥ 0 and
L = log1p(Σ_{k≠a} e^{h_k − m}) ≥ 0, −log s_y = G + L (no cancellation; ``log1p`` keeps losses below 1e-16
instead of rounding them to −0.0), ℓ^τ = expm1((1−τ)(G + L))/(1−τ), and the gradient is
s_y^{τ−1} s_j = e^{h_j − m}·e^{−(τ−1)(G + L) − L} for τ ≥ 1 (two factors ≤ 1; τ = 1 never forms 0·∞) and
exp((1−τ)G + (h_j − m) − τL) for τ < 1, whose exponent is summed from error-free pieces (TwoSum, Dekker's
product) because its two big terms cancel. float32 inputs are computed in float64 and rounded once. Measured
against 50-digit references (tests/test_loss_accuracy.py): relative error ≤ 1e-12 in float64 and ≤ 1e-5 in float32
for scores in ±1e4, in both the reference and the numba kernel; for any finite scores no NaN, and ±inf exactly
where the true value is beyond the float range (the τ < 1 loss of a logit gap of order 1e4 is e^{(1−τ)·gap}).

Everything here is re-exported by :mod:`theorylab.losses.compsum`, where
``comp_sum_loss_and_grad(scores, labels, tau)`` is part of the package's contract.
"""
from __future__ import annotations

import warnings

import numpy as np

from .._fastpath import use_fast
from .._validation import InputError, array_device, check_labels, check_no_nan, real_namespace
from .compsum_forms import check_tau
from .compsum_kernels import fused_loss_and_grad

__all__ = ["log_softmax", "comp_sum_loss", "comp_sum_loss_and_grad"]


def _check_scores_labels(scores, labels, nan=True):
    """(xp, h, labels) checked; ``nan=False`` leaves the NaN scan of the scores to the caller (the fused kernel's
    losses are NaN exactly on rows with a NaN score, so the fast path checks the (batch,) losses instead)."""
    xp, (h,) = real_namespace(scores=scores)
    if h.ndim != 2 or h.shape[1] < 2:
        raise InputError(f"scores has shape {tuple(h.shape)}; a (batch, n_classes) array with n_classes >= 2 "
                         "is required")
    if nan:
        check_no_nan("scores", h, xp)
    lab = check_labels("labels", labels, h.shape[1], length=h.shape[0], xp=xp, device=array_device(h))
    return xp, h, lab


# -------------------------------------------------------------------------- loss and gradient (reference)


def log_softmax(scores):
    """log softmax(h) = h − logsumexp(h), row-wise, in the namespace and dtype of ``scores``.

    Parameters
    ----------
    scores : array (..., n)
        Scores h, at least one class on the last axis, no NaN.

    Returns
    -------
    array (..., n)
        log softmax along the last axis (the max is subtracted first: no overflow).

    Raises
    ------
    InputError
        For non-real scores, an empty last axis or NaN.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
    ICML 2023, arXiv:2304.07288 (the comp-sum losses are functions of the softmax).
    """
    xp, (h,) = real_namespace(scores=scores)
    if h.ndim < 1 or h.shape[-1] < 1:
        raise InputError(f"scores has shape {tuple(h.shape)}; an array with at least one class (last axis) is allowed")
    check_no_nan("scores", h, xp)
    return _log_softmax(xp, h)


def _log_softmax(xp, h):
    """:func:`log_softmax` on a validated real array (no checks): (h − m) − log1p(Σ_{k≠a} e^{h_k − m}), m = h_a the max.

    The sum leaves out one maximiser a (its term is 1) and goes through ``log1p``, so a log-probability near 0
    (a dominant class: log s_a ≈ −Σ_{k≠a} e^{h_k − m}) keeps its relative accuracy instead of rounding to −0.0.
    """
    z, e, top = _shifted(xp, h)
    u = xp.sum(xp.where(top, xp.zeros_like(e), e), axis=-1, keepdims=True)
    return z - xp.log1p(u)


def _shifted(xp, h):
    """(z, e, top): z = h − max (last axis), e = exp(z), top the mask of the first maximiser a (z_a = 0)."""
    m = xp.max(h, axis=-1, keepdims=True)
    z = h - m
    a = xp.argmax(h, axis=-1, keepdims=True)
    top = xp.arange(h.shape[-1], dtype=a.dtype, device=array_device(h)) == a
    return z, xp.exp(z), top


# ------------------------------------------------------------------------- error-free transformations
# A difference of two scores, or a product by the constant 1 − τ, is exact as a pair (hi, lo) of floats with
# hi + lo equal to the exact result (Knuth's TwoSum, Dekker's product with Veltkamp's split). The τ < 1
# gradient needs them: its exponent (1−τ)(m − h_y) + (h_j − m) − τ·log1p(u) is O(1) while its two big terms
# are O(|h|); each rounding of a big term would cost |h|·2⁻⁵³ of relative accuracy in e^{exponent} (the
# 0.2 % error of float32 at |h| ≈ 1e4). Where a hi part is ±inf the lo part is set to 0 (it would be NaN).

_SPLITTER = 134217729.0  # 2^27 + 1
_SPLIT_SAFE = 2.0 ** 995  # |x| below this: the split's product by 2^27 + 1 cannot overflow


def _two_sum(xp, a, b):
    """(s, e): s = fl(a + b) and s + e = a + b exactly (float64; e = 0 where s is not finite)."""
    s = a + b
    bb = s - a
    e = (a - (s - bb)) + (b - bb)
    return s, xp.where(xp.isfinite(s), e, xp.zeros_like(e))


def _split_const(c: float):
    """Veltkamp's split of a Python float: (hi, lo) with hi + lo = c, each with at most 26 significant bits."""
    t = _SPLITTER * c
    hi = t - (t - c)
    return hi, c - hi


def _two_prod_const(xp, x, c: float):
    """(p, e): p = fl(c·x) and p + e = c·x exactly (float64 array x, Python float c; e = 0 where |x| ≥ 2^995 or
    p is not finite, and up to underflow)."""
    c_hi, c_lo = _split_const(c)
    p = c * x
    safe = xp.abs(x) < _SPLIT_SAFE
    xs = xp.where(safe, x, xp.zeros_like(x))
    t = _SPLITTER * xs
    x_hi = t - (t - xs)
    x_lo = xs - x_hi
    e = ((x_hi * c_hi - p) + x_hi * c_lo + x_lo * c_hi) + x_lo * c_lo
    return p, xp.where(safe & xp.isfinite(p), e, xp.zeros_like(e))


def _work_dtype(xp, h):
    """(h in float64, the output dtype): float32 (and narrower) inputs are computed in float64 and rounded once at
    the end, so their results are correctly rounded up to a few float64 ulps."""
    if xp.finfo(h.dtype).bits < 64:
        return xp.astype(h, xp.float64), h.dtype
    return h, h.dtype


def _reference(scores, labels, tau, want_grad: bool):
    tau = check_tau(tau)
    xp, h, lab = _check_scores_labels(scores, labels)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        h, out_dtype = _work_dtype(xp, h)
        res = _reference_body(xp, h, lab, tau, want_grad)
        if out_dtype == h.dtype:
            return res
        if not want_grad:
            return xp.astype(res, out_dtype)
        return xp.astype(res[0], out_dtype), xp.astype(res[1], out_dtype)


def _reference_body(xp, h, lab, tau, want_grad):
    """Loss (and gradient) in the dtype of h, from G = m − h_y ≥ 0 and L = log1p(Σ_{k≠a} e^{h_k − m}) ≥ 0, where m is
    the row max, attained first at a: −log s_y = G + L ≥ 0 (no cancellation, +0 when y = a and u = 0)."""
    n = h.shape[1]
    zero = xp.zeros_like(h)
    _, e, top = _shifted(xp, h)
    L = xp.log1p(xp.sum(xp.where(top, zero, e), axis=-1))
    onehot = xp.reshape(lab, (-1, 1)) == xp.reshape(xp.arange(n, dtype=lab.dtype, device=array_device(h)), (1, -1))
    m = xp.max(h, axis=-1)
    hy = xp.sum(xp.where(onehot, h, zero), axis=-1)
    G = m - hy
    nls = G + L  # −log s_y
    loss = nls if tau == 1.0 else xp.expm1((1.0 - tau) * nls) / (1.0 - tau)
    if not want_grad:
        return loss
    # ∂ℓ/∂h_j = s_y^{τ−1} s_j for j ≠ y, and ∂ℓ/∂h_y = −Σ_{j≠y} ∂ℓ/∂h_j (softmax shift invariance)
    if tau >= 1.0:  # s_y^{τ−1} s_j = e^{h_j − m} · e^{−(τ−1)(−log s_y) − L}: a product of two factors ≤ 1
        c = xp.exp(-L) if tau == 1.0 else xp.exp(-(tau - 1.0) * nls - L)
        off = e * xp.reshape(c, (-1, 1))
    else:
        off = xp.exp(_exponent_below_one(xp, h, m, hy, L, tau))
    off = xp.where(onehot, zero, off)
    gy = -xp.sum(off, axis=-1, keepdims=True)
    return loss, xp.where(onehot, gy, off)


def _exponent_below_one(xp, h, m, hy, L, tau):
    """log(s_y^{τ−1} s_j) = (1−τ)(m − h_y) + (h_j − m) − τL for τ < 1, summed from exact pieces (see above)."""
    g_hi, g_lo = _two_sum(xp, m, -hy)  # m − h_y
    p_hi, p_lo = _two_prod_const(xp, g_hi, 1.0 - tau)
    z_hi, z_lo = _two_sum(xp, h, -xp.reshape(m, (-1, 1)))  # h_j − m (z_hi is z)
    s, s_lo = _two_sum(xp, xp.reshape(p_hi, (-1, 1)), z_hi)
    small = p_lo + (1.0 - tau) * g_lo - tau * L
    ex = s + (s_lo + z_lo + xp.reshape(small, (-1, 1)))
    # m − h_y = +inf beside h_j − m = −inf (scores of order 1e308) makes s NaN: there the three-term form, whose
    # partial sums overflow only when the exponent is beyond ±1.8e308 anyway
    alt = (h - tau * xp.reshape(m, (-1, 1))) - xp.reshape((1.0 - tau) * hy, (-1, 1))
    return xp.where(xp.isnan(ex), alt, ex)


def comp_sum_loss(scores, labels, tau):
    """Comp-sum loss ℓ^τ(h, x, y) = Ψ_τ(softmax(h)_y) per example.

    Computed from −log s_y = (m − h_y) + log1p(Σ_{k≠a} e^{h_k − m}) (m the row max, attained first at a) as
    expm1((1−τ)·(−log s_y))/(1−τ): relative error ≤ 1e-12 (float64) and ≤ 1e-5 (float32, computed in float64)
    for scores in ±1e4 (see the module docstring).

    Parameters
    ----------
    scores : array (batch, n)
        Scores h(x, ·); any array-API namespace, float32 or float64, n ≥ 2, no NaN.
    labels : integer array (batch,)
        Class indices in [0, n).
    tau : float ≥ 0
        0 sum-exponential, 1 cross-entropy, (1, 2) GCE, 2 MAE.

    Returns
    -------
    array (batch,)
        The losses, in the dtype and namespace of ``scores``.

    Raises
    ------
    InputError
        For an invalid τ, malformed scores or labels.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
    ICML 2023, arXiv:2304.07288 (comp-sum loss definition).
    """
    return _reference(scores, labels, tau, want_grad=False)


_BACKENDS = {"auto": None, "numba": True, "reference": False}
_FAST_PAYS = 100_000  # entries of scores from which the fused kernel beats the reference (bench_compsum.py)


def comp_sum_loss_and_grad(scores, labels, tau, backend=None, *, fast=None, out=None):
    """(ℓ^τ, ∂ℓ^τ/∂h): per-example losses (batch,) and gradients (batch, n).

    ∂ℓ/∂h_j = s_y^{τ−1}(s_j − 1{j=y}), s = softmax(h) (from Ψ_τ'(s) = −s^{τ−2}).

    Parameters
    ----------
    scores : array (batch, n)
        Scores h (no NaN).
    labels : integer array (batch,)
        Class indices in [0, n).
    tau : float
        τ ≥ 0.
    backend : {"auto", "reference", "numba"}, optional
        Deprecated spelling of ``fast`` (a DeprecationWarning): "auto" → None, "numba" → True,
        "reference" → False.
    fast : bool or None, default None
        The one fast-path switch (:func:`theorylab._fastpath.use_fast`): True the fused numba kernel
        (:func:`~theorylab.losses.compsum_kernels.fused_loss_and_grad`, NumPy inputs), False the array-API
        reference (any namespace), None the kernel for NumPy arrays with at least 10⁵ entries when the
        package switch is on.
    out : (ndarray (batch,), ndarray (batch, n)), optional
        NumPy scores only: C-contiguous arrays of the scores' dtype and shapes that receive the losses and the
        gradients (no fresh outputs: a training loop reuses them; fresh outputs cost 16–18 % of the call at
        10⁶ × 100 float32, measured by benchmarks/bench_compsum.py). They are returned. They must not overlap the
        scores.

    Returns
    -------
    loss : array (batch,)
        ℓ^τ per example.
    grad : array (batch, n)
        ∂ℓ^τ/∂h.

    Raises
    ------
    InputError
        For an unknown backend or fast, both given, ``fast=True`` with non-NumPy scores, an invalid τ, scores
        or labels, or an ``out`` that is not a pair of writable C-contiguous arrays of the right shapes and dtype.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
    ICML 2023, arXiv:2304.07288.
    """
    if backend is not None:
        if backend not in _BACKENDS:
            raise InputError(f"backend={backend!r} is not allowed; use fast=None/True/False (the deprecated "
                             "backend= takes 'auto', 'reference' or 'numba')")
        if fast is not None:
            raise InputError("backend= and fast= were both given; use fast= only (backend= is deprecated)")
        warnings.warn("comp_sum_loss_and_grad(backend=...) is deprecated; use fast=None (auto), True (numba) or "
                      "False (reference)", DeprecationWarning, stacklevel=2)
        fast = _BACKENDS[backend]
    numpy_inputs = isinstance(scores, np.ndarray)
    if out is not None and not numpy_inputs:
        raise InputError(f"out= is allowed only with NumPy scores; scores is {type(scores).__name__}: drop out=")
    if not use_fast(fast, numpy_inputs=numpy_inputs, pays=numpy_inputs and scores.size >= _FAST_PAYS):
        loss, grad = _reference(scores, labels, tau, want_grad=True)
        if out is None:
            return loss, grad
        lo, go = _check_out(out, grad.shape, grad.dtype, scores)
        np.copyto(lo, loss)
        np.copyto(go, grad)
        return lo, go
    tau = check_tau(tau)
    xp, h, lab = _check_scores_labels(scores, labels, nan=False)
    h = np.ascontiguousarray(h)
    if out is None:
        loss = np.empty(h.shape[0], dtype=h.dtype)
        grad = np.empty_like(h)
    else:
        loss, grad = _check_out(out, h.shape, h.dtype, h)
    fused_loss_and_grad(h, np.ascontiguousarray(lab, dtype=np.int64), float(tau), loss, grad)
    if np.isnan(loss).any():  # a NaN score makes its row's loss NaN (the kernel's contract); ±inf may too
        check_no_nan("scores", h, xp)
    return loss, grad


def _check_out(out, shape, dtype, scores):
    """The validated ``out=(loss, grad)`` pair of :func:`comp_sum_loss_and_grad`."""
    if not (isinstance(out, tuple) and len(out) == 2 and all(isinstance(o, np.ndarray) for o in out)):
        raise InputError(f"out={type(out).__name__} object is not allowed; a tuple (loss, grad) of two NumPy arrays is")
    for name, o, shp in (("out[0]", out[0], shape[:1]), ("out[1]", out[1], shape)):
        if o.shape != tuple(shp) or o.dtype != dtype or not o.flags.c_contiguous or not o.flags.writeable:
            raise InputError(f"{name} has shape {o.shape} and dtype {o.dtype}; a writable C-contiguous {dtype} "
                             f"array of shape {tuple(shp)} is required")
        if np.may_share_memory(o, scores):
            raise InputError(f"{name} overlaps scores; pass separate output arrays")
    if np.may_share_memory(out[0], out[1]):
        raise InputError("out[0] and out[1] overlap; pass separate output arrays")
    return out
