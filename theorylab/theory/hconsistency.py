"""H-consistency error transformations for comp-sum and binary margin losses, and their inverses Γ.

Mao, Mohri, Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications" (ICML 2023,
arXiv 2304.07288); "H-Consistency Bounds: Characterization and Extensions" (NeurIPS 2023); "A Universal
Growth Rate for Learning with Smooth Surrogate Losses" (NeurIPS 2024, arXiv 2405.05968); Awasthi, Mao,
Mohri, Zhong, "H-Consistency Bounds for Surrogate Loss Minimizers" (ICML 2022, arXiv 2205.08017).
Formulas as reconstructed and verified in ``shared/claims/surrogate-losses.md`` §3–7.

An H-consistency bound reads  E ΔC_01 ≤ Γ(E ΔC_ℓ)  (equivalently R_01(h) − R*_01(H) + M_01(H) ≤
Γ(R_ℓ(h) − R*_ℓ(H) + M_ℓ(H))), valid whenever Γ is the inverse of a convex minorant of the error
transformation T.
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import sympy as sp

from .._validation import (InputError, as_real_array, check_bool, check_in_unit_interval, check_integer,
                           check_positive, check_real, short_repr)
from ..losses.compsum import check_bound, check_n, check_tau, deterministic_risk, phi_tau, psi_sympy
from ..losses.margin import MarginLoss, get_loss
from .tight_transform import surrogate_regret, tight_transform, witness_regrets  # noqa: F401 (re-export)

# ------------------------------------------------------------------------------------- helpers


def _as_t(t, name="t"):
    check_in_unit_interval(name, t)
    return np.asarray(t, dtype=np.float64)


def _as_u(u, name="eps"):
    arr = np.asarray(as_real_array(name, u), dtype=np.float64)
    if np.any(np.isnan(arr)) or np.any(arr < 0):
        raise InputError(f"{name} must be >= 0 (a surrogate regret); got {short_repr(u)}")
    return arr


def _log_cosh(x: float) -> float:
    """log cosh x = |x| + log1p(e^{−2|x|}) − log 2 (no overflow)."""
    x = abs(x)
    return x + math.log1p(math.exp(-2 * x)) - math.log(2.0)


def _out(x, like):
    return float(x) if np.ndim(like) == 0 else x


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


# ------------------------------------------------------- binary margin losses, bounded (§7.2)


def _binary_kind(loss):
    lo = get_loss(loss)
    name = lo.name
    if name.startswith("sigmoid"):
        return "sigmoid", 1.0 if lo.parameter is None else lo.parameter, lo
    if name.startswith("rho_margin"):
        return "rho_margin", 1.0 if lo.parameter is None else lo.parameter, lo
    if name not in _BINARY_KINDS:
        raise InputError(f"loss={name!r} has no bounded-linear closed form; use one of "
                         f"{', '.join(_BINARY_KINDS)}, sigmoid(k=K) or rho_margin(rho=R)")
    return name, None, lo


_BINARY_KINDS = ("hinge", "logistic", "exponential", "squared", "squared_hinge")


def binary_transform(loss_name, t, B):
    """Tight transform T_Φ(t) for bounded linear hypotheses {w·x + b : ‖w‖ ≤ W, |b| ≤ B} (natural-log logistic).

    hinge min(B,1)t; logistic B_1(t) if t ≤ tanh(B/2) else tB/2 − log cosh(B/2); exponential
    1 − √(1−t²) if t ≤ tanh B else 1 − cosh B + t sinh B; squared / squared hinge t² if t ≤ B else 2Bt − B²;
    sigmoid tanh(kB)t; ρ-margin min(B,ρ)t/ρ.

    Parameters
    ----------
    loss_name : str or MarginLoss
        hinge, logistic, exponential, squared, squared_hinge, sigmoid(k=K) or rho_margin(rho=R).
    t : float or array
        0-1 regrets t ∈ [0, 1].
    B : float
        Bound B > 0 on |w·x + b| (the score range).

    Returns
    -------
    float or ndarray
        T_Φ(t).

    Raises
    ------
    InputError
        For a loss without a closed form, B ≤ 0, or t outside [0, 1].

    References
    ----------
    P. Awasthi, A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds for Surrogate Loss Minimizers", ICML 2022,
    arXiv:2205.08017 (bounded linear hypotheses; table reconstructed, derivation worked out in the project's claim
    notes (shared/claims/surrogate-losses.md §7.2).
    """
    kind, par, _ = _binary_kind(loss_name)
    B = check_positive("B", B)
    t = _as_t(t)
    if kind == "hinge":
        v = min(B, 1.0) * t
    elif kind == "logistic":
        k = math.tanh(B / 2)
        v = np.where(t <= k, b_tau(t, 1.0), t * B / 2 - _log_cosh(B / 2))
    elif kind == "exponential":
        k = math.tanh(B)
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            v = np.where(t <= k, -np.expm1(0.5 * np.log1p(-t * t)), 1 - np.cosh(B) + t * np.sinh(B))
    elif kind in ("squared", "squared_hinge"):
        v = np.where(t <= B, t * t, 2 * B * t - B * B)
    elif kind == "sigmoid":
        v = math.tanh(par * B) * t
    elif kind == "rho_margin":
        v = min(B, par) / par * t
    else:  # pragma: no cover
        raise InputError(f"loss={loss_name!r} has no bounded-linear closed form")
    return _out(np.asarray(v, dtype=np.float64), t)


def binary_kink(loss_name, B):
    """Where the bounded-linear transform leaves its unbounded form (∞ when it never does).

    logistic tanh(B/2), exponential tanh B, squared / squared hinge B; ∞ for hinge, sigmoid and ρ-margin.

    Parameters
    ----------
    loss_name : str or MarginLoss
        A loss accepted by :func:`binary_transform`.
    B : float
        Bound B > 0.

    Returns
    -------
    float
        The kink t at which T_Φ becomes linear.

    Raises
    ------
    InputError
        For a loss without a closed form or B ≤ 0.

    References
    ----------
    P. Awasthi, A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds for Surrogate Loss Minimizers", ICML 2022,
    arXiv:2205.08017 (bounded linear hypotheses).
    """
    kind, par, _ = _binary_kind(loss_name)
    B = check_positive("B", B)
    return {"logistic": math.tanh(B / 2), "exponential": math.tanh(B),
            "squared": B, "squared_hinge": B}.get(kind, math.inf)


def binary_gamma(loss_name, u, B):
    """A valid Γ for :func:`binary_transform` (t ≤ Γ(T(t))), natural-log logistic.

    hinge u/min(B,1); logistic max{√(2u), 2u/tanh(B/2)}; exponential max{√(2u), 2u/tanh B};
    squared (hinge) max{√u, u/B}; sigmoid u/tanh(kB); ρ-margin ρu/min(B,ρ).

    Parameters
    ----------
    loss_name : str or MarginLoss
        A loss accepted by :func:`binary_transform`.
    u : float or array
        Surrogate regrets u ≥ 0.
    B : float
        Bound B > 0.

    Returns
    -------
    float or ndarray
        Γ(u).

    Raises
    ------
    InputError
        For a loss without a closed form, B ≤ 0, or a negative/NaN u.

    References
    ----------
    P. Awasthi, A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds for Surrogate Loss Minimizers", ICML 2022,
    arXiv:2205.08017 (Γ bounds for bounded linear hypotheses; reconstructed, derivation worked out in the project's
    claim notes (shared/claims/surrogate-losses.md §7.2).
    """
    kind, par, _ = _binary_kind(loss_name)
    B = check_positive("B", B)
    u = _as_u(u, "u")
    if kind == "hinge":
        v = u / min(B, 1.0)
    elif kind == "logistic":
        v = np.maximum(np.sqrt(2 * u), 2 * u / math.tanh(B / 2))
    elif kind == "exponential":
        v = np.maximum(np.sqrt(2 * u), 2 * u / math.tanh(B))
    elif kind in ("squared", "squared_hinge"):
        v = np.maximum(np.sqrt(u), u / B)
    elif kind == "sigmoid":
        v = u / math.tanh(par * B)
    else:
        v = par * u / min(B, par)
    return _out(np.asarray(v, dtype=np.float64), u)


def _cond_risk_margin(phi, eta, alpha):
    return eta * phi(alpha) + (1 - eta) * phi(-alpha)


def binary_transform_numeric(loss, t, B=None, *, grid=20001, return_argmin=False):
    """Brute-force T_Φ(t) = inf_{α ≤ 0, |α| ≤ B} C_η(α) − inf_{|α| ≤ B} C_η(α), η = (1+t)/2.

    C_η(α) = η Φ(α) + (1 − η) Φ(−α). A ``grid``-point grid on [−B, B] (B = None: [−40, 40]) refined by
    bounded scalar minimisation around the best grid point of each infimum. The wrong-sign infimum is over
    the whole of [−B, 0] (non-convex Φ).

    Parameters
    ----------
    loss : str or MarginLoss
        The margin loss Φ.
    t : float or array
        0-1 regrets t ∈ [0, 1].
    B : float, optional
        Score bound B > 0; None for [−40, 40].
    grid : int, default 20001
        Number of grid points (≥ 3).
    return_argmin : bool, default False
        Also return the wrong-sign minimiser α.

    Returns
    -------
    float or ndarray, or (values, argmins)
        T_Φ(t), with the minimisers when ``return_argmin``.

    Raises
    ------
    InputError
        For invalid loss, t, B, grid or return_argmin.

    References
    ----------
    P. Awasthi, A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds for Surrogate Loss Minimizers", ICML 2022,
    arXiv:2205.08017 (H-consistency transforms of margin losses).
    """
    from scipy.optimize import minimize_scalar

    lo = get_loss(loss) if not isinstance(loss, MarginLoss) else loss
    Bv = 40.0 if B is None else check_positive("B", B)
    grid = check_integer("grid", grid, minimum=3)
    return_argmin = check_bool("return_argmin", return_argmin)
    ts = np.atleast_1d(_as_t(t))
    a = np.linspace(-Bv, Bv, grid)
    raw = getattr(lo, "_value", None)  # unchecked evaluator: phi runs inside minimize_scalar
    if raw is not None:
        phi = lambda x: np.asarray(raw(np, np.asarray(x, dtype=np.float64)), dtype=np.float64)  # noqa: E731
    else:
        phi = lambda x: np.asarray(lo.value(np.asarray(x, dtype=np.float64)), dtype=np.float64)  # noqa: E731
    pa, pm = phi(a), phi(-a)
    out, args = np.empty(ts.size), np.empty(ts.size)
    step = a[1] - a[0]
    for i, tt in enumerate(ts):
        eta = (1 + tt) / 2
        c = eta * pa + (1 - eta) * pm

        def refine(mask):
            idx = np.flatnonzero(mask)
            j = idx[int(np.argmin(c[idx]))]
            lo_, hi_ = max(a[j] - step, a[idx[0]]), min(a[j] + step, a[idx[-1]])
            f = lambda x: float(_cond_risk_margin(phi, eta, np.array(x)))  # noqa: E731
            r = minimize_scalar(f, bounds=(lo_, hi_), method="bounded", options={"xatol": 1e-12})
            return (r.fun, r.x) if r.fun < c[j] else (c[j], a[j])

        best_all, _ = refine(np.ones_like(a, dtype=bool))
        best_wrong, arg = refine(a <= 0)
        out[i], args[i] = best_wrong - best_all, arg
    if np.ndim(t) == 0:
        return (out[0], args[0]) if return_argmin else float(out[0])
    return (out, args) if return_argmin else out


def bounded_compsum_binary_transform(t, tau, bound):
    """n = 2 comp-sum transform with scores in [−Λ, Λ]²: the margin loss Φ^τ(e^{−δ}) with |δ| ≤ 2Λ.

    Closed forms: logistic (τ=1) B_1(t) if t ≤ tanh Λ else tΛ − log cosh Λ; sum-exp (τ=0)
    1−√(1−t²) if t ≤ tanh 2Λ else 1 − cosh 2Λ + t sinh 2Λ. Other τ: 1-D brute force over δ.

    Parameters
    ----------
    t : float or array
        0-1 regrets t ∈ [0, 1].
    tau : float
        τ ≥ 0.
    bound : float
        Score bound Λ > 0.

    Returns
    -------
    float or ndarray
        The transform at t.

    Raises
    ------
    InputError
        For invalid t, τ or Λ.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023,
    arXiv:2304.07288 (comp-sum losses, bounded scores).
    P. Awasthi, A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds for Surrogate Loss Minimizers", ICML 2022,
    arXiv:2205.08017 (binary bounded transforms).
    """
    tau = check_tau(tau)
    lam = check_bound(bound)
    t = _as_t(t)
    if tau == 1.0:
        return binary_transform("logistic", t, 2 * lam)
    if tau == 0.0:
        return binary_transform("exponential", t, 2 * lam)
    return compsum_binary_numeric(t, tau, lam)


def compsum_binary_numeric(t, tau, bound):
    """1-D brute force of the n = 2 box comp-sum transform (margin loss δ ↦ Φ^τ(e^{−δ}), |δ| ≤ 2Λ).

    Parameters
    ----------
    t : float or array
        0-1 regrets t ∈ [0, 1].
    tau : float
        τ ≥ 0.
    bound : float
        Score bound Λ > 0.

    Returns
    -------
    float or ndarray
        The transform at t.

    Raises
    ------
    InputError
        For invalid t, τ or Λ.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023,
    arXiv:2304.07288 (comp-sum losses, bounded scores).
    """
    tau = check_tau(tau)
    lam = check_bound(bound)
    xp_phi = _PhiMargin(tau)
    return binary_transform_numeric(xp_phi, t, 2 * lam)


class _PhiMargin(MarginLoss):
    """δ ↦ Φ^τ(e^{−δ}) as a margin-loss object (only ``value`` is used; e^{−δ} via a clipped exponent)."""

    def __init__(self, tau):
        object.__setattr__(self, "name", f"compsum-margin(tau={tau:g})")
        object.__setattr__(self, "formula", "Φ^τ(e^{−δ})")
        object.__setattr__(self, "_tau", tau)
        object.__setattr__(self, "_value", self._raw)

    def _raw(self, xp, a):
        """Φ^τ(e^{−δ}) unchecked (τ validated at construction, e^{−δ} ≥ 0)."""
        u = np.exp(np.minimum(-np.asarray(a, dtype=np.float64), 700.0))
        lu = np.log1p(u)
        return lu if self._tau == 1.0 else np.expm1((1.0 - self._tau) * lu) / (1.0 - self._tau)

    def value(self, alpha):
        a = np.asarray(alpha, dtype=np.float64)
        return phi_tau(np.exp(np.minimum(-a, 700.0)), self._tau)

    def derivative(self, alpha):  # pragma: no cover - not needed for brute force
        raise NotImplementedError


# ----------------------------------------------------------------------------- gaps (§5)


def deterministic_conditional_risk(tau, n, bound):
    """Per-point infimum for a deterministic label with scores in [−Λ, Λ]ⁿ: Φ^τ((n−1)e^{−2Λ}) = Ψ_τ(s_max).

    s_max = 1/(1 + (n−1)e^{−2Λ}); 0 for ``bound=None``. The public name of
    :func:`theorylab.losses.compsum.deterministic_risk`.

    Parameters
    ----------
    tau : float
        τ ≥ 0.
    n : int
        Number of classes ≥ 2.
    bound : float or None
        Score bound Λ > 0, None for unbounded scores.

    Returns
    -------
    float
        The best conditional risk at a deterministic point.

    Raises
    ------
    InputError
        For invalid τ, n or Λ.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023,
    arXiv:2304.07288 (minimizability gaps; section number unconfirmed).
    """
    return deterministic_risk(tau, n, bound)


# ------------------------------------------------------------------------- growth rates (§6)


_S, _T = sp.symbols("s t", positive=True)


def compsum_growth_function(tau) -> sp.Expr:
    """c(s) = Ψ_τ'(s)² / (2Ψ_τ''(s)), derived symbolically (simplifies to s^{τ−1}/(2(2−τ))).

    Parameters
    ----------
    tau : float
        τ ≥ 0.

    Returns
    -------
    sympy.Expr
        c(s) in the positive symbol s.

    Raises
    ------
    InputError
        For an invalid τ.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "A Universal Growth Rate for Learning with Smooth Surrogate Losses", NeurIPS 2024,
    arXiv:2405.05968 (square-root growth of smooth comp-sum losses; theorem number unconfirmed).
    """
    return _growth_function(check_tau(tau))


@lru_cache(maxsize=None)
def _growth_function(tau: float) -> sp.Expr:
    tau = sp.nsimplify(tau)
    psi = psi_sympy(_S, tau)
    return sp.simplify(sp.diff(psi, _S) ** 2 / (2 * sp.diff(psi, _S, 2)))


def compsum_growth_constant(tau) -> sp.Expr:
    """lim_{t→0} T_τ(t)/t² for the tight comp-sum transform: c(½) = 2^{−τ}/(2−τ) for τ < 2, ∞ for τ ≥ 2.

    Derived from Ψ_τ with sympy (τ ≥ 2: linear growth).

    Parameters
    ----------
    tau : float
        τ ≥ 0.

    Returns
    -------
    sympy.Expr
        The constant (exact rational where possible), or oo.

    Raises
    ------
    InputError
        For an invalid τ.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "A Universal Growth Rate for Learning with Smooth Surrogate Losses", NeurIPS 2024,
    arXiv:2405.05968 (universal square-root growth rate; derivation worked out in the project's claim notes
    (shared/claims/surrogate-losses.md §6).
    """
    return _growth_constant(check_tau(tau))


@lru_cache(maxsize=None)
def _growth_constant(tv: float) -> sp.Expr:
    if tv >= 2:
        return sp.oo
    return sp.nsimplify(sp.simplify(_growth_function(tv).subs(_S, sp.Rational(1, 2))))


def b_tau_growth_limit(tau) -> sp.Expr:
    """lim_{t→0} B_τ(t)/t², by a sympy series of the n-free expression (cross-check of c(½)).

    Parameters
    ----------
    tau : float
        τ ≥ 0.

    Returns
    -------
    sympy.Expr
        The limit (oo for τ ≥ 2).

    Raises
    ------
    InputError
        For an invalid τ.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "A Universal Growth Rate for Learning with Smooth Surrogate Losses", NeurIPS 2024,
    arXiv:2405.05968; A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and
    Applications", ICML 2023, arXiv:2304.07288 (B_τ).
    """
    return _b_tau_growth_limit(check_tau(tau))


@lru_cache(maxsize=None)
def _b_tau_growth_limit(tau: float) -> sp.Expr:
    tv = sp.nsimplify(tau)
    if tv >= 2:
        return sp.oo
    t = _T
    if tv == 1:
        b = (1 + t) / 2 * sp.log(1 + t) + (1 - t) / 2 * sp.log(1 - t)
    else:
        a = 1 / (2 - tv)
        S = ((1 + t) ** a + (1 - t) ** a) / 2
        b = 2 ** (1 - tv) / (1 - tv) * (1 - S ** (2 - tv))
    return sp.nsimplify(sp.simplify(sp.series(b / t**2, t, 0, 1).removeO()))


def binary_growth_constant(loss) -> sp.Expr:
    """φ'(0)²/(2φ''(0)), the binary growth constant, from :mod:`theorylab.theory.calibration`.

    Parameters
    ----------
    loss : str, MarginLoss or sympy expression
        The margin loss φ.

    Returns
    -------
    sympy.Expr
        φ'(0)²/(2φ''(0)).

    Raises
    ------
    InputError
        For an invalid loss.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "A Universal Growth Rate for Learning with Smooth Surrogate Losses", NeurIPS 2024,
    arXiv:2405.05968 (binary case; theorem number unconfirmed).
    """
    from .calibration import growth_constant_from_derivatives

    return growth_constant_from_derivatives(loss)


__all__ = ["b_tau", "compsum_transform", "compsum_gamma", "compsum_true_transform", "tight_transform",
           "zero_region", "zero_region_witness", "binary_transform", "binary_gamma", "binary_kink",
           "binary_transform_numeric", "bounded_compsum_binary_transform", "compsum_binary_numeric",
           "deterministic_conditional_risk", "compsum_growth_function", "compsum_growth_constant",
           "b_tau_growth_limit", "binary_growth_constant", "surrogate_regret", "witness_regrets"]
