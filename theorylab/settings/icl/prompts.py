"""In-context linear regression: the prompt law, its sampler, and the checks of its arguments.

Prompt model (the "unified sandbox" of ``shared/claims/in-context-regression.md`` §1): covariates
``x ~ N(0, Σ)`` (or ``U(-a, a)^d``), task ``w ~ N(0, ψ² I)`` (or ``N(0, ψ² Σ⁻¹)``), labels
``y = f(wᵀx) + ε`` with ``ε ~ N(0, σ²)`` on context and query (``f`` the identity unless a link is given).
The sampler takes a ``numpy.random.Generator`` and returns NumPy arrays (:class:`Prompts`).
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np
from scipy.stats import ortho_group

from ..._validation import (InputError, check_choice, check_integer, check_no_nan, check_nonnegative,
                            check_positive, real_namespace)

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


def rotated_covariance(rng, eigenvalues) -> np.ndarray:
    """U diag(λ) Uᵀ with U a uniformly random orthogonal matrix: an anisotropic, randomly rotated Σ.

    The covariances of the experiments of Ahn et al. (2023); symmetrised, so that it passes
    :func:`check_covariance` exactly.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random source (one Haar-distributed orthogonal matrix, :data:`scipy.stats.ortho_group`).
    eigenvalues : array-like (d,)
        The eigenvalues λ (positive for a covariance).

    Returns
    -------
    ndarray (d, d)
        Σ = U diag(λ) Uᵀ.

    References
    ----------
    K. Ahn, X. Cheng, H. Daneshmand, S. Sra, "Transformers learn to implement preconditioned gradient descent for
    in-context learning", NeurIPS 2023, arXiv:2306.00297 (experiments with rotated anisotropic covariances).
    """
    lam = np.asarray(eigenvalues, dtype=np.float64)
    U = ortho_group.rvs(lam.size, random_state=rng)
    S = (U * lam) @ U.T
    return 0.5 * (S + S.T)


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


__all__ = ["WEIGHT_PRIORS", "INPUT_LAWS", "check_covariance", "Prompts", "rotated_covariance", "sample_prompts"]
