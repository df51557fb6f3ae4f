"""Comp-sum error transformations T and their inverses Γ: complete scores (§3.1) and bounded scores (§4).

Mao, Mohri, Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications" (ICML 2023,
arXiv 2304.07288); "H-Consistency Bounds: Characterization and Extensions" (NeurIPS 2023); "A Universal
Growth Rate for Learning with Smooth Surrogate Losses" (NeurIPS 2024, arXiv 2405.05968); Awasthi, Mao,
Mohri, Zhong, "H-Consistency Bounds for Surrogate Loss Minimizers" (ICML 2022, arXiv 2205.08017).
Formulas as reconstructed and verified in ``shared/claims/surrogate-losses.md`` §3–4.

An H-consistency bound reads  E ΔC_01 ≤ Γ(E ΔC_ℓ), valid whenever Γ is the inverse of a convex minorant of
the error transformation T.
"""
from __future__ import annotations

import math

import numpy as np

from .._validation import InputError, check_real
from ..losses.compsum import check_bound, check_n, check_tau
from ._common import _as_t, _as_u, _out


# -------------------------------------------------------------------- comp-sum transform (§3.1)


def b_tau(t, tau):
    """The n-free expression B_τ(t) of the comp-sum H-consistency transform.

    With a = 1/(2−τ), S = ½[(1+t)^a + (1−t)^a]:
    B_τ(t) = 2^{1−τ}/(1−τ)·[1 − S^{2−τ}] for τ ∈ [0,2)∖{1},  B_1(t) = ½(1+t)log(1+t) + ½(1−t)log(1−t).
    Computed with expm1/log1p (accurate for t down to 1e−8). B_0(t) = 1 − √(1−t²).

    Parameters
    ----------
    t : float or array
        0-1 conditional regrets t ∈ [0, 1].
    tau : float
        τ ∈ [0, 2).

    Returns
    -------
    float or ndarray
        B_τ(t) (a float for scalar t).

    Raises
    ------
    InputError
        For τ ≥ 2 or an invalid τ, or t outside [0, 1].

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023,
    arXiv:2304.07288 (comp-sum H-consistency bounds; the form was reconstructed, derivation worked out in the
    project's claim notes (shared/claims/surrogate-losses.md §3.1).
    """
    tau = check_tau(tau)
    if tau >= 2:
        raise InputError(f"tau={tau!r} is not allowed for B_tau; it is defined for 0 <= tau < 2")
    t = _as_t(t)
    with np.errstate(divide="ignore", invalid="ignore"):
        if tau == 1.0:
            a = np.where(t > 0, 0.5 * (1 + t) * np.log1p(t), 0.0)
            b = np.where(t < 1, 0.5 * (1 - t) * np.log1p(-np.minimum(t, 1 - 1e-300)), 0.0)
            return _out(a + b, t)
        a = 1.0 / (2.0 - tau)
        sm1 = 0.5 * (np.expm1(a * np.log1p(t)) + np.expm1(a * np.log1p(-t)))
        val = 2.0 ** (1.0 - tau) / (1.0 - tau) * (-np.expm1((2.0 - tau) * np.log1p(sm1)))
    return _out(val, t)


def compsum_transform(t, tau, n):
    """T_τ(t) in the form attributed to the comp-sum H-consistency bound theorem.

    T_τ(t) = B_τ(t) for τ ∈ [0, 1];  (2/n)^{τ−1} B_τ(t) for τ ∈ (1, 2);  t / ((τ−1) n^{τ−1}) for τ ≥ 2
    (MAE: t/n). Vectorised over t ∈ [0, 1].

    Parameters
    ----------
    t : float or array
        0-1 regrets t ∈ [0, 1].
    tau : float
        τ ≥ 0.
    n : int
        Number of classes ≥ 2.

    Returns
    -------
    float or ndarray
        T_τ(t).

    Raises
    ------
    InputError
        For an invalid τ, n, or t outside [0, 1].

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023,
    arXiv:2304.07288 (comp-sum bound theorem; n^{τ−1} factor reconstructed, theorem number unconfirmed).
    """
    tau = check_tau(tau)
    n = check_n(n)
    t = _as_t(t)
    if tau <= 1:
        return b_tau(t, tau)
    if tau < 2:
        return _out((2.0 / n) ** (tau - 1.0) * np.asarray(b_tau(t, tau)), t)
    return _out(t / ((tau - 1.0) * n ** (tau - 1.0)), t)


def compsum_gamma(eps, tau, n):
    """Γ_τ(ε) = sup{t ∈ [0,1] : T_τ(t) ≤ ε}, the inverse of :func:`compsum_transform` (1 past T_τ(1)).

    Closed forms: Γ_0(ε) = √(2ε − ε²); Γ_τ(ε) = min((τ−1)n^{τ−1}ε, 1) for τ ≥ 2 (MAE: min(nε, 1)).
    Otherwise a vectorised bisection on the increasing T_τ (100 halvings: exact to rounding). The bound reads
    R_01(h) − R*_01 + M_01 ≤ Γ_τ(R_ℓ(h) − R*_ℓ + M_ℓ).

    Parameters
    ----------
    eps : float or array
        Surrogate regrets ε ≥ 0.
    tau : float
        τ ≥ 0.
    n : int
        Number of classes ≥ 2.

    Returns
    -------
    float or ndarray
        Γ_τ(ε) ∈ [0, 1].

    Raises
    ------
    InputError
        For an invalid τ, n, or a negative/NaN ε.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023,
    arXiv:2304.07288 (comp-sum H-consistency bounds).
    """
    tau = check_tau(tau)
    n = check_n(n)
    u = _as_u(eps)
    if tau == 0:
        return _out(np.where(u >= 1, 1.0, np.sqrt(np.clip(2 * u - u * u, 0, None))), u)
    if tau >= 2:
        return _out(np.minimum((tau - 1.0) * n ** (tau - 1.0) * u, 1.0), u)
    top = float(compsum_transform(1.0, tau, n))
    lo = np.zeros_like(u)
    hi = np.ones_like(u)
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        below = np.asarray(compsum_transform(mid, tau, n)) <= u
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    return _out(np.where(u >= top, 1.0, lo), u)


def compsum_true_transform(t, tau, n):
    """T^true_τ(t), the tight comp-sum transform, where it is known in closed form.

    B_τ(t) for τ ∈ [0, 1] and τ = 1.5 (any n) and for n = 2 (τ < 2); MAE: min_{2≤k≤n} max(t − 1/k, t/k);
    τ > 2: (1/(τ−1))·min{t, min_{2≤k≤n}[m_t − k^{1−τ} min(1, k m_t − t)]}, m_t = max(t, (1+t)/n).
    Verified against the structured brute force of :func:`tight_transform`.

    Parameters
    ----------
    t : float or array
        0-1 regrets t ∈ [0, 1].
    tau : float
        τ ≥ 0.
    n : int
        Number of classes ≥ 2.

    Returns
    -------
    float or ndarray
        T^true_τ(t).

    Raises
    ------
    InputError
        For τ ∈ (1, 2)∖{1.5} with n ≥ 3 (no closed form: use tight_transform), or invalid τ, n, t.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds: Characterization and Extensions", NeurIPS 2023 (tight comp-sum
    bounds; the τ ≥ 2 and GCE forms were derived in this project, derivation worked out in the project's claim notes
    (shared/claims/surrogate-losses.md §3.2).
    """
    tau = check_tau(tau)
    n = check_n(n)
    t = _as_t(t)
    if tau < 2 and (tau <= 1 or tau == 1.5 or n == 2):
        return b_tau(t, tau)
    if tau == 2:
        ks = np.arange(2, n + 1)
        tt = t[..., None]
        return _out(np.min(np.maximum(tt - 1.0 / ks, tt / ks), axis=-1), t)
    if tau > 2:
        ks = np.arange(2, n + 1)
        tt = t[..., None]
        mt = np.maximum(tt, (1 + tt) / n)
        inner = np.min(mt - ks ** (1.0 - tau) * np.minimum(1.0, ks * mt - tt), axis=-1)
        return _out(np.minimum(t, inner) / (tau - 1.0), t)
    raise InputError(f"tau={tau!r} with n={n} has no closed-form tight transform; use tight_transform")


# ------------------------------------------------------------------------ bounded scores (§4)


def zero_region(n, bound):
    """t₀(n, Λ) = (n−2)e^{−2Λ} / (2 + (n−2)e^{−2Λ}), where the bounded comp-sum tight transform vanishes.

    For scores in [−Λ, Λ]ⁿ, n ≥ 3, the tight transform of comp-sum losses (τ ≤ 1, τ = 1.5) vanishes on
    [0, t₀]; t₀ = 0 for n = 2.

    Parameters
    ----------
    n : int
        Number of classes ≥ 2.
    bound : float
        Score bound Λ > 0 (None is rejected).

    Returns
    -------
    float
        t₀.

    Raises
    ------
    InputError
        For an invalid n, or Λ None / not a finite number > 0.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds: Characterization and Extensions", NeurIPS 2023 (bounded
    hypothesis sets; form derived in this project, derivation worked out in the project's claim notes
    (shared/claims/surrogate-losses.md §4).
    """
    n = check_n(n)
    lam = check_bound(bound)
    if lam is None:
        raise InputError("bound=None is not allowed for zero_region; give the score bound Λ > 0")
    e = (n - 2) * math.exp(-2.0 * lam)
    return e / (2.0 + e)


def zero_region_witness(t, n, bound, tau=1.0):
    """The zero-region construction at 0-1 regret t ≤ t₀: (p, h*) with h* = (Λ, Λ, −Λ, …) minimising the box risk.

    Predicting class 0 by h = (Λ, Λ−ε, …) costs O(ε) surrogate regret while the 0-1 regret is p_1 − p_0 = t.
    The weights p solve the KKT conditions of the box problem (logistic / general τ ≤ 1).

    Parameters
    ----------
    t : float
        0-1 regret t ∈ [0, t₀(n, Λ)].
    n : int
        Number of classes ≥ 2.
    bound : float
        Score bound Λ > 0.
    tau : float, default 1.0
        τ ≥ 0 (meant for τ ≤ 1).

    Returns
    -------
    p : ndarray (n,)
        Conditional label distribution with p_1 − p_0 = t.
    h : ndarray (n,)
        The box minimiser (Λ, Λ, −Λ, …, −Λ).

    Raises
    ------
    InputError
        For invalid n, Λ, τ, or t outside [0, t₀].

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds: Characterization and Extensions", NeurIPS 2023 (bounded
    hypothesis sets; construction from the project's claim notes, shared/claims/surrogate-losses.md
    §4).
    """
    n = check_n(n)
    lam = check_bound(bound)
    tau = check_tau(tau)
    t0 = zero_region(n, lam)
    t = check_real("t", t, allowed=f"a number in [0, t0={t0:.6g}]")
    if not 0 <= t <= t0:
        raise InputError(f"t={t!r} is not allowed; it must lie in [0, t0={t0:.6g}]")
    e = math.exp(-2 * lam)
    stop = 1.0 / (2.0 + (n - 2) * e)
    slow = e * stop

    def p_of(beta):
        # KKT weights w_j = p_j s_j^{τ−1} (A = Σw = 1): w_0 = s_top, w_low = β s_low, w_1 = the rest ≥ s_top
        w = np.array([stop, 1 - stop - (n - 2) * beta * slow] + [beta * slow] * (n - 2))
        s = np.array([stop, stop] + [slow] * (n - 2))
        pp = w * s ** (1.0 - tau)
        return pp / pp.sum()

    if t >= t0:
        beta = 0.0
    elif t <= 0:
        beta = 1.0
    else:
        from scipy.optimize import brentq

        beta = brentq(lambda b_: (lambda q: q[1] - q[0])(p_of(b_)) - t, 0.0, 1.0, xtol=1e-15)
    p = p_of(beta)
    h = np.array([lam, lam] + [-lam] * (n - 2))
    return p, h


__all__ = ["b_tau", "compsum_transform", "compsum_gamma", "compsum_true_transform", "zero_region", "zero_region_witness"]
