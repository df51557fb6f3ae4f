"""In-context linear regression: the optimal one-layer LSA preconditioner K* and its risks, in closed form.

Only ``b`` (last row of P) and ``A`` (first d columns of Q) matter: ``ŷ = bᵀ G A x_q`` with
``G = (1/n) Σ_{i≤n} z_i z_iᵀ``. The optimum is one step of preconditioned GD, ``ŷ = hᵀ Γ⁻¹ x_q``,
``h = (1/n) Σ y_i x_i``, ``Γ = (1 + 1/n) Σ + (tr Σ + σ²/ψ²)/n · I`` (Mahankali–Hashimoto–Ma 2023;
Ahn et al. 2023 Thm 1; Zhang–Frei–Bartlett 2024 Thm 4.1); also the risk of any K and under a train/test
length shift. Written against the array-API namespace of the inputs. The optimal scalar steps (isotropic,
non-Gaussian inputs, nonlinear links) live in :mod:`.optimal_steps` and are re-exported here.
"""
from __future__ import annotations


from ..._validation import (InputError, array_device, check_choice, check_integer, check_no_nan, check_nonnegative,
                            check_positive, namespace_of, real_namespace)
from .optimal_steps import (optimal_step, risk_of_step, uniform_input_optimum, moment_step, link_moments,
                            link_step)
from .prompts import WEIGHT_PRIORS, check_covariance


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
    eye = xp.eye(d, dtype=cov.dtype, device=array_device(cov))
    return (1.0 + 1.0 / n) * cov + ((xp.linalg.trace(cov) + s2 / psi2) / n) * eye


def _moments(covariance, n, noise_var, weight_var, weight_prior):
    """(xp, Σ, H = E[h hᵀ], Ω = Cov(w)) for Gaussian covariates; K* = H⁻¹ Σ Ω (claim notes §3, derivation)."""
    xp, cov = check_covariance(covariance)
    n = check_integer("n", n)
    s2 = check_nonnegative("noise_var", noise_var)
    psi2 = check_positive("weight_var", weight_var)
    check_choice("weight_prior", weight_prior, WEIGHT_PRIORS)
    d = cov.shape[0]
    eye = xp.eye(d, dtype=cov.dtype, device=array_device(cov))
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
    R = xp.eye(cov.shape[0], dtype=cov.dtype, device=array_device(cov)) - Gi @ cov
    return xp.linalg.trace(cov @ R @ R)


__all__ = ["gamma_matrix", "optimal_preconditioner", "risk_of_preconditioner", "optimal_risk", "optimal_step",
           "risk_of_step", "risk_at_length", "length_shift_bias", "uniform_input_optimum", "moment_step",
           "link_moments", "link_step"]
