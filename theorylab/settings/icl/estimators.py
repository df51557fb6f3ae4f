"""Monte Carlo estimators on sampled prompts: risks, fitted steps and preconditioners, the Bayes risk.

They take a :class:`~theorylab.settings.icl.prompts.Prompts` batch and compute in its namespace, on its
device and in its dtype (array API: batched ``matmul``, ``linalg.solve``/``inv``/``pinv``, no ``einsum``);
matrices given as NumPy arrays (K, Σ) are moved once to the prompts' device and dtype. A Monte Carlo mean comes
with its standard error (sd/√B with ddof = 1, as :func:`theorylab.settings.stats.mean_se`). Scalars are Python
floats for NumPy prompts and 0-d arrays of the prompts' namespace, on their device, otherwise (no host
synchronisation inside the estimators; ``float(...)`` them when needed). NumPy prompts take the original NumPy
code path, so NumPy results are unchanged.
"""
from __future__ import annotations

import math

import numpy as np

from ..._validation import InputError, array_device, check_no_nan, check_nonnegative, check_positive, real_namespace
from .prompts import Prompts, _check_prompts, check_covariance


def _is_np(prompts) -> bool:
    return isinstance(prompts.X, np.ndarray)


def _like(a, prompts, name):
    """A (d, d)-like matrix ``a`` (NumPy or the prompts' namespace) in the namespace, device and dtype of the prompts."""
    xp = prompts.xp
    _, (a,) = real_namespace(**{name: a})
    if isinstance(a, np.ndarray):
        return xp.asarray(a.astype(np.float32 if prompts.X.dtype == xp.float32 else np.float64),
                          device=prompts.device)
    return xp.asarray(xp.astype(a, prompts.X.dtype), device=prompts.device)


def _scalars(prompts, *values):
    """0-d results as Python floats for NumPy prompts; left on the device (0-d arrays) otherwise."""
    if _is_np(prompts):
        return tuple(float(v) for v in values)
    return values


def _mean_se_xp(v, prompts):
    """(mean, sd/√B) of a 1-d array: floats for NumPy prompts, else 0-d arrays on its device (no host sync)."""
    xp = prompts.xp
    B = v.shape[0]
    if B < 2:
        raise InputError(f"values has {B} element(s); at least 2 are needed for a standard error")
    return _scalars(prompts, xp.mean(v), xp.std(v, correction=1) / math.sqrt(B))


# --------------------------------------------------------------------------------------------- estimators
def mc_risk(prompts: Prompts, K) -> tuple[float, float]:
    """Monte Carlo risk of ``ŷ = hᵀ K x_q``: (sample mean of (ŷ − y_q)², its standard error).

    Parameters
    ----------
    prompts : Prompts
        The Monte Carlo sample.
    K : array (d, d)
        Preconditioner.

    Returns
    -------
    mean : float or 0-d array
        Sample mean of (ŷ − y_q)² (a 0-d array on the prompts' device for non-NumPy prompts).
    se : float or 0-d array
        Its standard error.

    Raises
    ------
    InputError
        For a K of the wrong shape.

    References
    ----------
    A. Mahankali, T. B. Hashimoto, T. Ma, "One Step of Gradient Descent is Provably the Optimal In-Context Learner
    with One Layer of Linear Self-Attention", ICLR 2024, arXiv:2307.03576.
    K. Ahn, X. Cheng, H. Daneshmand, S. Sra, "Transformers learn to implement preconditioned gradient descent for
    in-context learning", NeurIPS 2023, arXiv:2306.00297, Theorem 1.
    R. Zhang, S. Frei, P. L. Bartlett, "Trained Transformers Learn Linear Models In-Context", JMLR 25(49), 2024,
    arXiv:2306.09927, Theorem 4.1.
    Derivation worked out in the project's claim notes (shared/claims/in-context-regression.md).
    """
    _check_prompts(prompts)
    K = _like(K, prompts, "K")
    if tuple(K.shape) != (prompts.d, prompts.d):
        raise InputError(f"K has shape {tuple(K.shape)}; a ({prompts.d}, {prompts.d}) matrix is required")
    pred = prompts.xp.sum((prompts.moment() @ K) * prompts.x_query, axis=1)
    return _mean_se_xp((pred - prompts.y_query) ** 2, prompts)


def fit_step(prompts: Prompts) -> tuple[float, float]:
    """OLS slope of y_q on z = hᵀ x_q: η̂ = Σ z y_q / Σ z², with the sandwich SE √(Σ z² r²)/Σ z² (claim notes §9).

    Parameters
    ----------
    prompts : Prompts
        The sample.

    Returns
    -------
    eta : float or 0-d array
        η̂ (a 0-d array on the prompts' device for non-NumPy prompts).
    se : float or 0-d array
        Its sandwich standard error.

    References
    ----------
    A. Mahankali, T. B. Hashimoto, T. Ma, "One Step of Gradient Descent is Provably the Optimal In-Context Learner
    with One Layer of Linear Self-Attention", ICLR 2024, arXiv:2307.03576.
    Derivation worked out in the project's claim notes (shared/claims/in-context-regression.md).
    """
    _check_prompts(prompts)
    xp = prompts.xp
    z = xp.sum(prompts.moment() * prompts.x_query, axis=1)
    szz = xp.vecdot(z, z)
    eta = xp.vecdot(z, prompts.y_query) / szz
    r = prompts.y_query - eta * z
    return _scalars(prompts, eta, xp.sqrt(xp.vecdot(z * z, r * r)) / szz)


def fit_preconditioner(prompts: Prompts) -> tuple[np.ndarray, np.ndarray]:
    """Least squares of y_q on the d² features vec(h x_qᵀ): (K̂, entrywise sandwich SE), both (d, d).

    ``ŷ = hᵀ K x_q = Σ_{ij} K_ij h_i x_{q,j}`` (claim notes §9, matrix estimator; normal equations).

    Parameters
    ----------
    prompts : Prompts
        The sample.

    Returns
    -------
    K : array (d, d)
        K̂ (in the prompts' namespace, on their device).
    se : array (d, d)
        Entrywise sandwich standard errors.

    References
    ----------
    K. Ahn, X. Cheng, H. Daneshmand, S. Sra, "Transformers learn to implement preconditioned gradient descent for
    in-context learning", NeurIPS 2023, arXiv:2306.00297, Theorem 1.
    Derivation worked out in the project's claim notes (shared/claims/in-context-regression.md).
    """
    _check_prompts(prompts)
    B, d = prompts.x_query.shape
    xp = prompts.xp
    F = xp.reshape(prompts.moment()[:, :, None] * prompts.x_query[:, None, :], (B, d * d))
    FtF = F.T @ F
    coef = xp.linalg.solve(FtF, F.T @ prompts.y_query[:, None])[:, 0]
    r = prompts.y_query - F @ coef
    inv = xp.linalg.inv(FtF)
    meat = (F * (r * r)[:, None]).T @ F
    cov = inv @ meat @ inv
    return xp.reshape(coef, (d, d)), xp.reshape(xp.sqrt(xp.linalg.diagonal(cov)), (d, d))


def ridge_errors(prompts: Prompts, noise_var=0.0, weight_var=1.0, covariance=None):
    """Per-prompt squared error of the ridge (posterior mean) predictor and its semi-exact conditional risk.

    ŵ = (XᵀX + λ I)⁻¹ Xᵀ y, λ = σ²/ψ², is the Bayes predictor for w ~ N(0, ψ² I); given X its risk is
    σ² [1 + tr(Σ (XᵀX + λI)⁻¹)] (σ > 0) or ψ² tr(Σ (I − Π_X)) (σ = 0, min-norm interpolation), claim notes §4.
    The per-prompt values allow paired comparisons on the same prompts; :func:`bayes_risk` averages them.

    Parameters
    ----------
    prompts : Prompts
        The sample.
    noise_var : float, default 0.0
        Label noise variance σ² ≥ 0.
    weight_var : float, default 1.0
        Task variance ψ² > 0.
    covariance : (d, d) array or None
        Σ (symmetric positive definite); identity when None.

    Returns
    -------
    err : array (B,)
        (ŷ − y_q)² of the ridge prediction on each prompt (the prompts' namespace and device).
    exact : array (B,)
        The ridge risk given each prompt's X (its expectation over w, ε and the query).

    Raises
    ------
    InputError
        For invalid arguments.

    References
    ----------
    R. Zhang, S. Frei, P. L. Bartlett, "Trained Transformers Learn Linear Models In-Context", JMLR 25(49), 2024,
    arXiv:2306.09927 (the Bayes-optimal ridge comparison).
    A. Mahankali, T. B. Hashimoto, T. Ma, "One Step of Gradient Descent is Provably the Optimal In-Context Learner
    with One Layer of Linear Self-Attention", ICLR 2024, arXiv:2307.03576 (ridge is the Bayes predictor).
    Derivation worked out in the project's claim notes (shared/claims/in-context-regression.md).
    """
    _check_prompts(prompts)
    s2 = check_nonnegative("noise_var", noise_var)
    psi2 = check_positive("weight_var", weight_var)
    X, y = prompts.X, prompts.y
    B, n, d = X.shape
    if not _is_np(prompts):
        return _ridge_errors_xp(prompts, s2, psi2, covariance)
    # NumPy: the original einsum code (its bits are pinned by tests/test_icl_estimators.py)
    cov = np.eye(d) if covariance is None else np.asarray(check_covariance(covariance, d)[1])
    XtX = np.einsum("bni,bnj->bij", X, X)
    Xty = np.einsum("bni,bn->bi", X, y)
    if s2 > 0:
        M = XtX + (s2 / psi2) * np.eye(d)
        w_hat = np.linalg.solve(M, Xty[..., None])[..., 0]
        exact = s2 * (1.0 + np.einsum("ij,bji->b", cov, np.linalg.inv(M)))
    else:
        pinv = np.linalg.pinv(X)  # (B, d, n)
        w_hat = (pinv @ y[..., None])[..., 0]
        proj = np.eye(d) - pinv @ X
        exact = psi2 * np.einsum("ij,bji->b", cov, proj)
    pred = np.einsum("bd,bd->b", w_hat, prompts.x_query)
    return (pred - prompts.y_query) ** 2, exact


def _ridge_errors_xp(prompts, s2, psi2, covariance):
    """:func:`ridge_errors` on the array API (batched ``matmul`` and ``linalg``; the prompts' device and dtype)."""
    xp, dev = prompts.xp, prompts.device
    X, y, xq = prompts.X, prompts.y, prompts.x_query
    d = X.shape[2]
    dt = X.dtype
    eye = xp.eye(d, dtype=dt, device=dev)
    cov = eye if covariance is None else _like(check_covariance(covariance, d)[1], prompts, "covariance")
    Xt = xp.matrix_transpose(X)
    if s2 > 0:
        M = Xt @ X + (s2 / psi2) * eye
        w_hat = xp.linalg.solve(M, Xt @ y[..., None])[..., 0]
        exact = s2 * (1.0 + xp.linalg.trace(cov @ xp.linalg.inv(M)))
    else:
        pinv = xp.linalg.pinv(X)  # (B, d, n)
        w_hat = (pinv @ y[..., None])[..., 0]
        exact = psi2 * xp.linalg.trace(cov @ (eye - pinv @ X))
    pred = xp.sum(w_hat * xq, axis=1)
    return (pred - prompts.y_query) ** 2, exact




def bayes_risk(prompts: Prompts, noise_var=0.0, weight_var=1.0, covariance=None) -> dict:
    """Ridge (posterior mean) risk for w ~ N(0, ψ² I): direct Monte Carlo and the semi-exact average.

    The means and standard errors of :func:`ridge_errors` (see there for the formulas). Returns ``{"mc": (mean, se), "semi_exact": (mean, se)}``.

    Parameters
    ----------
    prompts : Prompts
        The sample.
    noise_var : float, default 0.0
        Label noise variance σ² ≥ 0.
    weight_var : float, default 1.0
        Task variance ψ² > 0.
    covariance : (d, d) array or None
        Σ (symmetric positive definite); identity when None.

    Returns
    -------
    dict
        {"mc": (mean, se), "semi_exact": (mean, se)}: floats for NumPy prompts, 0-d arrays on the prompts'
        device otherwise.

    Raises
    ------
    InputError
        For invalid arguments.

    References
    ----------
    R. Zhang, S. Frei, P. L. Bartlett, "Trained Transformers Learn Linear Models In-Context", JMLR 25(49), 2024,
    arXiv:2306.09927 (the Bayes-optimal ridge comparison).
    Derivation worked out in the project's claim notes (shared/claims/in-context-regression.md).
    """
    err, exact = ridge_errors(prompts, noise_var, weight_var, covariance)
    return {"mc": _mean_se_xp(err, prompts), "semi_exact": _mean_se_xp(exact, prompts)}


def dist_to_identity(M):
    """Dist(M, I) = min_α ‖M − α I‖_F / ‖M‖_F, α = tr M / d (Ahn et al. 2023, §5 metric).

    Parameters
    ----------
    M : array (d, d)
        A square matrix.

    Returns
    -------
    float
        Dist(M, I).

    References
    ----------
    K. Ahn, X. Cheng, H. Daneshmand, S. Sra, "Transformers learn to implement preconditioned gradient descent for
    in-context learning", NeurIPS 2023, arXiv:2306.00297, §5.
    """
    xp, (M,) = real_namespace(M=M)
    if M.ndim != 2 or M.shape[0] != M.shape[1] or M.shape[0] < 1:
        raise InputError(f"M has shape {tuple(M.shape)}; a square (d, d) matrix is allowed")
    check_no_nan("M", M, xp)
    if not float(xp.linalg.matrix_norm(M)) > 0:
        raise InputError("M is the zero matrix; Dist(M, I) divides by ‖M‖_F, a non-zero matrix is allowed")
    d = M.shape[0]
    alpha = xp.linalg.trace(M) / d
    eye = xp.eye(d, dtype=M.dtype, device=array_device(M))
    return xp.linalg.matrix_norm(M - alpha * eye) / xp.linalg.matrix_norm(M)


__all__ = ["mc_risk", "fit_step", "fit_preconditioner", "ridge_errors", "bayes_risk", "dist_to_identity"]
