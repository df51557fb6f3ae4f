"""Zheng et al.'s simulation mixture with a valid covariance, and its closed-form Bayes and NB_∞ errors.

Zheng, Wu, Bao, Cao, Li, Zhu, "Revisiting Discriminative vs. Generative Classifiers: Theory and Implications",
ICML 2023 (arXiv 2302.02334), simulation protocol (repository ``data/generate_data.py``) with the covariance
defect fixed:

* means: class 0 at −𝟙_d, class k ≥ 1 at 2^{k−1}𝟙_d; shared covariance Σ = D^{1/2} R D^{1/2}, D = diag("easy"
  variances: ⌊d/2⌋ entries d, the rest 1), R = (1 − ρ)I + ρ𝟙𝟙ᵀ (ρ = 0: the "easy" mode, NB well specified;
  ρ ≠ 0: a *valid* correlated covariance, NB misspecified, LR still well specified);
* exact closed forms: Bayes = (2/K) Σ_j Φ(−(a_(j+1) − a_(j))√S/2), S = 𝟙ᵀΣ⁻¹𝟙, and NB's asymptotic error
  NB_∞ = (2/K) Σ_j Φ(−(a_(j+1) − a_(j)) S_N/(2σ_N)), S_N = ‖v‖², σ_N² = (1 − ρ)‖v‖² + ρ(𝟙ᵀv)², v = D^{−1/2}𝟙.
"""
from __future__ import annotations

import numpy as np
from scipy import special

from ..._validation import InputError, check_integer, check_real
from .gaussian_mixture import GaussianMixture



def _check_K_d(K, d):
    try:
        K = check_integer("K", K, minimum=2)
    except InputError:
        raise InputError(f"K={K!r} is not allowed; the number of classes must be an integer >= 2") from None
    try:
        d = check_integer("d", d, minimum=2)
    except InputError:
        raise InputError(f"d={d!r} is not allowed; the dimension must be an integer >= 2") from None
    return K, d


def _check_rho(rho, d):
    rho = check_real("rho", rho, allowed=f"a number in (-1/(d-1), 1) = ({-1.0 / (d - 1):.6g}, 1)")
    if not (-1.0 / (d - 1) < rho < 1.0):
        raise InputError(f"rho={rho!r} is not allowed for d={d}; -1/(d-1) < rho < 1 keeps R positive definite")
    return float(rho)


def zheng_parameters(K: int, d: int, rho: float = 0.0):
    """(a, means, D, Σ) of Zheng et al.'s simulation mixture with a valid covariance.

    a = (−1, 1, 2, 4, …, 2^{K−2}); means a_k𝟙_d; D = diag(⌊d/2⌋ entries d, the rest 1);
    Σ = D^{1/2} R D^{1/2}, R = (1 − ρ)I + ρ𝟙𝟙ᵀ.

    Parameters
    ----------
    K : int
        Number of classes ≥ 2.
    d : int
        Dimension ≥ 2.
    rho : float, default 0.0
        Correlation ρ ∈ (−1/(d−1), 1) (keeps R positive definite).

    Returns
    -------
    a : ndarray (K,)
        Class offsets.
    means : ndarray (K, d)
        Class means.
    D : ndarray (d,)
        The "easy" variances.
    Sigma : ndarray (d, d)
        The shared covariance.

    Raises
    ------
    InputError
        For invalid K, d or ρ.

    References
    ----------
    C. Zheng, G. Wu, F. Bao, Y. Cao, C. Li, J. Zhu, "Revisiting Discriminative vs. Generative Classifiers: Theory and
    Implications", ICML 2023, arXiv:2302.02334 (simulation protocol; the covariance defect fix is this project's, see
    shared/claims/classification-settings.md §(a)).
    """
    K, d = _check_K_d(K, d)
    rho = _check_rho(rho, d)
    a = np.array([-1.0] + [2.0 ** (k - 1) for k in range(1, K)])
    D = np.ones(d)
    D[: d // 2] = d
    sq = np.sqrt(D)
    R = (1.0 - rho) * np.eye(d) + rho
    Sigma = sq[:, None] * R * sq[None, :]
    return a, a[:, None] * np.ones(d), D, Sigma


def zheng_mixture(K: int, d: int, rho: float = 0.0) -> GaussianMixture:
    """The K-class, d-dimensional mixture of Zheng et al.'s simulation with a valid covariance (equal priors).

    Parameters
    ----------
    K : int
        Number of classes ≥ 2.
    d : int
        Dimension ≥ 2.
    rho : float, default 0.0
        Correlation ρ ∈ (−1/(d−1), 1).

    Returns
    -------
    GaussianMixture
        N(a_k𝟙, Σ), k < K, equal priors.

    Raises
    ------
    InputError
        For invalid K, d or ρ.

    References
    ----------
    C. Zheng, G. Wu, F. Bao, Y. Cao, C. Li, J. Zhu, "Revisiting Discriminative vs. Generative Classifiers: Theory and
    Implications", ICML 2023, arXiv:2302.02334.
    """
    _, means, _, Sigma = zheng_parameters(K, d, rho)
    return GaussianMixture(means, Sigma)


def zheng_bayes_error(K: int, d: int, rho: float = 0.0) -> float:
    """Closed-form Bayes error (2/K) Σ_j Φ(−(a_(j+1) − a_(j))√S/2), S = 𝟙ᵀΣ⁻¹𝟙 (equal priors).

    S = vᵀR⁻¹v = [‖v‖² − ρ(𝟙ᵀv)²/(1 − ρ + dρ)]/(1 − ρ), v = D^{−1/2}𝟙 (Sherman–Morrison).

    Parameters
    ----------
    K : int
        Number of classes ≥ 2.
    d : int
        Dimension ≥ 2.
    rho : float, default 0.0
        Correlation ρ ∈ (−1/(d−1), 1).

    Returns
    -------
    float
        The Bayes error.

    Raises
    ------
    InputError
        For invalid K, d or ρ.

    References
    ----------
    C. Zheng, G. Wu, F. Bao, Y. Cao, C. Li, J. Zhu, "Revisiting Discriminative vs. Generative Classifiers: Theory and
    Implications", ICML 2023, arXiv:2302.02334 (mixture); derivation worked out in the project's claim notes
    (shared/claims/classification-settings.md §(a)).
    """
    a, _, D, _ = zheng_parameters(K, d, rho)
    v = 1.0 / np.sqrt(D)
    S = (v @ v - rho * v.sum() ** 2 / (1.0 - rho + d * rho)) / (1.0 - rho)
    gaps = np.diff(np.sort(a)) * np.sqrt(S)
    return float(2.0 / K * special.ndtr(-gaps / 2.0).sum())


def zheng_nb_asymptotic_error(K: int, d: int, rho: float = 0.0) -> float:
    """Closed-form NB_∞ = (2/K) Σ_j Φ(−(a_(j+1) − a_(j)) S_N/(2σ_N)) (NB fitted to the population).

    NB's rule is affine in z = 𝟙ᵀD⁻¹x ∼ N(a_k S_N, σ_N²), S_N = ‖v‖², σ_N² = (1 − ρ)‖v‖² + ρ(𝟙ᵀv)², with
    midpoint thresholds between consecutive a_k S_N; ≥ Bayes with equality iff D⁻¹𝟙 ∥ Σ⁻¹𝟙.

    Parameters
    ----------
    K : int
        Number of classes ≥ 2.
    d : int
        Dimension ≥ 2.
    rho : float, default 0.0
        Correlation ρ ∈ (−1/(d−1), 1).

    Returns
    -------
    float
        NB's asymptotic error.

    Raises
    ------
    InputError
        For invalid K, d or ρ.

    References
    ----------
    C. Zheng, G. Wu, F. Bao, Y. Cao, C. Li, J. Zhu, "Revisiting Discriminative vs. Generative Classifiers: Theory and
    Implications", ICML 2023, arXiv:2302.02334; A. Y. Ng, M. I. Jordan, "On Discriminative vs. Generative Classifiers:
    A comparison of logistic regression and naive Bayes", NIPS 14, 2001 (asymptotic error of naive Bayes).
    """
    a, _, D, _ = zheng_parameters(K, d, rho)
    v = 1.0 / np.sqrt(D)
    SN = v @ v
    sN = np.sqrt((1.0 - rho) * SN + rho * v.sum() ** 2)
    gaps = np.diff(np.sort(a)) * SN / sN
    return float(2.0 / K * special.ndtr(-gaps / 2.0).sum())


__all__ = ["zheng_parameters", "zheng_mixture", "zheng_bayes_error", "zheng_nb_asymptotic_error"]
