"""Catalogue of binary margin losses φ(α), α = y·f(x): the named losses, their factories and lookup by name.

Bartlett, Jordan, McAuliffe, "Convexity, Classification, and Risk Bounds", JASA 2006, Table 1 and §2;
the ρ-margin and sigmoid losses as in Awasthi, Mao, Mohri, Zhong, ICML 2022 (arXiv 2205.08017), Table 1.

Every numerical method is written against the array-API namespace of its input (NumPy, CuPy,
array-api-strict) and is stable for |α| up to 1e4 in float32 and float64: the logistic loss uses
``logaddexp`` and never exponentiates a raw positive score. The exponential loss e^{−α} is finite up to
α ≳ −88 (float32) / −709 (float64); beyond that its true value is not representable and it returns +inf,
the correctly rounded result (its derivative likewise returns −inf).

Losses with a parameter (``sigmoid(k)``, ``rho_margin(rho)``) are built by factories; ``LOSSES`` holds the
default instances (k = 1, ρ = 1); ``margin_loss(expr)`` builds one from a sympy expression and ``get_loss``
looks one up by name. The class :class:`~theorylab.losses.margin_base.MarginLoss` (values, derivatives,
conditional risks, sympy forms) lives in :mod:`.margin_base` and is re-exported here.
"""
from __future__ import annotations

import math

import numpy as np
import sympy as sp
from scipy import special

from .._validation import InputError, check_positive
from .formula import margin_loss  # noqa: F401 (built from a formula; lives in .formula)
from .margin_base import MarginLoss


_INV_SQRT_2PI = 1.0 / np.sqrt(2.0 * np.pi)


def _plus_moment1(a, m, s):
    """E (a − Z)₊ for Z ∼ N(m, s²)."""
    d = (a - m) / s
    return (a - m) * special.ndtr(d) + s * _INV_SQRT_2PI * np.exp(-0.5 * d * d)


def _plus_moment2(a, m, s):
    """E (a − Z)₊² for Z ∼ N(m, s²)."""
    d = (a - m) / s
    return ((a - m) ** 2 + s * s) * special.ndtr(d) + (a - m) * s * _INV_SQRT_2PI * np.exp(-0.5 * d * d)


def _ones(xp, a):
    return xp.ones_like(a)


def _zeros(xp, a):
    return xp.zeros_like(a)


def _entropy(xp, eta):
    """−η log η − (1 − η) log(1 − η), 0 log 0 = 0."""
    def xlogx(x):
        return xp.where(x > 0, x * xp.log(xp.where(x > 0, x, xp.ones_like(x))), xp.zeros_like(x))
    return -xlogx(eta) - xlogx(1 - eta)


def _sigmoid_neg(xp, a):
    """1/(1+e^{α}) without overflow: e^{−α}/(1+e^{−α}) for α > 0."""
    e = xp.exp(-xp.abs(a))
    return xp.where(a > 0, e / (1 + e), 1 / (1 + e))


def _in_float64(fn):
    """``fn(xp, α)`` evaluated in float64 for narrower float inputs and cast back: the float64 parameter (k, ρ) then
    enters unrounded (ρ = 0.3 rounded to float32 would put the kink of (ρ − α)/ρ one float32 step off)."""
    def evaluate(xp, a):
        dt = getattr(a, "dtype", None)  # raw_value may get Python floats
        if dt is not None and xp.isdtype(dt, "real floating") and xp.finfo(dt).bits < 64:
            return xp.astype(fn(xp, xp.astype(a, xp.float64)), dt)
        return fn(xp, a)
    return evaluate


def _sech2(xp, x):
    """sech²(x) = 1 − tanh²(x) = 4e^{−2|x|}/(1 + e^{−2|x|})², relatively accurate where 1 − tanh² would round to 0."""
    e = xp.exp(-2 * xp.abs(x))
    return 4 * e / ((1 + e) * (1 + e))


hinge = MarginLoss(
    "hinge", "max(0, 1 − α)",
    lambda xp, a: xp.maximum(1 - a, xp.zeros_like(a)),
    lambda xp, a: xp.where(a < 1, -_ones(xp, a), _zeros(xp, a)),
    lambda xp, a: _zeros(xp, a),
    lambda a: sp.Max(0, 1 - a),
    lambda m, s: _plus_moment1(1.0, m, s),
    convex=True, _best=lambda xp, eta: 1 - xp.abs(2 * eta - 1),
)

logistic = MarginLoss(
    "logistic", "log(1 + e^{−α})",
    lambda xp, a: xp.logaddexp(xp.zeros_like(a), -a),
    lambda xp, a: -_sigmoid_neg(xp, a),
    lambda xp, a: _sigmoid_neg(xp, a) * _sigmoid_neg(xp, -a),
    lambda a: sp.log(1 + sp.exp(-a)),
    convex=True, _best=lambda xp, eta: _entropy(xp, eta),
)

exponential = MarginLoss(
    "exponential", "e^{−α}",
    lambda xp, a: xp.exp(-a),
    lambda xp, a: -xp.exp(-a),
    lambda xp, a: xp.exp(-a),
    lambda a: sp.exp(-a),
    lambda m, s: np.exp(-m + 0.5 * s * s),
    convex=True, _best=lambda xp, eta: 2 * xp.sqrt(eta * (1 - eta)),
)

squared = MarginLoss(
    "squared", "(1 − α)²",
    lambda xp, a: (1 - a) ** 2,
    lambda xp, a: 2 * (a - 1),
    lambda xp, a: 2 * _ones(xp, a),
    lambda a: (1 - a) ** 2,
    lambda m, s: (1 - m) ** 2 + s * s,
    convex=True, _best=lambda xp, eta: 4 * eta * (1 - eta),
)

squared_hinge = MarginLoss(
    "squared_hinge", "max(0, 1 − α)²",
    lambda xp, a: xp.maximum(1 - a, xp.zeros_like(a)) ** 2,
    lambda xp, a: -2 * xp.maximum(1 - a, xp.zeros_like(a)),
    lambda xp, a: xp.where(a < 1, 2 * _ones(xp, a), _zeros(xp, a)),
    lambda a: sp.Max(0, 1 - a) ** 2,
    lambda m, s: _plus_moment2(1.0, m, s),
    convex=True, _best=lambda xp, eta: 4 * eta * (1 - eta),
)


def _fmt(x: float) -> str:
    """``x`` short (``%g``) when that is exact, else its full repr: names must identify the parameter."""
    short = f"{x:g}"
    return short if float(short) == x else repr(x)


def _exact(name: str, x: float) -> sp.Expr:
    """The sympy number for a parameter (1/2, 2, 123456789/100000000: ``nsimplify``), checked: a value that
    sympy rounds outside the domain (``nsimplify(1e-300)`` is 0) or to another number raises
    :class:`InputError` instead of deriving the wrong loss."""
    simple = sp.nsimplify(x)
    if not (simple.is_positive and abs(float(simple) / x - 1.0) <= 1e-12):
        raise InputError(f"{name}={x!r} rounds to {simple} in the symbolic form, outside the domain {name} > 0 "
                         f"or another number; a {name} that sympy represents exactly (e.g. {name} >= 1e-20) is allowed")
    return simple


def sigmoid(k: float = 1.0) -> MarginLoss:
    """The sigmoid loss φ(α) = 1 − tanh(kα), k > 0; non-convex, bounded in [0, 2].

    Evaluated as φ(α) = 2/(1 + e^{2kα}) = 2e^{−2kα}/(1 + e^{−2kα}) for α > 0 and φ' = −k·sech²(kα) =
    −4k·e^{−2k|α|}/(1 + e^{−2k|α|})²: relatively accurate for large α, where 1 − tanh(kα) rounds to 0 (from
    kα ≈ 19 in float64).

    Parameters
    ----------
    k : float, default 1.0
        Slope k > 0, finite.

    Returns
    -------
    MarginLoss
        Named ``"sigmoid"`` for k = 1, ``"sigmoid(k=K)"`` otherwise.

    Raises
    ------
    InputError
        When k is not a finite number > 0.

    References
    ----------
    P. Awasthi, A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds for Surrogate Loss Minimizers", ICML 2022,
    arXiv:2205.08017 (the sigmoid loss among the binary margin losses).
    """
    k = check_positive("k", k)
    return MarginLoss(
        "sigmoid" if k == 1 else f"sigmoid(k={_fmt(k)})", f"1 − tanh({_fmt(k)}·α)",
        _in_float64(lambda xp, a: 2 * _sigmoid_neg(xp, 2 * (k * a))),
        _in_float64(lambda xp, a: -k * _sech2(xp, k * a)),
        _in_float64(lambda xp, a: 2 * k * k * xp.tanh(k * a) * _sech2(xp, k * a)),
        lambda a: 1 - sp.tanh(_exact("k", k) * a),
        parameter=k, bounded=True, _best=lambda xp, eta: 1 - xp.abs(2 * eta - 1), _param_name="k",
    )


def rho_margin(rho: float = 1.0) -> MarginLoss:
    """The ρ-margin loss φ(α) = min(1, max(0, 1 − α/ρ)), ρ > 0; non-convex, bounded in [0, 1].

    Evaluated as (ρ − α)/ρ on the slope (exact subtraction near α = ρ, where 1 − α/ρ would cancel); the derivative
    at the kinks is the right derivative, as for every margin loss: φ'(0) = −1/ρ, φ'(ρ) = 0.

    Parameters
    ----------
    rho : float, default 1.0
        Margin ρ > 0, finite.

    Returns
    -------
    MarginLoss
        Named ``"rho_margin"`` for ρ = 1, ``"rho_margin(rho=R)"`` otherwise.

    Raises
    ------
    InputError
        When ρ is not a finite number > 0.

    References
    ----------
    P. Awasthi, A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds for Surrogate Loss Minimizers", ICML 2022,
    arXiv:2205.08017 (the ρ-margin loss among the binary margin losses).
    """
    rho = check_positive("rho", rho)
    return MarginLoss(
        "rho_margin" if rho == 1 else f"rho_margin(rho={_fmt(rho)})", f"min(1, max(0, 1 − α/{_fmt(rho)}))",
        _in_float64(lambda xp, a: xp.clip((rho - a) / rho, 0.0, 1.0)),
        _in_float64(lambda xp, a: xp.where((a >= 0) & (a < rho), -_ones(xp, a) / rho, _zeros(xp, a))),
        lambda xp, a: _zeros(xp, a),
        lambda a: sp.Min(1, sp.Max(0, 1 - a / _exact("rho", rho))),
        lambda m, s: (_plus_moment1(rho, m, s) - _plus_moment1(0.0, m, s)) / rho,
        parameter=rho, bounded=True, _best=lambda xp, eta: xp.minimum(eta, 1 - eta), _param_name="rho",
    )


LOSSES: dict[str, MarginLoss] = {
    loss.name: loss
    for loss in (hinge, logistic, exponential, squared, squared_hinge, sigmoid(1.0), rho_margin(1.0))
}
"""Name → loss object: hinge, logistic, exponential, squared, squared_hinge, sigmoid (k=1), rho_margin (ρ=1)."""


_FACTORIES = {"sigmoid": ("k", sigmoid), "rho_margin": ("rho", rho_margin)}


def get_loss(name: str) -> MarginLoss:
    """The loss called ``name``; parametrised forms ``sigmoid(k=2)`` and ``rho_margin(rho=0.5)`` are accepted.

    A parameter may be given by name (``sigmoid(k=2)``) or by position (``sigmoid(2)``).

    Parameters
    ----------
    name : str or MarginLoss
        A key of :data:`LOSSES`, ``sigmoid(k=K)``, ``rho_margin(rho=R)``, or a MarginLoss (returned as is).

    Returns
    -------
    MarginLoss
        The loss.

    Raises
    ------
    InputError
        For a non-string, an unknown name, another parameter name, a second parameter, or a value outside the
        parameter's domain (k, ρ finite and > 0 after rounding to float: ``k=1e-400`` is 0).

    References
    ----------
    P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer.
    Statist. Assoc. 101(473), 2006; P. Awasthi, A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds for
    Surrogate Loss Minimizers", ICML 2022, arXiv:2205.08017.
    """
    if isinstance(name, MarginLoss):
        return name
    if not isinstance(name, str):
        raise InputError(f"loss={name!r} is not allowed; give a loss name ({', '.join(LOSSES)}, sigmoid(k=K), "
                         "rho_margin(rho=R)) or a MarginLoss object")
    if name in LOSSES:
        return LOSSES[name]
    head, sep, rest = name.partition("(")
    head = head.strip()
    if sep and head in _FACTORIES and rest.endswith(")"):
        arg, factory = _FACTORIES[head]
        inner = rest[:-1]
        parts = [q.strip() for q in inner.split(",")]
        if len(parts) != 1:
            raise InputError(f"loss {name!r} has {len(parts)} parameters; {head} takes one parameter, {arg}")
        key, eq, text = parts[0].rpartition("=") if "=" in parts[0] else ("", "", parts[0])
        key = key.strip()
        if eq and key != arg:
            raise InputError(f"unknown parameter {key!r} in loss {name!r}; the allowed parameter of {head} is {arg}")
        try:
            value = float(text)
        except ValueError:
            raise InputError(f"{arg}={text.strip()!r} in loss {name!r} is not a number; {arg} must be a finite "
                             "number > 0") from None
        if not (math.isfinite(value) and value > 0):
            raise InputError(f"{arg}={text.strip()} in loss {name!r} is not allowed (as a float it is {value!r}); "
                             f"{arg} must be a finite number > 0")
        return factory(value)
    raise InputError(f"unknown loss {name!r}; known losses: {', '.join(LOSSES)} "
                     "(also sigmoid(k=K), rho_margin(rho=R))")
