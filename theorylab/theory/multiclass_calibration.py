"""Is a multi-class loss classification-calibrated? A numerical verdict from the tight transform, with a witness.

Definition (Zhang, JMLR 2004; Tewari & Bartlett, JMLR 2007): a multi-class loss ℓ with conditional risk
C(h, p) = Σ_y p_y ℓ(h, y) and C*(p) = inf_h C(h, p) is *classification-calibrated* when for every p ∈ Δ_n

    inf { C(h, p) : argmax h ∉ argmax p } > C*(p).

The check uses the uniform form of the condition, the tight error transformation

    T(t) = inf { C(h, p) − C*(p) : p ∈ Δ_n, max_y p_y − p_{argmax h} = t },

(Mao, Mohri, Zhong, NeurIPS 2023; :func:`~theorylab.theory.tight.search.tight_transform`): T(t) > 0 for every
t ∈ (0, 1] gives calibration (a wrong prediction of 0-1 regret t costs at least T(t) > 0 of surrogate regret), and
a pair (p, h) with 0-1 regret t > 0 and surrogate regret 0 is a counterexample to it. Numerically, on a grid of t:

* T(t) is computed twice, with independent random candidates; T = the smaller (both are upper estimates of the
  infimum), the spread |T_a − T_b| estimates its accuracy (reported relative to T);
* verdict **True** when T(t) > margin + spread(t) at every grid t, with margin = ``atol``·S and
  S = |C(0, uniform)| (1 when that is 0 or not finite) the loss's scale;
* verdict **False** when at some grid t ≥ ``witness_t`` the search found T(t) ≤ margin and the witness
  re-checks: scores h predicting class 0 strictly (h_0 raised by 10⁻⁹·max(1, |h|) above the others), 0-1 regret
  max p − p_0 ≥ ``witness_t``, and C(h, p) − C*(p) ≤ margin with C*(p) the least of the loss's own
  ``best_conditional_risk`` and the search's minimiser;
* verdict **None** otherwise, with the reason (T(t) ≤ margin only at t < ``witness_t``, a witness that does not
  re-check, runs that disagree, a risk unbounded below, a non-finite T).

Growth near 0: a least-squares fit of log T(t) = log c + k log t at small t (``growth_ts``, default 0.0025, 0.005,
0.01, one run each; T(t) ≈ c·t^k), kept apart from the decision grid because a crossover can sit at t ≈ 0.05 (the
symmetric cross-entropy of the catalogue: T ≈ 15·t² below t = 0.01, a local slope of 1.6 on 0.025–0.1).
Numerical evidence, not a proof: T on a grid, each value an estimate of an infimum; the margin and the witness
threshold are stated in the result.
"""
from __future__ import annotations

import dataclasses
import time

import numpy as np

from .._validation import InputError, check_generator, check_nonnegative, check_real
from ..losses.compsum import check_n
from .tight.search import as_loss, tight_transform

__all__ = ["MulticlassCalibration", "multiclass_calibration", "DEFAULT_TS", "DEFAULT_GROWTH_TS"]

DEFAULT_TS = (0.025, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0)
"""The default grid of 0-1 regrets t at which T(t) is computed for the verdict."""

DEFAULT_GROWTH_TS = (0.0025, 0.005, 0.01)
"""The default small t of the growth fit T(t) ≈ c·t^k."""


@dataclasses.dataclass(frozen=True)
class MulticlassCalibration:
    """The result of :func:`multiclass_calibration`: the verdict, its reason, margin, witness, T on the grid, growth.

    Parameters
    ----------
    loss : str
        The loss name.
    n : int
        The number of classes.
    verdict : bool or None
        True (calibrated), False (a witness of non-calibration), None (undecided; see ``reason``).
    reason : str
        One sentence saying why.
    margin : float
        The stated margin: T(t) must exceed margin + spread(t) for True; a witness's surrogate regret must be
        ≤ margin for False (``atol`` × the loss's scale).
    slack : float
        min_t [T(t) − margin − spread(t)] over the grid (> 0 exactly when every grid value clears its threshold).
    witness : dict or None
        For False: ``p``, ``h`` (predicting class 0 strictly), ``zero_one_regret``, ``surrogate_regret``,
        ``cstar``, ``t``; else None.
    ts : tuple of float
        The grid of t.
    transform : tuple of float
        T(t) on the grid (the smaller of the two runs).
    accuracy : tuple of float
        The relative accuracy estimate per t: |T_a − T_b| / max(T, margin).
    growth_order : float or None
        k of the fit T(t) ≈ c·t^k on ``growth_ts`` (None when a T there is not > 0, or for verdict False).
    growth_constant : float or None
        c of that fit.
    growth_ts : tuple of float
        The t of the fit.
    growth_transform : tuple of float
        T(t) at those t (empty when not computed).
    seconds : float
        Wall time of the check.

    References
    ----------
    A. Tewari, P. L. Bartlett, "On the Consistency of Multiclass Classification Methods", J. Mach. Learn. Res. 8,
    2007 (classification calibration of multi-class losses); T. Zhang, "Statistical Analysis of Some
    Multi-Category Large Margin Classification Methods", J. Mach. Learn. Res. 5, 2004.
    """

    loss: str
    n: int
    verdict: bool | None
    reason: str
    margin: float
    slack: float
    witness: dict | None
    ts: tuple
    transform: tuple
    accuracy: tuple
    growth_order: float | None
    growth_constant: float | None
    growth_ts: tuple
    growth_transform: tuple
    seconds: float

    def as_dict(self) -> dict:
        """The fields as a plain dict (NumPy arrays of the witness as lists).

        Returns
        -------
        dict
            Field name → value.

        References
        ----------
        A. Tewari, P. L. Bartlett, "On the Consistency of Multiclass Classification Methods", J. Mach. Learn. Res.
        8, 2007.
        """
        d = dataclasses.asdict(self)
        if self.witness is not None:
            d["witness"] = {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in self.witness.items()}
        return d


def _check_ts(name, ts, default, least):
    if ts is None:
        return default
    allowed = f"a sequence of at least {least} increasing numbers in (0, 1] is"
    try:
        arr = np.asarray(ts, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"{name}={ts!r} is not allowed; {allowed}") from None
    if arr.ndim != 1 or arr.size < least or not np.all(np.isfinite(arr)) or arr.min() <= 0 or arr.max() > 1 \
            or np.any(np.diff(arr) <= 0):
        raise InputError(f"{name}={np.round(arr, 6).tolist() if arr.ndim == 1 else ts!r} is not allowed; {allowed}")
    return tuple(float(t) for t in arr)


def _scale(loss, n):
    u = np.full(n, 1.0 / n)
    with np.errstate(all="ignore"):
        s = float(np.abs(np.asarray(loss.conditional_risk_rows(u, np.zeros(n)), dtype=np.float64)))
    return s if np.isfinite(s) and s > 0 else 1.0


def _strict(loss, h):
    """h predicting class 0 strictly: h_0 above the other scores by 10⁻⁹·max(1, |h|_∞) (re-centred if constrained)."""
    h = np.array(h, dtype=np.float64)
    finite = h[np.isfinite(h)]
    delta = 1e-9 * max(1.0, float(np.abs(finite).max()) if finite.size else 1.0)
    h[0] = max(h[0], np.max(h[1:]) + delta)
    if loss.constrained:
        h = h - h.mean()
    return h


def _check_witness(loss, w, margin, witness_t):
    """Re-check a search witness: (ok, witness dict)."""
    p = np.asarray(w["p"], dtype=np.float64)
    h = _strict(loss, w["h"])
    with np.errstate(all="ignore"):
        risk = float(loss.conditional_risk(p, h))
        cands = [float(loss.best_conditional_risk(p))]
        if w.get("h_star") is not None:
            cands.append(float(loss.conditional_risk(p, _finite(w["h_star"]))))
    cstar = min(cands)
    zo = float(p.max() - p[int(np.argmax(h))])
    reg = risk - cstar
    out = {"p": p, "h": h, "zero_one_regret": zo, "surrogate_regret": reg, "cstar": cstar, "t": float(w["t"])}
    return bool(np.isfinite(reg) and reg <= margin and zo >= witness_t - 1e-12), out


def _finite(h):
    h = np.asarray(h, dtype=np.float64)
    return np.where(np.isfinite(h), h, -1e300)


def multiclass_calibration(loss, n, *, ts=None, atol=1e-6, witness_t=0.05, growth_ts=None, rng=None):
    """Numerical classification-calibration verdict of a multi-class loss at n classes (module docstring).

    Calibrated (Tewari & Bartlett 2007; Zhang 2004) iff for every p: inf{C(h, p) : argmax h ∉ argmax p} > C*(p);
    checked through the tight transform T(t) = inf{C(h, p) − C*(p) : max p − p_{argmax h} = t} on a grid of t:
    True when T(t) > margin + spread(t) at every grid t, False with a re-checked witness (p, h) of 0-1 regret
    ≥ ``witness_t`` and surrogate regret ≤ margin, None otherwise (with the reason). Also the growth of T near 0,
    T(t) ≈ c·t^k fitted at the small ``growth_ts`` (not for verdict False).

    Parameters
    ----------
    loss : Loss or ("comp_sum", τ)
        Any multi-class :class:`~theorylab.losses.base.Loss` (CompSumLoss, from_margin(...), multiclass_loss(fn),
        ...).
    n : int
        Number of classes ≥ 2.
    ts : sequence of float, optional
        Increasing grid of t in (0, 1], at least 3 values (default :data:`DEFAULT_TS`).
    atol : float, default 1e-6
        The margin relative to the loss's scale S = |C(0, uniform)|: margin = atol·S.
    witness_t : float, default 0.05
        Least 0-1 regret of a witness of non-calibration (in (0, 1]).
    growth_ts : sequence of float, optional
        Increasing small t of the growth fit, at least 2 (default :data:`DEFAULT_GROWTH_TS`); ``()`` skips the fit.
    rng : numpy.random.Generator, optional
        Seeds the two runs (``default_rng(0)`` when None).

    Returns
    -------
    MulticlassCalibration
        verdict, reason, margin, slack, witness, the grid, T, accuracy, growth order and constant, seconds.

    Raises
    ------
    InputError
        For a margin loss or an unsupported loss, or invalid n, ts, atol, witness_t, growth_ts, rng.

    References
    ----------
    A. Tewari, P. L. Bartlett, "On the Consistency of Multiclass Classification Methods", J. Mach. Learn. Res. 8,
    2007 (the definition of classification calibration for multi-class losses).
    T. Zhang, "Statistical Analysis of Some Multi-Category Large Margin Classification Methods", J. Mach. Learn. Res.
    5, 2004 (infinite-sample consistency of multi-category losses).
    A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds: Characterization and Extensions", NeurIPS 2023 (the error
    transformation T).
    """
    start = time.perf_counter()
    loss = as_loss(loss)
    if loss.is_margin:
        raise InputError(f"loss={loss!r} is a binary margin loss; a multi-class loss is allowed (binary margin "
                         "losses: theorylab.theory.calibration)")
    n = check_n(n)
    if loss.n_classes is not None and loss.n_classes != n:
        raise InputError(f"n={n} is not allowed for {loss.name!r}; it is declared for n_classes={loss.n_classes}")
    ts = _check_ts("ts", ts, DEFAULT_TS, 3)
    growth_ts = () if isinstance(growth_ts, (tuple, list)) and len(growth_ts) == 0 else \
        _check_ts("growth_ts", growth_ts, DEFAULT_GROWTH_TS, 2)
    atol = check_nonnegative("atol", atol)
    witness_t = check_real("witness_t", witness_t, allowed="a number in (0, 1]")
    if not 0.0 < witness_t <= 1.0:
        raise InputError(f"witness_t={witness_t!r} is not allowed; a number in (0, 1] is")
    rng = check_generator("rng", rng, optional=True)
    seeds = (np.random.default_rng(0) if rng is None else rng).integers(0, 2**63 - 1, 2)
    margin = atol * _scale(loss, n)

    T, spread, wit = [], [], []
    res = {"loss": loss, "n": n, "margin": margin, "ts": ts, "growth_ts": growth_ts, "start": start}
    for t in ts:
        runs = []
        for seed in seeds:
            try:
                runs.append(tight_transform(loss, t, n, rng=np.random.default_rng(int(seed))))
            except InputError as exc:
                if "unbounded below" not in str(exc):
                    raise
                return _result(res, None, f"the conditional risk is unbounded below ({exc}); C* = −inf and "
                               "calibration is undefined", -np.inf, None, T, spread)
        (va, wa), (vb, wb) = runs
        T.append(min(va, vb))
        spread.append(abs(va - vb) if np.isfinite(va) and np.isfinite(vb) else np.inf)
        w = dict(wa if va <= vb else wb)
        w["t"] = t
        wit.append(w)
    T, spread = np.array(T), np.array(spread)
    slack = float(np.min(T - margin - spread))

    if not np.all(np.isfinite(T)):
        bad = ts[int(np.flatnonzero(~np.isfinite(T))[0])]
        return _result(res, None, f"T(t) is not finite at t={bad:g}", slack, None, T, spread)
    if np.any(T < -margin):
        j = int(np.argmin(T))
        return _result(res, None, f"T({ts[j]:g}) = {T[j]:.3g} < −margin: C* was overestimated by the search (a "
                       "local minimum); undecided", slack, None, T, spread)
    low = [j for j, t in enumerate(ts) if T[j] <= margin and t >= witness_t]
    checked = None
    for j in sorted(low, key=lambda j: -ts[j]):  # the largest t first: the most decisive witness
        ok, w = _check_witness(loss, wit[j], margin, witness_t)
        if ok:
            return _result(res, False, f"witness: p = {np.round(w['p'], 4).tolist()}, h predicting class 0 with 0-1 "
                           f"regret {w['zero_one_regret']:.3g} has surrogate regret {w['surrogate_regret']:.2e} "
                           f"≤ margin {margin:.2e}", slack, w, T, spread)
        checked = checked or (ts[j], w)
    growth = _growth(loss, n, growth_ts, seeds[0]) if growth_ts else (None, None, ())
    if slack > 0:
        k = "" if growth[0] is None else f"; T(t) ≈ {growth[1]:.3g}·t^{growth[0]:.3g} near 0"
        return _result(res, True, f"T(t) > margin + spread at every grid t (least T = {T.min():.3g} at t = "
                       f"{ts[int(np.argmin(T))]:g}){k}", slack, None, T, spread, growth)
    if checked is not None:
        t, w = checked
        reason = (f"the search found T({t:g}) ≤ margin but its witness does not re-check (surrogate regret "
                  f"{w['surrogate_regret']:.2e} with the loss's C*, 0-1 regret {w['zero_one_regret']:.3g})")
    elif np.any(T <= margin):
        small = [ts[j] for j in range(len(ts)) if T[j] <= margin]
        reason = (f"T(t) ≤ margin only at t = {small} (below witness_t = {witness_t:g}): no witness with 0-1 "
                  "regret ≥ witness_t")
    else:
        j = int(np.argmin(T - margin - spread))
        reason = (f"T({ts[j]:g}) = {T[j]:.3g} does not clear margin + spread ({margin + spread[j]:.3g}): the two "
                  "runs disagree too much to decide")
    return _result(res, None, reason, slack, None, T, spread, growth)


def _growth(loss, n, growth_ts, seed):
    """(k, c, T at growth_ts) of the least-squares fit log T = log c + k log t, (None, None, T) when a T ≤ 0."""
    T = np.array([tight_transform(loss, t, n, rng=np.random.default_rng(int(seed)))[0] for t in growth_ts])
    if not np.all(np.isfinite(T) & (T > 0)):
        return None, None, T
    k, logc = np.polyfit(np.log(np.asarray(growth_ts)), np.log(T), 1)
    return float(k), float(np.exp(logc)), T


def _result(res, verdict, reason, slack, witness, T, spread, growth=(None, None, ())):
    T = np.asarray(T, dtype=np.float64)
    spread = np.asarray(spread, dtype=np.float64)
    margin = res["margin"]
    acc = spread / np.maximum(np.abs(T), margin if margin > 0 else 1e-300)
    k, c, gT = growth
    return MulticlassCalibration(
        loss=res["loss"].name, n=res["n"], verdict=verdict, reason=reason, margin=float(margin), slack=float(slack),
        witness=witness, ts=tuple(float(t) for t in res["ts"][:T.size]), transform=tuple(float(v) for v in T),
        accuracy=tuple(float(a) for a in acc), growth_order=k, growth_constant=c,
        growth_ts=tuple(float(t) for t in res.get("growth_ts", ())) if len(gT) else (),
        growth_transform=tuple(float(v) for v in gT), seconds=time.perf_counter() - res["start"])
