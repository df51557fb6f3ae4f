"""Binary margin losses from a formula: :func:`margin_loss` builds a :class:`MarginLoss` from a sympy expression or
a string in one variable (the margin α = y·f(x)), with parameters given as keywords.

The string is parsed by sympy with a closed vocabulary (no Python builtins, no attribute access): the elementary
functions (exp, log, sqrt, the trigonometric and hyperbolic functions and their inverses, erf, erfc), Piecewise,
Max/Min (also spelt max/min), Abs (abs), Heaviside, sign, pi, E. Values and the first two derivatives are
``sympy.lambdify``'d to NumPy (the derivatives differentiated symbolically; DiracDelta terms of the second
derivative, zero almost everywhere, are dropped). The result is checked once on a probe grid α ∈ [−50, 50]: a
formula that is NaN, −∞ or complex there is refused with a one-line error, and so is any later evaluation that
gives NaN or −∞ at a finite margin.

Reference: P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer.
Statist. Assoc. 101(473), 2006, §2 (margin losses φ(y f(x))).
"""
from __future__ import annotations

import math
import re

import numpy as np
import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.parsing.sympy_parser import convert_xor, parse_expr, standard_transformations

from .._validation import InputError
from .margin_base import MarginLoss

__all__ = ["margin_loss", "parse_formula", "ALLOWED_FUNCTIONS"]

ALLOWED_FUNCTIONS = {
    "exp": sp.exp, "log": sp.log, "ln": sp.log, "sqrt": sp.sqrt, "sin": sp.sin, "cos": sp.cos, "tan": sp.tan,
    "atan": sp.atan, "arctan": sp.atan, "asin": sp.asin, "acos": sp.acos, "sinh": sp.sinh, "cosh": sp.cosh,
    "tanh": sp.tanh, "asinh": sp.asinh, "acosh": sp.acosh, "atanh": sp.atanh, "erf": sp.erf, "erfc": sp.erfc,
    "Piecewise": sp.Piecewise, "Max": sp.Max, "Min": sp.Min, "max": sp.Max, "min": sp.Min, "Abs": sp.Abs,
    "abs": sp.Abs, "Heaviside": sp.Heaviside, "sign": sp.sign, "pi": sp.pi, "E": sp.E,
}
"""The names a formula may use (besides its variable and its parameters)."""

_PARSER_GLOBALS = {"Symbol": sp.Symbol, "Integer": sp.Integer, "Float": sp.Float, "Rational": sp.Rational,
                   "Function": sp.Function, "__builtins__": {}}
_TRANSFORMS = standard_transformations + (convert_xor,)
_ATTRIBUTE = re.compile(r"\.\s*[A-Za-z_]")
_PROBE = np.linspace(-50.0, 50.0, 2001)


def _exact_param(name: str, value) -> sp.Expr:
    """A keyword parameter as an exact sympy number (``nsimplify`` of a finite real), checked."""
    if isinstance(value, bool) or not isinstance(value, (int, float, sp.Number)) or not math.isfinite(float(value)):
        raise InputError(f"parameter {name}={value!r} is not allowed; parameters must be finite real numbers")
    exact = sp.nsimplify(value, rational=True)
    if float(value) != 0 and abs(float(exact) / float(value) - 1.0) > 1e-12:
        raise InputError(f"parameter {name}={value!r} rounds to {exact} in the symbolic form; use a number sympy "
                         "represents exactly")
    return exact


def parse_formula(expr, variable=None, **params) -> tuple[sp.Expr, sp.Symbol]:
    """φ as a sympy expression in its one real variable, from a string or an expression, parameters substituted.

    Parameters
    ----------
    expr : str or sympy.Expr
        The formula, e.g. ``"log(1 + exp(-a))**2"`` or ``"max(0, 1 - a/rho)"`` (``^`` means power).
    variable : str or sympy.Symbol, optional
        The margin variable; the only free symbol left after substituting ``params`` when None.
    **params : float
        Parameter values by name (finite reals, substituted exactly).

    Returns
    -------
    phi : sympy.Expr
        The formula in the real symbol returned second.
    variable : sympy.Symbol
        The margin symbol (real).

    Raises
    ------
    InputError
        For a string that does not parse, a name outside :data:`ALLOWED_FUNCTIONS` used as a function, no variable
        or several free symbols, a parameter that is not used or not a finite real, or a complex constant.

    References
    ----------
    P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer. Statist.
    Assoc. 101(473), 2006, §2.
    """
    if isinstance(expr, str):
        if not expr.strip():
            raise InputError("formula '' is empty; a formula in one variable such as 'log(1 + exp(-a))' is allowed")
        if _ATTRIBUTE.search(expr) or "__" in expr or "lambda" in expr:
            raise InputError(f"formula {expr!r} uses attribute access, dunder names or lambda; a formula of numbers, "
                             "its variable, parameters and the allowed functions is allowed")
        local = dict(ALLOWED_FUNCTIONS)
        for key in params:
            local[key] = sp.Symbol(key, real=True)
        if isinstance(variable, str):
            local[variable] = sp.Symbol(variable, real=True)
        try:
            parsed = parse_expr(expr, local_dict=local, global_dict=dict(_PARSER_GLOBALS), transformations=_TRANSFORMS,
                                evaluate=True)
        except Exception as exc:  # SyntaxError, TypeError, TokenError, ...: all mean "does not parse"
            raise InputError(f"formula {expr!r} does not parse ({type(exc).__name__}: {str(exc).splitlines()[0][:80]}); "
                             "use Python syntax with " + ", ".join(sorted({k for k in ALLOWED_FUNCTIONS if k[0].islower()
                                                                         and len(k) > 2}))) from None
    elif isinstance(expr, sp.Basic):
        parsed = expr
    else:
        raise InputError(f"expr={expr!r} is not allowed; a formula string or a sympy expression in one variable is")
    if not isinstance(parsed, sp.Expr):
        raise InputError(f"formula {expr!r} is not an expression (it parsed to {type(parsed).__name__})")
    undefined = sorted({str(f.func) for f in parsed.atoms(AppliedUndef)})
    if undefined:
        raise InputError(f"formula {expr!r} uses undefined function(s) {', '.join(undefined)}; allowed: "
                         + ", ".join(sorted(k for k in ALLOWED_FUNCTIONS if k[0].islower() or k in ("Piecewise",))))
    by_name = {str(s): s for s in parsed.free_symbols}
    unused = sorted(set(params) - set(by_name))
    if unused:
        raise InputError(f"parameter(s) {', '.join(unused)} do not appear in formula {expr!r}; its symbols are "
                         f"{', '.join(sorted(by_name)) or 'none'}")
    parsed = parsed.subs({by_name[k]: _exact_param(k, v) for k, v in params.items()}, simultaneous=True)
    free = sorted(parsed.free_symbols, key=str)
    if variable is not None:
        vname = str(variable)
        others = [s for s in free if str(s) != vname]
        if others:
            raise InputError(f"formula {expr!r} has free symbols {', '.join(map(str, others))} besides the variable "
                             f"{vname}; give their values as keyword parameters")
        free = [s for s in free if str(s) == vname]
        if not free:
            raise InputError(f"formula {expr!r} does not contain the variable {vname}")
    if len(free) != 1:
        raise InputError(f"formula {expr!r} has {len(free)} free symbols ({', '.join(map(str, free)) or 'none'}); "
                         "a loss of one variable (the margin) is allowed; give parameters as keywords")
    (sym,) = free
    real = sp.Symbol(str(sym), real=True)
    phi = parsed.subs(sym, real)
    if phi.has(sp.I):
        raise InputError(f"formula {expr!r} is complex; a real-valued φ(α) is allowed")
    return phi, real


def _numeric(make_expr, var: sp.Symbol, what: str, name: str):
    """``(xp, α) → expr(α)`` through NumPy, refusing NaN or −∞ at finite margins with a one-line error.

    ``make_expr()`` returns the sympy expression (e.g. a derivative still to be taken): it is called and the
    result ``lambdify``-ed on the first evaluation, so that defining a loss does not pay for derivatives nobody
    evaluates.
    """
    compiled = []

    def f(a):
        if not compiled:
            compiled.append(sp.lambdify(var, make_expr(), "numpy"))
        return compiled[0](a)

    def evaluate(xp, a):
        a = np.asarray(a, dtype=np.float64)
        with np.errstate(all="ignore"):
            out = np.asarray(f(a))
        if np.iscomplexobj(out):
            if np.any(out.imag != 0):
                raise InputError(f"loss {name}: {what} is complex at a margin; a real-valued φ is allowed")
            out = out.real
        out = np.asarray(out, dtype=np.float64) + np.zeros_like(a)
        bad = (np.isnan(out) | (out == -np.inf)) & np.isfinite(a)
        if np.any(bad):
            raise InputError(f"loss {name}: {what} is not finite at alpha={float(a[bad].flat[0]):.6g}; a loss "
                             "finite on the whole real line is allowed")
        return out
    return evaluate


def margin_loss(expr, name: str | None = None, *, variable=None, convex: bool = False, bounded: bool = False,
                **params) -> MarginLoss:
    """A binary margin loss φ(α) from a formula: a sympy expression or a string in one variable.

    The value φ, its derivative φ' and second derivative φ'' (differentiated symbolically) are evaluated by
    ``lambdify`` (NumPy; other array namespaces are converted to NumPy), so the loss is for analysis rather than
    accelerated arrays. C*(η) = inf_f η φ(f) + (1 − η) φ(−f) has no closed form here (a numeric search).

    Parameters
    ----------
    expr : str or sympy.Expr
        φ in one variable, e.g. ``"log(1 + exp(-a))**2"``, ``"Piecewise((1 - a, a < 1), (0, True))"``,
        ``"max(0, 1 - a) + exp(-a)"``, ``"(2*atan(a) - 1)**2"``; see :data:`ALLOWED_FUNCTIONS`.
    name : str, optional
        The loss name; the formula as sympy prints it when None.
    variable : str or sympy.Symbol, optional
        The margin variable (needed only when the formula has several symbols that are not parameters).
    convex : bool, default False
        Declare φ convex (a declaration, not checked: :func:`theorylab.theory.analyse` checks it numerically).
    bounded : bool, default False
        Declare φ bounded above (not checked).
    **params : float
        Parameter values by name, e.g. ``margin_loss("1 - tanh(k*a)", k=2)``.

    Returns
    -------
    MarginLoss
        The loss; ``sympy_form()`` gives φ(alpha).

    Raises
    ------
    InputError
        For a formula that does not parse, uses an undefined function, has no variable or several, a parameter
        that is unused or not a finite real, or a φ that is complex, NaN or −∞ somewhere on α ∈ [−50, 50].

    References
    ----------
    P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer. Statist.
    Assoc. 101(473), 2006, §2 (margin losses φ(y f(x))).
    """
    phi, var = parse_formula(expr, variable, **params)
    label = sp.sstr(phi) if name is None else name
    if not isinstance(label, str) or not label.strip():
        raise InputError(f"name={name!r} is not allowed; a non-empty string (or None) is")
    first = lambda: sp.diff(phi, var)  # noqa: E731 (taken on first use)
    second = lambda: sp.diff(phi, var, 2).replace(sp.DiracDelta, lambda *args: sp.S.Zero)  # noqa: E731
    value = _numeric(lambda: phi, var, "φ", label)
    value(np, _PROBE)  # the one-line error for a formula that is not finite on the probe
    return MarginLoss(label, sp.sstr(phi), value, _numeric(first, var, "φ'", label),
                      _numeric(second, var, "φ''", label), lambda a: phi.subs(var, a),
                      convex=bool(convex), bounded=bool(bounded))
