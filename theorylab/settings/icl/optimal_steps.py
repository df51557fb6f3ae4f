"""In-context linear regression: closed-form optimal scalar steps ``ŷ = η hᵀ x_q`` of one GD step and their risks.

The isotropic Gaussian step η* = n/(n + d + 1 + σ²) and its risk (Mahankali–Hashimoto–Ma 2023), the optimum for
i.i.d. non-Gaussian (e.g. uniform, von Oswald et al. 2023) input coordinates from their second and fourth moments,
and the optimum for a single-index response y = φ(wᵀx) + ε by Gauss–Hermite/Laguerre quadrature. The matrix
optimum K* and its risks are in :mod:`.closed_forms`, which re-exports these names.
"""
from __future__ import annotations


import numpy as np

from ..._validation import InputError, check_integer, check_no_nan, check_nonnegative, check_positive, real_namespace


# --------------------------------------------------------------------------------------------- optimal steps
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


__all__ = ["optimal_step", "risk_of_step", "uniform_input_optimum", "moment_step", "link_moments", "link_step"]
