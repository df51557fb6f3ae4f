"""The symbolic derivation of a margin loss's calibration analysis (the :class:`Calibration` record), cached.

Bartlett, Jordan, McAuliffe, "Convexity, Classification, and Risk Bounds", JASA 2006, §2, Definition 2 and
Theorem 1: C_η(α), H, H⁻, ψ̃, ψ, the series of ψ at 0 and ψ⁻¹, derived by sympy with the helpers of
:mod:`theorylab.theory.calibration_sympy`. Unchecked here: :func:`theorylab.theory.calibration.derive` and
:func:`theorylab.theory.analysis.analyse` cross-check the result numerically before using it.
"""
from __future__ import annotations

import dataclasses
import html

import sympy as sp

from .._cache import disk_cached
from .calibration_sympy import (_P, _Q, ALPHA, EPS, ETA, THETA, _convex_closure_piecewise, _in_theta, _infimum,
                                _is_convex_on_unit, _num)

__all__ = ["Calibration"]


@dataclasses.dataclass(frozen=True)
class Calibration:
    """The symbolic calibration analysis of one margin loss (all expressions in η or θ).

    C_η(α) = η φ(α) + (1 − η) φ(−α), H(η) = inf_α C_η(α), H⁻(η) = inf_{α(2η−1) ≤ 0} C_η(α),
    ψ̃(θ) = H⁻((1+θ)/2) − H((1+θ)/2), ψ = ψ̃** (convex closure).

    Parameters
    ----------
    loss : sympy.Expr
        φ(α) in the symbol :data:`ALPHA`.
    conditional_risk : sympy.Expr
        C_η(α).
    minimiser : sympy.Expr or str
        argmin_α C_η(α) for η > 1/2 (an expression, or "+oo" for an infimum at ∞).
    wrong_sign_minimiser : sympy.Expr or str
        argmin over α ≤ 0 (attains H⁻), η > 1/2.
    H : sympy.Expr
        H(η) for η ≥ 1/2 (by symmetry H(η) = H(1 − η)).
    H_minus : sympy.Expr
        H⁻(η) for η > 1/2.
    psi_tilde : sympy.Expr
        ψ̃(θ).
    psi : sympy.Expr
        ψ(θ), the convex closure of ψ̃ (piecewise linear from a grid when ψ̃ is not convex).
    psi_tilde_is_convex : bool
        Whether ψ̃ is convex on [0, 1] (checked on a grid).
    series : sympy.Expr
        Taylor polynomial of ψ(θ) at θ = 0 up to θ⁵ (NaN when ψ̃ is not convex).
    inverse_bound : sympy.Expr or None
        ψ⁻¹(ε) in the symbol :data:`EPS`: R − R* ≤ ψ⁻¹(R_φ − R_φ*) (None if no closed form).
    inverse_leading : sympy.Expr
        Leading-order ψ⁻¹(ε) as ε → 0.
    H_pq : sympy.Expr
        H in the symbols p = η, q = 1 − η (for accurate numerics when η is near 0 or 1).

    References
    ----------
    P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer. Statist.
    Assoc. 101(473), 2006, Definition 2 and Theorem 1.
    """

    loss: sp.Expr  # φ(α)
    conditional_risk: sp.Expr  # C_η(α)
    minimiser: sp.Expr | str  # argmin_α C_η(α) for η > 1/2 (an expression, or "+oo" for an infimum at ∞)
    wrong_sign_minimiser: sp.Expr | str  # argmin over α ≤ 0 (attains H⁻), η > 1/2
    H: sp.Expr  # H(η) for η ≥ 1/2 (by symmetry H(η) = H(1 − η))
    H_minus: sp.Expr  # H⁻(η) for η > 1/2
    psi_tilde: sp.Expr  # ψ̃(θ)
    psi: sp.Expr  # ψ(θ) = convex closure of ψ̃
    psi_tilde_is_convex: bool
    series: sp.Expr  # ψ(θ) near θ = 0
    inverse_bound: sp.Expr | None  # ψ⁻¹(ε): R − R* ≤ ψ⁻¹(R_φ − R_φ*) (None if no closed form)
    inverse_leading: sp.Expr  # leading-order ψ⁻¹(ε) as ε → 0
    H_pq: sp.Expr  # H in the symbols p = η, q = 1 − η (for accurate numerics when η is near 0 or 1)

    def H_numeric(self):
        """A NumPy function ``H(p, q)`` with p = max(η, 1−η), q = 1 − p passed separately (no cancellation).

        Returns
        -------
        callable
            ``H(p, q)`` evaluating :attr:`H_pq` with NumPy.

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer. Statist.
        Assoc. 101(473), 2006 (the optimal conditional risk H).
        """
        f = _H_NUMERIC.get(self.H_pq)
        if f is None:  # lambdify once per expression and process (it compiles Python source each call)
            f = _H_NUMERIC[self.H_pq] = sp.lambdify((_P, _Q), self.H_pq, "numpy")
        return f

    def _rows(self) -> list[tuple[str, object]]:
        """(LaTeX left-hand side, expression) for every derived quantity that has one."""
        rows = [(r"\varphi(\alpha)", self.loss), (r"C_\eta(\alpha)", self.conditional_risk),
                (r"\operatorname{argmin}_\alpha C_\eta", self.minimiser),
                (r"H(\eta)", self.H), (r"H^-(\eta)", self.H_minus), (r"\tilde\psi(\theta)", self.psi_tilde),
                (r"\psi(\theta)", self.psi)]
        if self.inverse_bound is not None:
            rows.append((r"\psi^{-1}(\epsilon)", self.inverse_bound))
        return rows

    def _repr_latex_(self) -> str:
        """The derivation as one aligned LaTeX display (notebooks show it): φ, C_η, the minimiser, H, H⁻, ψ̃, ψ, ψ⁻¹.

        Returns
        -------
        str
            ``$$\\begin{aligned} … \\end{aligned}$$``; the minimiser and H, H⁻ are for η > 1/2 (BJM 2006, §2).
        """
        lines = [lhs + " &= " + (v.replace("oo", r"\infty") if isinstance(v, str) else sp.latex(v))
                 for lhs, v in self._rows()]
        return "$$\\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}$$"

    def _repr_html_(self) -> str:
        """The derivation as an HTML table of plain-text formulas (for front ends that do not render LaTeX).

        Returns
        -------
        str
            A ``<table>`` with one row per derived quantity (sympy's ``str`` form, HTML-escaped).
        """
        names = {r"\varphi(\alpha)": "φ(α)", r"C_\eta(\alpha)": "C_η(α)",
                 r"\operatorname{argmin}_\alpha C_\eta": "argmin_α C_η (η > 1/2)", r"H(\eta)": "H(η), η ≥ 1/2",
                 r"H^-(\eta)": "H⁻(η), η > 1/2", r"\tilde\psi(\theta)": "ψ̃(θ)", r"\psi(\theta)": "ψ(θ)",
                 r"\psi^{-1}(\epsilon)": "ψ⁻¹(ε)"}
        cells = "".join(f"<tr><th style='text-align:left;padding-right:1em'>{html.escape(names[lhs])}</th>"
                        f"<td><code>{html.escape(str(v))}</code></td></tr>" for lhs, v in self._rows())
        return f"<table class='theorylab-calibration'>{cells}</table>"


_H_NUMERIC: dict = {}
"""H_pq expression → its lambdified NumPy function (pure, so shared)."""


@disk_cached  # seconds of sympy per loss: kept across processes (theorylab._cache)
def _derive_cached(phi: sp.Expr) -> Calibration:
    c_pq = _P * phi + _Q * phi.subs(ALPHA, -ALPHA, simultaneous=True)
    c_eta = c_pq.subs({_P: ETA, _Q: 1 - ETA})
    H_pq, argmin = _infimum(c_pq, sp.Reals)
    Hm_pq, wrong_argmin = _infimum(c_pq, sp.Interval(-sp.oo, 0))
    H_theta, Hm_theta = _in_theta(H_pq), _in_theta(Hm_pq)
    psi_tilde = sp.simplify(Hm_theta - H_theta)
    if psi_tilde.has(sp.I):
        raise NotImplementedError(f"ψ̃ came out complex for {phi}; use psi_numeric")
    convex = _is_convex_on_unit(psi_tilde) if psi_tilde.has(THETA) else True
    psi = psi_tilde if convex else _convex_closure_piecewise(psi_tilde)
    series = sp.series(psi, THETA, 0, 6).removeO() if convex else sp.nan
    inverse = None
    if convex and psi.has(THETA):
        try:
            sols = [s for s in sp.solve(sp.Eq(psi, EPS), THETA) if _num(s.subs(EPS, sp.Rational(1, 100)), 0.5) > 0]
            inverse = sp.simplify(sols[0]) if len(sols) == 1 else None
        except (NotImplementedError, ValueError):
            inverse = None
    if convex and series != 0 and series is not sp.nan:
        lead = sp.Poly(series, THETA).terms()[-1]  # lowest-order term c θ^k
        (k,), c = lead
        inverse_leading = (EPS / c) ** sp.Rational(1, k)
    else:
        inverse_leading = sp.nan
    to_eta = {_P: ETA, _Q: 1 - ETA}
    H_eta = sp.simplify(H_pq.subs(to_eta))
    Hm_eta = sp.simplify(Hm_pq.subs(to_eta))
    minimiser = argmin if isinstance(argmin, str) else sp.simplify(sp.sympify(argmin).subs(to_eta))
    wrong = wrong_argmin if isinstance(wrong_argmin, str) else sp.simplify(sp.sympify(wrong_argmin).subs(to_eta))
    return Calibration(phi, c_eta, minimiser, wrong, H_eta, Hm_eta, psi_tilde, psi, convex, series, inverse,
                       inverse_leading, H_pq)


