"""Comp-sum losses ℓ^τ (sum-exponential, cross-entropy, GCE, MAE, τ > 2): values, gradients, C*.

Mao, Mohri, Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023
(arXiv 2304.07288), §3 (the comp-sum family) — formulas as reconstructed in
``shared/claims/surrogate-losses.md`` §2:

    ℓ^τ(h, x, y) = Φ^τ(Σ_{y'≠y} e^{h(x,y') − h(x,y)}),
    Φ^τ(u) = ((1+u)^{1−τ} − 1)/(1 − τ)   (τ ≠ 1),   Φ^1(u) = log(1 + u),
    ℓ^τ = Ψ_τ(softmax(h)_y),   Ψ_τ(s) = (1 − s^{τ−1})/(τ − 1),   Ψ_1(s) = −log s.

Numerics: everything goes through the log-softmax ``log s_y = h_y − logsumexp(h)``; a raw score is never
exponentiated. For τ ≥ 1 the loss and its gradient are finite for all finite scores (|h| up to 1e4 and
beyond, float32 and float64). For τ < 1 the loss is e^{(1−τ)·(gap)}−1 up to constants, which for a logit
gap of order 1e4 is not representable: it then returns +inf (the correctly rounded value), never NaN.
"""
from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np
import sympy as sp

from .._fastpath import use_fast
from .._validation import (InputError, as_real_array, check_integer, check_labels, check_no_nan, check_nonnegative,
                           check_probability, check_real, real_namespace)
from .base import Loss
from .compsum_kernels import cstar_box_h, cstar_rows, fused_loss_and_grad

# --------------------------------------------------------------------------------------------- validation


def check_tau(tau) -> float:
    """Return τ as a float when it is a finite number ≥ 0; raise :class:`InputError` otherwise.

    Parameters
    ----------
    tau : float
        The comp-sum parameter τ ∈ [0, ∞).

    Returns
    -------
    float
        τ as a Python float.

    Raises
    ------
    InputError
        When τ is not a finite real number ≥ 0.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
    ICML 2023, arXiv:2304.07288 (the comp-sum family, τ ≥ 0).
    """
    return check_nonnegative("tau", tau)


def check_n(n) -> int:
    """Return the number of classes as an int ≥ 2; raise :class:`InputError` otherwise (bools rejected).

    Parameters
    ----------
    n : int
        Number of classes (integral floats such as 3.0 accepted).

    Returns
    -------
    int
        n as a Python int.

    Raises
    ------
    InputError
        When n is not an integer ≥ 2.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
    ICML 2023, arXiv:2304.07288.
    """
    try:
        return check_integer("n", n, minimum=2)
    except InputError:
        raise InputError(f"n={n!r} is not allowed; the number of classes n must be an integer >= 2") from None


def check_bound(bound):
    """Return Λ as a float (or None for the complete hypothesis set); Λ must be finite and > 0.

    Parameters
    ----------
    bound : float or None
        Score bound Λ of the hypothesis set {h : |h(x, y)| ≤ Λ}; None for unbounded (complete) scores.

    Returns
    -------
    float or None
        Λ as a Python float, or None.

    Raises
    ------
    InputError
        When Λ is not a finite number > 0.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
    ICML 2023, arXiv:2304.07288 (bounded hypothesis sets and minimizability gaps).
    """
    if bound is None:
        return None
    allowed = "a finite score bound Λ > 0 (or None for unbounded scores)"
    v = check_real("bound", bound, allow_nan=True, allowed=allowed)
    if not math.isfinite(v) or v <= 0:
        raise InputError(f"bound={bound!r} is not allowed; the score bound Λ must be a finite number > 0 "
                         "(or None for unbounded scores)")
    return v


def _check_scores_labels(scores, labels):
    xp, (h,) = real_namespace(scores=scores)
    if h.ndim != 2 or h.shape[1] < 2:
        raise InputError(f"scores has shape {tuple(h.shape)}; a (batch, n_classes) array with n_classes >= 2 "
                         "is required")
    check_no_nan("scores", h, xp)
    lab = check_labels("labels", labels, h.shape[1], length=h.shape[0], xp=xp)
    return xp, h, lab


# ------------------------------------------------------------------------------------- Φ^τ and Ψ_τ


def phi_tau(u, tau):
    """Φ^τ(u) = ∫₀ᵘ (1+v)^{−τ} dv = ((1+u)^{1−τ} − 1)/(1−τ), Φ^1(u) = log(1+u), for u ≥ 0.

    Computed as ``expm1((1−τ)·log1p(u))/(1−τ)``, accurate for small u and for τ near 1. The comp-sum loss is
    ℓ^τ(h, x, y) = Φ^τ(Σ_{y'≠y} e^{h(x,y') − h(x,y)}).

    Parameters
    ----------
    u : float or array
        Arguments u ≥ 0 (any array-API namespace; no NaN).
    tau : float
        τ ≥ 0.

    Returns
    -------
    array
        Φ^τ(u), in the namespace and dtype of ``u``.

    Raises
    ------
    InputError
        For an invalid τ, NaN or a negative entry of u.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
    ICML 2023, arXiv:2304.07288 (definition of the comp-sum losses).
    """
    tau = check_tau(tau)
    xp, (u,) = real_namespace(u=u)
    check_no_nan("u", u, xp)
    if bool(xp.any(u < 0)):
        raise InputError(f"u has a negative entry ({float(xp.min(u)):.3g}); Φ^τ(u) is defined for u >= 0")
    lu = xp.log1p(u)
    if tau == 1.0:
        return lu
    return xp.expm1((1.0 - tau) * lu) / (1.0 - tau)


def psi_tau(s, tau):
    """Ψ_τ(s) = (1 − s^{τ−1})/(τ−1), Ψ_1(s) = −log s, for s ∈ [0, 1] (the loss of softmax mass s).

    ℓ^τ(h, x, y) = Ψ_τ(softmax(h)_y); Ψ_τ(0) = +∞ for τ ≤ 1 and 1/(τ−1) for τ > 1.

    Parameters
    ----------
    s : float or array
        Softmax masses s ∈ [0, 1] (any array-API namespace; no NaN).
    tau : float
        τ ≥ 0.

    Returns
    -------
    array
        Ψ_τ(s), in the namespace and dtype of ``s``.

    Raises
    ------
    InputError
        For an invalid τ, NaN or an entry outside [0, 1].

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
    ICML 2023, arXiv:2304.07288 (comp-sum losses written through the softmax).
    """
    tau = check_tau(tau)
    xp, (s,) = real_namespace(s=s)
    check_no_nan("s", s, xp)
    if bool(xp.any(s < 0)) or bool(xp.any(s > 1)):
        raise InputError("s has an entry outside [0, 1]; Ψ_τ(s) is defined for softmax masses s in [0, 1]")
    with np.errstate(divide="ignore"):
        return _psi_from_log(xp, xp.log(s), tau)


def _psi_from_log(xp, logs, tau: float):
    """Ψ_τ evaluated at s = exp(logs): −expm1((τ−1)·logs)/(τ−1), or −logs at τ = 1."""
    if tau == 1.0:
        return -logs
    return -xp.expm1((tau - 1.0) * logs) / (tau - 1.0)


def phi_sympy(u: sp.Expr, tau) -> sp.Expr:
    """Φ^τ(u) as a sympy expression (τ a number or a symbol; τ = 1 gives log(1+u)).

    Φ^τ(u) = ((1+u)^{1−τ} − 1)/(1 − τ) for τ ≠ 1.

    Parameters
    ----------
    u : sympy.Expr
        The argument.
    tau : float or sympy.Basic
        τ ≥ 0 (a number is made exact by ``nsimplify``) or a symbol.

    Returns
    -------
    sympy.Expr
        Φ^τ(u).

    Raises
    ------
    InputError
        When a numeric τ is not a finite number ≥ 0.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
    ICML 2023, arXiv:2304.07288.
    """
    tau = sp.nsimplify(check_tau(tau)) if not isinstance(tau, sp.Basic) else tau
    if tau == 1:
        return sp.log(1 + u)
    return ((1 + u) ** (1 - tau) - 1) / (1 - tau)


def psi_sympy(s: sp.Expr, tau) -> sp.Expr:
    """Ψ_τ(s) as a sympy expression (τ a number or a symbol; τ = 1 gives −log s).

    Ψ_τ(s) = (1 − s^{τ−1})/(τ − 1) for τ ≠ 1.

    Parameters
    ----------
    s : sympy.Expr
        The softmax mass.
    tau : float or sympy.Basic
        τ ≥ 0 (a number is made exact by ``nsimplify``) or a symbol.

    Returns
    -------
    sympy.Expr
        Ψ_τ(s).

    Raises
    ------
    InputError
        When a numeric τ is not a finite number ≥ 0.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
    ICML 2023, arXiv:2304.07288.
    """
    tau = sp.nsimplify(check_tau(tau)) if not isinstance(tau, sp.Basic) else tau
    if tau == 1:
        return -sp.log(s)
    return (1 - s ** (tau - 1)) / (tau - 1)


def loss_name(tau: float) -> str:
    """The usual name of ℓ^τ: sum-exponential (0), cross-entropy (1), GCE (1,2), MAE (2).

    Parameters
    ----------
    tau : float
        τ ≥ 0.

    Returns
    -------
    str
        The name of the comp-sum loss with this τ.

    Raises
    ------
    InputError
        When τ is not a finite number ≥ 0.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
    ICML 2023, arXiv:2304.07288 (special cases: sum-exponential, cross-entropy, GCE, MAE).
    """
    tau = check_tau(tau)
    if tau == 0:
        return "sum-exponential"
    if tau < 1:
        return "comp-sum (between sum-exponential and cross-entropy)"
    if tau == 1:
        return "cross-entropy (logistic)"
    if tau < 2:
        return "generalized cross-entropy"
    if tau == 2:
        return "mean absolute error"
    return "bounded comp-sum (tau > 2)"


# ------------------------------------------------------------------------- loss and gradient (reference)


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


# ------------------------------------------------------------------------------ best conditional risk


def best_conditional_risk(p, tau, bound=None):
    """C*_τ(p) = inf_h Σ_y p_y ℓ^τ(h, y) over scores in ℝⁿ (``bound=None``) or in [−Λ, Λ]ⁿ.

    Complete scores, a = 1/(2−τ): (1 − ‖p‖_a)/(τ−1) for τ ∈ [0,2)∖{1}, the entropy −Σ p log p at τ = 1,
    (1 − max p)/(τ−1) for τ ≥ 2. Box [−Λ, Λ]ⁿ (KKT on the convex image {s : s_i ≤ e^{2Λ}s_j} of the box under
    softmax): for τ < 2 the minimiser is h = clip(a·log p + c, −Λ, Λ) for one scalar c (found by a 1-D
    search); for τ ≥ 2 (Ψ_τ concave) it is a vertex: the top-k classes at Λ and the rest at −Λ, minimised
    over k.

    Parameters
    ----------
    p : array (n,) or (m, n)
        Probability vector(s) of the labels.
    tau : float
        τ ≥ 0.
    bound : float, optional
        Score bound Λ > 0; None for the complete hypothesis set.

    Returns
    -------
    float or ndarray (m,)
        C*_τ(p) (a float for one vector).

    Raises
    ------
    InputError
        For an invalid τ, Λ, or p that is not a probability vector / batch.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
    ICML 2023, arXiv:2304.07288 (best conditional risk of comp-sum losses; the closed forms were reconstructed,
    derivation
    worked out in the project's claim notes, shared/claims/surrogate-losses.md §2).
    """
    tau = check_tau(tau)
    lam = check_bound(bound)
    P = np.asarray(as_real_array("p", p), dtype=np.float64)
    if P.ndim not in (1, 2):
        raise InputError(f"p has shape {P.shape}; a probability vector (n,) or a batch (m, n) is allowed")
    check_probability("p", P, np)
    single = P.ndim == 1
    P = np.clip(np.atleast_2d(P), 0.0, 1.0)
    out = np.empty(P.shape[0])
    cstar_rows(P, tau, -1.0 if lam is None else lam, out)
    return float(out[0]) if single else out


def best_scores(p, tau, bound=None):
    """A minimiser h of Σ_y p_y ℓ^τ(h, y).

    Complete scores: h = a·log p (a = 1/(2−τ), −inf where p_y = 0) for τ < 2; for τ ≥ 2 the infimum is only
    approached: h = (K at arg max p, 0 elsewhere) with K = 50 is returned. Box [−Λ, Λ]ⁿ: the minimiser of
    :func:`best_conditional_risk`'s search.

    Parameters
    ----------
    p : array (n,)
        One probability vector.
    tau : float
        τ ≥ 0.
    bound : float, optional
        Score bound Λ > 0; None for unbounded scores.

    Returns
    -------
    ndarray (n,)
        The scores h.

    Raises
    ------
    InputError
        For an invalid τ, Λ, or p.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
    ICML 2023, arXiv:2304.07288.
    """
    tau = check_tau(tau)
    lam = check_bound(bound)
    p = np.asarray(as_real_array("p", p), dtype=np.float64)
    if p.ndim != 1:
        raise InputError(f"p has shape {p.shape}; one probability vector (n,) is allowed")
    check_probability("p", p, np)
    p = np.clip(p, 0.0, 1.0)
    if lam is not None:
        h = np.empty(p.shape[0])
        cstar_box_h(p, tau, lam, h)
        return h
    if tau >= 2:
        h = np.zeros(p.shape[0])
        h[int(np.argmax(p))] = 50.0
        return h
    with np.errstate(divide="ignore"):
        return np.log(p) / (2.0 - tau)


def conditional_risk(p, h, tau):
    """C_τ(h, p) = Σ_y p_y Ψ_τ(softmax(h)_y) (terms with p_y = 0 dropped; h may contain −inf).

    Parameters
    ----------
    p : array (..., n)
        Probability vectors.
    h : array (..., n)
        Scores, broadcastable with p (finite or −inf, no NaN).
    tau : float
        τ ≥ 0.

    Returns
    -------
    ndarray or float
        The conditional risk over the broadcast leading axes.

    Raises
    ------
    InputError
        For an invalid τ or p, NaN in h, or incompatible shapes.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
    ICML 2023, arXiv:2304.07288 (conditional risk of comp-sum losses).
    """
    tau = check_tau(tau)
    p = np.asarray(as_real_array("p", p), dtype=np.float64)
    h = np.asarray(as_real_array("h", h), dtype=np.float64)
    check_probability("p", p, np)
    try:
        np.broadcast_shapes(h.shape, p.shape)
        ok = h.ndim >= 1 and h.shape[-1] == p.shape[-1]
    except ValueError:
        ok = False
    if not ok:
        raise InputError(f"h has shape {h.shape} and p has shape {p.shape}; broadcastable shapes with equal "
                         "numbers of classes are required")
    if np.any(np.isnan(h)):
        raise InputError("h contains NaN; finite or -inf scores are allowed")
    logs = _log_softmax(np, h)
    with np.errstate(invalid="ignore", over="ignore"):
        terms = np.where(p > 0, p * _psi_from_log(np, logs, tau), 0.0)
    return terms.sum(-1)


def deterministic_risk(tau, n, bound=None):
    """Per-point best risk for a deterministic label: Φ^τ((n−1)e^{−2Λ}) = Ψ_τ(s_max), 0 when unbounded.

    Attained at h_y = Λ, h_{y'} = −Λ; it enters the minimizability gaps of bounded hypothesis sets.

    Parameters
    ----------
    tau : float
        τ ≥ 0.
    n : int
        Number of classes ≥ 2.
    bound : float, optional
        Score bound Λ > 0; None for unbounded scores.

    Returns
    -------
    float
        The best conditional risk at a point whose label is deterministic.

    Raises
    ------
    InputError
        For an invalid τ, n or Λ.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
    ICML 2023, arXiv:2304.07288 (minimizability gaps; section number unconfirmed).
    """
    tau = check_tau(tau)
    lam = check_bound(bound)
    n = check_n(n)
    if lam is None:
        return 0.0
    return float(phi_tau((n - 1) * math.exp(-2.0 * lam), tau))


# ------------------------------------------------------------------------------ the Loss protocol


@dataclasses.dataclass(frozen=True)
class CompSumLoss(Loss):
    """The comp-sum loss ℓ^τ(h, x, y) = Φ^τ(Σ_{y'≠y} e^{h_{y'} − h_y}) = Ψ_τ(softmax(h)_y) as a Loss.

    Wraps the functions of this module: values and gradients (:func:`comp_sum_loss`,
    :func:`comp_sum_loss_and_grad`), conditional risks (:func:`conditional_risk`) and C*
    (:func:`best_conditional_risk`, complete or box-bounded). Scores (batch, n), integer labels (batch,).

    Parameters
    ----------
    tau : float
        τ ≥ 0 (0 sum-exponential, 1 cross-entropy, (1, 2) GCE, 2 MAE).
    bound : float or None, default None
        Score bound Λ of the hypothesis set {|h| ≤ Λ}; None for complete (unbounded) scores.

    Raises
    ------
    InputError
        For an invalid τ or Λ.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
    ICML 2023, arXiv:2304.07288 (the comp-sum family, §3).
    """

    tau: float
    bound: float | None = None

    def __post_init__(self):
        object.__setattr__(self, "tau", check_tau(self.tau))
        object.__setattr__(self, "bound", check_bound(self.bound))

    @property
    def name(self) -> str:
        """``"comp_sum(tau=τ)"``, with the bound when there is one.

        Returns
        -------
        str
            The loss name.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
        ICML 2023, arXiv:2304.07288.
        """
        return f"comp_sum(tau={self.tau:g})" + ("" if self.bound is None else f"[bound={self.bound:g}]")

    @property
    def convex(self) -> bool:
        """True for τ ≤ 1: ℓ^τ = (e^{(1−τ)(−log s_y)} − 1)/(1 − τ) is convex increasing of the convex −log s_y.

        Returns
        -------
        bool
            τ ≤ 1.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
        ICML 2023, arXiv:2304.07288 (sum-exponential and cross-entropy are convex; GCE and MAE are not).
        """
        return self.tau <= 1.0

    @property
    def bounded(self) -> bool:
        """True for τ > 1 (ℓ^τ ≤ Ψ_τ(0) = 1/(τ − 1)) or box-bounded scores.

        Returns
        -------
        bool
            Whether the loss is bounded.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
        ICML 2023, arXiv:2304.07288.
        """
        return self.tau > 1.0 or self.bound is not None

    @property
    def params(self) -> dict:
        """``{"tau": τ, "bound": Λ or None}``.

        Returns
        -------
        dict
            The parameters.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
        ICML 2023, arXiv:2304.07288.
        """
        return {"tau": self.tau, "bound": self.bound}

    @property
    def tight_search(self) -> str:
        """"comp_sum": the structured search with the closed-form inner infimum (it reads ``tau``).

        Returns
        -------
        str
            "comp_sum".

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds: Characterization and Extensions", NeurIPS 2023.
        """
        return "comp_sum"

    def value(self, scores, labels):
        """ℓ^τ per example: :func:`comp_sum_loss`.

        Parameters
        ----------
        scores : array (batch, n)
            Scores h (no NaN).
        labels : integer array (batch,)
            Class indices in [0, n).

        Returns
        -------
        array (batch,)
            The losses.

        Raises
        ------
        InputError
            For malformed scores or labels.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
        ICML 2023, arXiv:2304.07288.
        """
        return comp_sum_loss(scores, labels, self.tau)

    def value_and_grad(self, scores, labels, *, fast=None):
        """(ℓ^τ, ∂ℓ^τ/∂h): :func:`comp_sum_loss_and_grad`.

        Parameters
        ----------
        scores : array (batch, n)
            Scores h (no NaN).
        labels : integer array (batch,)
            Class indices in [0, n).
        fast : bool or None, default None
            The fast-path switch (see :func:`comp_sum_loss_and_grad`).

        Returns
        -------
        loss : array (batch,)
            The losses.
        grad : array (batch, n)
            Their gradients.

        Raises
        ------
        InputError
            For malformed scores, labels or fast.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
        ICML 2023, arXiv:2304.07288.
        """
        return comp_sum_loss_and_grad(scores, labels, self.tau, fast=fast)

    def conditional_risk(self, p, scores):
        """C_τ(h, p) = Σ_y p_y Ψ_τ(softmax(h)_y): :func:`conditional_risk` (the box is not checked).

        Parameters
        ----------
        p : array (..., n)
            Probability vectors.
        scores : array (..., n)
            Scores (finite or −inf).

        Returns
        -------
        ndarray or float
            The conditional risks.

        Raises
        ------
        InputError
            For invalid p or scores.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
        ICML 2023, arXiv:2304.07288.
        """
        return conditional_risk(p, scores, self.tau)

    def best_conditional_risk(self, p):
        """C*_τ(p), complete or over the box [−Λ, Λ]ⁿ: :func:`best_conditional_risk`.

        Parameters
        ----------
        p : array (n,) or (m, n)
            Probability vector(s).

        Returns
        -------
        float or ndarray (m,)
            C*_τ(p).

        Raises
        ------
        InputError
            For invalid p.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
        ICML 2023, arXiv:2304.07288.
        """
        return best_conditional_risk(p, self.tau, self.bound)

    def best_scores(self, p):
        """A minimiser of C_τ(·, p): :func:`best_scores`.

        Parameters
        ----------
        p : array (n,)
            One probability vector.

        Returns
        -------
        ndarray (n,)
            The scores.

        Raises
        ------
        InputError
            For invalid p.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
        ICML 2023, arXiv:2304.07288.
        """
        return best_scores(p, self.tau, self.bound)

    def sympy_form(self) -> sp.Expr:
        """Ψ_τ(s) in the positive symbol ``s`` = softmax(h)_y: :func:`psi_sympy`.

        Returns
        -------
        sympy.Expr
            Ψ_τ(s).

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
        ICML 2023, arXiv:2304.07288.
        """
        return psi_sympy(sp.Symbol("s", positive=True), self.tau)

    def __repr__(self) -> str:
        return f"CompSumLoss(tau={self.tau:g}, bound={self.bound!r})"


__all__ = ["phi_tau", "psi_tau", "phi_sympy", "psi_sympy", "comp_sum_loss", "comp_sum_loss_and_grad",
           "log_softmax", "best_conditional_risk", "best_scores", "conditional_risk", "deterministic_risk",
           "check_tau", "check_n", "check_bound", "loss_name", "fused_loss_and_grad", "CompSumLoss"]
