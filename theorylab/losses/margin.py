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
import math
from typing import Callable

import numpy as np
import sympy as sp
from scipy import special

from .._validation import InputError, check_no_nan, check_positive, real_namespace


@dataclasses.dataclass(frozen=True)
class MarginLoss:
    """A margin loss φ: ℝ → [0, ∞) of the margin α = y·f(x).

    Parameters
    ----------
    name : str
        Key in :data:`LOSSES` (with its parameter for parametrised losses, e.g. ``"sigmoid(k=2)"``).
    formula : str
        φ(α) in words/Unicode, for tables.
    parameter : float or None
        k of ``sigmoid(k)``, ρ of ``rho_margin(ρ)`` (the exact value, not the rounded name); None otherwise.

    The private fields ``_value``, ``_derivative``, ``_second`` (callables ``(xp, α) -> array``), ``_sympy``
    (``α -> sympy.Expr``) and ``_gauss`` (``(m, s) -> E φ(Z)``, Z ∼ N(m, s²), or None) implement the loss.

    References
    ----------
    P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer.
    Statist. Assoc. 101(473), 2006 (margin losses φ(yf(x)), §2).
    P. Awasthi, A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds for Surrogate Loss Minimizers", ICML 2022,
    arXiv:2205.08017 (the sigmoid and ρ-margin losses).
    """

    name: str
    formula: str
    _value: Callable
    _derivative: Callable
    _second: Callable
    _sympy: Callable
    _gauss: Callable | None = None  # closed form of E φ(Z), Z ∼ N(m, s²), where one exists
    parameter: float | None = None  # k of sigmoid(k), ρ of rho_margin(ρ) (exact, not the rounded name)

    def gaussian_mean(self, mean, std):
        """E φ(Z) for Z ∼ N(mean, std²) in closed form (NumPy arrays), or ``None`` when there is none.

        Piecewise-polynomial losses use truncated-normal moments: with d = (a − m)/s,
        E(a − Z)₊ = (a − m)Φ(d) + sφ(d) and E(a − Z)₊² = ((a − m)² + s²)Φ(d) + (a − m)sφ(d); the exponential
        loss uses E e^{−Z} = e^{−m + s²/2}.

        Parameters
        ----------
        mean : float or array-like
            Mean m of the Gaussian margin (no NaN).
        std : float or array-like
            Standard deviation s > 0, finite; broadcastable with ``mean``.

        Returns
        -------
        ndarray or None
            E φ(Z) with the broadcast shape of ``mean`` and ``std``; None for losses without a closed form.

        Raises
        ------
        InputError
            When ``mean`` has NaN, ``std`` has an entry ≤ 0 or not finite, or the shapes do not broadcast.

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer.
        Statist. Assoc. 101(473), 2006 (the losses); truncated-normal moments are standard.
        """
        if self._gauss is None:
            return None
        _, (m, s) = real_namespace(mean=mean, std=std)
        m, s = np.asarray(m), np.asarray(s)
        if np.any(np.isnan(m)):
            raise InputError("mean contains NaN; real numbers are allowed")
        if not np.all(np.isfinite(s) & (s > 0)):
            raise InputError(f"std has an entry <= 0 or not finite (smallest {float(np.min(s)):.3g}); "
                             "standard deviations must be finite numbers > 0")
        try:
            m, s = np.broadcast_arrays(m, s)
        except ValueError:
            raise InputError(f"mean has shape {m.shape} and std has shape {s.shape}; broadcastable shapes "
                             "are allowed") from None
        return self._gauss(m, s)

    def _prepare(self, alpha):
        xp, (a,) = real_namespace(alpha=alpha)
        check_no_nan("alpha", a, xp)
        return xp, a

    def value(self, alpha):
        """φ(α), elementwise, in the namespace and dtype of ``alpha``.

        Parameters
        ----------
        alpha : float or array
            Margins α = y·f(x) (any array-API namespace; no NaN, ±inf allowed).

        Returns
        -------
        array
            φ(α), same shape, dtype and namespace as ``alpha``.

        Raises
        ------
        InputError
            When ``alpha`` is not real or contains NaN.

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer.
        Statist. Assoc. 101(473), 2006.
        """
        xp, a = self._prepare(alpha)
        return self._value(xp, a)

    def derivative(self, alpha):
        """φ'(α), elementwise (a one-sided value, the right derivative, at kinks).

        Parameters
        ----------
        alpha : float or array
            Margins α (any array-API namespace; no NaN).

        Returns
        -------
        array
            φ'(α), same shape, dtype and namespace as ``alpha``.

        Raises
        ------
        InputError
            When ``alpha`` is not real or contains NaN.

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer.
        Statist. Assoc. 101(473), 2006 (φ'(0) < 0 characterises classification calibration of convex φ, Theorem 2).
        """
        xp, a = self._prepare(alpha)
        return self._derivative(xp, a)

    def second_derivative(self, alpha):
        """φ''(α), elementwise (0 on linear pieces; the right second derivative at kinks).

        Parameters
        ----------
        alpha : float or array
            Margins α (any array-API namespace; no NaN).

        Returns
        -------
        array
            φ''(α), same shape, dtype and namespace as ``alpha``.

        Raises
        ------
        InputError
            When ``alpha`` is not real or contains NaN.

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer.
        Statist. Assoc. 101(473), 2006.
        """
        xp, a = self._prepare(alpha)
        return self._second(xp, a)

    def sympy(self, alpha: sp.Symbol | None = None) -> sp.Expr:
        """φ as a sympy expression in ``alpha`` (a real symbol by default).

        Parameters
        ----------
        alpha : sympy.Symbol, optional
            The margin symbol; ``Symbol("alpha", real=True)`` when None.

        Returns
        -------
        sympy.Expr
            φ(alpha), with exact rational parameters.

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer.
        Statist. Assoc. 101(473), 2006.
        """
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
        lambda xp, a: 1 - xp.tanh(k * a),
        lambda xp, a: -k * (1 - xp.tanh(k * a) ** 2),
        lambda xp, a: 2 * k * k * xp.tanh(k * a) * (1 - xp.tanh(k * a) ** 2),
        lambda a: 1 - sp.tanh(_exact("k", k) * a),
        parameter=k,
    )


def rho_margin(rho: float = 1.0) -> MarginLoss:
    """The ρ-margin loss φ(α) = min(1, max(0, 1 − α/ρ)), ρ > 0; non-convex, bounded in [0, 1].

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
        lambda xp, a: xp.clip(1 - a / rho, 0.0, 1.0),
        lambda xp, a: xp.where((a > 0) & (a < rho), -_ones(xp, a) / rho, _zeros(xp, a)),
        lambda xp, a: _zeros(xp, a),
        lambda a: sp.Min(1, sp.Max(0, 1 - a / _exact("rho", rho))),
        lambda m, s: (_plus_moment1(rho, m, s) - _plus_moment1(0.0, m, s)) / rho,
        parameter=rho,
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
