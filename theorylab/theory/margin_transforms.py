"""Binary margin-loss error transformations and their inverses, bounded scores (§7.2), closed and numeric.

Mao, Mohri, Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications" (ICML 2023,
arXiv 2304.07288); "H-Consistency Bounds: Characterization and Extensions" (NeurIPS 2023); "A Universal
Growth Rate for Learning with Smooth Surrogate Losses" (NeurIPS 2024, arXiv 2405.05968); Awasthi, Mao,
Mohri, Zhong, "H-Consistency Bounds for Surrogate Loss Minimizers" (ICML 2022, arXiv 2205.08017).
Formulas as reconstructed and verified in ``shared/claims/surrogate-losses.md`` §7. The numeric transform (grid over the margin refined by Brent) is also the margin branch of
:func:`theorylab.theory.tight_transform.tight_transform`.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.optimize import minimize_scalar

from .._validation import InputError, check_bool, check_integer, check_positive
from ..losses.compsum import check_bound, check_tau, phi_tau
from ..losses.margin import MarginLoss, get_loss
from ._common import _as_t, _as_u, _log_cosh, _out, as_regret
from .compsum_transforms import b_tau


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
    lo = get_loss(loss) if not isinstance(loss, MarginLoss) else loss
    Bv = 40.0 if B is None else check_positive("B", B)
    grid = check_integer("grid", grid, minimum=3)
    return_argmin = check_bool("return_argmin", return_argmin)
    ts = np.atleast_1d(as_regret(t))
    a = np.linspace(-Bv, Bv, grid)
    raw = lo.raw_value  # unchecked evaluator: phi runs inside minimize_scalar
    phi = lambda x: np.asarray(raw(np, np.asarray(x, dtype=np.float64)), dtype=np.float64)  # noqa: E731
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


__all__ = ["binary_transform", "binary_kink", "binary_gamma", "bounded_compsum_binary_transform", "compsum_binary_numeric", "binary_transform_numeric"]
