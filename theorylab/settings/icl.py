"""In-context linear regression with linear self-attention (LSA): the setting and its closed forms.

Prompt model (the "unified sandbox" of ``shared/claims/in-context-regression.md`` §1): covariates
``x ~ N(0, Σ)`` (or ``U(-a, a)^d``), task ``w ~ N(0, ψ² I)`` (or ``N(0, ψ² Σ⁻¹)``), labels
``y = f(wᵀx) + ε`` with ``ε ~ N(0, σ²)`` on context and query (``f`` the identity unless a link is given).

Prompt matrix ``Z = [[x_1 … x_n x_q], [y_1 … y_n 0]] ∈ R^{(d+1)×(n+1)}``. One LSA layer in the
(P, Q) parameterisation of Ahn et al. (2023, eq. (2)): ``Z ← Z + (1/n) P Z M (Zᵀ Q Z)`` with
``M = diag(I_n, 0)`` (``mask=True``) or ``M = I`` (Zhang–Frei–Bartlett, ``mask=False``). The
prediction read out here is ``+[Z]_{d+1, n+1}`` (ZFB / von Oswald sign); Ahn et al. read ``−[Z]``,
see :func:`acds_to_zfb`.

Only ``b`` (last row of P) and ``A`` (first d columns of Q) matter: ``ŷ = bᵀ G A x_q`` with
``G = (1/n) Σ_{i≤n} z_i z_iᵀ``. The optimum is one step of preconditioned GD, ``ŷ = hᵀ Γ⁻¹ x_q``,
``h = (1/n) Σ y_i x_i``, ``Γ = (1 + 1/n) Σ + (tr Σ + σ²/ψ²)/n · I`` (Mahankali–Hashimoto–Ma 2023;
Ahn et al. 2023 Thm 1; Zhang–Frei–Bartlett 2024 Thm 4.1).

Closed forms and forward passes are written against the array-API namespace of their inputs; the
sampler and the Monte Carlo estimators take a ``numpy.random.Generator`` and return NumPy arrays.
Training, the alternating least squares and the ZFB gradient flow live in :mod:`.icl_training`.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from .._validation import (InputError, check_bool, check_choice, check_integer, check_no_nan, check_nonnegative,
                           check_positive, check_real, namespace_of, real_namespace)

WEIGHT_PRIORS = ("isotropic", "inverse-covariance")
INPUT_LAWS = ("gaussian", "uniform")


# --------------------------------------------------------------------------------------------- checks


def check_covariance(covariance, d: int | None = None):
    """Return ``(xp, Σ)`` after checking that Σ is a square, symmetric, positive definite matrix.

    ``covariance=None`` means the identity of size ``d``. Raises :class:`InputError` (one line) for a
    non-square, non-symmetric, NaN-containing or not positive definite matrix, or a size other than ``d``.

    Parameters
    ----------
    covariance : (d, d) array or None
        The matrix Σ; None for the identity of size d.
    d : int, optional
        Required size (and the size of the identity when covariance is None).

    Returns
    -------
    xp : module
        Array-API namespace of Σ.
    Sigma : array (d, d)
        Σ as a real array.

    Raises
    ------
    InputError
        For the listed defects.

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
    if covariance is None:
        if d is None:
            raise InputError("covariance=None needs the dimension d; pass a (d, d) matrix")
        d = check_integer("d", d)
        return _np_xp(), np.eye(d)
    xp, (cov,) = real_namespace(covariance=covariance)
    if cov.ndim != 2 or cov.shape[0] != cov.shape[1] or cov.shape[0] < 1:
        raise InputError(f"covariance has shape {tuple(cov.shape)}; a square (d, d) matrix with d >= 1 is allowed")
    if d is not None and cov.shape[0] != d:
        raise InputError(f"covariance has shape {tuple(cov.shape)} but d={d}; a ({d}, {d}) matrix is allowed")
    check_no_nan("covariance", cov, xp)
    if not bool(xp.all(xp.isfinite(cov))):
        raise InputError("covariance has infinite entries; a finite positive definite matrix is allowed")
    scale = float(xp.max(xp.abs(cov)))
    if float(xp.max(xp.abs(cov - cov.T))) > 1e-10 * max(scale, 1.0):
        raise InputError("covariance is not symmetric; a symmetric positive definite matrix is allowed")
    lam_min = float(xp.min(xp.linalg.eigvalsh(cov)))
    if not lam_min > 0:
        raise InputError(f"covariance is not positive definite (smallest eigenvalue {lam_min:.3g}); "
                         "a positive definite matrix is allowed")
    return xp, cov


def _np_xp():
    from array_api_compat import array_namespace

    return array_namespace(np.zeros(1))


def _check_prompts(prompts, name="prompts"):
    if not isinstance(prompts, Prompts):
        raise InputError(f"{name}={type(prompts).__name__} is not allowed; a Prompts batch (sample_prompts) is")
    return prompts


# --------------------------------------------------------------------------------------------- prompts
@dataclasses.dataclass(frozen=True)
class Prompts:
    """A batch of ``B`` regression prompts (NumPy arrays).

    Attributes: ``X`` (B, n, d) context covariates, ``y`` (B, n) context labels, ``x_query`` (B, d),
    ``y_query`` (B,) the query label (kept out of the prompt matrix), ``w`` (B, d) the tasks.

    Parameters
    ----------
    X : ndarray (B, n, d)
        Context covariates.
    y : ndarray (B, n)
        Context labels.
    x_query : ndarray (B, d)
        Query covariates.
    y_query : ndarray (B,)
        Query labels.
    w : ndarray (B, d)
        Tasks.

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

    X: np.ndarray
    y: np.ndarray
    x_query: np.ndarray
    y_query: np.ndarray
    w: np.ndarray

    @property
    def n(self) -> int:
        """Context length n."""
        return self.X.shape[1]

    @property
    def d(self) -> int:
        """Dimension d."""
        return self.X.shape[2]

    def matrix(self) -> np.ndarray:
        """The prompt matrices ``Z`` (B, d+1, n+1): columns ``(x_i, y_i)`` and the query ``(x_q, 0)``.

        Returns
        -------
        ndarray (B, d+1, n+1)
            Z.

        References
        ----------
        R. Zhang, S. Frei, P. L. Bartlett, "Trained Transformers Learn Linear Models In-Context", JMLR 25(49), 2024,
        arXiv:2306.09927.
        """
        B, n, d = self.X.shape
        Z = np.zeros((B, d + 1, n + 1))
        Z[:, :d, :n] = self.X.transpose(0, 2, 1)
        Z[:, d, :n] = self.y
        Z[:, :d, n] = self.x_query
        return Z

    def moment(self) -> np.ndarray:
        """``h = (1/n) Σ_i y_i x_i`` per prompt, shape (B, d).

        Returns
        -------
        ndarray (B, d)
            h.

        References
        ----------
        A. Mahankali, T. B. Hashimoto, T. Ma, "One Step of Gradient Descent is Provably the Optimal In-Context Learner
        with One Layer of Linear Self-Attention", ICLR 2024, arXiv:2307.03576.
        Derivation worked out in the project's claim notes (shared/claims/in-context-regression.md).
        """
        return np.einsum("bn,bnd->bd", self.y, self.X) / self.n


def sample_prompts(n_prompts, n, d, rng, covariance=None, noise_var=0.0, weight_prior="isotropic", link=None,
                   weight_var=1.0, inputs="gaussian", input_range=1.0) -> Prompts:
    """Sample ``n_prompts`` independent in-context regression prompts.

    x_i, x_q ~ N(0, Σ) (``inputs="gaussian"``) or U(−a, a)^d (``inputs="uniform"``, a = input_range);
    w ~ N(0, ψ² I) (``weight_prior="isotropic"``) or N(0, ψ² Σ⁻¹) (``"inverse-covariance"``); y = f(wᵀx) + ε,
    ε ~ N(0, σ²) on context and query, f = link (a vectorised callable) or the identity.

    Parameters
    ----------
    n_prompts : int
        Number of prompts B ≥ 1.
    n : int
        Context length ≥ 1.
    d : int
        Dimension ≥ 1.
    rng : numpy.random.Generator
        Random source.
    covariance : (d, d) array, optional
        Σ (positive definite); identity when omitted. Not allowed with uniform inputs.
    noise_var : float, default 0.0
        Label noise variance σ² ≥ 0.
    weight_prior : {"isotropic", "inverse-covariance"}, default "isotropic"
        w ~ N(0, ψ² I) or N(0, ψ² Σ⁻¹).
    link : callable, optional
        Vectorised link f; identity when None.
    weight_var : float, default 1.0
        Task variance ψ² > 0.
    inputs : {"gaussian", "uniform"}, default "gaussian"
        Covariate law.
    input_range : float, default 1.0
        a > 0 of the uniform law.

    Returns
    -------
    Prompts
        The batch.

    Raises
    ------
    InputError
        For invalid sizes, rng, covariance, variances, prior, link or input law.

    References
    ----------
    A. Mahankali, T. B. Hashimoto, T. Ma, "One Step of Gradient Descent is Provably the Optimal In-Context Learner
    with One Layer of Linear Self-Attention", ICLR 2024, arXiv:2307.03576 (isotropic and non-isotropic models).
    K. Ahn, X. Cheng, H. Daneshmand, S. Sra, "Transformers learn to implement preconditioned gradient descent for
    in-context learning", NeurIPS 2023, arXiv:2306.00297, Theorems 3–4.
    J. von Oswald, E. Niklasson, E. Randazzo, J. Sacramento, A. Mordvintsev, A. Zhmoginov, M. Vladymyrov,
    "Transformers Learn In-Context by Gradient Descent", ICML 2023, arXiv:2212.07677, §4 (uniform inputs).
    """
    B = check_integer("n_prompts", n_prompts)
    n = check_integer("n", n)
    d = check_integer("d", d)
    if not isinstance(rng, np.random.Generator):
        raise InputError(f"rng={rng!r} is not allowed; pass a numpy.random.Generator")
    s2 = check_nonnegative("noise_var", noise_var)
    psi2 = check_positive("weight_var", weight_var)
    check_choice("weight_prior", weight_prior, WEIGHT_PRIORS)
    check_choice("inputs", inputs, INPUT_LAWS)
    if link is not None and not callable(link):
        raise InputError(f"link={link!r} is not allowed; pass a vectorised callable or None")
    chol = None
    if inputs == "uniform":
        if covariance is not None:
            raise InputError("covariance is not allowed with inputs='uniform'; leave it None")
        input_range = check_positive("input_range", input_range)
    elif covariance is not None:
        _, cov = check_covariance(covariance, d)
        cov = np.asarray(cov, dtype=np.float64)
        chol = np.linalg.cholesky(np.asarray(cov))
    return _draw(B, n, d, rng, chol, s2, psi2, weight_prior, link, inputs, input_range)


def _draw(B, n, d, rng, chol, s2, psi2, weight_prior, link, inputs, a) -> Prompts:
    """The sampler behind :func:`sample_prompts`, on validated arguments (``chol``: Cholesky factor of Σ
    or None for the identity). Training loops call it to validate once, not every step."""
    if inputs == "uniform":
        X = rng.uniform(-a, a, size=(B, n + 1, d))
    else:
        X = rng.standard_normal((B * (n + 1), d))
        if chol is not None:
            X = X @ chol.T
        X = X.reshape(B, n + 1, d)
    g = rng.standard_normal((B, d)) * math.sqrt(psi2)
    if weight_prior == "inverse-covariance" and chol is not None:
        w = np.linalg.solve(chol.T, g.T).T  # Cov = L^{-T} L^{-1} ψ² = ψ² Σ⁻¹
    else:
        w = g
    signal = np.einsum("bnd,bd->bn", X, w)
    if link is not None:
        signal = np.asarray(link(signal), dtype=np.float64)
        if signal.shape != (B, n + 1):
            raise InputError(f"link returned shape {signal.shape}; an elementwise function is required")
    if s2 > 0:
        signal = signal + rng.standard_normal((B, n + 1)) * math.sqrt(s2)
    return Prompts(X=X[:, :n, :], y=signal[:, :n], x_query=X[:, n, :], y_query=signal[:, n], w=w)


# --------------------------------------------------------------------------------------------- closed forms
def gamma_matrix(covariance, n, noise_var=0.0, weight_var=1.0):
    """Γ = (1 + 1/n) Σ + (tr Σ + σ²/ψ²)/n · I, with E[h hᵀ] = ψ² Σ Γ.

    Isotropic prior ``w ~ N(0, ψ² I)``, Gaussian covariates. Ahn et al. 2023 Thm 1 (σ = 0, ψ = 1);
    Zhang–Frei–Bartlett 2024 Thm 4.1; claim notes §3.

    Parameters
    ----------
    covariance : (d, d) array or None
        Σ (symmetric positive definite); identity when None.
    n : int
        Context length ≥ 1.
    noise_var : float, default 0.0
        Label noise variance σ² ≥ 0.
    weight_var : float, default 1.0
        Task variance ψ² > 0.

    Returns
    -------
    array (d, d)
        Γ.

    Raises
    ------
    InputError
        For invalid arguments.

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
    xp, cov = check_covariance(covariance)
    n = check_integer("n", n)
    s2 = check_nonnegative("noise_var", noise_var)
    psi2 = check_positive("weight_var", weight_var)
    d = cov.shape[0]
    return (1.0 + 1.0 / n) * cov + ((xp.linalg.trace(cov) + s2 / psi2) / n) * xp.eye(d, dtype=cov.dtype)


def _moments(covariance, n, noise_var, weight_var, weight_prior):
    """(xp, Σ, H = E[h hᵀ], Ω = Cov(w)) for Gaussian covariates; K* = H⁻¹ Σ Ω (claim notes §3, derivation)."""
    xp, cov = check_covariance(covariance)
    n = check_integer("n", n)
    s2 = check_nonnegative("noise_var", noise_var)
    psi2 = check_positive("weight_var", weight_var)
    check_choice("weight_prior", weight_prior, WEIGHT_PRIORS)
    d = cov.shape[0]
    eye = xp.eye(d, dtype=cov.dtype)
    omega = psi2 * (eye if weight_prior == "isotropic" else xp.linalg.inv(cov))
    som = cov @ omega
    H = (1.0 + 1.0 / n) * (som @ cov) + ((xp.linalg.trace(som) + s2) / n) * cov
    return xp, cov, H, omega


def optimal_preconditioner(covariance, n, noise_var=0.0, weight_var=1.0, weight_prior="isotropic"):
    """The best one-layer LSA matrix K* (prediction ``hᵀ K* x_q``): Γ⁻¹ for the isotropic prior.

    General Gaussian case: K* = H⁻¹ Σ Ω with H = E[h hᵀ] = (1+1/n) Σ Ω Σ + (tr(ΣΩ) + σ²)/n · Σ and
    Ω = Cov(w). Isotropic Ω = ψ² I gives K* = Γ⁻¹ (Ahn et al. 2023 Thm 1; Mahankali et al. 2023);
    Ω = ψ² Σ⁻¹ gives K* = n/(n + d + 1 + σ²/ψ²) · Σ⁻¹ (Mahankali et al. non-isotropic case).

    Parameters
    ----------
    covariance : (d, d) array or None
        Σ (symmetric positive definite); identity when None.
    n : int
        Context length ≥ 1.
    noise_var : float, default 0.0
        Label noise variance σ² ≥ 0.
    weight_var : float, default 1.0
        Task variance ψ² > 0.
    weight_prior : {"isotropic", "inverse-covariance"}, default "isotropic"
        w ~ N(0, ψ² I) or N(0, ψ² Σ⁻¹).

    Returns
    -------
    array (d, d)
        K*.

    Raises
    ------
    InputError
        For invalid arguments.

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
    if weight_prior == "isotropic":
        G = gamma_matrix(covariance, n, noise_var, weight_var)
        xp, (G,) = namespace_of(G)
        return xp.linalg.inv(G)
    xp, cov, H, omega = _moments(covariance, n, noise_var, weight_var, weight_prior)
    return xp.linalg.solve(H, cov @ omega)


def risk_of_preconditioner(K, covariance, n, noise_var=0.0, weight_var=1.0, weight_prior="isotropic"):
    """R(K) = E(hᵀ K x_q − y_q)² = σ² + tr(ΩΣ) + tr(Kᵀ H K Σ) − 2 tr(K Σ Ω Σ).

    Isotropic prior: σ² + ψ²[tr(Σ Kᵀ Σ Γ K) − 2 tr(Σ Kᵀ Σ) + tr Σ] (claim notes §4, "any K").

    Parameters
    ----------
    K : array (d, d)
        The preconditioner.
    covariance : (d, d) array or None
        Σ (symmetric positive definite); identity when None.
    n : int
        Context length ≥ 1.
    noise_var : float, default 0.0
        Label noise variance σ² ≥ 0.
    weight_var : float, default 1.0
        Task variance ψ² > 0.
    weight_prior : {"isotropic", "inverse-covariance"}, default "isotropic"
        w ~ N(0, ψ² I) or N(0, ψ² Σ⁻¹).

    Returns
    -------
    float
        R(K).

    Raises
    ------
    InputError
        For invalid arguments.

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
    xp, cov, H, omega = _moments(covariance, n, noise_var, weight_var, weight_prior)
    xp2, (K,) = real_namespace(K=K)
    check_no_nan("K", K, xp2)
    if K.shape != cov.shape:
        raise InputError(f"K has shape {tuple(K.shape)} but covariance has shape {tuple(cov.shape)}; equal shapes are required")
    s2 = float(noise_var)
    return (s2 + xp.linalg.trace(omega @ cov) + xp.linalg.trace(K.T @ H @ K @ cov)
            - 2.0 * xp.linalg.trace(K @ cov @ omega @ cov))


def optimal_risk(covariance, n, noise_var=0.0, weight_var=1.0, weight_prior="isotropic"):
    """R* = σ² + ψ²[tr Σ − tr(Σ² Γ⁻¹)] = σ² + ψ² Σ_i λ_i (1 − λ_i/γ_i) (isotropic prior; claim notes §4).

    Isotropic covariates: R* = d(d + 1 + σ²)/(n + d + 1 + σ²) + σ² (Mahankali et al. 2023).
    General prior: R* = σ² + tr(ΩΣ) − tr(K* Σ Ω Σ).

    Parameters
    ----------
    covariance : (d, d) array or None
        Σ (symmetric positive definite); identity when None.
    n : int
        Context length ≥ 1.
    noise_var : float, default 0.0
        Label noise variance σ² ≥ 0.
    weight_var : float, default 1.0
        Task variance ψ² > 0.
    weight_prior : {"isotropic", "inverse-covariance"}, default "isotropic"
        w ~ N(0, ψ² I) or N(0, ψ² Σ⁻¹).

    Returns
    -------
    float
        R*.

    Raises
    ------
    InputError
        For invalid arguments.

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
    xp, cov, H, omega = _moments(covariance, n, noise_var, weight_var, weight_prior)
    K = xp.linalg.solve(H, cov @ omega)
    return float(noise_var) + xp.linalg.trace(omega @ cov) - xp.linalg.trace(K @ cov @ omega @ cov)


def optimal_step(d, n, noise_var=0.0):
    """η* = n/(n + d + 1 + σ²): the optimal step of one GD step ``ŷ = (η/n) Σ y_i x_iᵀ x_q``.

    Isotropic covariates and task (ψ = 1); Mahankali, Hashimoto, Ma 2023 (isotropic theorem); claim notes §3.2.
    With GD on the un-normalised ½ Σ (wᵀx_i − y_i)² the step is η*/n.

    Parameters
    ----------
    d : int
        Dimension ≥ 1.
    n : int
        Context length ≥ 1.
    noise_var : float, default 0.0
        Label noise variance σ² ≥ 0.

    Returns
    -------
    float
        η*.

    Raises
    ------
    InputError
        For invalid arguments.

    References
    ----------
    A. Mahankali, T. B. Hashimoto, T. Ma, "One Step of Gradient Descent is Provably the Optimal In-Context Learner
    with One Layer of Linear Self-Attention", ICLR 2024, arXiv:2307.03576.
    Derivation worked out in the project's claim notes (shared/claims/in-context-regression.md).
    """
    d = check_integer("d", d)
    n = check_integer("n", n)
    s2 = check_nonnegative("noise_var", noise_var)
    return n / (n + d + 1.0 + s2)


def risk_of_step(step, d, n, noise_var=0.0, weight_var=1.0):
    """R(η) = ψ² d [η² (n + d + 1 + σ²/ψ²)/n − 2η + 1] + σ² for ``ŷ = η hᵀ x_q`` (isotropic; claim notes §4).

    Parameters
    ----------
    step : float
        η (real).
    d : int
        Dimension ≥ 1.
    n : int
        Context length ≥ 1.
    noise_var : float, default 0.0
        Label noise variance σ² ≥ 0.
    weight_var : float, default 1.0
        Task variance ψ² > 0.

    Returns
    -------
    float
        R(η).

    Raises
    ------
    InputError
        For invalid arguments.

    References
    ----------
    A. Mahankali, T. B. Hashimoto, T. Ma, "One Step of Gradient Descent is Provably the Optimal In-Context Learner
    with One Layer of Linear Self-Attention", ICLR 2024, arXiv:2307.03576.
    Derivation worked out in the project's claim notes (shared/claims/in-context-regression.md).
    """
    d = check_integer("d", d)
    n = check_integer("n", n)
    s2 = check_nonnegative("noise_var", noise_var)
    psi2 = check_positive("weight_var", weight_var)
    xp, (eta,) = real_namespace(step=step)
    check_no_nan("step", eta, xp)
    return psi2 * d * (eta ** 2 * (n + d + 1.0 + s2 / psi2) / n - 2.0 * eta + 1.0) + s2


def risk_at_length(covariance, n_train, m_test):
    """Risk at test length M of the optimum trained at length N (noiseless, w ~ N(0, I)).

    R(M) = tr[Σ (I − Γ_N⁻¹ Σ)²] + (1/M) [tr(Γ_N⁻² Σ³) + tr Σ · tr(Γ_N⁻² Σ²)], a bias that does not
    vanish as M → ∞ plus a 1/M variance; R(N) = R*. Zhang, Frei, Bartlett 2024 (prediction error
    under a train/test length shift; claim notes §4). Isotropic: d(d+1)²/(N+d+1)² + d(d+1)N²/(M(N+d+1)²).

    Parameters
    ----------
    covariance : (d, d) array or None
        Σ (symmetric positive definite); identity when None.
    n_train : int
        Training context length N ≥ 1.
    m_test : int
        Test context length M ≥ 1.

    Returns
    -------
    float
        R(M).

    Raises
    ------
    InputError
        For invalid arguments.

    References
    ----------
    R. Zhang, S. Frei, P. L. Bartlett, "Trained Transformers Learn Linear Models In-Context", JMLR 25(49), 2024,
    arXiv:2306.09927.
    """
    m = check_integer("m_test", m_test)
    bias = length_shift_bias(covariance, n_train)
    xp, cov = check_covariance(covariance)
    Gi = xp.linalg.inv(gamma_matrix(cov, n_train))
    Gi2 = Gi @ Gi
    c2 = cov @ cov
    var = xp.linalg.trace(Gi2 @ c2 @ cov) + xp.linalg.trace(cov) * xp.linalg.trace(Gi2 @ c2)
    return bias + var / m


def length_shift_bias(covariance, n_train):
    """The M → ∞ limit of :func:`risk_at_length`: tr[Σ (I − Γ_N⁻¹ Σ)²] = tr[Σ Γ⁻² (Σ + tr Σ I)²]/N² > 0.

    Parameters
    ----------
    covariance : (d, d) array or None
        Σ (symmetric positive definite); identity when None.
    n_train : int
        Training context length N ≥ 1.

    Returns
    -------
    float
        The bias.

    Raises
    ------
    InputError
        For invalid arguments.

    References
    ----------
    R. Zhang, S. Frei, P. L. Bartlett, "Trained Transformers Learn Linear Models In-Context", JMLR 25(49), 2024,
    arXiv:2306.09927.
    """
    xp, cov = check_covariance(covariance)
    Gi = xp.linalg.inv(gamma_matrix(cov, n_train))
    R = xp.eye(cov.shape[0], dtype=cov.dtype) - Gi @ cov
    return xp.linalg.trace(cov @ R @ R)


def uniform_input_optimum(d, n, input_range=1.0):
    """(η*, R*) for ``ŷ = (η/n) Σ y_i x_iᵀ x_q`` with x ~ U(−a, a)^d, w ~ N(0, I), no noise.

    With s₂ = a²/3, m₄ = a⁴/5: c_n = (m₄ + (d−1) s₂²)/n + (1 − 1/n) s₂², η* = s₂/c_n,
    R* = d s₂ (1 − s₂²/c_n) (cube symmetry makes K* = η* I; von Oswald et al. 2023 setting; claim notes §8).

    Parameters
    ----------
    d : int
        Dimension ≥ 1.
    n : int
        Context length ≥ 1.
    input_range : float, default 1.0
        a > 0.

    Returns
    -------
    eta : float
        η*.
    risk : float
        R*.

    Raises
    ------
    InputError
        For invalid arguments.

    References
    ----------
    J. von Oswald, E. Niklasson, E. Randazzo, J. Sacramento, A. Mordvintsev, A. Zhmoginov, M. Vladymyrov,
    "Transformers Learn In-Context by Gradient Descent", ICML 2023, arXiv:2212.07677 (uniform-input setting).
    Derivation worked out in the project's claim notes (shared/claims/in-context-regression.md).
    """
    d = check_integer("d", d)
    n = check_integer("n", n)
    a = check_positive("input_range", input_range)
    s2, m4 = a * a / 3.0, a ** 4 / 5.0
    return moment_step(d, n, s2, m4)


def moment_step(d, n, s2, m4):
    """(η*, R*) for i.i.d. input coordinates with variance s₂ and fourth moment m₄ (claim notes §8).

    Gaussian inputs have m₄ = 3 s₂² and recover n/(n + d + 1) at s₂ = 1.

    Parameters
    ----------
    d : int
        Dimension ≥ 1.
    n : int
        Context length ≥ 1.
    s2 : float
        Coordinate variance s₂ > 0.
    m4 : float
        Fourth moment m₄ ≥ s₂².

    Returns
    -------
    eta : float
        η*.
    risk : float
        R*.

    Raises
    ------
    InputError
        For invalid arguments.

    References
    ----------
    J. von Oswald, E. Niklasson, E. Randazzo, J. Sacramento, A. Mordvintsev, A. Zhmoginov, M. Vladymyrov,
    "Transformers Learn In-Context by Gradient Descent", ICML 2023, arXiv:2212.07677 (non-Gaussian inputs).
    Derivation worked out in the project's claim notes (shared/claims/in-context-regression.md).
    """
    d = check_integer("d", d)
    n = check_integer("n", n)
    s2 = check_positive("s2", s2)
    m4 = check_positive("m4", m4)
    if m4 < s2 * s2 * (1 - 1e-12):
        raise InputError(f"m4={m4!r} is not allowed; a fourth moment is >= s2² = {s2 * s2:.6g} (Jensen)")
    c = (m4 + (d - 1) * s2 * s2) / n + (1.0 - 1.0 / n) * s2 * s2
    return s2 / c, d * s2 * (1.0 - s2 * s2 / c)


def link_moments(link, d, quad_points=300):
    """(E‖g_f‖², E[f(x)² ‖x‖²]) for the single-index response f(x) = φ(wᵀx), x, w ~ N(0, I_d).

    g_f = E_x[f(x) x]. With r = ‖w‖ ~ χ_d and s ~ N(0, 1): E‖g_f‖² = E_r[(E_s φ(rs) s)²] and
    E[f² ‖x‖²] = E_r E_s[φ(rs)² (s² + d − 1)]. Gauss–Hermite (probabilists') in s and generalised
    Gauss–Laguerre in t = r²/2 ~ Gamma(d/2) (claim notes §5); 300 nodes give ~1e-7 relative accuracy for tanh
    (a saturating link converges slowly in s); more than ~500 overflow in SciPy's root finder.

    Parameters
    ----------
    link : callable
        Vectorised link φ.
    d : int
        Dimension ≥ 1.
    quad_points : int, default 300
        Quadrature nodes per dimension.

    Returns
    -------
    g2 : float
        E‖g_f‖².
    fx2 : float
        E[f(x)² ‖x‖²].

    Raises
    ------
    InputError
        For invalid arguments.

    References
    ----------
    A. Mahankali, T. B. Hashimoto, T. Ma, "One Step of Gradient Descent is Provably the Optimal In-Context Learner
    with One Layer of Linear Self-Attention", ICLR 2024, arXiv:2307.03576.
    Derivation worked out in the project's claim notes (shared/claims/in-context-regression.md).
    """
    from scipy.special import roots_genlaguerre, roots_hermitenorm

    d = check_integer("d", d)
    if not callable(link):
        raise InputError(f"link={link!r} is not allowed; pass a vectorised callable")
    quad_points = check_integer("quad_points", quad_points)
    if quad_points > 500:
        raise InputError(f"quad_points={quad_points!r} is not allowed; at most 500 nodes (SciPy's root finder "
                         "overflows beyond)")
    s, ws = roots_hermitenorm(quad_points)
    ws = ws / ws.sum()
    t, wt = roots_genlaguerre(quad_points, d / 2.0 - 1.0)
    wt = wt / wt.sum()
    r = np.sqrt(2.0 * t)
    phi = np.asarray(link(r[:, None] * s[None, :]), dtype=np.float64)
    g = (phi * s[None, :]) @ ws
    eg2 = float(wt @ g ** 2)
    ef2x2 = float(wt @ ((phi ** 2 * (s[None, :] ** 2 + d - 1)) @ ws))
    return eg2, ef2x2


def link_step(link, d, n, noise_var=0.0, quad_points=300):
    """η* = E‖g‖² / (E‖g‖² + (E[y²‖x‖²] − E‖g‖²)/n) for y = φ(wᵀx) + ε, isotropic Gaussian x, w.

    Optimum over all one-layer LSA predictors when the link is odd (claim notes §5, symmetry lemma;
    attribution to Mahankali et al. 2023 RECONSTRUCTED). The noise adds σ² d to E[y²‖x‖²];
    the identity link gives n/(n + d + 1 + σ²).

    Parameters
    ----------
    link : callable
        Vectorised link φ.
    d : int
        Dimension ≥ 1.
    n : int
        Context length ≥ 1.
    noise_var : float, default 0.0
        Label noise variance σ² ≥ 0.
    quad_points : int, default 300
        Quadrature nodes.

    Returns
    -------
    float
        η*.

    Raises
    ------
    InputError
        For invalid arguments.

    References
    ----------
    A. Mahankali, T. B. Hashimoto, T. Ma, "One Step of Gradient Descent is Provably the Optimal In-Context Learner
    with One Layer of Linear Self-Attention", ICLR 2024, arXiv:2307.03576.
    Derivation worked out in the project's claim notes (shared/claims/in-context-regression.md).
    """
    n = check_integer("n", n)
    s2 = check_nonnegative("noise_var", noise_var)
    eg2, ef2x2 = link_moments(link, d, quad_points)
    ey2x2 = ef2x2 + s2 * d
    return eg2 / (eg2 + (ey2x2 - eg2) / n)


# --------------------------------------------------------------------------------------------- forward pass
def _check_layer(P, Q, Z):
    xp, (P, Q, Z) = real_namespace(P=P, Q=Q, Z=Z)
    if Z.ndim < 2:
        raise InputError(f"Z has shape {tuple(Z.shape)}; a (..., d+1, n+1) prompt matrix is allowed")
    D, cols = Z.shape[-2], Z.shape[-1]
    if cols < 2 or D < 2:
        raise InputError(f"Z has shape {tuple(Z.shape)}; it needs d >= 1 and n >= 1 (shape (..., d+1, n+1))")
    for name, M in (("P", P), ("Q", Q)):
        if tuple(M.shape) != (D, D):
            raise InputError(f"{name} has shape {tuple(M.shape)} but Z has {D} rows; a ({D}, {D}) matrix is required")
    return xp, P, Q, Z


def lsa_forward(P, Q, Z, mask=True):
    """One LSA layer: ``Z + (1/n) P Z M (Zᵀ Q Z)`` with M = diag(I_n, 0) (``mask=True``) or I.

    Ahn, Cheng, Daneshmand, Sra 2023, eq. (2) (masked); Zhang, Frei, Bartlett 2024, eq. (2.3)
    (unmasked, with (W^{PV}, W^{KQ}) = (P, Q)). ``Z`` may carry leading batch axes.

    Parameters
    ----------
    P : array (d+1, d+1)
        Projection-value matrix.
    Q : array (d+1, d+1)
        Key-query matrix.
    Z : array (..., d+1, n+1)
        Prompt matrices.
    mask : bool, default True
        Mask the query column out of the attention sum.

    Returns
    -------
    array (..., d+1, n+1)
        The updated Z.

    Raises
    ------
    InputError
        For incompatible shapes or non-real inputs.

    References
    ----------
    K. Ahn, X. Cheng, H. Daneshmand, S. Sra, "Transformers learn to implement preconditioned gradient descent for
    in-context learning", NeurIPS 2023, arXiv:2306.00297, eq. (2).
    R. Zhang, S. Frei, P. L. Bartlett, "Trained Transformers Learn Linear Models In-Context", JMLR 25(49), 2024,
    arXiv:2306.09927, eq. (2.3).
    """
    xp, P, Q, Z = _check_layer(P, Q, Z)
    mask = check_bool("mask", mask)
    n = Z.shape[-1] - 1
    Zc = Z[..., :n] if mask else Z
    Zc_t = xp.matrix_transpose(Zc)
    return Z + (P @ (Zc @ (Zc_t @ (Q @ Z)))) / n


def lsa_predict(P, Q, Z, mask=True):
    """The prediction ``[lsa_forward(P, Q, Z)]_{d+1, n+1}`` (= bᵀ G A x_q, claim notes §2).

    Parameters
    ----------
    P : array (d+1, d+1)
        Projection-value matrix.
    Q : array (d+1, d+1)
        Key-query matrix.
    Z : array (..., d+1, n+1)
        Prompt matrices.
    mask : bool, default True
        Masked attention.

    Returns
    -------
    array (...)
        ŷ.

    Raises
    ------
    InputError
        For incompatible shapes.

    References
    ----------
    R. Zhang, S. Frei, P. L. Bartlett, "Trained Transformers Learn Linear Models In-Context", JMLR 25(49), 2024,
    arXiv:2306.09927.
    """
    out = lsa_forward(P, Q, Z, mask)
    return out[..., -1, -1]


def lsa_multilayer(Ps, Qs, Z, mask=True):
    """The states ``[Z_0, …, Z_L]`` of L stacked LSA layers ``Z_{ℓ+1} = Z_ℓ + (1/n) P_ℓ Z_ℓ M Z_ℓᵀ Q_ℓ Z_ℓ``.

    Ahn et al. 2023 eq. (3) and Lemma 1: with P_ℓ = e_{d+1}e_{d+1}ᵀ, Q_ℓ = −blockdiag(A_ℓ, 0), one has
    [Z_ℓ]_{d+1, n+1} = −⟨x_q, w_ℓ⟩, w_{ℓ+1} = w_ℓ − A_ℓᵀ ∇R(w_ℓ) (see :func:`preconditioned_gd_path`).

    Parameters
    ----------
    Ps : sequence of array (d+1, d+1)
        P_ℓ per layer.
    Qs : sequence of array (d+1, d+1)
        Q_ℓ per layer.
    Z : array (..., d+1, n+1)
        Prompt matrices.
    mask : bool, default True
        Masked attention.

    Returns
    -------
    list of array
        [Z_0, …, Z_L].

    Raises
    ------
    InputError
        For unequal numbers of layers or incompatible shapes.

    References
    ----------
    K. Ahn, X. Cheng, H. Daneshmand, S. Sra, "Transformers learn to implement preconditioned gradient descent for
    in-context learning", NeurIPS 2023, arXiv:2306.00297, eq. (3) and Lemma 1.
    """
    Ps, Qs = list(Ps), list(Qs)
    if len(Ps) != len(Qs) or not Ps:
        raise InputError(f"got {len(Ps)} P matrices and {len(Qs)} Q matrices; equal, non-zero counts are required")
    states = [Z]
    for P, Q in zip(Ps, Qs):
        states.append(lsa_forward(P, Q, states[-1], mask))
    return states


def gd_layer(A, sign=1.0):
    """(P, Q) = (e_{d+1} e_{d+1}ᵀ, sign · blockdiag(A, 0)) for a (d, d) preconditioner A.

    ``sign=+1``: ZFB/vO convention, prediction +[Z]_{d+1,n+1} = hᵀ A x_q. ``sign=−1``: Ahn et al.
    Lemma 1 convention, prediction −[Z]_{d+1,n+1}.

    Parameters
    ----------
    A : array (d, d)
        Preconditioner.
    sign : float, default 1.0
        +1 or −1 (the read-out convention).

    Returns
    -------
    P : array (d+1, d+1)
        e_{d+1} e_{d+1}ᵀ.
    Q : array (d+1, d+1)
        sign · blockdiag(A, 0).

    Raises
    ------
    InputError
        For a non-square A or an invalid sign.

    References
    ----------
    K. Ahn, X. Cheng, H. Daneshmand, S. Sra, "Transformers learn to implement preconditioned gradient descent for
    in-context learning", NeurIPS 2023, arXiv:2306.00297, Lemma 1.
    R. Zhang, S. Frei, P. L. Bartlett, "Trained Transformers Learn Linear Models In-Context", JMLR 25(49), 2024,
    arXiv:2306.09927.
    """
    xp, (A,) = real_namespace(A=A)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise InputError(f"A has shape {tuple(A.shape)}; a square (d, d) matrix is allowed")
    sign = check_real("sign", sign, allow_inf=False, allowed="a finite real number (+1 or -1)")
    d = A.shape[0]
    P = xp.concat([xp.zeros((d, d + 1), dtype=A.dtype),
                   xp.concat([xp.zeros((1, d), dtype=A.dtype), xp.ones((1, 1), dtype=A.dtype)], axis=1)], axis=0)
    top = xp.concat([sign * A, xp.zeros((d, 1), dtype=A.dtype)], axis=1)
    Q = xp.concat([top, xp.zeros((1, d + 1), dtype=A.dtype)], axis=0)
    return P, Q


def acds_to_zfb(P, Q):
    """Map Ahn et al.'s (P, Q) (read-out −[Z]) to ZFB's (W^{PV}, W^{KQ}) (read-out +[Z]): (P, −Q).

    Parameters
    ----------
    P : array (d+1, d+1)
        Ahn et al.'s P.
    Q : array (d+1, d+1)
        Ahn et al.'s Q.

    Returns
    -------
    W_PV : array
        P.
    W_KQ : array
        −Q.

    References
    ----------
    K. Ahn, X. Cheng, H. Daneshmand, S. Sra, "Transformers learn to implement preconditioned gradient descent for
    in-context learning", NeurIPS 2023, arXiv:2306.00297; R. Zhang, S. Frei, P. L. Bartlett, "Trained Transformers
    Learn Linear Models In-Context", JMLR 25(49), 2024, arXiv:2306.09927.
    """
    _, (P, Q) = real_namespace(P=P, Q=Q)
    return P, -Q


def reduced_parameters(P, Q):
    """(b, A): the last row of P and the first d columns of Q, the only entries that affect ŷ = bᵀ G A x_q.

    Parameters
    ----------
    P : array (d+1, d+1)
        Projection-value matrix.
    Q : array (d+1, d+1)
        Key-query matrix.

    Returns
    -------
    b : array (d+1,)
        Last row of P.
    A : array (d+1, d)
        First d columns of Q.

    Raises
    ------
    InputError
        For non-square or mismatched matrices.

    References
    ----------
    R. Zhang, S. Frei, P. L. Bartlett, "Trained Transformers Learn Linear Models In-Context", JMLR 25(49), 2024,
    arXiv:2306.09927.
    """
    xp, (P, Q) = real_namespace(P=P, Q=Q)
    if P.ndim != 2 or P.shape[0] != P.shape[1] or P.shape[0] < 2 or tuple(Q.shape) != tuple(P.shape):
        raise InputError(f"P has shape {tuple(P.shape)} and Q has shape {tuple(Q.shape)}; two square (d+1, d+1) "
                         "matrices with d >= 1 are required")
    d = P.shape[0] - 1
    return P[d, :], Q[:, :d]


def preconditioned_gd_path(As, X, y, x_query):
    """Iterates of w_{ℓ+1} = w_ℓ − A_ℓᵀ ∇R(w_ℓ), w_0 = 0, R(w) = (1/2n) Σ (wᵀx_i − y_i)² (Ahn et al. Lemma 1).

    ``X`` (..., n, d), ``y`` (..., n), ``x_query`` (..., d). Returns the predictions ⟨x_q, w_ℓ⟩ for
    ℓ = 0..L, shape (L+1, ...), and the final iterate w_L.

    Parameters
    ----------
    As : sequence of array (d, d)
        Preconditioners A_ℓ.
    X : array (..., n, d)
        Context covariates.
    y : array (..., n)
        Context labels.
    x_query : array (..., d)
        Query covariates.

    Returns
    -------
    predictions : array (L+1, ...)
        ⟨x_q, w_ℓ⟩ for ℓ = 0..L.
    w : array (..., d)
        The final iterate w_L.

    Raises
    ------
    InputError
        For incompatible shapes.

    References
    ----------
    K. Ahn, X. Cheng, H. Daneshmand, S. Sra, "Transformers learn to implement preconditioned gradient descent for
    in-context learning", NeurIPS 2023, arXiv:2306.00297, Lemma 1.
    """
    xp, (X, y, xq) = real_namespace(X=X, y=y, x_query=x_query)
    if X.ndim < 2 or tuple(y.shape) != tuple(X.shape[:-1]) or tuple(xq.shape) != tuple(X.shape[:-2]) + (X.shape[-1],):
        raise InputError(f"X, y, x_query have shapes {tuple(X.shape)}, {tuple(y.shape)}, {tuple(xq.shape)}; "
                         "(..., n, d), (..., n), (..., d) are required")
    As = list(As)
    d = X.shape[-1]
    for i, A in enumerate(As):
        if tuple(getattr(A, "shape", np.shape(A))) != (d, d):
            raise InputError(f"As[{i}] has shape {tuple(np.shape(A))}; ({d}, {d}) preconditioners are required")
    n = X.shape[-2]
    w = xp.zeros(xq.shape, dtype=X.dtype)
    preds = [xp.sum(w * xq, axis=-1)]
    Xt = xp.matrix_transpose(X)
    for A in As:
        resid = (X @ w[..., None])[..., 0] - y
        grad = (Xt @ resid[..., None])[..., 0] / n
        xpA, (A,) = real_namespace(A=A)
        w = w - (A.T @ grad[..., None])[..., 0]
        preds.append(xp.sum(w * xq, axis=-1))
    return xp.stack(preds), w


# --------------------------------------------------------------------------------------------- von Oswald
def von_oswald_construction(W0, eta, n):
    """The weights of von Oswald et al. 2023 Prop. 1: W_K = W_Q = blockdiag(I_x, 0),
    W_V = [[0, 0], [W_0, −I_y]], P = (η/N) I, so that one layer performs one GD step from W_0 on
    L(W) = (1/2N) Σ ‖W x_i − y_i‖². ``W0`` is (n_out, d). Returns (W_K, W_Q, W_V, P).

    Parameters
    ----------
    W0 : array (n_out, d)
        Initial weights W_0.
    eta : float
        Step size η.
    n : int
        Number of context tokens N ≥ 1.

    Returns
    -------
    tuple of array
        (W_K, W_Q, W_V, P).

    Raises
    ------
    InputError
        For invalid arguments.

    References
    ----------
    J. von Oswald, E. Niklasson, E. Randazzo, J. Sacramento, A. Mordvintsev, A. Zhmoginov, M. Vladymyrov,
    "Transformers Learn In-Context by Gradient Descent", ICML 2023, arXiv:2212.07677, Proposition 1.
    """
    xp, (W0,) = real_namespace(W0=W0)
    eta = check_real("eta", eta, allow_inf=False, allowed="a finite real number")
    if W0.ndim != 2:
        raise InputError(f"W0 has shape {tuple(W0.shape)}; a (n_out, d) matrix is allowed")
    n = check_integer("n", n)
    o, d = W0.shape
    D = d + o
    eye = xp.eye(D, dtype=W0.dtype)
    WK = xp.concat([xp.concat([xp.eye(d, dtype=W0.dtype), xp.zeros((d, o), dtype=W0.dtype)], axis=1),
                    xp.zeros((o, D), dtype=W0.dtype)], axis=0)
    WV = xp.concat([xp.zeros((d, D), dtype=W0.dtype),
                    xp.concat([W0, -xp.eye(o, dtype=W0.dtype)], axis=1)], axis=0)
    return WK, WK, WV, (float(eta) / n) * eye


def von_oswald_layer(tokens, query, W_K, W_Q, W_V, P):
    """Token update e_j ← e_j + P W_V Σ_i e_i e_iᵀ W_Kᵀ W_Q e_j (sum over the context tokens).

    ``tokens`` (..., N, d+o) rows e_i = (x_i, y_i); ``query`` (..., d+o). Returns the updated
    (tokens, query). With :func:`von_oswald_construction` and the query set to (x_q, −W_0 x_q) the
    prediction is minus the updated query label (von Oswald et al. 2023, Prop. 1).

    Parameters
    ----------
    tokens : array (..., N, d+o)
        Context tokens e_i = (x_i, y_i).
    query : array (..., d+o)
        Query token.
    W_K : array (d+o, d+o)
        Key matrix.
    W_Q : array (d+o, d+o)
        Query matrix.
    W_V : array (d+o, d+o)
        Value matrix.
    P : array (d+o, d+o)
        Projection.

    Returns
    -------
    tokens : array (..., N, d+o)
        Updated tokens.
    query : array (..., d+o)
        Updated query.

    Raises
    ------
    InputError
        For incompatible shapes.

    References
    ----------
    J. von Oswald, E. Niklasson, E. Randazzo, J. Sacramento, A. Mordvintsev, A. Zhmoginov, M. Vladymyrov,
    "Transformers Learn In-Context by Gradient Descent", ICML 2023, arXiv:2212.07677, Proposition 1.
    """
    xp, (E, q, W_K, W_Q, W_V, P) = real_namespace(tokens=tokens, query=query, W_K=W_K, W_Q=W_Q, W_V=W_V, P=P)
    D = E.shape[-1] if E.ndim >= 2 else -1
    if E.ndim < 2 or tuple(q.shape) != tuple(E.shape[:-2]) + (D,) or any(
            tuple(M.shape) != (D, D) for M in (W_K, W_Q, W_V, P)):
        raise InputError(f"tokens has shape {tuple(E.shape)} and query {tuple(q.shape)}; (..., N, D), (..., D) and "
                         "(D, D) weight matrices are required")
    W_PV = P @ W_V
    W_KQ = W_K.T @ W_Q
    Et = xp.matrix_transpose(E)
    S = Et @ E  # Σ_i e_i e_iᵀ, (..., D, D)
    M = W_PV @ S @ W_KQ
    new_E = E + xp.matrix_transpose(M @ Et)
    new_q = q + (M @ q[..., None])[..., 0]
    return new_E, new_q


def gd_step_prediction(W0, eta, X, Y, x_query):
    """(W_0 + ΔW) x_q with ΔW = −(η/N) Σ (W_0 x_i − y_i) x_iᵀ: one GD step on (1/2N) Σ ‖W x_i − y_i‖².

    ``X`` (..., N, d), ``Y`` (..., N, o), ``x_query`` (..., d); returns (..., o).

    Parameters
    ----------
    W0 : array (o, d)
        Initial weights.
    eta : float
        Step size η.
    X : array (..., N, d)
        Context covariates.
    Y : array (..., N, o)
        Context targets.
    x_query : array (..., d)
        Query.

    Returns
    -------
    array (..., o)
        The prediction.

    Raises
    ------
    InputError
        For incompatible shapes.

    References
    ----------
    J. von Oswald, E. Niklasson, E. Randazzo, J. Sacramento, A. Mordvintsev, A. Zhmoginov, M. Vladymyrov,
    "Transformers Learn In-Context by Gradient Descent", ICML 2023, arXiv:2212.07677, Proposition 1.
    """
    xp, (W0, X, Y, xq) = real_namespace(W0=W0, X=X, Y=Y, x_query=x_query)
    eta = check_real("eta", eta, allow_inf=False, allowed="a finite real number")
    if W0.ndim != 2 or X.ndim < 2 or X.shape[-1] != W0.shape[1] or tuple(Y.shape) != tuple(X.shape[:-1]) + (
            W0.shape[0],) or xq.shape[-1] != W0.shape[1]:
        raise InputError(f"W0, X, Y, x_query have shapes {tuple(W0.shape)}, {tuple(X.shape)}, {tuple(Y.shape)}, "
                         f"{tuple(xq.shape)}; (o, d), (..., N, d), (..., N, o), (..., d) are required")
    N = X.shape[-2]
    resid = X @ W0.T - Y  # (..., N, o)
    dW = -(eta / N) * (xp.matrix_transpose(resid) @ X)  # (..., o, d)
    W1 = W0 + dW
    return (W1 @ xq[..., None])[..., 0]


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


def mean_se(values) -> tuple[float, float]:
    """(mean, sd/√B) of a sample (at least two finite values: one value has no standard error).

    Parameters
    ----------
    values : array-like
        At least two finite values.

    Returns
    -------
    mean : float
        Sample mean.
    se : float
        sd/√B.

    Raises
    ------
    InputError
        For fewer than two or non-finite values.

    References
    ----------
    A. Mahankali, T. B. Hashimoto, T. Ma, "One Step of Gradient Descent is Provably the Optimal In-Context Learner
    with One Layer of Linear Self-Attention", ICLR 2024, arXiv:2307.03576.
    Derivation worked out in the project's claim notes (shared/claims/in-context-regression.md).
    """
    _, (v,) = real_namespace(values=values)
    v = np.asarray(v, dtype=np.float64).ravel()
    if v.size < 2:
        raise InputError(f"values has {v.size} element(s); at least 2 are needed for a standard error")
    if np.any(np.isnan(v)):
        raise InputError("values contains NaN; real numbers are allowed")
    return float(v.mean()), float(v.std(ddof=1) / math.sqrt(v.size))


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


def bayes_risk(prompts: Prompts, noise_var=0.0, weight_var=1.0, covariance=None) -> dict:
    """Ridge (posterior mean) risk for w ~ N(0, ψ² I): direct Monte Carlo and the semi-exact average.

    ŵ = (XᵀX + λ I)⁻¹ Xᵀ y, λ = σ²/ψ², is the Bayes predictor; given X its risk is
    σ² [1 + tr(Σ (XᵀX + λI)⁻¹)] (σ > 0) or ψ² tr(Σ (I − Π_X)) (σ = 0, min-norm interpolation), claim notes §4.
    Returns ``{"mc": (mean, se), "semi_exact": (mean, se)}``.

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
    return {"mc": mean_se((pred - prompts.y_query) ** 2), "semi_exact": mean_se(exact)}


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
    return xp.linalg.matrix_norm(M - alpha * xp.eye(d, dtype=M.dtype)) / xp.linalg.matrix_norm(M)


def train_lsa(d, n, rng, **options):
    """Train a one-layer LSA on fresh prompts; see :func:`theorylab.settings.icl_training.train_lsa`.

    Adam/SGD on the squared error of ŷ = bᵀ G A x_q (Mahankali et al. 2023; Ahn et al. 2023 Thm 1;
    Zhang, Frei, Bartlett 2024); returns a :class:`~theorylab.settings.icl_training.TrainResult`.

    Parameters
    ----------
    d : int
        Dimension.
    n : int
        Context length.
    rng : numpy.random.Generator
        Random source.
    **options
        Passed on to :func:`theorylab.settings.icl_training.train_lsa`.

    Returns
    -------
    TrainResult
        The trained parameters and loss history.

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
    from .icl_training import train_lsa as _train

    return _train(d, n, rng, **options)


def __getattr__(name):  # TrainResult lives in icl_training, which imports this module
    if name == "TrainResult":
        from .icl_training import TrainResult

        return TrainResult
    raise AttributeError(name)

__all__ = ["Prompts", "sample_prompts", "gamma_matrix", "optimal_preconditioner", "risk_of_preconditioner",
           "optimal_risk", "optimal_step", "risk_of_step", "risk_at_length", "length_shift_bias",
           "uniform_input_optimum", "moment_step", "link_moments", "link_step", "lsa_forward", "lsa_predict",
           "lsa_multilayer", "gd_layer", "acds_to_zfb", "reduced_parameters", "preconditioned_gd_path",
           "von_oswald_construction", "von_oswald_layer", "gd_step_prediction", "mc_risk", "mean_se",
           "fit_step", "fit_preconditioner", "bayes_risk", "dist_to_identity", "check_covariance",
           "train_lsa", "TrainResult"]
