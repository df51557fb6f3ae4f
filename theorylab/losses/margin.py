"""Binary margin losses φ(α), α = y·f(x): values, derivatives and sympy expressions.

Bartlett, Jordan, McAuliffe, "Convexity, Classification, and Risk Bounds", JASA 2006, Table 1 and §2;
the ρ-margin and sigmoid losses as in Awasthi, Mao, Mohri, Zhong, ICML 2022 (arXiv 2205.08017), Table 1.

Every numerical method is written against the array-API namespace of its input (NumPy, CuPy,
array-api-strict) and is stable for |α| up to 1e4 in float32 and float64: the logistic loss uses
``logaddexp`` and never exponentiates a raw positive score. The exponential loss e^{−α} is finite up to
α ≳ −88 (float32) / −709 (float64); beyond that its true value is not representable and it returns +inf,
the correctly rounded result (its derivative likewise returns −inf).

Losses with a parameter (``sigmoid(k)``, ``rho_margin(rho)``) are built by factories; ``LOSSES`` holds the
default instances (k = 1, ρ = 1).
"""
from __future__ import annotations

import dataclasses
from typing import Callable

import numpy as np
import sympy as sp
from scipy import special

from .._validation import InputError, check_no_nan, check_positive, namespace_of


@dataclasses.dataclass(frozen=True)
class MarginLoss:
    """A margin loss φ: ℝ → [0, ∞).

    Attributes
    ----------
    name : str
        Key in :data:`LOSSES` (with its parameter for parametrised losses, e.g. ``"sigmoid(k=2)"``).
    formula : str
        φ(α) in words/Unicode, for tables.
    """

    name: str
    formula: str
    _value: Callable
    _derivative: Callable
    _second: Callable
    _sympy: Callable
    _gauss: Callable | None = None  # closed form of E φ(Z), Z ∼ N(m, s²), where one exists

    def gaussian_mean(self, mean, std):
        """E φ(Z) for Z ∼ N(mean, std²) in closed form (NumPy arrays), or ``None`` when there is none.

        Piecewise-polynomial losses use truncated-normal moments: with d = (a − m)/s,
        E(a − Z)₊ = (a − m)Φ(d) + sφ(d) and E(a − Z)₊² = ((a − m)² + s²)Φ(d) + (a − m)sφ(d).
        """
        if self._gauss is None:
            return None
        m, s = np.broadcast_arrays(np.asarray(mean, dtype=float), np.asarray(std, dtype=float))
        return self._gauss(m, s)

    def _prepare(self, alpha):
        xp, (a,) = namespace_of(alpha)
        check_no_nan("alpha", a, xp)
        return xp, a

    def value(self, alpha):
        """φ(α), elementwise, in the namespace and dtype of ``alpha``."""
        xp, a = self._prepare(alpha)
        return self._value(xp, a)

    def derivative(self, alpha):
        """φ'(α), elementwise (a one-sided value, the right derivative, at kinks)."""
        xp, a = self._prepare(alpha)
        return self._derivative(xp, a)

    def second_derivative(self, alpha):
        """φ''(α), elementwise (0 on linear pieces; the right second derivative at kinks)."""
        xp, a = self._prepare(alpha)
        return self._second(xp, a)

    def sympy(self, alpha: sp.Symbol | None = None) -> sp.Expr:
        """φ as a sympy expression in ``alpha`` (a real symbol by default)."""
        alpha = sp.Symbol("alpha", real=True) if alpha is None else alpha
        return self._sympy(alpha)

    def __repr__(self) -> str:
        return f"MarginLoss({self.name}: {self.formula})"


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


def _sigmoid_neg(xp, a):
    """1/(1+e^{α}) without overflow: e^{−α}/(1+e^{−α}) for α > 0."""
    e = xp.exp(-xp.abs(a))
    return xp.where(a > 0, e / (1 + e), 1 / (1 + e))


hinge = MarginLoss(
    "hinge", "max(0, 1 − α)",
    lambda xp, a: xp.maximum(1 - a, xp.zeros_like(a)),
    lambda xp, a: xp.where(a < 1, -_ones(xp, a), _zeros(xp, a)),
    lambda xp, a: _zeros(xp, a),
    lambda a: sp.Max(0, 1 - a),
    lambda m, s: _plus_moment1(1.0, m, s),
)

logistic = MarginLoss(
    "logistic", "log(1 + e^{−α})",
    lambda xp, a: xp.logaddexp(xp.zeros_like(a), -a),
    lambda xp, a: -_sigmoid_neg(xp, a),
    lambda xp, a: _sigmoid_neg(xp, a) * _sigmoid_neg(xp, -a),
    lambda a: sp.log(1 + sp.exp(-a)),
)

exponential = MarginLoss(
    "exponential", "e^{−α}",
    lambda xp, a: xp.exp(-a),
    lambda xp, a: -xp.exp(-a),
    lambda xp, a: xp.exp(-a),
    lambda a: sp.exp(-a),
    lambda m, s: np.exp(-m + 0.5 * s * s),
)

squared = MarginLoss(
    "squared", "(1 − α)²",
    lambda xp, a: (1 - a) ** 2,
    lambda xp, a: 2 * (a - 1),
    lambda xp, a: 2 * _ones(xp, a),
    lambda a: (1 - a) ** 2,
    lambda m, s: (1 - m) ** 2 + s * s,
)

squared_hinge = MarginLoss(
    "squared_hinge", "max(0, 1 − α)²",
    lambda xp, a: xp.maximum(1 - a, xp.zeros_like(a)) ** 2,
    lambda xp, a: -2 * xp.maximum(1 - a, xp.zeros_like(a)),
    lambda xp, a: xp.where(a < 1, 2 * _ones(xp, a), _zeros(xp, a)),
    lambda a: sp.Max(0, 1 - a) ** 2,
    lambda m, s: _plus_moment2(1.0, m, s),
)


def sigmoid(k: float = 1.0) -> MarginLoss:
    """The sigmoid loss φ(α) = 1 − tanh(kα), k > 0 (Awasthi et al. 2022, Table 1); non-convex, bounded."""
    k = check_positive("k", k)
    ks = sp.nsimplify(k)
    return MarginLoss(
        "sigmoid" if k == 1 else f"sigmoid(k={k:g})", f"1 − tanh({k:g}·α)",
        lambda xp, a: 1 - xp.tanh(k * a),
        lambda xp, a: -k * (1 - xp.tanh(k * a) ** 2),
        lambda xp, a: 2 * k * k * xp.tanh(k * a) * (1 - xp.tanh(k * a) ** 2),
        lambda a: 1 - sp.tanh(ks * a),
    )


def rho_margin(rho: float = 1.0) -> MarginLoss:
    """The ρ-margin loss φ(α) = min(1, max(0, 1 − α/ρ)), ρ > 0 (Awasthi et al. 2022, Table 1)."""
    rho = check_positive("rho", rho)
    rs = sp.nsimplify(rho)
    return MarginLoss(
        "rho_margin" if rho == 1 else f"rho_margin(rho={rho:g})", f"min(1, max(0, 1 − α/{rho:g}))",
        lambda xp, a: xp.clip(1 - a / rho, 0.0, 1.0),
        lambda xp, a: xp.where((a > 0) & (a < rho), -_ones(xp, a) / rho, _zeros(xp, a)),
        lambda xp, a: _zeros(xp, a),
        lambda a: sp.Min(1, sp.Max(0, 1 - a / rs)),
        lambda m, s: (_plus_moment1(rho, m, s) - _plus_moment1(0.0, m, s)) / rho,
    )


LOSSES: dict[str, MarginLoss] = {
    loss.name: loss
    for loss in (hinge, logistic, exponential, squared, squared_hinge, sigmoid(1.0), rho_margin(1.0))
}
"""Name → loss object: hinge, logistic, exponential, squared, squared_hinge, sigmoid (k=1), rho_margin (ρ=1)."""


def get_loss(name: str) -> MarginLoss:
    """The loss called ``name``; parametrised forms ``sigmoid(k=2)`` and ``rho_margin(rho=0.5)`` are accepted."""
    if isinstance(name, MarginLoss):
        return name
    if name in LOSSES:
        return LOSSES[name]
    for prefix, factory, arg in (("sigmoid(", sigmoid, "k"), ("rho_margin(", rho_margin, "rho")):
        if isinstance(name, str) and name.startswith(prefix) and name.endswith(")"):
            inner = name[len(prefix):-1].split("=")[-1]
            try:
                return factory(float(inner))
            except ValueError:
                raise InputError(f"{arg}={inner!r} in loss {name!r} is not a number > 0") from None
    raise InputError(f"unknown loss {name!r}; known losses: {', '.join(LOSSES)} "
                     "(also sigmoid(k=K), rho_margin(rho=R))")
