"""The eigenlearning framework for kernel ridge regression and its random-feature extension (closed forms).

KRR (Simon, Dickens, Karkada, DeWeese 2023): the effective ridge κ solves Σ_i λ_i/(λ_i+κ) + δ/κ = n; the
learnabilities are L_i = λ_i/(λ_i+κ); the test MSE against noisy labels is
E_te = n/(n − Σ L_i²) (Σ (1−L_i)² v_i² + σ²) and the train MSE E_tr = (δ/(nκ))² E_te.
Random features (Simon, Karkada, Ghosh, Belkin 2024): two effective ridges κ (feature space) and γ (eigenbasis),
n − δ/κ = df₁(γ) = k(1 − κ/γ), with the extra finite-feature variance terms (see
:func:`random_feature_eigenlearning`).
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np
from scipy.optimize import brentq, minimize_scalar

from ..._validation import (
    InputError,
    as_real_array,
    check_integer,
    check_nonnegative,
    check_positive,
)

_RTOL = 4 * np.finfo(float).eps


def _spectrum(eigenvalues, target_coefficients):
    lam = np.asarray(as_real_array("eigenvalues", eigenvalues), dtype=float)
    v = np.asarray(as_real_array("target_coefficients", target_coefficients), dtype=float)
    if lam.ndim != 1 or lam.size == 0:
        raise InputError(f"eigenvalues has shape {lam.shape}; it must be a non-empty 1-D array")
    if not np.all(np.isfinite(lam)) or np.any(lam < 0):
        raise InputError("eigenvalues must be finite and >= 0")
    if v.shape != lam.shape:
        raise InputError(f"target_coefficients has shape {v.shape}; it must match eigenvalues {lam.shape}")
    if not np.all(np.isfinite(v)):
        raise InputError("target_coefficients must be finite")
    return lam, v


def df1(eigenvalues, ridge):
    """The first degrees-of-freedom function df₁(γ) = Σ_i λ_i/(λ_i+γ).

    Parameters
    ----------
    eigenvalues : array_like, shape (M,)
        Kernel eigenvalues λ_i ≥ 0.
    ridge : float
        The effective ridge γ > 0.

    Returns
    -------
    float
        df₁(γ), between 0 and the number of positive eigenvalues.

    References
    ----------
    J. B. Simon, M. Dickens, D. Karkada, M. R. DeWeese, "The Eigenlearning Framework", TMLR 2023
    (arXiv:2110.03922), eq. (5) (the sum of learnabilities).
    """
    lam = np.asarray(eigenvalues, dtype=float)
    return float(np.sum(lam / (lam + ridge)))


def df2(eigenvalues, ridge):
    """The second degrees-of-freedom function df₂(γ) = Σ_i λ_i²/(λ_i+γ)².

    Parameters
    ----------
    eigenvalues : array_like, shape (M,)
        Kernel eigenvalues λ_i ≥ 0.
    ridge : float
        The effective ridge γ > 0.

    Returns
    -------
    float
        df₂(γ) = Σ L_i², the sum of squared learnabilities.

    References
    ----------
    J. B. Simon, M. Dickens, D. Karkada, M. R. DeWeese, "The Eigenlearning Framework", TMLR 2023
    (arXiv:2110.03922), eq. (8) (the overfitting coefficient E₀ = n/(n − Σ L_i²)).
    """
    lam = np.asarray(eigenvalues, dtype=float)
    return float(np.sum((lam / (lam + ridge)) ** 2))


def _df_root(lam, target):
    """γ > 0 with df₁(γ) = target (0 < target < #positive eigenvalues), by brentq on log γ."""
    pos = int(np.sum(lam > 0))
    if not 0 < target < pos:
        raise InputError(f"needs 0 < {target} < {pos} (the number of positive eigenvalues)")
    hi = float(np.sum(lam)) / target  # df₁(γ) ≤ Σλ/γ
    lo = hi
    while df1(lam, lo) <= target:
        lo /= 10.0
    f = lambda t: df1(lam, math.exp(t)) - target
    return math.exp(brentq(f, math.log(lo), math.log(hi), xtol=1e-15, rtol=_RTOL, maxiter=500))


def solve_kappa(eigenvalues, n, ridge):
    """The KRR effective ridge κ: the unique root of Σ_i λ_i/(λ_i+κ) + δ/κ = n.

    The left side decreases from +∞ (or #positive eigenvalues at δ = 0) to 0, so the root is unique; it is
    found by ``scipy.optimize.brentq`` on log κ inside [δ/n, (Σλ+δ)/n].

    Parameters
    ----------
    eigenvalues : array_like, shape (M,)
        Kernel eigenvalues λ_i ≥ 0.
    n : int
        Number of training samples, ≥ 1.
    ridge : float
        Ridge δ ≥ 0 against the summed squared error; δ = 0 needs n < #{λ_i > 0}.

    Returns
    -------
    float
        κ > 0.

    Raises
    ------
    InputError
        On bad eigenvalues, n < 1, ridge < 0, or δ = 0 with n ≥ the number of positive eigenvalues.

    References
    ----------
    J. B. Simon, M. Dickens, D. Karkada, M. R. DeWeese, "The Eigenlearning Framework", TMLR 2023
    (arXiv:2110.03922), eq. (4) (the constraint defining κ).
    """
    lam, _ = _spectrum(eigenvalues, np.zeros(np.shape(eigenvalues)))
    n = check_integer("n", n)
    delta = check_nonnegative("ridge", ridge)
    if delta == 0:
        if n >= int(np.sum(lam > 0)):
            raise InputError(f"ridge=0 needs n={n} < the number of positive eigenvalues ({int(np.sum(lam > 0))})")
        return _df_root(lam, n)
    f = lambda t: df1(lam, math.exp(t)) + delta / math.exp(t) - n
    lo, hi = delta / n, (float(np.sum(lam)) + delta) / n
    return math.exp(brentq(f, math.log(lo), math.log(hi), xtol=1e-15, rtol=_RTOL, maxiter=500))


@dataclasses.dataclass(frozen=True)
class EigenlearningResult:
    """The eigenframework's predictions for one (spectrum, target, n, ridge, noise) problem.

    Attributes
    ----------
    kappa : float
        The effective ridge κ (KRR), or the feature-space effective ridge (random features).
    gamma : float
        The eigenbasis effective ridge γ (equal to κ for KRR).
    learnabilities : numpy.ndarray
        L_i = λ_i/(λ_i+γ).
    overfitting_coefficient : float
        E₀ = n/(n − q) (q = Σ L_i² for KRR).
    test_mse : float
        Predicted test MSE against noisy test labels (contains σ²).
    train_mse : float
        Predicted train MSE against the noisy training labels, (δ/(nκ))² E_te.
    noise_var : float
        σ².

    References
    ----------
    J. B. Simon, M. Dickens, D. Karkada, M. R. DeWeese, "The Eigenlearning Framework", TMLR 2023
    (arXiv:2110.03922), eqs. (4)-(9); J. B. Simon, D. Karkada, N. Ghosh, M. Belkin, "More is Better in Modern
    Machine Learning", ICLR 2024 (arXiv:2311.14646), Sec. 4.
    """

    kappa: float
    gamma: float
    learnabilities: np.ndarray
    overfitting_coefficient: float
    test_mse: float
    train_mse: float
    noise_var: float

    @property
    def excess_risk(self) -> float:
        """E_te − σ², the test MSE against the noiseless target."""
        return self.test_mse - self.noise_var


def eigenlearning(eigenvalues, target_coefficients, n, ridge, noise_var=0.0):
    r"""Eigenlearning predictions for kernel ridge regression: κ, test MSE and train MSE.

    .. math::
        \sum_i \frac{\lambda_i}{\lambda_i+\kappa} + \frac{\delta}{\kappa} = n,\quad
        L_i = \frac{\lambda_i}{\lambda_i+\kappa},\quad
        E_{te} = \frac{n}{n-\sum_i L_i^2}\Big(\sum_i (1-L_i)^2 v_i^2 + \sigma^2\Big),\quad
        E_{tr} = \Big(\frac{\delta}{n\kappa}\Big)^2 E_{te}.

    ``δ/κ`` in E_tr is evaluated as n − Σ L_i (the conservation law), which also covers δ = 0 (E_tr = 0).

    Parameters
    ----------
    eigenvalues : array_like, shape (M,)
        Kernel eigenvalues λ_i ≥ 0 (eigenfunctions orthonormal under the data distribution).
    target_coefficients : array_like, shape (M,)
        Target coefficients v_i in the eigenbasis, f = Σ v_i φ_i.
    n : int
        Number of training samples, ≥ 1.
    ridge : float
        Ridge δ ≥ 0 against the summed squared error; δ = 0 needs n < #{λ_i > 0}.
    noise_var : float, default 0
        Label noise variance σ² ≥ 0.

    Returns
    -------
    EigenlearningResult
        ``.kappa``, ``.test_mse`` (against noisy test labels), ``.train_mse``, the learnabilities and E₀.

    Raises
    ------
    InputError
        On bad eigenvalues or coefficients, n < 1, ridge < 0, noise_var < 0, or δ = 0 with n too large.

    References
    ----------
    J. B. Simon, M. Dickens, D. Karkada, M. R. DeWeese, "The Eigenlearning Framework: A Conservation Law
    Perspective on Kernel Regression and Wide Neural Networks", TMLR 2023 (arXiv:2110.03922), eqs. (4)-(9)
    (κ, learnabilities, overfitting coefficient E₀, test and train MSE).
    """
    lam, v = _spectrum(eigenvalues, target_coefficients)
    n = check_integer("n", n)
    delta = check_nonnegative("ridge", ridge)
    s2 = check_nonnegative("noise_var", noise_var)
    kappa = solve_kappa(lam, n, delta)
    L = lam / (lam + kappa)
    e0 = n / (n - float(np.sum(L * L)))
    te = e0 * (float(np.sum((1 - L) ** 2 * v * v)) + s2)
    ratio = max(n - float(np.sum(L)), 0.0) / n  # δ/(nκ)
    return EigenlearningResult(kappa=kappa, gamma=kappa, learnabilities=L, overfitting_coefficient=e0,
                               test_mse=te, train_mse=ratio * ratio * te, noise_var=s2)


def solve_rf_ridges(eigenvalues, n, n_features, ridge):
    """The random-feature effective ridges (κ, γ): n − δ/κ = df₁(γ) = k(1 − κ/γ).

    Eliminating κ = γ(1 − df₁(γ)/k) leaves h(γ) = df₁(γ) + δ/κ(γ) − n, decreasing on γ > γ₀ with
    df₁(γ₀) = min(n, k); its root is found by ``scipy.optimize.brentq`` on log γ. At δ = 0, γ = γ₀ (and κ = 0
    when k < n).

    Parameters
    ----------
    eigenvalues : array_like, shape (M,)
        Kernel eigenvalues λ_i ≥ 0.
    n : int
        Number of training samples, ≥ 1.
    n_features : int
        Number of random features k ≥ 1.
    ridge : float
        Ridge δ ≥ 0 (summed squared error); δ = 0 needs k ≠ n and min(n, k) < #{λ_i > 0}.

    Returns
    -------
    tuple of float
        (κ, γ).

    Raises
    ------
    InputError
        On bad inputs, or δ = 0 at k = n (the interpolation threshold, where the risk diverges).

    References
    ----------
    J. B. Simon, D. Karkada, N. Ghosh, M. Belkin, "More is Better in Modern Machine Learning: when Infinite
    Overparameterization is Optimal and Overfitting is Obligatory", ICLR 2024 (arXiv:2311.14646), Sec. 4
    (the random-feature eigenframework; our deterministic-equivalent reading of its two-equation system).
    """
    lam, _ = _spectrum(eigenvalues, np.zeros(np.shape(eigenvalues)))
    n = check_integer("n", n)
    k = check_integer("n_features", n_features)
    delta = check_nonnegative("ridge", ridge)
    pos = int(np.sum(lam > 0))
    m = min(n, k)
    if delta == 0:
        if k == n:
            raise InputError(f"ridge=0 with n_features={k} = n diverges; use ridge > 0 or n_features != n")
        if m >= pos:
            raise InputError(f"ridge=0 needs min(n, n_features)={m} < the number of positive eigenvalues ({pos})")
        g = _df_root(lam, m)
        return (0.0 if k < n else g * (1 - df1(lam, g) / k)), g

    def h(t):
        g = math.exp(t)
        d = df1(lam, g)
        kap = g * (1 - d / k)
        return math.inf if kap <= 0 else d + delta / kap - n

    g0 = _df_root(lam, m) if m < pos else float(np.sum(lam)) / pos * 1e-12
    hi = max(g0, 1e-300) * 2
    while h(math.log(hi)) >= 0:
        hi *= 4
    lo = None
    for eps in 10.0 ** -np.arange(1, 16):
        if 0 < h(math.log(g0 * (1 + eps))) < math.inf:
            lo = g0 * (1 + eps)
            break
    if lo is None:  # the root is closer to γ₀ than 1e-15 relative (δ vanishingly small)
        g = g0 * (1 + 1e-15)
    else:
        lo = min(lo, hi / 2)
        g = math.exp(brentq(h, math.log(lo), math.log(hi), xtol=1e-15, rtol=_RTOL, maxiter=500))
    return g * (1 - df1(lam, g) / k), g


def random_feature_eigenlearning(eigenvalues, target_coefficients, n, n_features, ridge, noise_var=0.0):
    r"""Eigenframework predictions for random-feature ridge regression with k features.

    Features φ(x) = F g(x), F with i.i.d. N(0, 1/k) entries, so the RF kernel tends to K as k → ∞; ridge δ
    against the summed squared error. With (κ, γ) from :func:`solve_rf_ridges`, L_i = λ_i/(λ_i+γ),

    .. math::
        E_{te} = \frac{n}{n-q}\Big(\sum_i (1-L_i)^2 v_i^2
                 + \frac{df_1-df_2}{k-df_2}\sum_i L_i(1-L_i) v_i^2 + \sigma^2\Big),\quad
        q = \frac{k\,df_2 + df_1^2 - 2\,df_1 df_2}{k-df_2},\quad
        E_{tr} = \Big(\frac{\delta}{n\kappa}\Big)^2 E_{te},

    with δ/κ = n − df₁(γ). As k → ∞, q → df₂, the extra term → 0 and the KRR eigenframework is recovered.

    Parameters
    ----------
    eigenvalues : array_like, shape (M,)
        Kernel eigenvalues λ_i ≥ 0.
    target_coefficients : array_like, shape (M,)
        Target coefficients v_i.
    n : int
        Number of training samples, ≥ 1.
    n_features : int
        Number of random features k ≥ 1.
    ridge : float
        Ridge δ ≥ 0 (see :func:`solve_rf_ridges` for δ = 0).
    noise_var : float, default 0
        Label noise variance σ² ≥ 0.

    Returns
    -------
    EigenlearningResult
        ``.kappa`` (feature space), ``.gamma`` (eigenbasis), ``.test_mse``, ``.train_mse``.

    Raises
    ------
    InputError
        On bad inputs (see :func:`solve_rf_ridges`).

    References
    ----------
    J. B. Simon, D. Karkada, N. Ghosh, M. Belkin, "More is Better in Modern Machine Learning: when Infinite
    Overparameterization is Optimal and Overfitting is Obligatory", ICLR 2024 (arXiv:2311.14646), Sec. 4 and
    App. (random-feature test risk); derived here by deterministic equivalents and checked by simulation.
    """
    lam, v = _spectrum(eigenvalues, target_coefficients)
    s2 = check_nonnegative("noise_var", noise_var)
    kappa, gamma = solve_rf_ridges(lam, n, n_features, ridge)
    k = int(n_features)
    L = lam / (lam + gamma)
    d1, d2 = float(np.sum(L)), float(np.sum(L * L))
    q = (k * d2 + d1 * d1 - 2 * d1 * d2) / (k - d2)
    e0 = n / (n - q)
    bias = float(np.sum((1 - L) ** 2 * v * v))
    extra = (d1 - d2) / (k - d2) * float(np.sum(L * (1 - L) * v * v))
    te = e0 * (bias + extra + s2)
    ratio = max(n - d1, 0.0) / n
    return EigenlearningResult(kappa=kappa, gamma=gamma, learnabilities=L, overfitting_coefficient=e0,
                               test_mse=te, train_mse=ratio * ratio * te, noise_var=s2)


def tuned_ridge(test_mse, ridges):
    """The ridge minimising a test-MSE function: grid search over ``ridges``, then Brent refinement in log δ.

    Parameters
    ----------
    test_mse : callable(float) -> float
        The test MSE as a function of the ridge δ.
    ridges : array_like
        Increasing grid of positive ridges (at least 3); the refinement stays between the grid neighbours
        of the best grid point.

    Returns
    -------
    tuple of float
        (δ*, E_te(δ*)).

    Raises
    ------
    InputError
        When ``ridges`` is not an increasing positive grid of at least 3 points.

    References
    ----------
    J. B. Simon, D. Karkada, N. Ghosh, M. Belkin, "More is Better in Modern Machine Learning", ICLR 2024
    (arXiv:2311.14646), Sec. 4 (risk at the optimal ridge).
    """
    grid = np.asarray(ridges, dtype=float)
    if grid.ndim != 1 or grid.size < 3 or not np.all(grid > 0) or not np.all(np.diff(grid) > 0):
        raise InputError("ridges must be an increasing 1-D grid of at least 3 positive numbers")
    vals = np.array([test_mse(d) for d in grid])
    j = int(np.nanargmin(vals))
    lo, hi = np.log(grid[max(j - 1, 0)]), np.log(grid[min(j + 1, grid.size - 1)])
    res = minimize_scalar(lambda t: test_mse(math.exp(t)), bounds=(lo, hi), method="bounded",
                          options={"xatol": 1e-9})
    if res.fun <= vals[j]:
        return float(math.exp(res.x)), float(res.fun)
    return float(grid[j]), float(vals[j])


def power_law_task(n_modes, eigen_exponent, target_exponent):
    """A power-law task: λ_i = i^(−α) and v_i² ∝ i^(−β), normalised to Σ v_i² = 1, for i = 1..M.

    Parameters
    ----------
    n_modes : int
        Number of modes M ≥ 1.
    eigen_exponent : float
        α > 0.
    target_exponent : float
        β ≥ 0.

    Returns
    -------
    tuple of numpy.ndarray
        (eigenvalues λ, target coefficients v ≥ 0), each of shape (M,).

    Raises
    ------
    InputError
        On M < 1, α ≤ 0 or β < 0.

    References
    ----------
    J. B. Simon, D. Karkada, N. Ghosh, M. Belkin, "More is Better in Modern Machine Learning", ICLR 2024
    (arXiv:2311.14646), Sec. 5 (power-law eigenstructure, λ_i ∼ i^(−α), v_i² ∼ i^(−β)).
    """
    m = check_integer("n_modes", n_modes)

    a = check_positive("eigen_exponent", eigen_exponent)
    b = check_nonnegative("target_exponent", target_exponent)
    i = np.arange(1, m + 1, dtype=float)
    v2 = i ** -b
    return i ** -a, np.sqrt(v2 / v2.sum())
