"""Spiked sample covariance: the limit of λ_max(H_B) through the BBP transition, the maximal stable step.

The diagonal-net stability module (:mod:`theorylab.settings.diagonal_net.stability`) computes Hessians of the
diagonal network only; its one reusable piece, the GD linear-stability bound η ≤ 2/λ_max, is a one-line
formula and is restated here (:func:`eta_max`) for the linear-regression batch Hessian.
"""
from __future__ import annotations

import numpy as np

from ..._validation import InputError
from ..._validation_scalars import check_integer, check_nonnegative, check_positive


def _gamma(gamma):
    g = np.asarray(gamma, dtype=float)
    if not np.all(np.isfinite(g)) or np.any(g <= 0):
        raise InputError(f"gamma={gamma!r} is not allowed; give positive finite aspect ratios d/B")
    return g


def _beta(beta):
    b = np.asarray(beta, dtype=float)
    if not np.all(np.isfinite(b)) or np.any(b < 0):
        raise InputError(f"beta={beta!r} is not allowed; give finite spike strengths β ≥ 0")
    return b


def bulk_edge(gamma):
    """Right edge of the Marchenko–Pastur bulk, (1 + √γ)².

    Parameters
    ----------
    gamma : float or array
        Aspect ratio γ = d/B > 0.

    Returns
    -------
    float or ndarray
        (1 + √γ)², the a.s. limit of λ_max(H_B) for β ≤ √γ.

    References
    ----------
    V. A. Marchenko, L. A. Pastur, Math. USSR-Sbornik 1(4), 1967; J. Baik, G. Ben Arous, S. Péché, "Phase
    transition of the largest eigenvalue for nonnull complex sample covariance matrices", Ann. Probab. 33(5),
    2005, Thm 1.1.
    """
    g = _gamma(gamma)
    return (1.0 + np.sqrt(g)) ** 2


def bbp_threshold(gamma):
    """BBP critical spike strength β_c = √γ.

    Parameters
    ----------
    gamma : float or array
        Aspect ratio γ = d/B > 0.

    Returns
    -------
    float or ndarray
        √γ: a population spike 1 + β separates from the bulk iff β > √γ.

    References
    ----------
    J. Baik, G. Ben Arous, S. Péché, Ann. Probab. 33(5), 2005, Thm 1.1 (critical value ℓ = 1 + √γ).
    """
    return np.sqrt(_gamma(gamma))


def spike_branch(beta, gamma):
    """The outlier branch (1 + β)(1 + γ/β), valid only above the threshold β > √γ.

    Parameters
    ----------
    beta : float or array
        Spike strength β > 0 (population top eigenvalue 1 + β).
    gamma : float or array
        Aspect ratio γ = d/B > 0.

    Returns
    -------
    float or ndarray
        (1 + β)(1 + γ/β) = ℓ + γℓ/(ℓ − 1) with ℓ = 1 + β; evaluated for any β > 0 (below threshold it is
        *not* the limit: that misuse is the negative control of the BBP claim).

    References
    ----------
    J. Baik, J. W. Silverstein, "Eigenvalues of large sample covariance matrices of spiked population models",
    J. Multivariate Anal. 97(6), 2006, Thm 1.1; J. Baik, G. Ben Arous, S. Péché, Ann. Probab. 33(5), 2005.
    """
    b = _beta(beta)
    if np.any(b <= 0):
        raise InputError(f"beta={beta!r} is not allowed; the spike branch needs β > 0")
    g = _gamma(gamma)
    return (1.0 + b) * (1.0 + g / b)


def bbp_lambda_max(beta, gamma):
    """Almost-sure limit of λ_max(H_B), H_B = (1/B)Σ x_i x_iᵀ, x_i ~ N(0, I + β uuᵀ), as d, B → ∞, d/B → γ.

    λ_max → (1 + β)(1 + γ/β) if β > √γ, and → (1 + √γ)² if β ≤ √γ (continuous at β = √γ).

    Parameters
    ----------
    beta : float or array
        Spike strength β ≥ 0.
    gamma : float or array
        Aspect ratio γ = d/B > 0.

    Returns
    -------
    float or ndarray
        The limit of the top eigenvalue.

    References
    ----------
    J. Baik, G. Ben Arous, S. Péché, Ann. Probab. 33(5), 2005, Thm 1.1; J. Baik, J. W. Silverstein,
    J. Multivariate Anal. 97(6), 2006, Thm 1.1; D. Granziol, S. Zohren, S. Roberts, "Learning Rates as a Function
    of Batch Size: A Random Matrix Theory Approach to Neural Network Training", JMLR 23(173), 2022 (batch Hessian
    outliers, Sec. 3–4).
    """
    b = _beta(beta)
    g = _gamma(gamma)
    b, g = np.broadcast_arrays(b, g)
    above = b > np.sqrt(g)
    safe_b = np.where(above, b, 1.0)
    out = np.where(above, (1.0 + safe_b) * (1.0 + g / safe_b), (1.0 + np.sqrt(g)) ** 2)
    return out[()] if out.ndim == 0 else out


def eta_max(batch_size, d, beta):
    """Maximal stable GD step on the batch quadratic, η_max(B) = 2/λ_max(H_B) in the BBP limit.

    Spike regime (β > √(d/B)): η_max = (2/(1 + β))·βB/(βB + d); bulk regime: 2/(1 + √(d/B))².

    Parameters
    ----------
    batch_size : float or array
        Batch size B > 0.
    d : float
        Dimension d > 0.
    beta : float
        Spike strength β ≥ 0.

    Returns
    -------
    float or ndarray
        2 / bbp_lambda_max(β, d/B).

    References
    ----------
    D. Granziol, S. Zohren, S. Roberts, JMLR 23(173), 2022 (learning rate vs batch size, Sec. 5); the stability
    bound η < 2/λ_max for GD on a quadratic (e.g. Mulayoff & Michaeli 2023, Thm 1).
    """
    B = np.asarray(batch_size, dtype=float)
    if not np.all(np.isfinite(B)) or np.any(B <= 0):
        raise InputError(f"batch_size={batch_size!r} is not allowed; give positive batch sizes")
    d = check_positive("d", d)
    return 2.0 / bbp_lambda_max(beta, d / B)


def eta_max_loglog_slope(batch_size, d, beta):
    """Analytic local log–log slope d log η_max / d log B.

    Spike regime: d/(βB + d); bulk regime: s/(1 + s), s = √(d/B). Both < 1: "linear scaling" is only the
    B/d → 0 asymptote.

    Parameters
    ----------
    batch_size : float or array
        Batch size B > 0.
    d : float
        Dimension d > 0.
    beta : float
        Spike strength β ≥ 0.

    Returns
    -------
    float or ndarray
        The slope at each B.

    References
    ----------
    D. Granziol, S. Zohren, S. Roberts, JMLR 23(173), 2022, Sec. 5 (linear scaling of the learning rate with B).
    """
    B = np.asarray(batch_size, dtype=float)
    if not np.all(np.isfinite(B)) or np.any(B <= 0):
        raise InputError(f"batch_size={batch_size!r} is not allowed; give positive batch sizes")
    d = check_positive("d", d)
    b = float(check_nonnegative("beta", beta))
    s = np.sqrt(d / B)
    out = np.where(b > s, d / (b * B + d), s / (1.0 + s))
    return out[()] if out.ndim == 0 else out


def sample_lambda_max(d, batch_size, beta, n_draws, rng):
    """Monte Carlo draws of λ_max(H_B), H_B = (1/B) Σ_{i≤B} x_i x_iᵀ, x_i ~ N(0, I_d + β e₁e₁ᵀ).

    Uses the nonzero spectrum of the smaller Gram matrix (B×B when B < d).

    Parameters
    ----------
    d : int
        Dimension.
    batch_size : int
        Batch size B.
    beta : float
        Spike strength β ≥ 0.
    n_draws : int
        Number of independent batches.
    rng : numpy.random.Generator
        Random stream.

    Returns
    -------
    ndarray (n_draws,)
        The top eigenvalues.

    References
    ----------
    J. Baik, G. Ben Arous, S. Péché, Ann. Probab. 33(5), 2005 (the model); D. Granziol, S. Zohren, S. Roberts,
    JMLR 23(173), 2022 (batch Hessians).
    """
    d = check_integer("d", d)
    B = check_integer("batch_size", batch_size)
    b = float(check_nonnegative("beta", beta))
    n_draws = check_integer("n_draws", n_draws)
    if not isinstance(rng, np.random.Generator):
        raise InputError(f"rng={rng!r} is not allowed; give a numpy.random.Generator")
    out = np.empty(n_draws)
    for k in range(n_draws):
        X = rng.standard_normal((B, d))
        X[:, 0] *= np.sqrt(1.0 + b)
        G = X @ X.T if B <= d else X.T @ X
        out[k] = np.linalg.eigvalsh(G)[-1] / B
    return out


def edge_finite_size_shift(d, batch_size):
    """Relative finite-size mean shift of λ_max(H_B) below the bulk edge (β = 0), from the Tracy–Widom law.

    Johnstone's centering and scale for real Wishart matrices, μ = (√(B−1) + √d)², σ = (√(B−1) + √d)
    (1/√(B−1) + 1/√d)^{1/3}, and E TW₁ ≈ −1.2065 give E λ_max ≈ (μ − 1.2065σ)/B; returned relative to the
    limit (1 + √(d/B))².

    Parameters
    ----------
    d : int
        Dimension (≥ 2).
    batch_size : int
        Batch size B (≥ 2).

    Returns
    -------
    float
        (E λ_max − (1 + √γ)²)/(1 + √γ)² (negative: the edge is reached from below).

    References
    ----------
    I. M. Johnstone, "On the distribution of the largest eigenvalue in principal components analysis",
    Ann. Statist. 29(2), 2001, Thm 1.1; C. A. Tracy, H. Widom, Comm. Math. Phys. 177, 1996 (E TW₁ ≈ −1.2065).
    """
    d = check_integer("d", d, minimum=2)
    B = check_integer("batch_size", batch_size, minimum=2)
    a, b = np.sqrt(B - 1.0), np.sqrt(float(d))
    mu = (a + b) ** 2
    sigma = (a + b) * (1.0 / a + 1.0 / b) ** (1.0 / 3.0)
    edge = (1.0 + np.sqrt(d / B)) ** 2
    return float(((mu - 1.2065 * sigma) / B - edge) / edge)
