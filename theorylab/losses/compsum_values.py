"""Comp-sum loss values and gradients: log-softmax, ℓ^τ per example, (ℓ^τ, ∂ℓ^τ/∂h) by reference or numba kernel.

Mao, Mohri, Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023
(arXiv 2304.07288), §3: ℓ^τ(h, x, y) = Ψ_τ(softmax(h)_y) and ∂ℓ^τ/∂h_j = s_y^{τ−1}(s_j − 1{j=y}), s = softmax(h).

Numerics: everything goes through the log-softmax ``log s_y = h_y − logsumexp(h)``; a raw score is never
exponentiated. For τ ≥ 1 the loss and its gradient are finite for all finite scores (|h| up to 1e4 and
beyond, float32 and float64). For τ < 1 the loss is e^{(1−τ)·(gap)}−1 up to constants, which for a logit
gap of order 1e4 is not representable: it then returns +inf (the correctly rounded value), never NaN.

Everything here is re-exported by :mod:`theorylab.losses.compsum`, where
``comp_sum_loss_and_grad(scores, labels, tau)`` is part of the package's contract.
"""
from __future__ import annotations

import warnings

import numpy as np

from .._fastpath import use_fast
from .._validation import InputError, check_labels, check_no_nan, real_namespace
from .compsum_forms import _psi_from_log, check_tau
from .compsum_kernels import fused_loss_and_grad

__all__ = ["log_softmax", "comp_sum_loss", "comp_sum_loss_and_grad"]


def _check_scores_labels(scores, labels):
    xp, (h,) = real_namespace(scores=scores)
    if h.ndim != 2 or h.shape[1] < 2:
        raise InputError(f"scores has shape {tuple(h.shape)}; a (batch, n_classes) array with n_classes >= 2 "
                         "is required")
    check_no_nan("scores", h, xp)
    lab = check_labels("labels", labels, h.shape[1], length=h.shape[0], xp=xp)
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
    """:func:`log_softmax` on a validated real array (no checks)."""
    m = xp.max(h, axis=-1, keepdims=True)
    z = h - m
    return z - xp.log(xp.sum(xp.exp(z), axis=-1, keepdims=True))


def _reference(scores, labels, tau, want_grad: bool):
    tau = check_tau(tau)
    xp, h, lab = _check_scores_labels(scores, labels)
    with np.errstate(over="ignore", invalid="ignore"):
        return _reference_body(xp, h, lab, tau, want_grad)


def _reference_body(xp, h, lab, tau, want_grad):
    n = h.shape[1]
    logs = _log_softmax(xp, h)
    onehot = xp.reshape(lab, (-1, 1)) == xp.reshape(xp.arange(n, dtype=lab.dtype), (1, -1))
    zero = xp.zeros_like(logs)
    lsy = xp.sum(xp.where(onehot, logs, zero), axis=-1)
    loss = _psi_from_log(xp, lsy, tau)
    if not want_grad:
        return loss
    # ∂ℓ/∂h_j = s_y^{τ−1} s_j for j ≠ y, and ∂ℓ/∂h_y = −Σ_{j≠y} ∂ℓ/∂h_j (softmax shift invariance)
    off = xp.exp((tau - 1.0) * xp.reshape(lsy, (-1, 1)) + logs)
    off = xp.where(onehot, zero, off)
    gy = -xp.sum(off, axis=-1, keepdims=True)
    grad = xp.where(onehot, gy, off)
    return loss, grad


def comp_sum_loss(scores, labels, tau):
    """Comp-sum loss ℓ^τ(h, x, y) = Ψ_τ(softmax(h)_y) per example.

    Computed from the log-softmax (stable): Ψ_τ(s_y) = −expm1((τ−1) log s_y)/(τ−1).

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


def comp_sum_loss_and_grad(scores, labels, tau, backend=None, *, fast=None):
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
        or labels.

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
    if not use_fast(fast, numpy_inputs=numpy_inputs, pays=numpy_inputs and scores.size >= _FAST_PAYS):
        return _reference(scores, labels, tau, want_grad=True)
    tau = check_tau(tau)
    xp, h, lab = _check_scores_labels(scores, labels)
    h = np.ascontiguousarray(h)
    loss = np.empty(h.shape[0], dtype=h.dtype)
    grad = np.empty_like(h)
    fused_loss_and_grad(h, np.ascontiguousarray(lab, dtype=np.int64), float(tau), loss, grad)
    return loss, grad
