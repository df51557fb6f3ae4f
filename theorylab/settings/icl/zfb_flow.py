"""The exact population gradient flow of the reduced (u, U) LSA model of Zhang, Frei, Bartlett (JMLR 2024, §4).

Integrated with :func:`scipy.integrate.solve_ivp`; :func:`zfb_limit` is its closed-form limit and
:func:`zfb_initialisation` the balanced initialisation it starts from.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np
from scipy.integrate import solve_ivp

from ..._validation import (InputError, check_choice, check_integer, check_nonnegative, check_positive, check_real,
                            real_namespace)
from .closed_forms import gamma_matrix, optimal_preconditioner
from .prompts import check_covariance

# --------------------------------------------------------------------------------------------- ZFB flow
def zfb_limit(covariance, n, noise_var=0.0):
    """c = ‖Γ⁻¹‖_F^{1/2} = tr(Γ⁻²)^{1/4}: the limit of u = W^{PV}_{d+1,d+1} under ZFB's gradient flow
    from a balanced initialisation; then W^{KQ}_top = Γ⁻¹/c (Zhang, Frei, Bartlett 2024, Thm 4.1).

    Parameters
    ----------
    covariance : (d, d) array or None
        Σ (symmetric positive definite); identity when None.
    n : int
        Context length ≥ 1.
    noise_var : float, default 0.0
        Label noise variance σ² ≥ 0.

    Returns
    -------
    float
        c.

    Raises
    ------
    InputError
        For invalid arguments.

    References
    ----------
    R. Zhang, S. Frei, P. L. Bartlett, "Trained Transformers Learn Linear Models In-Context", JMLR 25(49), 2024,
    arXiv:2306.09927, §4.
    Derivation and protocol worked out in the project's claim notes (shared/claims/in-context-regression.md).
    """
    Gi = np.asarray(optimal_preconditioner(covariance, n, noise_var))
    return float(np.sum(Gi * Gi)) ** 0.25


@dataclasses.dataclass
class FlowResult:
    """The solution of the reduced ZFB gradient flow at the times ``t``.

    Parameters
    ----------
    t : ndarray (T,)
        Times.
    u : ndarray (T,)
        u(t).
    U : ndarray (T, d, d)
        U(t).
    conserved : ndarray (T,)
        u² − ‖U‖_F² along the solution.
    loss : ndarray (T,)
        ℓ(u, U) along the solution.
    success : bool
        Solver status.
    message : str
        Solver message.

    References
    ----------
    R. Zhang, S. Frei, P. L. Bartlett, "Trained Transformers Learn Linear Models In-Context", JMLR 25(49), 2024,
    arXiv:2306.09927, §4.
    Derivation and protocol worked out in the project's claim notes (shared/claims/in-context-regression.md).
    """

    t: np.ndarray
    u: np.ndarray  # (T,)
    U: np.ndarray  # (T, d, d)
    conserved: np.ndarray  # u² − ‖U‖_F², (T,)
    loss: np.ndarray  # ℓ(u, U), (T,)
    success: bool
    message: str


def zfb_gradient_flow(covariance, n, u0, U0, t_end=None, noise_var=0.0, rtol=1e-11, atol=1e-13,
                      method="LSODA", n_eval=200) -> FlowResult:
    """Integrate u̇ = −∂ℓ/∂u, U̇ = −∂ℓ/∂U for ℓ(u, U) = ½[u² tr(Σ Uᵀ Σ Γ U) − 2u tr(Σ Uᵀ Σ) + tr Σ].

    ∂ℓ/∂u = u tr(Σ Uᵀ Σ Γ U) − tr(Σ Uᵀ Σ), ∂ℓ/∂U = u² Σ Γ U Σ − u Σ². The flow conserves u² − ‖U‖_F²
    (Zhang, Frei, Bartlett 2024, §4; claim notes §7). Stiff along small eigenvalues (rate u² γ_i λ_i²), hence
    LSODA (automatic stiff/non-stiff switching) by default. ``t_end`` defaults to 60 over the slowest final rate plus
    an escape
    time from the initialisation.

    Parameters
    ----------
    covariance : (d, d) array or None
        Σ (symmetric positive definite); identity when None.
    n : int
        Context length ≥ 1.
    noise_var : float, default 0.0
        Label noise variance σ² ≥ 0.
    u0 : float
        Initial u.
    U0 : array (d, d)
        Initial U.
    t_end : float, optional
        Final time (default: see above).
    rtol : float, default 1e-11
        Relative tolerance.
    atol : float, default 1e-13
        Absolute tolerance.
    method : str, default "LSODA"
        ``scipy.integrate.solve_ivp`` method.
    n_eval : int, default 200
        Number of output times.

    Returns
    -------
    FlowResult
        The solution.

    Raises
    ------
    InputError
        For invalid arguments.

    References
    ----------
    R. Zhang, S. Frei, P. L. Bartlett, "Trained Transformers Learn Linear Models In-Context", JMLR 25(49), 2024,
    arXiv:2306.09927, §4.
    Derivation and protocol worked out in the project's claim notes (shared/claims/in-context-regression.md).
    """
    _, cov = check_covariance(covariance)
    cov = np.asarray(cov, dtype=np.float64)
    d = cov.shape[0]
    n = check_integer("n", n)
    noise_var = check_nonnegative("noise_var", noise_var)
    u0 = check_real("u0", u0, allow_inf=False, allowed="a finite real number")
    rtol, atol = check_positive("rtol", rtol), check_positive("atol", atol)
    n_eval = check_integer("n_eval", n_eval, minimum=2)
    check_choice("method", method, ("LSODA", "Radau", "BDF", "RK45", "RK23", "DOP853"))
    _, (U0,) = real_namespace(U0=U0)
    U0 = np.asarray(U0, dtype=np.float64)
    if U0.shape != (d, d):
        raise InputError(f"U0 has shape {U0.shape}; a ({d}, {d}) matrix is required")
    Gam = np.asarray(gamma_matrix(cov, n, noise_var))
    SG = cov @ Gam
    S2 = cov @ cov
    trS = float(np.trace(cov))

    def rhs(_t, state):
        u, U = state[0], state[1:].reshape(d, d)
        du = -(u * np.trace(cov @ U.T @ SG @ U) - np.trace(cov @ U.T @ cov))
        dU = -(u * u * SG @ U @ cov - u * S2)
        return np.concatenate([[du], dU.ravel()])

    if t_end is None:
        c = zfb_limit(cov, n, noise_var)
        lam = np.linalg.eigvalsh(cov)
        gam = (1 + 1 / n) * lam + (trS + noise_var) / n
        slow = float(np.min(c * c * gam * lam * lam))
        escape = math.log(1.0 / max(abs(float(u0)) + np.linalg.norm(U0), 1e-12) + 1.0) / float(np.max(lam) ** 2)
        t_end = 60.0 / slow + 10.0 * escape
    t_end = check_positive("t_end", t_end)
    t_eval = np.concatenate([[0.0], np.geomspace(1e-3 * t_end, t_end, n_eval - 1)])
    sol = solve_ivp(rhs, (0.0, t_end), np.concatenate([[float(u0)], U0.ravel()]), method=method, rtol=rtol,
                    atol=atol, t_eval=t_eval)
    u = sol.y[0]
    U = sol.y[1:].T.reshape(-1, d, d)
    conserved = u * u - np.einsum("tij,tij->t", U, U)
    loss = np.array([0.5 * (np.trace(cov @ (ui * Ui).T @ SG @ (ui * Ui)) - 2 * np.trace(cov @ (ui * Ui).T @ cov)
                            + trS + noise_var) for ui, Ui in zip(u, U)])
    return FlowResult(sol.t, u, U, conserved, loss, bool(sol.success), str(sol.message))


def zfb_initialisation(Theta, omega):
    """(u0, U0) = (ω, ω Θ Θᵀ): ZFB's initialisation W^{PV}(0) = ω e_{d+1}e_{d+1}ᵀ, W^{KQ}(0) =
    ω blockdiag(ΘΘᵀ, 0); balanced (u0² = ‖U0‖_F²) exactly when ‖ΘΘᵀ‖_F = 1.

    Parameters
    ----------
    Theta : array (d, m)
        Θ.
    omega : float
        ω, a finite real number.

    Returns
    -------
    u0 : float
        ω.
    U0 : ndarray (d, d)
        ω ΘΘᵀ.

    Raises
    ------
    InputError
        For invalid arguments.

    References
    ----------
    R. Zhang, S. Frei, P. L. Bartlett, "Trained Transformers Learn Linear Models In-Context", JMLR 25(49), 2024,
    arXiv:2306.09927, §4.
    Derivation and protocol worked out in the project's claim notes (shared/claims/in-context-regression.md).
    """
    _, (Theta,) = real_namespace(Theta=Theta)
    Theta = np.asarray(Theta, dtype=np.float64)
    if Theta.ndim != 2:
        raise InputError(f"Theta has shape {Theta.shape}; a (d, k) matrix is allowed")
    omega = check_real("omega", omega, allow_inf=False, allowed="a finite real number")
    return omega, omega * (Theta @ Theta.T)


__all__ = ["zfb_limit", "FlowResult", "zfb_gradient_flow", "zfb_initialisation"]
