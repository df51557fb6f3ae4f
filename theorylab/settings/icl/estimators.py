"""Monte Carlo estimators on sampled prompts: risks, fitted steps and preconditioners, the Bayes risk.

They take a :class:`~theorylab.settings.icl.prompts.Prompts` batch (NumPy arrays) and return floats or
NumPy arrays; a Monte Carlo mean comes with its standard error (:func:`theorylab.settings.stats.mean_se`).
"""
from __future__ import annotations

import math

import numpy as np

from ..._validation import InputError, array_device, check_no_nan, check_nonnegative, check_positive, real_namespace
from ..stats import mean_se
from .prompts import Prompts, _check_prompts, check_covariance


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
    mean : float
        Sample mean of (ŷ − y_q)².
    se : float
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
    _, (K,) = real_namespace(K=K)
    K = np.asarray(K, dtype=np.float64)
    if K.shape != (prompts.d, prompts.d):
        raise InputError(f"K has shape {K.shape}; a ({prompts.d}, {prompts.d}) matrix is required")
    pred = np.einsum("bi,ij,bj->b", prompts.moment(), K, prompts.x_query)
    return mean_se((pred - prompts.y_query) ** 2)


def fit_step(prompts: Prompts) -> tuple[float, float]:
    """OLS slope of y_q on z = hᵀ x_q: η̂ = Σ z y_q / Σ z², with the sandwich SE √(Σ z² r²)/Σ z² (claim notes §9).

    Parameters
    ----------
    prompts : Prompts
        The sample.

    Returns
    -------
    eta : float
        η̂.
    se : float
        Its sandwich standard error.

    References
    ----------
    A. Mahankali, T. B. Hashimoto, T. Ma, "One Step of Gradient Descent is Provably the Optimal In-Context Learner
    with One Layer of Linear Self-Attention", ICLR 2024, arXiv:2307.03576.
    Derivation worked out in the project's claim notes (shared/claims/in-context-regression.md).
    """
    _check_prompts(prompts)
    z = np.einsum("bd,bd->b", prompts.moment(), prompts.x_query)
    szz = float(z @ z)
    eta = float(z @ prompts.y_query) / szz
    r = prompts.y_query - eta * z
    return eta, math.sqrt(float((z * z) @ (r * r))) / szz


def fit_preconditioner(prompts: Prompts) -> tuple[np.ndarray, np.ndarray]:
    """Least squares of y_q on the d² features vec(h x_qᵀ): (K̂, entrywise sandwich SE), both (d, d).

    ``ŷ = hᵀ K x_q = Σ_{ij} K_ij h_i x_{q,j}`` (claim notes §9, matrix estimator; normal equations).

    Parameters
    ----------
    prompts : Prompts
        The sample.

    Returns
    -------
    K : ndarray (d, d)
        K̂.
    se : ndarray (d, d)
        Entrywise sandwich standard errors.

    References
    ----------
    K. Ahn, X. Cheng, H. Daneshmand, S. Sra, "Transformers learn to implement preconditioned gradient descent for
    in-context learning", NeurIPS 2023, arXiv:2306.00297, Theorem 1.
    Derivation worked out in the project's claim notes (shared/claims/in-context-regression.md).
    """
    _check_prompts(prompts)
    B, d = prompts.x_query.shape
    F = np.einsum("bi,bj->bij", prompts.moment(), prompts.x_query).reshape(B, d * d)
    FtF = F.T @ F
    coef = np.linalg.solve(FtF, F.T @ prompts.y_query)
    r = prompts.y_query - F @ coef
    inv = np.linalg.inv(FtF)
    meat = (F * (r * r)[:, None]).T @ F
    cov = inv @ meat @ inv
    return coef.reshape(d, d), np.sqrt(np.diag(cov)).reshape(d, d)


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
    err : ndarray (B,)
        (ŷ − y_q)² of the ridge prediction on each prompt.
    exact : ndarray (B,)
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
        {"mc": (mean, se), "semi_exact": (mean, se)}.

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
    return {"mc": mean_se(err), "semi_exact": mean_se(exact)}


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
