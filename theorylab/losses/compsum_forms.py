"""Comp-sum parametrisation and forms: checks of τ, n and Λ, Φ^τ and Ψ_τ (array-API and sympy), loss names.

Mao, Mohri, Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023
(arXiv 2304.07288), §3 (the comp-sum family):

    Φ^τ(u) = ((1+u)^{1−τ} − 1)/(1 − τ)   (τ ≠ 1),   Φ^1(u) = log(1 + u),
    Ψ_τ(s) = (1 − s^{τ−1})/(τ − 1),   Ψ_1(s) = −log s,

so that ℓ^τ(h, x, y) = Φ^τ(Σ_{y'≠y} e^{h(x,y') − h(x,y)}) = Ψ_τ(softmax(h)_y). Everything here is re-exported
by :mod:`theorylab.losses.compsum`.
"""
from __future__ import annotations

import math

import numpy as np
import sympy as sp

from .._validation import InputError, check_integer, check_no_nan, check_nonnegative, check_real, real_namespace

__all__ = ["check_tau", "check_n", "check_bound", "phi_tau", "psi_tau", "phi_sympy", "psi_sympy", "loss_name"]


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


# -------------------------------------------------------------------------------------------- Φ^τ and Ψ_τ


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
