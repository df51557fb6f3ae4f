"""InfoNCE estimator and its log N ceiling (van den Oord, Li, Vinyals 2018; Poole et al., ICML 2019).

Also the Gaussian test bed of Ozair et al. (NeurIPS 2019, Sec. 3): d independent coordinate pairs
``y_k = ρ x_k + sqrt(1 − ρ²) z_k`` with its exact mutual information and its optimal critic
``f*(x, y) = log p(y|x)/p(y)``.
"""
from __future__ import annotations

import numpy as np

from ..._validation import InputError, check_integer, check_real

__all__ = ["infonce_estimate", "gaussian_pairs_mutual_information", "gaussian_optimal_critic_scores"]


def infonce_estimate(scores):
    r"""InfoNCE value of one batch from its critic matrix.

    ``Î = (1/N) Σ_i [ f(x_i, y_i) − log((1/N) Σ_j exp f(x_i, y_j)) ]`` with ``scores[i, j] = f(x_i, y_j)``;
    since ``exp f(x_i,y_i) ≤ Σ_j exp f(x_i,y_j)``, ``Î ≤ log N`` for every critic.

    Parameters
    ----------
    scores : array_like
        Square (N, N) matrix of critic values, N ≥ 1, finite.

    Returns
    -------
    float
        The batch InfoNCE value (nats).

    References
    ----------
    A. van den Oord, Y. Li, O. Vinyals, "Representation Learning with Contrastive Predictive Coding",
    arXiv:1807.03748, 2018, Eq. (4); B. Poole, S. Ozair, A. van den Oord, A. Alemi, G. Tucker, "On Variational
    Bounds of Mutual Information", ICML 2019, Eq. (12).
    """
    s = np.asarray(scores, dtype=float)
    if s.ndim != 2 or s.shape[0] != s.shape[1] or s.shape[0] < 1 or not np.all(np.isfinite(s)):
        raise InputError("scores must be a finite square (N, N) matrix with N >= 1")
    n = s.shape[0]
    top = np.max(s, axis=1)
    # log Σ_j exp s_ij = top_i + log Σ_j exp(s_ij − top_i), the sum ≥ 1 (one term is exp 0), so each term ≤ 0
    lse = top + np.log(np.sum(np.exp(s - top[:, None]), axis=1))
    return float(np.mean(np.diag(s) - lse) + np.log(n))


def _check_rho(rho):
    r = check_real("rho", rho, allow_inf=False, allowed="a number in (-1, 1)")
    if not -1.0 < r < 1.0:
        raise InputError(f"rho={rho!r} is not allowed; it must lie in the open interval (-1, 1)")
    return r


def gaussian_pairs_mutual_information(d, rho):
    r"""Exact mutual information of d independent Gaussian coordinate pairs with correlation ρ.

    ``X ~ N(0, I_d)``, ``Y = ρ X + sqrt(1 − ρ²) Z`` with ``Z ~ N(0, I_d)`` independent:
    ``I(X; Y) = −(d/2) log(1 − ρ²)`` nats (each pair contributes ``−½ log(1 − ρ²)``).

    Parameters
    ----------
    d : int
        Number of coordinate pairs, ≥ 1.
    rho : float
        Correlation of each pair, in (−1, 1).

    Returns
    -------
    float
        ``I(X; Y)`` in nats.

    References
    ----------
    T. M. Cover, J. A. Thomas, *Elements of Information Theory*, 2nd ed., Wiley 2006, Eq. (8.56)
    (MI of a bivariate normal); S. Ozair et al., "Wasserstein Dependency Measure for Representation
    Learning", NeurIPS 2019, arXiv:1903.11780, Sec. 3 (the high-MI Gaussian example).
    """
    d = check_integer("d", d, minimum=1)
    r = _check_rho(rho)
    return float(-0.5 * d * np.log1p(-r * r))


def gaussian_optimal_critic_scores(x, y, rho):
    r"""Score matrix of the optimal critic ``f*(x, y) = log p(y|x)/p(y)`` for Gaussian coordinate pairs.

    For ``Y = ρ X + sqrt(1 − ρ²) Z`` (all coordinates independent, unit variance),
    ``f*(x, y) = −‖y − ρx‖²/(2(1 − ρ²)) + ‖y‖²/2 − (d/2) log(1 − ρ²)``; its mean over the joint law is
    ``I(X; Y)``. Returns ``S[i, j] = f*(x_i, y_j)``, the input of :func:`infonce_estimate`.

    Parameters
    ----------
    x, y : array_like
        Finite (N, d) arrays; row i of each is the pair (x_i, y_i), N ≥ 1, d ≥ 1.
    rho : float
        Correlation of each pair, in (−1, 1).

    Returns
    -------
    numpy.ndarray
        The (N, N) matrix ``f*(x_i, y_j)``.

    References
    ----------
    B. Poole, S. Ozair, A. van den Oord, A. Alemi, G. Tucker, "On Variational Bounds of Mutual
    Information", ICML 2019, Sec. 2.3 (the optimal InfoNCE critic is log p(y|x) up to a function of y);
    S. Ozair et al., NeurIPS 2019, arXiv:1903.11780, Sec. 3.
    """
    xa = np.asarray(x, dtype=float)
    ya = np.asarray(y, dtype=float)
    if xa.ndim != 2 or xa.shape[0] < 1 or xa.shape[1] < 1 or not np.all(np.isfinite(xa)):
        raise InputError("x must be a finite (N, d) array with N >= 1, d >= 1")
    if ya.shape != xa.shape or not np.all(np.isfinite(ya)):
        raise InputError(f"y must be a finite array of the same shape as x {xa.shape}")
    r = _check_rho(rho)
    d = xa.shape[1]
    v = 1.0 - r * r
    # −‖y − ρx‖²/(2v) + ‖y‖²/2 = (2ρ x·y − ρ²‖x‖² − ρ²‖y‖²)/(2v), since 1/v − 1 = ρ²/v
    c = r * r / (2.0 * v)
    out = xa @ ya.T
    out *= r / v
    out -= (c * np.sum(xa * xa, axis=1) + 0.5 * d * np.log1p(-r * r))[:, None]
    out -= (c * np.sum(ya * ya, axis=1))[None, :]
    return out
