"""LDR-KL conditional risks C(f; η) = Σ_y η_y ψ_λ(f, y) and their minimisers (unconstrained or on the simplex).

Zhu, Ying, Yang, "Label Distributionally Robust Losses for Multi-class Classification: Consistency, Robustness
and Adaptivity", ICML 2023 (arXiv 2112.14869), consistency analysis. Everything public is re-exported by
:mod:`theorylab.losses.ldr`.
"""
from __future__ import annotations

import math

import numpy as np
from scipy import optimize

from .._validation import (InputError, check_choice, check_generator, check_integer, check_no_nan, check_nonnegative,
                           check_probability, real_namespace)
from .ldr_values import _check_lam, _deltas_core, _ldr_core

__all__ = ["ldr_conditional_risk", "ldr_risk_minimizer"]


def ldr_conditional_risk(f, eta, lam, margin):
    """C(f; η) = Σ_y η_y ψ_λ(f, y) for one score vector f (K,) and class probabilities η (K,).

    Parameters
    ----------
    f : array (K,)
        Scores (no NaN).
    eta : array (K,)
        Class probabilities η (a probability vector).
    lam : float
        Temperature λ ≥ 0 or inf.
    margin : float
        Margin c ≥ 0.

    Returns
    -------
    float
        The conditional risk.

    Raises
    ------
    InputError
        For invalid λ, margin, η, or f not of shape (K,).

    References
    ----------
    D. Zhu, Y. Ying, T. Yang, "Label Distributionally Robust Losses for Multi-class Classification:
    Consistency, Robustness and Adaptivity", ICML 2023, arXiv:2112.14869 (consistency analysis of LDR losses).
    """
    f, eta, lam, margin = _check_risk_args(f, eta, lam, margin)
    return _ldr_risk(f, eta, lam, margin)


def _check_risk_args(f, eta, lam, margin):
    lam = _check_lam(lam)
    margin = check_nonnegative("margin", margin)
    _, (eta,) = real_namespace(eta=eta)
    eta = np.asarray(eta, dtype=float)
    if eta.ndim != 1:
        raise InputError(f"eta has shape {eta.shape}; one probability vector (K,) is allowed")
    check_probability("eta", eta, np)
    if f is not None:
        _, (f,) = real_namespace(f=f)
        f = np.asarray(f, dtype=float)
        if f.shape != eta.shape:
            raise InputError(f"f has shape {f.shape} and eta has shape {eta.shape}; one score per class "
                             "(equal shapes (K,)) is required")
        check_no_nan("f", f, np)
    return f, eta, lam, margin


def _ldr_risk(f, eta, lam, margin):
    """:func:`ldr_conditional_risk` on validated NumPy arguments (inside the optimisers: no checks)."""
    K = f.size
    delta = _deltas_core(np, np.broadcast_to(f, (K, K)), np.arange(K), margin)
    return float(np.dot(eta, _ldr_core(np, delta, lam)))


def _ldr_risk_derivatives(f, eta, lam, margin):
    """The risk Σ_y η_y ψ_λ(f, y), its gradient and Hessian in f, for a finite λ > 0 (no checks).

    p_y = softmax(δ(f, y)/λ) is the maximiser in ψ_λ's variational form, so ∂ψ_λ(f, y)/∂f = p_y − e_y and
    ∂²ψ_λ(f, y)/∂f² = (diag p_y − p_y p_yᵀ)/λ (log-sum-exp); the risk sums them with weights η_y.
    """
    K = f.size
    delta = _deltas_core(np, np.broadcast_to(f, (K, K)), np.arange(K), margin)  # row y: δ(f, y)
    m = delta.max(axis=1)
    e = np.exp((delta - m[:, None]) / lam)
    s = e.sum(axis=1)
    P = e / s[:, None]
    value = float(eta @ (m + lam * (np.log(s) - math.log(K))))
    wp = eta @ P
    hess = (np.diag(wp) - (P.T * eta) @ P) / lam
    return value, wp - eta, hess


def ldr_risk_minimizer(eta, lam, margin, domain="unconstrained", starts=3, rng=None):
    """argmin_f Σ_y η_y ψ_λ(f, y) over ``domain``.

    "unconstrained": f ∈ ℝ^K (the risk is shift-invariant, f_0 is fixed at 0; BFGS; the result is centred).
    "simplex": the scaled simplex {f ≥ 0, Σ f = K} of the repository's score normalisation (SLSQP, ``starts``
    random starts, best kept). The risk is convex in f, so multistart only guards against solver stalls.

    Parameters
    ----------
    eta : array (K,)
        Class probabilities η.
    lam : float
        Temperature λ ≥ 0 or inf.
    margin : float
        Margin c ≥ 0.
    domain : {"unconstrained", "simplex"}, default "unconstrained"
        The score domain.
    starts : int, default 3
        Number of SLSQP starts (≥ 1; "simplex" only).
    rng : numpy.random.Generator, optional
        Draws the random starts; ``default_rng(0)`` when None.

    Returns
    -------
    ndarray (K,)
        A minimising score vector f*.

    Raises
    ------
    InputError
        For invalid η, λ, margin, domain, starts or rng.

    References
    ----------
    D. Zhu, Y. Ying, T. Yang, "Label Distributionally Robust Losses for Multi-class Classification:
    Consistency, Robustness and Adaptivity", ICML 2023, arXiv:2112.14869 (rank-preserving risk minimisers).
    """
    _, eta, lam, margin = _check_risk_args(None, eta, lam, margin)
    check_choice("domain", domain, ("unconstrained", "simplex"))
    starts = check_integer("starts", starts)
    rng = check_generator("rng", rng, optional=True)
    K = eta.size
    rng = np.random.default_rng(0) if rng is None else rng
    risk = lambda f: _ldr_risk(f, eta, lam, margin)  # noqa: E731
    if domain == "unconstrained":
        if 0.0 < lam < math.inf:  # smooth and strictly convex in g: Newton steps in a trust region, exact derivatives
            last: dict = {}

            def derivatives(g):  # value, gradient and Hessian at g, computed once per point
                key = g.tobytes()
                if last.get("key") != key:
                    last.update(key=key, out=_ldr_risk_derivatives(np.concatenate([[0.0], g]), eta, lam, margin))
                return last["out"]

            res = optimize.minimize(lambda g: derivatives(g)[0], np.zeros(K - 1), method="trust-exact",
                                    jac=lambda g: derivatives(g)[1][1:], hess=lambda g: derivatives(g)[2][1:, 1:],
                                    options={"gtol": 1e-11, "maxiter": 10_000})
        else:
            res = optimize.minimize(lambda g: risk(np.concatenate([[0.0], g])), np.zeros(K - 1), method="BFGS",
                                    options={"gtol": 1e-11, "maxiter": 10_000})
        f = np.concatenate([[0.0], res.x])
        return f - f.mean()
    best = None
    for s in range(starts):
        x0 = np.ones(K) if s == 0 else rng.dirichlet(np.ones(K)) * K
        res = optimize.minimize(risk, x0, method="SLSQP", bounds=[(0, K)] * K,
                                constraints=[{"type": "eq", "fun": lambda f: f.sum() - K}],
                                options={"ftol": 1e-15, "maxiter": 1000})
        if best is None or res.fun < best.fun:
            best = res
    return best.x
