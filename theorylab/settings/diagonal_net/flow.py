"""Diagonal linear networks: gradient flow and its link to (S)GD (multiplicative identity, effective scale).

:func:`gradient_flow` integrates the flow of parameterisation (A) from α𝟏 with an implicit ODE solver (the
reference the discrete dynamics are compared with, Woodworth et al. 2020); :func:`multiplicative_identity`
rebuilds β_T of (S)GD from the tracked log-factors as a flow with a reduced scale α_T (Pesme et al. 2021), and
:func:`effective_alpha` reads that scale off the parameters. The discrete GD/SGD loops are in :mod:`.dynamics`,
which re-exports these names.
"""
from __future__ import annotations


import numpy as np

from ..._validation import InputError, check_positive, real_namespace
from .model import DiagonalParams, check_data, predictor


def multiplicative_identity(alpha, log_a, log_b):
    """β_T from the exact multiplicative identity of (S)GD, parameterisation (A).

    With a = Σ_k log|1 − 2γ_k g_k| and b = Σ_k log|1 + 2γ_k g_k|: β_T = 2 α_T² ⊙ sinh(a − b),
    α_T² = α² e^{−G_T}, G_T = −(a + b) = Σ_k q̃(2γ_k g_k), q̃(x) = −log|1 − x²|. Valid while no factor changed
    sign (true for stable steps).

    Parameters
    ----------
    alpha : float or array (d,)
        Initialisation scale α > 0.
    log_a : array (d,)
        a, from a tracked :class:`Trajectory`.
    log_b : array (d,)
        b, from a tracked :class:`Trajectory`.

    Returns
    -------
    beta : array (d,)
        β_T.
    gain : array (d,)
        G_T.

    Raises
    ------
    InputError
        For invalid α or log arrays.

    References
    ----------
    S. Pesme, L. Pillaud-Vivien, N. Flammarion, "Implicit Bias of SGD for Diagonal Linear Networks: a Provable Benefit
    of Stochasticity", NeurIPS 2021, arXiv:2106.09524, eq. (6).
    M. Even, S. Pesme, S. Gunasekar, N. Flammarion, "(S)GD over Diagonal Linear Networks: Implicit Regularisation,
    Large Stepsizes and Edge of Stability", NeurIPS 2023.
    """
    alpha = check_positive("alpha", alpha)
    xp, (log_a, log_b) = real_namespace(log_a=log_a, log_b=log_b)
    if tuple(log_a.shape) != tuple(log_b.shape):
        raise InputError(f"log_a has shape {tuple(log_a.shape)} and log_b {tuple(log_b.shape)}; equal shapes are required")
    gain = -(log_a + log_b)
    return 2.0 * alpha ** 2 * xp.exp(-gain) * xp.sinh(log_a - log_b), gain


def effective_alpha(params: DiagonalParams):
    """Per-coordinate effective initialisation scale α_eff at the current parameters.

    "uu-vv": α_eff² = |u⊙v| (conserved by gradient flow, equal to α² e^{−G_T} along (S)GD, where the absolute
    value covers steps with |2γg| > 1 that flip the signs of u and v); "uv": α_eff² = (u⊙u − v⊙v)/4 (the
    imbalance δ/4, from the map w± = (u ± v)/2).

    Parameters
    ----------
    params : DiagonalParams
        The network parameters.

    Returns
    -------
    array (d,)
        α_eff.

    Raises
    ------
    InputError
        When a coordinate's scale is not positive.

    References
    ----------
    S. Pesme, L. Pillaud-Vivien, N. Flammarion, "Implicit Bias of SGD for Diagonal Linear Networks: a Provable Benefit
    of Stochasticity", NeurIPS 2021, arXiv:2106.09524.
    B. Woodworth, S. Gunasekar, J. D. Lee, E. Moroshko, P. Savarese, I. Golan, D. Soudry, N. Srebro, "Kernel and Rich
    Regimes in Overparametrized Models", COLT 2020, arXiv:2002.09277, Sec. 4.
    """
    if not isinstance(params, DiagonalParams):
        raise InputError(f"params={type(params).__name__} is not allowed; a DiagonalParams is")
    xp, (u, v) = real_namespace(u=params.u, v=params.v)
    a2 = xp.abs(u * v) if params.parametrization == "uu-vv" else (u * u - v * v) / 4.0
    if not bool(xp.all(a2 > 0)):
        raise InputError("params give a non-positive effective scale α_eff² on some coordinate; "
                         "u⊙v ≠ 0 ('uu-vv') or u² > v² ('uv') is required")
    return xp.sqrt(a2)


def gradient_flow(X, y, alpha, t_end, rtol=1e-11, atol=1e-13):
    """Gradient flow on (A) from α𝟏 up to time ``t_end`` by an implicit ODE solver (reference).

    Integrates μ̇ = (Xβ − y)/n with β = −2α² sinh(4Xᵀμ) (the flow u̇ = −2u⊙∇L, v̇ = 2v⊙∇L gives
    u = α e^{−2ρ}, v = α e^{2ρ}, ρ = Xᵀμ) with ``scipy.integrate.solve_ivp`` (Radau, analytic Jacobian).

    Parameters
    ----------
    X : array (n, d)
        Design.
    y : array (n,)
        Targets.
    alpha : float
        Initialisation scale α > 0.
    t_end : float
        Final time ≥ 0.
    rtol : float, default 1e-11
        Relative tolerance of the solver.
    atol : float, default 1e-13
        Absolute tolerance of the solver.

    Returns
    -------
    beta : ndarray (d,)
        β(t_end).
    params : DiagonalParams
        (u, v) at t_end.

    Raises
    ------
    InputError
        For invalid arguments.

    References
    ----------
    B. Woodworth, S. Gunasekar, J. D. Lee, E. Moroshko, P. Savarese, I. Golan, D. Soudry, N. Srebro, "Kernel and Rich
    Regimes in Overparametrized Models", COLT 2020, arXiv:2002.09277, Sec. 4.
    """
    from scipy.integrate import solve_ivp

    _, X, y = check_data(X, y)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    alpha = check_positive("alpha", alpha)
    t_end = check_positive("t_end", t_end)
    n = X.shape[0]
    a2 = alpha * alpha

    def rhs(_t, mu):
        beta = -2.0 * a2 * np.sinh(4.0 * (X.T @ mu))
        return (X @ beta - y) / n

    def jac(_t, mu):
        w = -8.0 * a2 * np.cosh(4.0 * (X.T @ mu))
        return (X * w) @ X.T / n

    sol = solve_ivp(rhs, (0.0, t_end), np.zeros(n), method="Radau", jac=jac, rtol=rtol, atol=atol)
    if not sol.success:
        raise RuntimeError(f"gradient flow integration failed: {sol.message}")
    rho = X.T @ sol.y[:, -1]
    params = DiagonalParams(alpha * np.exp(-2.0 * rho), alpha * np.exp(2.0 * rho), "uu-vv")
    return predictor(params), params


__all__ = ["multiplicative_identity", "effective_alpha", "gradient_flow"]
