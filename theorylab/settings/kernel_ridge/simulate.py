"""Gaussian-feature simulations of kernel ridge and random-feature regression (exact test error per draw).

Features g(x) ~ N(0, diag λ) in M dimensions, kernel K(x, x') = g·g', target f = θᵀg with θ_i = v_i/√λ_i,
labels y = f + ε, Var ε = σ². For an estimate θ̂ the test MSE against noisy labels is exactly
(θ̂ − θ)ᵀ diag(λ) (θ̂ − θ) + σ² (no test sampling). One decomposition per draw serves every ridge.
"""
from __future__ import annotations

import numpy as np

from ..._validation import InputError, check_generator, check_integer, check_nonnegative
from .theory import _spectrum


def _ridges(ridges):
    r = np.atleast_1d(np.asarray(ridges, dtype=float))
    if r.ndim != 1 or r.size == 0 or not np.all(np.isfinite(r)) or np.any(r < 0):
        raise InputError("ridges must be a non-empty 1-D array of finite numbers >= 0")
    return r


def _draw(lam, v, n, s2, rng):
    pos = lam > 0
    theta = np.zeros_like(lam)
    theta[pos] = v[pos] / np.sqrt(lam[pos])
    G = rng.standard_normal((n, lam.size)) * np.sqrt(lam)
    y = G @ theta + np.sqrt(s2) * rng.standard_normal(n)
    return G, y, theta


def _errors(Phi, y, W, lam, theta, ridges, s2):
    """Test/train MSE of ridge regression of y on Phi (n×p), θ̂ = Wᵀ w, for each ridge (SVD of Phi)."""
    n = y.size
    U, S, Vt = np.linalg.svd(Phi, full_matrices=False)
    uy = U.T @ y
    te, tr = np.empty(ridges.size), np.empty(ridges.size)
    for j, d in enumerate(ridges):
        with np.errstate(divide="ignore", invalid="ignore"):
            c = np.where(S > 0, S / (S * S + d), 0.0) * uy
        w = Vt.T @ c
        th = w if W is None else W.T @ w
        e = th - theta
        te[j] = float(e @ (lam * e)) + s2
        resid = y - U @ (S * S / (S * S + d) * uy)  # y − Φw, formed directly (no cancellation at δ → 0)
        tr[j] = float(resid @ resid) / n
    return te, tr


def simulate_krr(eigenvalues, target_coefficients, n, ridges, noise_var, rng, draws=1):
    """Test and train MSE of kernel ridge regression on Gaussian features, one row per draw of the design.

    KRR f̂ = k(x)ᵀ(K_XX + δI)⁻¹y, equivalently θ̂ = Gᵀ(GGᵀ + δI)⁻¹y; test MSE (θ̂−θ)ᵀΛ(θ̂−θ) + σ², train MSE
    ‖Gθ̂ − y‖²/n. All ridges share each draw (one SVD of G).

    Parameters
    ----------
    eigenvalues : array_like, shape (M,)
        Kernel eigenvalues λ_i ≥ 0.
    target_coefficients : array_like, shape (M,)
        Target coefficients v_i.
    n : int
        Number of samples ≥ 1.
    ridges : array_like
        Ridges δ ≥ 0.
    noise_var : float
        Label noise variance σ² ≥ 0.
    rng : numpy.random.Generator
        Random stream.
    draws : int, default 1
        Number of independent draws of (X, ε).

    Returns
    -------
    tuple of numpy.ndarray
        (test MSE, train MSE), each of shape (draws, len(ridges)).

    Raises
    ------
    InputError
        On bad inputs.

    References
    ----------
    J. B. Simon, M. Dickens, D. Karkada, M. R. DeWeese, "The Eigenlearning Framework", TMLR 2023
    (arXiv:2110.03922), Sec. 6 (experiments: the theory against finite-n KRR).
    """
    lam, v = _spectrum(eigenvalues, target_coefficients)
    n = check_integer("n", n)
    r = _ridges(ridges)
    s2 = check_nonnegative("noise_var", noise_var)
    rng = check_generator("rng", rng)
    draws = check_integer("draws", draws)
    te, tr = np.empty((draws, r.size)), np.empty((draws, r.size))
    for t in range(draws):
        G, y, theta = _draw(lam, v, n, s2, rng)
        te[t], tr[t] = _errors(G, y, None, lam, theta, r, s2)
    return te, tr


def simulate_random_features(eigenvalues, target_coefficients, n, n_features, ridges, noise_var, rng, draws=1):
    """Test and train MSE of random-feature ridge regression on Gaussian features, one row per draw.

    Features φ = F g with F ∈ ℝ^{k×M}, i.i.d. N(0, 1/k) entries; w = argmin ‖Φw − y‖² + δ‖w‖² with Φ = G Fᵀ;
    θ̂ = Fᵀw; test MSE (θ̂−θ)ᵀΛ(θ̂−θ) + σ², train MSE ‖Φw − y‖²/n. ``n_features`` may be a sequence: the
    feature maps are then nested (the first k rows of one F for the largest k, rescaled to variance 1/k), so
    the errors at different k are paired within a draw.

    Parameters
    ----------
    eigenvalues : array_like, shape (M,)
        Kernel eigenvalues λ_i ≥ 0.
    target_coefficients : array_like, shape (M,)
        Target coefficients v_i.
    n : int
        Number of samples ≥ 1.
    n_features : int or sequence of int
        Number(s) of random features k ≥ 1.
    ridges : array_like
        Ridges δ ≥ 0.
    noise_var : float
        Label noise variance σ² ≥ 0.
    rng : numpy.random.Generator
        Random stream.
    draws : int, default 1
        Number of independent draws of (X, ε, F).

    Returns
    -------
    tuple of numpy.ndarray
        (test MSE, train MSE), each of shape (draws, len(n_features), len(ridges)) (the middle axis dropped
        when ``n_features`` is an int).

    Raises
    ------
    InputError
        On bad inputs.

    References
    ----------
    J. B. Simon, D. Karkada, N. Ghosh, M. Belkin, "More is Better in Modern Machine Learning", ICLR 2024
    (arXiv:2311.14646), Sec. 4 (random-feature regression, features with only the last layer trained).
    """
    lam, v = _spectrum(eigenvalues, target_coefficients)
    n = check_integer("n", n)
    scalar = np.ndim(n_features) == 0
    ks = [check_integer("n_features", k) for k in np.atleast_1d(n_features).tolist()]
    r = _ridges(ridges)
    s2 = check_nonnegative("noise_var", noise_var)
    rng = check_generator("rng", rng)
    draws = check_integer("draws", draws)
    kmax = max(ks)
    te, tr = np.empty((draws, len(ks), r.size)), np.empty((draws, len(ks), r.size))
    for t in range(draws):
        G, y, theta = _draw(lam, v, n, s2, rng)
        F0 = rng.standard_normal((kmax, lam.size))
        for a, k in enumerate(ks):
            F = F0[:k] / np.sqrt(k)
            te[t, a], tr[t, a] = _errors(G @ F.T, y, F, lam, theta, r, s2)
    if scalar:
        return te[:, 0], tr[:, 0]
    return te, tr
