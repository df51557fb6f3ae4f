"""Hessian of the training loss of a diagonal linear network and the (S)GD linear-stability quantities.

Parameters ``θ = (u, v) ∈ R^{2d}``, loss ``L(θ) = (1/2n) Σ_i r_i²``, ``r_i = x_iᵀβ(θ) − y_i``.
Per-sample gradients of the output ``a_i = ∇_θ(x_iᵀβ)``:
``(2u⊙x_i, −2v⊙x_i)`` for ``β = u⊙u − v⊙v`` and ``(v⊙x_i, u⊙x_i)`` for ``β = u⊙v``.
Stability conditions: Mulayoff & Michaeli (arXiv 2306.07850, Thm 1 and Prop. 3 eq. (16)),
Wu & Su (ICML 2023, arXiv 2305.17490): a minimum linearly stable for batch-1 SGD has ``tr H ≤ 2/η``.
"""
from __future__ import annotations

from ..._validation import InputError, array_device, real_namespace
from .model import DiagonalParams, _check_batch, check_data, predictor


def _check_params(X, params):
    if not isinstance(params, DiagonalParams):
        raise InputError(f"params={type(params).__name__} is not allowed; a DiagonalParams is")
    xp, (X, u, v) = real_namespace(X=X, u=params.u, v=params.v)
    if X.ndim != 2 or tuple(u.shape) != (X.shape[1],) or tuple(v.shape) != (X.shape[1],):
        raise InputError(f"X has shape {tuple(X.shape)} and params.u/params.v {tuple(u.shape)}/{tuple(v.shape)}; "
                         "(n, d) and (d,) are required")
    return xp, X


def per_sample_jacobian(X, params):
    """Rows ``a_i = ∇_θ (x_iᵀβ(θ))`` (n × 2d), ``θ = (u, v)``. Array API.

    Parameters
    ----------
    X : array (n, d)
        Design.
    params : DiagonalParams
        The parameters (u, v).

    Returns
    -------
    array (n, 2d)
        The rows a_i.

    References
    ----------
    L. Wu, W. J. Su, "The Implicit Regularization of Dynamical Stability in Stochastic Gradient Descent", ICML 2023,
    arXiv:2305.17490.
    """
    _check_params(X, params)
    xp, (X, u, v) = real_namespace(X=X, u=params.u, v=params.v)
    if params.parametrization == "uu-vv":
        return xp.concat([X * (2.0 * u), X * (-2.0 * v)], axis=1)
    return xp.concat([X * v, X * u], axis=1)


def hessian(X, y, params):
    """Hessian of ``L(u, v) = (1/2n)‖Xβ(u, v) − y‖²`` in ``θ = (u, v)`` (2d × 2d). Array API.

    ``H = (1/n) Σ_i a_i a_iᵀ + R`` with ``g = Xᵀr/n`` and the residual term
    ``R = diag(2g, −2g)`` for ``β = u⊙u − v⊙v`` or ``R = [[0, diag g], [diag g, 0]]`` for ``β = u⊙v``.
    ``R`` is traceless, so ``tr H = (1/n) Σ_i ‖a_i‖²`` at every point.

    Parameters
    ----------
    X : array (n, d)
        Design.
    y : array (n,)
        Targets.
    params : DiagonalParams
        The parameters (u, v).

    Returns
    -------
    array (2d, 2d)
        The Hessian H.

    References
    ----------
    L. Wu, W. J. Su, "The Implicit Regularization of Dynamical Stability in Stochastic Gradient Descent", ICML 2023,
    arXiv:2305.17490.
    """
    xp, X, y = check_data(X, y)
    _check_params(X, params)
    _, (u, v) = real_namespace(u=params.u, v=params.v)
    n, d = X.shape
    if tuple(u.shape) != (d,) or tuple(v.shape) != (d,):
        raise InputError(f"params.u/params.v have shapes {tuple(u.shape)}/{tuple(v.shape)}; ({d},) is allowed")
    A = per_sample_jacobian(X, params)
    g = (X @ predictor(params) - y) @ X / n
    H = A.T @ A / n
    eye = xp.eye(d, dtype=X.dtype, device=array_device(X))
    z = xp.zeros((d, d), dtype=X.dtype, device=array_device(X))
    G = eye * g
    if params.parametrization == "uu-vv":
        R = xp.concat([xp.concat([2.0 * G, z], axis=1), xp.concat([z, -2.0 * G], axis=1)], axis=0)
    else:
        R = xp.concat([xp.concat([z, G], axis=1), xp.concat([G, z], axis=1)], axis=0)
    return H + R


def hessian_trace(X, params):
    """``tr H = (1/n) Σ_i ‖a_i‖²`` (exact at any point). For ``β = u⊙v`` this is
    ``Σ_j Σ̂_jj (u_j² + v_j²)`` with ``Σ̂_jj = (1/n) Σ_i x_ij²`` (Wu & Su 2023). Array API.

    Parameters
    ----------
    X : array (n, d)
        Design.
    params : DiagonalParams
        The parameters (u, v).

    Returns
    -------
    float
        tr H.

    References
    ----------
    L. Wu, W. J. Su, "The Implicit Regularization of Dynamical Stability in Stochastic Gradient Descent", ICML 2023,
    arXiv:2305.17490.
    """
    xp, X = _check_params(X, params)
    A = per_sample_jacobian(X, params)
    return float(xp.sum(A * A)) / X.shape[0]


def sgd_stability(X, y, params, batch_size=1):
    """Linear-stability quantities at ``params`` (an interpolating minimum, for the bounds to apply).

    Returns a dict with

    * ``trace``, ``lambda_max``, ``frobenius`` of the Hessian :func:`hessian`;
    * ``p = (n − B)/(B(n − 1))`` (Mulayoff & Michaeli 2023);
    * ``gd_step_bound = 2/λ_max`` (GD and the mean of SGD are stable iff ``η ≤ 2/λ_max``, MM Thm 1);
    * ``sgd_step_bound_16 = 2 tr H / ((1 − p)‖H‖_F² + (p/n) Σ‖a_i‖⁴)`` (MM Prop. 3, eq. (16): a necessary
      condition for SGD stability is ``η ≤`` this);
    * ``sgd_trace_step_bound = 2/(p tr H)``: implied by (16) since ``(1/n)Σ‖a_i‖⁴ ≥ (tr H)²``
      (``= 2/tr H`` at batch 1, the trace condition of Wu & Su 2023);
    * ``sigma_min = min_j Σ̂_jj`` and ``l1 = ‖β‖₁``.

    Parameters
    ----------
    X : array (n, d)
        Design.
    y : array (n,)
        Targets.
    params : DiagonalParams
        Parameters at an interpolating minimum.
    batch_size : int, default 1
        SGD batch size B in [1, n].

    Returns
    -------
    dict
        The quantities listed above (floats).

    References
    ----------
    L. Wu, W. J. Su, "The Implicit Regularization of Dynamical Stability in Stochastic Gradient Descent", ICML 2023,
    arXiv:2305.17490.
    R. Mulayoff, T. Michaeli, "Exact Mean Square Linear Stability Analysis for SGD", 2023 (COLT 2024).
    """
    xp, X, y = check_data(X, y)
    n = X.shape[0]
    b = _check_batch(batch_size, n)
    p = 0.0 if n == 1 else (n - b) / (b * (n - 1))
    H = hessian(X, y, params)
    A = per_sample_jacobian(X, params)
    tr = float(xp.linalg.trace(H))
    lam = float(xp.max(xp.linalg.eigvalsh(H)))
    fro2 = float(xp.sum(H * H))
    a4 = float(xp.mean(xp.sum(A * A, axis=1) ** 2))
    return {
        "trace": tr, "lambda_max": lam, "frobenius": fro2 ** 0.5, "p": p,
        "gd_step_bound": 2.0 / lam,
        "sgd_step_bound_16": 2.0 * tr / ((1.0 - p) * fro2 + p * a4),
        "sgd_trace_step_bound": 2.0 / (p * tr) if p > 0 else float("inf"),
        "sigma_min": float(xp.min(xp.mean(X * X, axis=0))),
        "l1": float(xp.sum(xp.abs(predictor(params)))),
    }


__all__ = ["per_sample_jacobian", "hessian", "hessian_trace", "sgd_stability"]
