"""Implicit-bias potential of diagonal linear networks and the interpolators it is compared with.

Woodworth et al. (COLT 2020, Thm 1 / eq. (10)): gradient flow on ``β = u⊙u − v⊙v`` from ``α𝟏``, if it
reaches zero loss, converges to ``argmin_{Xβ=y} Q_α(β)`` with
``Q_α(β) = Σ_i α_i² q(β_i/α_i²)``, ``q(z) = 2 − √(4+z²) + z·arcsinh(z/2)``.
The minimiser is computed through the smooth, strictly convex dual (conjugate ``Q*(z) = Σ 2α_i²(cosh z_i − 1)``)

    D(λ) = Σ_i 4α_i² sinh²((Xᵀλ)_i / 2) − yᵀλ,     β = 2α² ⊙ sinh(Xᵀλ),

by damped Newton with Armijo backtracking.
"""
from __future__ import annotations

import numpy as np

from ..._validation import (InputError, _is_foreign_array, array_device, check_integer, check_no_nan, check_positive,
                            on_host, real_namespace, to_numpy)
from .model import check_data


class NotInterpolableError(InputError):
    """No β satisfies Xβ = y (y is not in the range of X).

    References
    ----------
    B. Woodworth, S. Gunasekar, J. D. Lee, E. Moroshko, P. Savarese, I. Golan, D. Soudry, N. Srebro, "Kernel and Rich
    Regimes in Overparametrized Models", COLT 2020, arXiv:2002.09277 (the implicit bias is defined on the
    interpolating set).
    """


def q_entropy(z):
    """Hyperbolic entropy ``q(z) = 2 − √(4+z²) + z·arcsinh(z/2)`` (Woodworth et al. 2020, eq. (10)).

    Evaluated as ``z·arcsinh(z/2) − z²/(2 + √(4+z²))`` to avoid cancellation at small ``|z|``
    (``q(z) = z²/4 + O(z⁴)``). Array API.

    Parameters
    ----------
    z : float or array
        Real arguments.

    Returns
    -------
    array
        q(z), in the namespace of z.

    References
    ----------
    B. Woodworth, S. Gunasekar, J. D. Lee, E. Moroshko, P. Savarese, I. Golan, D. Soudry, N. Srebro, "Kernel and Rich
    Regimes in Overparametrized Models", COLT 2020, arXiv:2002.09277, eq. (10).
    """
    xp, (z,) = real_namespace(z=z)
    check_no_nan("z", z, xp)
    s = xp.sqrt(4.0 + z * z)
    return z * xp.asinh(z / 2.0) - z * z / (2.0 + s)


def Q_alpha(beta, alpha):
    """``Q_α(β) = Σ_i α_i² q(β_i/α_i²)`` (Woodworth et al. 2020, eq. (10)); ``alpha`` scalar or (d,). Array API.

    Parameters
    ----------
    beta : array (d,)
        Predictor β.
    alpha : float or array (d,)
        Scales α > 0.

    Returns
    -------
    float or array
        Q_α(β).

    References
    ----------
    B. Woodworth, S. Gunasekar, J. D. Lee, E. Moroshko, P. Savarese, I. Golan, D. Soudry, N. Srebro, "Kernel and Rich
    Regimes in Overparametrized Models", COLT 2020, arXiv:2002.09277, eq. (10).
    """
    xp, (beta,) = real_namespace(beta=beta)
    check_no_nan("beta", beta, xp)
    if beta.ndim != 1:
        raise InputError(f"beta has shape {tuple(beta.shape)}; a (d,) vector is allowed")
    a2 = _alpha_sq(alpha, beta.shape[0], xp, beta.dtype, array_device(beta))
    return float(xp.sum(a2 * q_entropy(beta / a2)))


def check_interpolable(X, y, rtol=None):
    """Raise :class:`NotInterpolableError` unless ``y`` is in the range of ``X`` (to ``rtol``).

    Tests the residual of the min-ℓ2 solution, ``‖X X⁺y − y‖ ≤ rtol·(1 + ‖y‖)``. The default tolerance scales
    with the dtype: ``max(1e-8, 1000·eps)`` (1e-8 in float64, 1.2e-4 in float32, whose pseudo-inverse alone leaves
    residuals of ~1e-7).

    Parameters
    ----------
    X : array (n, d)
        Design.
    y : array (n,)
        Targets.
    rtol : float, optional
        Relative residual tolerance; None: ``max(1e-8, 1000·eps)`` with ``eps`` of X's dtype.

    Returns
    -------
    array (d,)
        The min-ℓ2 solution X⁺y (an interpolator), in X's namespace, device and dtype.

    Raises
    ------
    NotInterpolableError
        When y is not in range(X).

    References
    ----------
    B. Woodworth, S. Gunasekar, J. D. Lee, E. Moroshko, P. Savarese, I. Golan, D. Soudry, N. Srebro, "Kernel and Rich
    Regimes in Overparametrized Models", COLT 2020, arXiv:2002.09277, Sec. 4.
    """
    xp, X, y = check_data(X, y)
    eps = float(xp.finfo(X.dtype).eps)
    rtol = max(1e-8, 1000.0 * eps) if rtol is None else check_positive("rtol", rtol)
    beta = xp.linalg.pinv(X) @ y
    res = float(xp.linalg.vector_norm(X @ beta - y))
    ny = float(xp.linalg.vector_norm(y))
    if not res <= rtol * (1.0 + ny):
        raise NotInterpolableError(
            f"y is not in the range of X (least-squares residual {res:.3g} > {rtol:g}·(1+‖y‖)); "
            "no interpolator exists: a claim that needs interpolation cannot use these data")
    return beta


def min_l2_interpolator(X, y):
    """Minimum-ℓ2-norm interpolator ``X⁺y`` (kernel limit α → ∞ of Woodworth et al. 2020). Array API.

    Raises :class:`NotInterpolableError` when ``Xβ = y`` has no solution.

    Parameters
    ----------
    X : array (n, d)
        Design.
    y : array (n,)
        Targets.

    Returns
    -------
    array (d,)
        X⁺y.

    References
    ----------
    B. Woodworth, S. Gunasekar, J. D. Lee, E. Moroshko, P. Savarese, I. Golan, D. Soudry, N. Srebro, "Kernel and Rich
    Regimes in Overparametrized Models", COLT 2020, arXiv:2002.09277, Sec. 4.
    """
    check_data(X, y)
    return check_interpolable(X, y)


@on_host("X", "y")  # HiGHS (SciPy) works on the host: other arrays move there once, the result back once
def min_l1_interpolator(X, y):
    """Minimum-ℓ1-norm interpolator (basis pursuit; rich limit α → 0 of Woodworth et al. 2020).

    Solves ``min 𝟏ᵀ(p + m)`` s.t. ``X(p − m) = y``, ``p, m ≥ 0`` with SciPy's HiGHS; returns ``p − m``
    (NumPy). Raises :class:`NotInterpolableError` when ``Xβ = y`` has no solution.

    Parameters
    ----------
    X : array (n, d)
        Design.
    y : array (n,)
        Targets.

    Returns
    -------
    ndarray (d,)
        argmin_{Xβ=y} ‖β‖₁.

    References
    ----------
    B. Woodworth, S. Gunasekar, J. D. Lee, E. Moroshko, P. Savarese, I. Golan, D. Soudry, N. Srebro, "Kernel and Rich
    Regimes in Overparametrized Models", COLT 2020, arXiv:2002.09277, Sec. 4 (rich limit); S. S. Chen, D. L. Donoho,
    M. A. Saunders, "Atomic Decomposition by Basis
    Pursuit", SIAM J. Sci. Comput. 20(1), 1998.
    """
    from scipy.optimize import linprog

    check_data(X, y)
    check_interpolable(X, y)  # at the data's own precision (float32 residuals are ~1e-7)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    d = X.shape[1]
    res = linprog(np.ones(2 * d), A_eq=np.hstack([X, -X]), b_eq=y, bounds=(0, None), method="highs")
    if res.status != 0:
        raise RuntimeError(f"HiGHS failed on the basis-pursuit LP: {res.message}")
    return res.x[:d] - res.x[d:]


def _alpha_sq(alpha, d, xp, dtype, device=None):
    _, (a,) = real_namespace(alpha=alpha)
    if a.ndim == 0:
        v = float(a)
        if not (np.isfinite(v) and v > 0):
            raise InputError(f"alpha={alpha!r} is not allowed; it must be a finite number > 0")
        return xp.full((d,), v * v, dtype=dtype, device=device)
    if tuple(a.shape) != (d,):
        raise InputError(f"alpha has shape {tuple(a.shape)}; a number or shape ({d},) is allowed")
    a = xp.asarray(to_numpy(a) if _is_foreign_array(a) and array_device(a) != device else a, dtype=dtype,
                   device=device)
    if not bool(xp.all(xp.isfinite(a) & (a > 0))):
        raise InputError("alpha has entries <= 0 or non-finite; every entry must be a finite number > 0")
    return a * a


def implicit_bias_solution(X, y, alpha, tol=None, max_iter=500):
    """argmin_{Xβ=y} Q_α(β): the limit of gradient flow from α.

    Damped Newton on the dual D(λ) = Σ 4α_i² sinh²((Xᵀλ)_i/2) − yᵀλ (gradient Xβ(λ) − y, Hessian
    X diag(2α² cosh Xᵀλ) Xᵀ), Armijo backtracking (overflowing trial points are rejected), stopped
    when ‖Xβ − y‖ ≤ tol·(1 + ‖y‖). Stationarity ∇Q_α(β) = arcsinh(β/2α²) = Xᵀλ holds by
    construction, so the returned β satisfies the KKT conditions of the strictly convex primal.

    Parameters
    ----------
    X : array (n, d)
        Design.
    y : array (n,)
        Targets (in the range of X).
    alpha : float > 0 or array (d,)
        Positive scales (per-coordinate / effective initialisation).
    tol : float, optional
        Relative residual tolerance; None: ``max(1e-12, 100·eps)`` with ``eps`` of X's dtype (1e-12 in float64,
        1.2e-5 in float32).
    max_iter : int, default 500
        Newton iteration cap.

    Returns
    -------
    array (d,)
        The minimiser β.

    Raises
    ------
    InputError
        ``alpha`` not positive; :class:`NotInterpolableError` when y ∉ range(X).

    References
    ----------
    B. Woodworth, S. Gunasekar, J. D. Lee, E. Moroshko, P. Savarese, I. Golan, D. Soudry, N. Srebro, "Kernel and Rich
    Regimes in Overparametrized Models", COLT 2020, arXiv:2002.09277, Theorem 1.
    S. Pesme, L. Pillaud-Vivien, N. Flammarion, "Implicit Bias of SGD for Diagonal Linear Networks: a Provable Benefit
    of Stochasticity", NeurIPS 2021, arXiv:2106.09524 (effective α of SGD).
    """
    xp, X, y = check_data(X, y)
    a2 = _alpha_sq(alpha, X.shape[1], xp, X.dtype, array_device(X))
    eps = float(xp.finfo(X.dtype).eps)
    tol = max(1e-12, 100.0 * eps) if tol is None else check_positive("tol", tol)
    ls_slack = max(1e-15, 4.0 * eps)  # relative slack of the Armijo test: the dual's own rounding
    max_iter = check_integer("max_iter", max_iter)
    check_interpolable(X, y)
    norm = xp.linalg.vector_norm
    target = tol * (1.0 + float(norm(y)))
    lam = xp.zeros((X.shape[0],), dtype=X.dtype, device=array_device(X))

    def dual(lam_):
        h = xp.sinh((lam_ @ X) / 2.0)
        val = float(xp.sum(4.0 * a2 * h * h)) - float(y @ lam_)
        return val if np.isfinite(val) else np.inf

    with np.errstate(over="ignore", invalid="ignore"):
        d0 = dual(lam)
        for _ in range(max_iter):
            z = lam @ X
            beta = 2.0 * a2 * xp.sinh(z)
            grad = X @ beta - y
            if float(norm(grad)) <= target:
                return beta
            hess = (X * (2.0 * a2 * xp.cosh(z))) @ X.T
            delta = -xp.linalg.solve(hess, grad)
            slope = float(grad @ delta)
            t = 1.0
            while True:
                trial = lam + t * delta
                dt = dual(trial)
                if dt <= d0 + 1e-4 * t * slope + ls_slack * abs(d0):
                    break
                t *= 0.5
                if t < 1e-60:
                    raise RuntimeError("dual Newton line search failed (no decrease); "
                                       f"‖Xβ − y‖ = {float(norm(grad)):.3g}")
            lam, d0 = trial, dt
    raise RuntimeError(f"dual Newton did not reach ‖Xβ − y‖ ≤ {target:.3g} in {max_iter} iterations")


__all__ = ["NotInterpolableError", "q_entropy", "Q_alpha", "check_interpolable", "min_l2_interpolator",
           "min_l1_interpolator", "implicit_bias_solution"]
