"""Comp-sum conditional risks: C_τ(h, p), the best risk C*_τ(p) (complete or box-bounded scores), its minimisers.

Mao, Mohri, Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023
(arXiv 2304.07288): C_τ(h, p) = Σ_y p_y Ψ_τ(softmax(h)_y) and C*_τ(p) = inf_h C_τ(h, p) over ℝⁿ or the box
[−Λ, Λ]ⁿ, plus the best risk of a deterministic label that enters the minimizability gaps of bounded
hypothesis sets. The searches run in the numba kernels of :mod:`theorylab.losses.compsum_kernels`, so these
functions compute in NumPy float64: arrays of another library (CuPy, torch, array-api-strict on any device) are
moved to the host once and the result is moved back once, in the input's namespace, device and floating dtype
(:func:`theorylab._validation.on_host`); Python floats stay floats. Everything here is re-exported by
:mod:`theorylab.losses.compsum`.
"""
from __future__ import annotations

import math

import numpy as np

from .._validation import InputError, as_real_array, check_probability, on_host
from .compsum_forms import _psi_from_log, check_bound, check_n, check_tau, phi_tau
from .compsum_kernels import cstar_box_h, cstar_rows
from .compsum_values import _log_softmax

__all__ = ["best_conditional_risk", "best_scores", "conditional_risk", "deterministic_risk"]


@on_host("p")
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
    P = np.asarray(as_real_array("p", p))  # float32 p is checked at its own precision, then widened
    if P.ndim not in (1, 2):
        raise InputError(f"p has shape {P.shape}; a probability vector (n,) or a batch (m, n) is allowed")
    check_probability("p", P, np)
    P = P.astype(np.float64)
    single = P.ndim == 1
    P = np.clip(np.atleast_2d(P), 0.0, 1.0)
    out = np.empty(P.shape[0])
    cstar_rows(P, tau, -1.0 if lam is None else lam, out)
    return float(out[0]) if single else out


@on_host("p")
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
    p = np.asarray(as_real_array("p", p))  # float32 p is checked at its own precision, then widened
    if p.ndim != 1:
        raise InputError(f"p has shape {p.shape}; one probability vector (n,) is allowed")
    check_probability("p", p, np)
    p = p.astype(np.float64)
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


@on_host("p", "h")
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
    p = np.asarray(as_real_array("p", p))  # float32 p is checked at its own precision, then widened
    h = np.asarray(as_real_array("h", h), dtype=np.float64)
    check_probability("p", p, np)
    p = p.astype(np.float64)
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
