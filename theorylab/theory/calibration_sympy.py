"""The sympy machinery of the calibration derivation: symbols, smooth pieces, infima by candidates, convex closure.

Helpers of :func:`theorylab.theory.calibration.derive`: φ as an expression in
:data:`ALPHA` (:func:`_as_expr`), its split into smooth pieces (:func:`_to_pieces`), the infimum over an
α-domain among the candidates calculus allows — stationary points, finite endpoints, limits at ±∞ — picked
by evaluation at reference values of θ (:func:`_infimum`), and the lower convex envelope of ψ̃ when ψ̃ is not
convex (:func:`_convex_closure_piecewise`); and the one public function, the one-sided derivatives of φ at 0
(:func:`one_sided_derivatives_at_zero`, re-exported by :mod:`~theorylab.theory.calibration`).

References: P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds",
J. Amer. Statist. Assoc. 101(473), 2006, §2 and Definition 2.
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from .._cache import disk_cached
from .._validation import InputError
from ..losses.margin_input import as_margin_loss

ALPHA = sp.Symbol("alpha", real=True)
THETA = sp.Symbol("theta", positive=True)
ETA = sp.Symbol("eta", positive=True)
_P = sp.Symbol("p", positive=True)  # η during the derivation
_Q = sp.Symbol("q", positive=True)  # 1 − η during the derivation (two positive symbols keep logs real)
EPS = sp.Symbol("epsilon", positive=True)
_REF_THETAS = (0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95)


def _as_expr(loss) -> sp.Expr:
    """φ(α) as a sympy expression in :data:`ALPHA`, from a loss name, object or one-symbol expression."""
    if isinstance(loss, sp.Basic):
        free = loss.free_symbols
        if len(free) != 1:
            raise InputError(f"loss expression {loss} must have exactly one free symbol, found {len(free)}")
        if loss.has(sp.I) or any(a.is_real is False for a in loss.atoms(sp.Number)):
            raise InputError(f"loss expression {loss} is complex; a real-valued φ(α) is allowed")
        (sym,) = free
        return loss.subs(sym, ALPHA)
    return as_margin_loss(loss).sympy(ALPHA)


def _to_pieces(expr: sp.Expr) -> list[tuple[sp.Expr, sp.Set]]:
    """Split ``expr`` (in α) into smooth pieces with the α-interval where each applies."""
    folded = sp.piecewise_fold(expr.rewrite(sp.Piecewise))
    if not isinstance(folded, sp.Piecewise):
        return [(folded, sp.Reals)]
    pieces, covered = [], sp.EmptySet
    for e, cond in folded.args:
        region = (sp.Reals if cond is sp.true else cond.as_set()) - covered
        covered = covered | region
        for part in (region.args if isinstance(region, sp.Union) else (region,)):
            if part is not sp.EmptySet:
                pieces.append((e, part))
    return pieces


def _num(expr, theta_value: float) -> float:
    try:
        v = complex(expr.subs({THETA: theta_value, _P: (1 + theta_value) / 2, _Q: (1 - theta_value) / 2}).evalf())
    except (TypeError, ValueError):
        return float("nan")
    return v.real if abs(v.imag) < 1e-12 else float("nan")


def _infimum(c_theta: sp.Expr, domain: sp.Set) -> tuple[sp.Expr, sp.Expr | str]:
    """inf over α ∈ domain of C(α; θ), for θ ∈ (0, 1): (value as expression in θ, minimiser)."""
    candidates: list[tuple[sp.Expr, sp.Expr | str, sp.Set]] = []
    for e, interval in _to_pieces(c_theta):
        region = interval & domain
        if region is sp.EmptySet:
            continue
        if isinstance(region, sp.FiniteSet):
            candidates += [(e.subs(ALPHA, pt), pt, sp.Interval(pt, pt)) for pt in region]
            continue
        if not isinstance(region, sp.Interval):
            raise NotImplementedError(f"unsupported piece region {region}")
        d = sp.diff(e, ALPHA)
        if sp.simplify(d) == 0:  # constant piece
            pt = region.inf if region.inf.is_finite else (region.sup if region.sup.is_finite else 0)
            candidates.append((e.subs(ALPHA, pt), pt, region))
            continue
        for end, direction in ((region.inf, "+"), (region.sup, "-")):
            if end.is_finite:
                candidates.append((e.subs(ALPHA, end), end, region))
            else:
                candidates.append((sp.limit(e, ALPHA, end), "+oo" if end == sp.oo else "-oo", region))
        try:
            roots = sp.solve(sp.Eq(d, 0), ALPHA)
        except NotImplementedError:
            roots = []
        for r in roots:
            candidates.append((e.subs(ALPHA, r), r, region))

    def admissible(cand, th):
        _, where, region = cand
        if isinstance(where, str):
            return True
        w = _num(sp.sympify(where), th)
        if w != w:
            return False
        lo, hi = float(region.inf), float(region.sup)
        return lo - 1e-12 <= w <= hi + 1e-12

    winners = []
    for th in _REF_THETAS:
        vals = [(_num(v, th) if admissible((v, w, reg), th) else np.inf) for v, w, reg in candidates]
        vals = [np.inf if v != v else v for v in vals]
        best = float(np.min(vals))
        winners.append({i for i, v in enumerate(vals) if v <= best + 1e-12 * max(1.0, abs(best))})
    common = set.intersection(*winners)
    if not common:
        raise NotImplementedError("the minimising candidate changes with θ; use psi_numeric")
    i = min(common)
    value, where, _ = candidates[i]
    return sp.simplify(value), where


def _in_theta(expr: sp.Expr) -> sp.Expr:
    """Substitute η = (1+θ)/2, 1 − η = (1−θ)/2 into an expression in the derivation symbols."""
    out = sp.expand_log(expr, force=True).subs({_P: (1 + THETA) / 2, _Q: (1 - THETA) / 2})
    return sp.expand_log(out, force=True)


def _is_convex_on_unit(expr: sp.Expr) -> bool:
    f2 = sp.lambdify(THETA, sp.diff(expr, THETA, 2), "numpy")
    grid = np.linspace(1e-3, 1 - 1e-3, 999)
    vals = np.broadcast_to(np.asarray(f2(grid), dtype=float), grid.shape)
    return bool(np.all(vals >= -1e-9))


def _convex_closure_piecewise(expr: sp.Expr) -> sp.Expr:
    """Lower convex envelope of ψ̃ on [0, 1], from a fine grid, as a piecewise-linear sympy expression."""
    f = sp.lambdify(THETA, expr, "numpy")
    x = np.linspace(0.0, 1.0, 2001)
    y = np.broadcast_to(np.asarray(f(np.maximum(x, 1e-15)), dtype=float), x.shape).copy()
    y[0] = 0.0
    hull: list[int] = []
    for k in range(x.size):  # Andrew's monotone chain, lower hull
        while len(hull) >= 2 and (y[hull[-1]] - y[hull[-2]]) * (x[k] - x[hull[-2]]) >= \
                (y[k] - y[hull[-2]]) * (x[hull[-1]] - x[hull[-2]]):
            hull.pop()
        hull.append(k)
    pieces = []
    for a, b in zip(hull[:-1], hull[1:]):
        slope = (y[b] - y[a]) / (x[b] - x[a])
        pieces.append((sp.Float(y[a]) + sp.Float(slope) * (THETA - sp.Float(x[a])), THETA <= sp.Float(x[b])))
    return sp.Piecewise(*pieces)


__all__ = ["ALPHA", "THETA", "ETA", "EPS"]


def one_sided_derivatives_at_zero(loss) -> tuple[sp.Expr, sp.Expr]:
    """φ'(0⁻) and φ'(0⁺): symbolic limits of the derivative of the pieces of φ that hold (−δ, 0) and (0, δ).

    Parameters
    ----------
    loss : str, MarginLoss or sympy expression
        The margin loss φ (piecewise expressions, Max, Min, Abs allowed).

    Returns
    -------
    (sympy.Expr, sympy.Expr)
        ``(left, right)``: lim_{α→0⁻} φ'(α) and lim_{α→0⁺} φ'(α).

    Raises
    ------
    InputError
        For an invalid loss.

    References
    ----------
    P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer. Statist.
    Assoc. 101(473), 2006, Theorem 2 (the derivative of a convex φ at 0 decides calibration).
    """
    return _one_sided_derivatives(_as_expr(loss))


@disk_cached
def _one_sided_derivatives(phi: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    pieces = _to_pieces(phi)
    right = next(sp.diff(e, ALPHA) for e, reg in pieces if reg.measure > 0 and reg.inf <= 0 < reg.sup)
    left = next(sp.diff(e, ALPHA) for e, reg in pieces if reg.measure > 0 and reg.inf < 0 <= reg.sup)
    return sp.limit(left, ALPHA, 0, "-"), sp.limit(right, ALPHA, 0, "+")
