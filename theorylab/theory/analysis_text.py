"""An :class:`~theorylab.theory.analysis.Analysis` as text, pure LaTeX or JSON (what ``theorylab derive`` prints).

References: P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer.
Statist. Assoc. 101(473), 2006 (C_η, H, H⁻, ψ̃, ψ and the bound ψ(R − R*) ≤ R_φ − R_φ*).
"""
from __future__ import annotations

import json

import sympy as sp

__all__ = ["analysis_text", "analysis_latex", "analysis_json"]

_POINTS = (0.0, 0.1, 0.25, 0.5, 0.75, 1.0)
_WORD = {True: "calibrated", False: "not calibrated", None: "undetermined"}


def _growth_words(g: dict, var: str = "θ") -> str:
    if not g:
        return "—"
    k = g["order"]
    ks = f"{k:g}" if abs(k - round(k)) < 1e-12 else f"{k:.6g}"
    return f"{g['constant']:.6g}·{var}^{ks} as {var} → 0 ({g['source']})"


def analysis_text(a) -> str:
    """The analysis as aligned plain text (Unicode): verdict, reason, method, the symbolic forms or ψ on points.

    Parameters
    ----------
    a : Analysis
        The analysis.

    Returns
    -------
    str
        The lines of ``theorylab derive``.

    References
    ----------
    P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, JASA 2006, §2, Definition 2, Theorem 1.
    """
    d = a.details
    lines = [f"loss               {a.loss.name}" + (f"   φ(α) = {d['formula']}" if "formula" in d and
                                                    d["formula"] != a.loss.name else ""),
             f"verdict            {_WORD[a.calibrated]}",
             f"reason             {a.reason}",
             f"method             {a.method}" + (f"   ({d['symbolic_note']})" if d.get("symbolic_note") else "")]
    if a._transform is None:
        return "\n".join(lines)
    c = a.symbolic
    if c is not None:
        s = sp.sstr
        lines += [
            f"conditional risk   C_η(α) = {s(c.conditional_risk)}",
            f"minimiser (η>½)    α*(η) = {c.minimiser if isinstance(c.minimiser, str) else s(c.minimiser)}",
            f"optimal risk       H(η) = {s(c.H)}   (η ≥ ½; H(η) = H(1−η))",
            f"wrong-sign risk    H⁻(η) = {s(c.H_minus)}   (η > ½; attained at α = "
            f"{c.wrong_sign_minimiser if isinstance(c.wrong_sign_minimiser, str) else s(c.wrong_sign_minimiser)})",
            f"ψ̃(θ)               {s(c.psi_tilde)}",
            f"ψ(θ)               {s(c.psi)}" + ("" if c.psi_tilde_is_convex else "   (convex closure, numerical)"),
            f"series at θ = 0    ψ(θ) = {s(c.series)} + O(θ⁶)",
        ]
        if c.inverse_bound is not None:
            lines.append(f"excess-risk bound  R(f) − R* ≤ ψ⁻¹(R_φ(f) − R_φ*) = {s(c.inverse_bound)}, ε = R_φ(f) − R_φ*")
    lines.append("ψ at points         " + "   ".join(f"ψ({t:g}) = {a.psi(t):.10g}" for t in _POINTS))
    if "accuracy" in d:
        lines.append(f"numerical accuracy {d['accuracy']:.1e} (largest estimated error of ψ̃ on the grid)")
    lines.append(f"growth             ψ(θ) ≈ {_growth_words(a.growth)}")
    lines.append(f"inverted bound     R(f) − R* ≤ ψ⁻¹(ε): ψ⁻¹(0.01) = {a.inverse(0.01):.6g}, "
                 f"ψ⁻¹(0.1) = {a.inverse(0.1):.6g}")
    return "\n".join(lines)


def analysis_latex(a) -> str:
    """The analysis as pure LaTeX: an ``align*`` block (no Unicode), pasteable into a document.

    Parameters
    ----------
    a : Analysis
        The analysis.

    Returns
    -------
    str
        LaTeX source.

    References
    ----------
    P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, JASA 2006, §2, Definition 2.
    """
    L = sp.latex
    plain = a.loss.name.replace("_", "").replace("(", "").replace(")", "").replace("=", "").replace(".", "")
    name = a.loss.name.replace("_", r"\_") if plain.isalnum() else "user-written loss"
    rows = [rf"&\text{{{name}: {_WORD[a.calibrated]}; method: {a.method}}}"]
    phi = a.loss.sympy_form() if a.loss.is_margin else None
    if phi is not None:
        rows.append(r"\phi(\alpha) &= " + L(phi))
    c = a.symbolic
    if c is not None:
        rows += [r"C_\eta(\alpha) &= " + L(c.conditional_risk),
                 r"H(\eta) &= " + L(c.H) + r" \quad (\eta \ge \tfrac12)",
                 r"H^-(\eta) &= " + L(c.H_minus) + r" \quad (\eta > \tfrac12)",
                 r"\tilde\psi(\theta) &= " + L(c.psi_tilde),
                 r"\psi(\theta) &= " + L(c.psi),
                 r"\psi(\theta) &= " + L(c.series) + r" + O(\theta^6)"]
        if c.inverse_bound is not None:
            rows.append(r"R(f) - R^* &\le " + L(c.inverse_bound.subs(sp.Symbol("epsilon", positive=True),
                                                                        sp.Symbol(r"\varepsilon"))))
    if a._transform is not None:
        rows.append(r"\psi(\theta) &\approx " + ",\\ ".join(f"{a.psi(t):.6g}" for t in _POINTS)
                    + r" \quad \text{at } \theta = " + ",\\ ".join(f"{t:g}" for t in _POINTS))
        if a.growth:
            g = a.growth
            rows.append(rf"\psi(\theta) &\sim {g['constant']:.6g}\,\theta^{{{g['order']:.6g}}} \quad (\theta \to 0)")
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"


def analysis_json(a) -> str:
    """The analysis as JSON text (:meth:`Analysis.to_dict`).

    Parameters
    ----------
    a : Analysis
        The analysis.

    Returns
    -------
    str
        Indented JSON.

    References
    ----------
    P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, JASA 2006.
    """
    return json.dumps(a.to_dict(), indent=1, default=str, ensure_ascii=False)
