"""What the theory says about one loss: :func:`analyse` → an :class:`Analysis` (verdict, ψ or T, growth, witness).

Binary margin losses (Bartlett, Jordan, McAuliffe, JASA 2006):

* **symbolic** where sympy can, under a wall-clock budget (:func:`theorylab._budget.call_with_budget`, default
  20 s): the derivation of :func:`theorylab.theory.calibration.derive`, accepted only when its ψ̃ agrees with
  the numerical one at every θ of the grid (a derivation that picked a wrong infimum candidate is rejected,
  never reported);
* **numeric** otherwise, always: H, H⁻ and ψ̃ by global one-dimensional minimisation with an accuracy estimate
  (:mod:`theorylab.theory.margin_numeric`).

The calibration verdict follows the definition — calibrated iff ψ̃(θ) > 0 for every θ ∈ (0, 1] (BJM, Definition
1 and Lemma 5; equivalently H⁻(η) > H(η) for η ≠ ½) — decided against the numerical accuracy with a stated
margin; for a loss that is convex (declared, or convex on a grid of [−50, 50]) the convex criterion (BJM Theorem
2: differentiable at 0 with φ'(0) < 0) is checked too, and a disagreement makes the verdict undetermined rather
than wrong. A loss unbounded below has H(η) = −∞: it is reported as such, with no verdict.

Multi-class losses: the verdict and the tight transform T(t) by the search of
:func:`theorylab.theory.multiclass_calibration.multiclass_calibration` (any Loss object).
"""
from __future__ import annotations

import dataclasses
import functools
import html
import math

import numpy as np
import sympy as sp
from scipy.optimize import brentq

from .._budget import call_with_budget
from .._cache import disk_cached
from .._validation import InputError, check_integer
from ..losses.base import Loss
from ..losses.margin_input import as_margin_loss
from ..losses.margin_base import MarginLoss
from . import margin_numeric as mn
from .calibration_sympy import ALPHA, THETA

__all__ = ["Analysis", "analyse", "SYMBOLIC_BUDGET"]

SYMBOLIC_BUDGET = 20.0
"""Seconds the symbolic derivation of one loss may take before the numerical route is used alone."""

_MIN_FLAT = 0.05  # ψ̃ = 0 (within accuracy) at some θ ≥ this: a decisive "not calibrated"
_RESOLVED = 1e-2  # ψ̃ > tolerance on [this, 1] is needed for "calibrated" (growth extrapolated below)


# ------------------------------------------------------------------------------------------- symbolic part


def _symbolic_work(phi: sp.Expr):
    """In the child: the derivation, ψ at θ = 1 as a limit, and φ'(0±) (all sympy)."""
    from .calibration_derivation import _derive_cached
    from .calibration_sympy import _one_sided_derivatives

    cal = _derive_cached(phi)
    try:
        at_one = sp.limit(cal.psi_tilde, THETA, 1, "-")
    except Exception:  # noqa: BLE001 - a limit sympy cannot take: the lambdified value is used
        at_one = None
    try:
        slopes = _one_sided_derivatives(phi)
    except Exception:  # noqa: BLE001
        slopes = None
    return cal, at_one, slopes


@disk_cached
def _symbolic_attempt(phi: sp.Expr, budget: float):
    """("ok", (Calibration, ψ̃(1), slopes)) or ("timeout"/"error", message), cached across processes."""
    status, payload = call_with_budget(_symbolic_work, (phi,), budget)
    if status == "timeout":
        return "timeout", f"sympy did not finish within {budget:g} s"
    return status, payload


def _lambdify_theta(expr, at_one):
    f = sp.lambdify(THETA, expr, "numpy")
    one = None if at_one is None else float(at_one)

    def evaluate(theta):
        theta = np.asarray(theta, dtype=np.float64)
        with np.errstate(all="ignore"):
            y = np.asarray(f(np.where(theta > 0, theta, 1.0)), dtype=np.complex128)
        y = np.where(np.abs(y.imag) <= 1e-12 * (1 + np.abs(y.real)), y.real, np.nan) + np.zeros(theta.shape)
        y = np.where(theta > 0, y, 0.0)
        if one is not None:
            y = np.where(theta >= 1, one, y)
        return y
    return evaluate


# --------------------------------------------------------------------------------------------- the object


@dataclasses.dataclass(frozen=True, eq=False)
class Analysis:
    """The analysis of one loss: verdict, method, ψ (binary) or T (tight transform), growth, witness.

    Attributes
    ----------
    loss : Loss
        The loss analysed.
    n_classes : int
        2 for a binary margin loss, else the number of classes analysed.
    calibrated : bool or None
        True / False, or None when undetermined (see ``reason``).
    reason : str
        Why: the criterion or the numbers that decided, or what left it undetermined.
    method : str
        "symbolic" (a sympy ψ, cross-checked numerically) or "numeric".
    growth : dict
        ``order`` k and ``constant`` c of T(t) ≈ c t^k as t → 0 (and ``source``: "series" or "fit"); empty when
        undetermined.
    details : dict
        Everything else, JSON-ready (accuracy, convexity, one-sided derivatives, the symbolic forms as strings).
    symbolic : object
        The :class:`~theorylab.theory.calibration.Calibration` when method is "symbolic", else None.

    References
    ----------
    P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer. Statist.
    Assoc. 101(473), 2006; A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds: Characterization and Extensions",
    NeurIPS 2023 (the tight error transformation).
    """

    loss: Loss
    n_classes: int
    calibrated: bool | None
    reason: str
    method: str
    growth: dict
    details: dict
    symbolic: object = None
    _psi: object = None
    _transform: object = None
    _witness: object = None
    _inverse: object = None

    def psi(self, theta):
        """ψ(θ), the convex closure of ψ̃ (binary losses; θ ∈ [0, 1]; exact at the end points).

        Parameters
        ----------
        theta : float or array-like
            θ ∈ [0, 1].

        Returns
        -------
        float or ndarray
            ψ(θ).

        Raises
        ------
        InputError
            For θ outside [0, 1], or a multi-class analysis (use :meth:`transform`).

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, JASA 2006, Definition 2.
        """
        if self._psi is None:
            raise InputError(f"psi is defined for binary margin losses; {self.loss.name} is analysed with "
                             f"n_classes={self.n_classes}: use .transform(t)")
        return _scalar_or_array(self._psi, _unit("theta", theta), theta)

    def transform(self, t):
        """The tight error transformation T(t) = inf{ΔC_ℓ(h, p) : ΔC_01(h, p) = t} (binary: ψ̃(t), = ψ for convex ψ̃).

        Parameters
        ----------
        t : float or array-like
            Zero-one conditional regret t ∈ [0, 1].

        Returns
        -------
        float or ndarray
            T(t).

        Raises
        ------
        InputError
            For t outside [0, 1] or an unbounded-below loss.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds: Characterization and Extensions", NeurIPS 2023.
        """
        if self._transform is None:
            raise InputError(f"loss {self.loss.name} is unbounded below: {self.reason}")
        return _scalar_or_array(self._transform, _unit("t", t), t)

    def witness(self, t):
        """A minimiser of the transform at t: (p, h) with zero-one regret t and surrogate regret T(t).

        Parameters
        ----------
        t : float
            t ∈ [0, 1].

        Returns
        -------
        dict
            ``p`` (class probabilities), ``h`` (the scores; binary: h = (−f, f)... see ``score``), ``regret``
            (T(t)), and for binary losses ``eta``, ``score`` (the wrong-sign score f ≤ 0 attaining H⁻) and
            ``best_score`` (a score attaining H; ±inf: approached as |f| → ∞).

        Raises
        ------
        InputError
            For t outside [0, 1] or an unbounded-below loss.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds: Characterization and Extensions", NeurIPS 2023.
        """
        if self._witness is None:
            raise InputError(f"loss {self.loss.name} is unbounded below: {self.reason}")
        t = float(_unit("t", t).reshape(-1)[0])
        return self._witness(t)

    def inverse(self, eps):
        """ψ⁻¹(ε) (binary) or T⁻¹(ε): the excess zero-one risk bound R − R* ≤ ψ⁻¹(R_φ − R_φ*).

        Parameters
        ----------
        eps : float
            Surrogate excess risk ε ≥ 0.

        Returns
        -------
        float
            The smallest θ with ψ(θ) ≥ ε (1 when ε ≥ ψ(1)).

        Raises
        ------
        InputError
            For ε < 0 or an analysis without a transform.

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, JASA 2006, Theorem 1.
        """
        eps = float(eps)
        if not (eps >= 0 and math.isfinite(eps)):
            raise InputError(f"eps={eps!r} is not allowed; a finite surrogate excess risk >= 0 is")
        if self._inverse is None:
            raise InputError(f"loss {self.loss.name} has no transform to invert: {self.reason}")
        return float(self._inverse(eps))

    def to_dict(self) -> dict:
        """The analysis as JSON-ready data (no callables).

        Returns
        -------
        dict
            loss, n_classes, calibrated, reason, method, growth, details, and ψ or T on a few points.

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, JASA 2006.
        """
        out = {"loss": self.loss.name, "n_classes": self.n_classes, "calibrated": self.calibrated,
               "reason": self.reason, "method": self.method, "growth": dict(self.growth), **self.details}
        if self._transform is not None:
            pts = [0.0, 0.1, 0.25, 0.5, 0.75, 1.0]
            out["transform_at"] = {f"{t:g}": float(self.transform(t)) for t in pts}
        return _json_ready(out)

    def _verdict_word(self) -> str:
        return {True: "calibrated", False: "not calibrated", None: "undetermined"}[self.calibrated]

    def _repr_html_(self) -> str:
        rows = [("loss", self.loss.name), ("verdict", self._verdict_word()), ("reason", self.reason),
                ("method", self.method)]
        if self.growth:
            rows.append(("growth", f"T(t) ≈ {self.growth['constant']:.6g}·t^{self.growth['order']:.4g} as t → 0"))
        for key in ("psi", "H", "H_minus"):
            if key in self.details:
                rows.append((key, self.details[key]))
        cells = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
                        for k, v in rows)
        return f"<table>{cells}</table>"

    def _repr_latex_(self) -> str:
        parts = [rf"\text{{{_latex_text(self.loss.name)}: {self._verdict_word()} ({self.method})}}"]
        if self.symbolic is not None:
            parts.append(r"\psi(\theta) = " + sp.latex(self.symbolic.psi))
        if self.growth:
            parts.append(rf"T(t) \approx {self.growth['constant']:.6g}\, t^{{{self.growth['order']:.4g}}}")
        return "$" + r" \quad ".join(parts) + "$"

    def __repr__(self) -> str:
        return f"Analysis({self.loss.name}: {self._verdict_word()}, {self.method})"


def _json_ready(x):
    """Plain JSON values: numpy scalars to Python, non-finite floats to "inf"/"-inf"/"nan" strings."""
    if isinstance(x, dict):
        return {str(k): _json_ready(v) for k, v in x.items()}
    if isinstance(x, (list, tuple, np.ndarray)):
        return [_json_ready(v) for v in x]
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return float(x) if math.isfinite(x) else str(float(x))
    return x if x is None or isinstance(x, str) else str(x)


def _latex_text(s: str) -> str:
    return "".join("\\" + c if c in "&%$#_{}" else c for c in s)


def _unit(name, x):
    a = np.asarray(x)
    if a.dtype.kind not in "biuf":
        raise InputError(f"{name}={x!r} is not allowed; real numbers in [0, 1] are")
    a = a.astype(np.float64)
    if not np.all((a >= 0) & (a <= 1)):
        raise InputError(f"{name}={x!r} is not allowed; values in [0, 1] are")
    return a


def _scalar_or_array(f, a, original):
    out = np.asarray(f(np.atleast_1d(a)), dtype=np.float64).reshape(np.shape(a))
    return float(out) if np.ndim(original) == 0 else out


# ------------------------------------------------------------------------------------------ binary route


def _growth_fit(theta, psi_t, tol):
    """Order and constant of ψ̃ ≈ c θ^k from the smallest resolved decade of the grid."""
    ok = (theta > 0) & (psi_t > 100 * tol) & (theta <= 0.1)
    if ok.sum() < 4:
        return {}
    x, y = np.log(theta[ok]), np.log(psi_t[ok])
    sel = x <= x.min() + math.log(10.0)
    if sel.sum() < 4:
        sel = np.argsort(x)[:4]
    k, logc = np.polyfit(x[sel], y[sel], 1)
    for den in (1, 2, 3, 4):
        if abs(k * den - round(k * den)) < 2e-3 * den:
            k = round(k * den) / den
            break
    good = np.flatnonzero(ok & (psi_t > 1e4 * tol))  # resolved to ~1e-4 relative or better
    idx = good if good.size >= 2 else np.flatnonzero(ok)
    i, j = int(idx[0]), int(idx[1])
    ci, cj = psi_t[i] / theta[i] ** k, psi_t[j] / theta[j] ** k
    c = float(ci - (cj - ci) * theta[i] / (theta[j] - theta[i]))  # Richardson: ψ/θ^k = c + O(θ) removed
    return {"order": float(k), "constant": c, "source": "fit", "fit_theta": float(theta[i])}


def _series_growth(series):
    if series is sp.nan or series == 0:
        return {}
    try:
        (k,), c = sp.Poly(series, THETA).terms()[-1]
    except (sp.PolynomialError, ValueError):
        return {}
    return {"order": float(k), "constant": float(c), "source": "series", "series": sp.sstr(series)}


def _definition_verdict(r: mn.NumericPsi):
    """(verdict, reason) from ψ̃ on the grid against its accuracy (BJM Definition 1 / Lemma 5)."""
    theta, psi_t = r.theta, r.psi_tilde
    tol = 10 * r.accuracy + 1e-12 * (1 + np.abs(r.H))
    inner = theta > 0
    flat = inner & (psi_t <= tol) & (theta >= _MIN_FLAT)
    if flat.any():
        i = int(np.flatnonzero(flat)[-1])
        eta = (1 + theta[i]) / 2
        return False, (f"ψ̃(θ) = {psi_t[i]:.3g} ≤ accuracy {tol[i]:.1e} at θ = {theta[i]:.4g} (η = {eta:.4g}): a "
                       f"wrong-sign score f = {r.wrong_argmin[i]:.6g} attains H(η) = {r.H[i]:.10g} (BJM Definition 1)")
    resolved = inner & (theta >= _RESOLVED)
    if np.all(psi_t[resolved] > tol[resolved]):
        j = int(np.argmin(np.where(resolved, psi_t / tol, np.inf)))
        below = inner & ~resolved & (psi_t <= tol)
        tail = (f"; below θ = {theta[below].max():.2g} ψ̃ is within its accuracy and is extrapolated by its growth"
                if below.any() else f"; resolved down to θ = {theta[inner].min():.0e}")
        return True, (f"ψ̃(θ) > 0 on [{_RESOLVED:g}, 1]: smallest ψ̃/accuracy = {psi_t[j] / tol[j]:.3g} at θ = "
                      f"{theta[j]:.3g}{tail} (BJM Definition 1, Lemma 5)")
    bad = resolved & (psi_t <= tol)
    return None, (f"ψ̃(θ) is within its numerical accuracy of 0 at θ = {theta[bad].max():.3g} but positive at larger "
                  "θ: the definition cannot be decided numerically there")


def _criterion(lo: MarginLoss, phi, slopes_sym):
    """The convex criterion (BJM Theorem 2) when φ is convex: (applies, verdict, detail)."""
    convex = bool(lo.convex) or mn.convex_on_grid(phi)
    if not convex:
        return False, None, {"convex": False}
    if slopes_sym is not None:
        left, right = (float(v) if v.is_finite else float("nan") for v in slopes_sym)
        src = "symbolic limits"
        differentiable = bool(sp.simplify(slopes_sym[1] - slopes_sym[0]) == 0)
    else:
        left, right = mn.one_sided_slopes(phi)
        src = "one-sided difference quotients"
        differentiable = abs(right - left) <= 1e-6 * (1 + abs(right))
    verdict = bool(differentiable and right < 0)
    detail = {"convex": True, "convexity": "declared" if lo.convex else "numeric on [-50, 50]",
              "phi_prime_left": left, "phi_prime_right": right, "derivative_source": src}
    return True, verdict, detail


def _analyse_margin(lo: MarginLoss, bound, budget) -> Analysis:
    phi = functools.partial(lo.raw_value, np)
    unbounded = mn.unbounded_below(phi)
    details: dict = {"formula": lo.formula}
    if unbounded is not None:
        return Analysis(lo, 2, None, f"unbounded below: {unbounded}, so H(η) = −∞ and calibration is not defined "
                        "(restrict the scores, e.g. analyse(loss, bound=B))" if bound is None else
                        f"unbounded below: {unbounded}", "numeric", {}, {**details, "bounded_below": False})
    r = mn.numeric_psi(phi)
    details.update(bounded_below=True, accuracy=float(np.max(r.accuracy)), psi_tilde_is_convex=r.psi_tilde_is_convex,
                   psi_at_1=float(r.psi_tilde[-1]))
    sym, note, slopes, at_one = None, None, None, None
    expr = lo.sympy_form() if budget > 0 else None
    if expr is not None:
        status, payload = _symbolic_attempt(expr.subs(expr.free_symbols.pop(), ALPHA) if expr.free_symbols else expr,
                                            float(budget))
        if status == "ok":
            cal, at_one, slopes = payload
            sym_psi_t = _lambdify_theta(cal.psi_tilde, at_one)(r.theta)
            err = np.abs(sym_psi_t - r.psi_tilde)
            tol = 100 * r.accuracy + 1e-9 * (1 + np.abs(r.psi_tilde))
            if np.all(err <= tol):
                sym = cal
                details["symbolic_max_deviation"] = float(np.max(err))
            else:
                i = int(np.nanargmax(np.where(np.isnan(err), np.inf, err / tol)))
                note = (f"the symbolic ψ̃ = {sp.sstr(cal.psi_tilde)[:80]} disagrees with the numerical minimisation "
                        f"at θ = {r.theta[i]:.3g} ({sym_psi_t[i]:.6g} vs {r.psi_tilde[i]:.6g}): rejected")
        else:
            note = f"symbolic derivation failed ({payload})"
    else:
        note = "no sympy form" if budget > 0 else "symbolic route off (budget=0)"
    if note:
        details["symbolic_note"] = note
    verdict, reason = _definition_verdict(r)
    applies, crit, cdetail = _criterion(lo, phi, slopes)
    details.update(cdetail)
    if applies:
        details["convex_criterion"] = crit
        why = (f"convex φ with φ'(0⁻) = {cdetail['phi_prime_left']:.6g}, φ'(0⁺) = {cdetail['phi_prime_right']:.6g} "
               f"({cdetail['derivative_source']}; BJM Theorem 2)")
        if verdict is None:
            verdict, reason = crit, why + f"; the definition alone: {reason}"
        elif verdict != crit:
            verdict, reason = None, f"the definition says {verdict} ({reason}) but the convex criterion says {crit}: {why}"
        else:
            reason = f"{reason}; agrees with the convex criterion: {why}"
    psi_grid_is_convex = r.psi_tilde_is_convex
    if sym is not None:
        growth = _series_growth(sym.series) if sym.psi_tilde_is_convex else {}
        growth = growth or _growth_fit(r.theta, r.psi_tilde, r.accuracy)
        psi_f = _symbolic_psi(sym, at_one)
        details.update(psi=sp.sstr(sym.psi), psi_tilde=sp.sstr(sym.psi_tilde), H=sp.sstr(sym.H),
                       H_minus=sp.sstr(sym.H_minus), minimiser=sp.sstr(sym.minimiser),
                       series=sp.sstr(sym.series), inverse_bound=None if sym.inverse_bound is None else
                       sp.sstr(sym.inverse_bound))
        method = "symbolic"
    else:
        growth = _growth_fit(r.theta, r.psi_tilde, r.accuracy)
        method = "numeric"
        psi_f = _numeric_psi_function(phi, r, psi_grid_is_convex)
    tilde_f = (lambda t: mn.psi_tilde_at(phi, t)[0])

    if bound is None:
        transform = tilde_f

        def witness(t):
            v, arg, warg = mn.psi_tilde_at(phi, [t])
            eta = (1 + t) / 2
            return {"p": [1 - eta, eta], "eta": eta, "score": float(warg[0]), "best_score": float(arg[0]),
                    "h": [-float(warg[0]), float(warg[0])], "regret": float(v[0])}
    else:
        from .margin_transforms import binary_transform_numeric

        def transform(t):
            return binary_transform_numeric(lo, np.asarray(t), float(bound))

        def witness(t):
            v, warg = binary_transform_numeric(lo, t, float(bound), return_argmin=True)
            eta = (1 + t) / 2
            return {"p": [1 - eta, eta], "eta": eta, "score": float(warg), "h": [-float(warg), float(warg)],
                    "regret": float(v), "bound": float(bound)}
        details["bound"] = float(bound)

    def inverse(eps):
        top = float(psi_f(np.array([1.0]))[0])
        if eps >= top:
            return 1.0
        if eps <= 0:
            return 0.0
        return brentq(lambda th: float(psi_f(np.array([th]))[0]) - eps, 0.0, 1.0, xtol=1e-14, rtol=1e-12)

    return Analysis(lo, 2, verdict, reason, method, growth, details, sym, psi_f, transform, witness, inverse)


def _symbolic_psi(sym, at_one):
    if sym.psi_tilde_is_convex:
        return _lambdify_theta(sym.psi, at_one)
    return _lambdify_theta(sym.psi, None)


def _numeric_psi_function(phi, r: mn.NumericPsi, convex: bool):
    if convex:
        return lambda t: mn.psi_tilde_at(phi, t)[0]

    def hull(t):
        return np.interp(np.asarray(t, dtype=np.float64), r.theta, r.psi)
    return hull


# ------------------------------------------------------------------------------------------ multi-class


def _analyse_multiclass(loss, n, bound, ts=None) -> Analysis:
    """The multi-class route: the verdict of :func:`multiclass_calibration`, T(t) and witnesses by the tight search."""
    from .multiclass_calibration import multiclass_calibration
    from .tight.search import tight_transform

    res = multiclass_calibration(loss, n, ts=ts)
    growth = ({} if res.growth_order is None else
              {"order": float(res.growth_order), "constant": float(res.growth_constant), "source": "fit",
               "fit_t": list(res.growth_ts)})
    details = {"margin": res.margin, "slack": res.slack, "ts": list(res.ts), "transform_on_grid": list(res.transform),
               "accuracy_on_grid": list(res.accuracy), "seconds_check": res.seconds}
    if res.witness is not None:
        details["witness"] = {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in res.witness.items()}
    if bound is not None:
        details["bound"] = bound

    @functools.lru_cache(maxsize=64)
    def search(t):
        return tight_transform(loss, t, n, bound)

    def transform(t):
        return np.array([float(search(float(x))[0]) for x in np.asarray(t, dtype=np.float64).reshape(-1)])

    def witness(t):
        v, w = search(float(t))
        return {"p": np.asarray(w["p"]).tolist(), "h": np.asarray(w["h"]).tolist(), "tie": list(w["tie"]),
                "regret": float(v)}

    def inverse(eps):
        if eps <= 0:
            return 0.0
        if eps >= float(transform(1.0)[0]):
            return 1.0
        return brentq(lambda t: float(transform(t)[0]) - eps, 0.0, 1.0, xtol=1e-6)

    return Analysis(loss, n, res.verdict, res.reason, "numeric", growth, details, None, None, transform, witness,
                    inverse)


# ------------------------------------------------------------------------------------------- entry point


def analyse(loss, n_classes: int = 2, bound=None, *, budget: float = SYMBOLIC_BUDGET) -> Analysis:
    """What the theory says about ``loss``: calibration verdict, ψ or the tight transform T, growth, witness.

    Binary margin losses (``n_classes=2``): ψ̃(θ) = H⁻((1+θ)/2) − H((1+θ)/2), ψ = ψ̃**, symbolic where sympy
    finishes within ``budget`` seconds and agrees with the numerical route, numeric otherwise; verdict by the
    definition (ψ̃ > 0 on (0, 1]) with a stated margin, cross-checked by the convex criterion for convex φ;
    ``bound=B`` makes :meth:`Analysis.transform` the tight transform over scores |f| ≤ B. Multi-class losses: the
    verdict and T(t) by the search of :func:`~theorylab.theory.multiclass_calibration.multiclass_calibration`.

    Parameters
    ----------
    loss : str, sympy.Expr or Loss
        A built-in margin-loss name, a formula string or sympy expression in one variable (binary), or any
        :class:`~theorylab.losses.base.Loss` (binary margin or multi-class).
    n_classes : int, default 2
        The number of classes (≥ 2; 2 for a margin loss).
    bound : float, optional
        Score bound B > 0 of the hypothesis set (None: complete scores).
    budget : float, default 20.0
        Seconds for the symbolic derivation (binary); 0 runs the numerical route only.

    Returns
    -------
    Analysis
        ``calibrated`` (True/False/None), ``reason``, ``method``, ``psi(θ)``, ``transform(t)``, ``witness(t)``,
        ``inverse(ε)``, ``growth``, ``to_dict()``, rich display in notebooks.

    Raises
    ------
    InputError
        For an invalid loss, n_classes < 2, a margin loss with n_classes ≠ 2, or a bound that is not > 0.

    References
    ----------
    P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer. Statist.
    Assoc. 101(473), 2006 (Definitions 1–2, Lemma 5, Theorems 1–2); A. Mao, M. Mohri, Y. Zhong, "H-Consistency
    Bounds: Characterization and Extensions", NeurIPS 2023 (the tight error transformation); A. Tewari,
    P. L. Bartlett, "On the Consistency of Multiclass Classification Methods", JMLR 8, 2007 (multi-class
    calibration).
    """
    n_classes = check_integer("n_classes", n_classes, minimum=2)
    if bound is not None:
        b = float(bound) if isinstance(bound, (int, float)) and not isinstance(bound, bool) else float("nan")
        if not (b > 0 and math.isfinite(b)):
            raise InputError(f"bound={bound!r} is not allowed; a finite score bound > 0 (or None) is")
        bound = b
    if isinstance(budget, bool) or not (isinstance(budget, (int, float)) and 0 <= budget < math.inf):
        raise InputError(f"budget={budget!r} is not allowed; seconds >= 0 are (0: the numerical route only)")
    if isinstance(loss, Loss) and not loss.is_margin:
        return _analyse_multiclass(loss, n_classes, bound)
    lo = as_margin_loss(loss)
    if n_classes != 2:
        raise InputError(f"n_classes={n_classes} is not allowed for the binary margin loss {lo.name}; use n_classes=2")
    return _cached_margin(lo, bound, float(budget))


@functools.lru_cache(maxsize=256)
def _cached_margin(lo: MarginLoss, bound, budget) -> Analysis:
    return _analyse_margin(lo, bound, budget)
