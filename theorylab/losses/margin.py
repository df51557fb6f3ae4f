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

from .._validation import InputError, check_no_nan, check_positive, check_probability, real_namespace
from .base import Loss

_MARGIN_HALFWIDTH = 40.0  # the numeric C* searches the score f in [−40, 40]


@dataclasses.dataclass(frozen=True)
class MarginLoss(Loss):
    """A margin loss φ: ℝ → [0, ∞) of the margin α = y·f(x); a :class:`~theorylab.losses.base.Loss`.

    Protocol convention for binary margin losses: ``value(alpha)``, ``derivative(alpha)`` and
    ``value_and_grad(alpha)`` act elementwise on margins α = y·f(x); the conditional risks take the class
    probabilities p = (P(y = −1), P(y = +1)) on the last axis and the real score f (not a margin):
    C(f, p) = p₊ φ(f) + p₋ φ(−f).

    Parameters
    ----------
    name : str
        Key in :data:`LOSSES` (with its parameter for parametrised losses, e.g. ``"sigmoid(k=2)"``).
    formula : str
        φ(α) in words/Unicode, for tables.
    parameter : float or None
        k of ``sigmoid(k)``, ρ of ``rho_margin(ρ)`` (the exact value, not the rounded name); None otherwise.
    convex : bool, default False
        Declared: φ is convex (False claims nothing).
    bounded : bool, default False
        Declared: φ is bounded above (False claims nothing).

    The private fields ``_value``, ``_derivative``, ``_second`` (callables ``(xp, α) -> array``), ``_sympy``
    (``α -> sympy.Expr``), ``_gauss`` (``(m, s) -> E φ(Z)``, Z ∼ N(m, s²), or None), ``_best``
    (``(xp, η) -> C*(η)`` in closed form, or None: numeric) and ``_param_name`` (the parameter's name)
    implement the loss.

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
    convex: bool = False
    bounded: bool = False
    _best: Callable | None = None  # closed form of C*(η) = inf_f η φ(f) + (1 − η) φ(−f), where one exists
    _param_name: str | None = None

    # ------------------------------------------------------------------ the Loss protocol's declarations

    @property
    def n_classes(self) -> int:
        """2: a margin loss is binary.

        Returns
        -------
        int
            2.

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer.
        Statist. Assoc. 101(473), 2006 (binary classification, §2).
        """
        return 2

    @property
    def params(self) -> dict:
        """The parameter by name (``{"k": k}`` of sigmoid(k), ``{"rho": ρ}`` of rho_margin(ρ)), else empty.

        Returns
        -------
        dict
            Parameter name → value.

        References
        ----------
        P. Awasthi, A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds for Surrogate Loss Minimizers", ICML 2022,
        arXiv:2205.08017 (the parametrised sigmoid and ρ-margin losses).
        """
        return {} if self.parameter is None else {self._param_name or "parameter": self.parameter}

    @property
    def tight_search(self) -> str:
        """"margin": the tight transform is the one-dimensional search over the margin (n = 2).

        Returns
        -------
        str
            "margin".

        References
        ----------
        P. Awasthi, A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds for Surrogate Loss Minimizers", ICML 2022,
        arXiv:2205.08017 (binary H-consistency transforms).
        """
        return "margin"

    @property
    def has_closed_best_risk(self) -> bool:
        """True when C*(η) is known in closed form (every built-in loss); False for :func:`margin_loss` losses.

        Returns
        -------
        bool
            Whether :meth:`best_conditional_risk` is a closed form.

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer.
        Statist. Assoc. 101(473), 2006 (Table 1: H(η) of the usual losses).
        """
        return self._best is not None

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

    def value_and_grad(self, alpha):
        """(φ(α), φ'(α)), elementwise: the protocol's values and gradients for a margin loss.

        Parameters
        ----------
        alpha : float or array
            Margins α (any array-API namespace; no NaN).

        Returns
        -------
        value : array
            φ(α).
        grad : array
            φ'(α) (the right derivative at kinks).

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
        return self._value(xp, a), self._derivative(xp, a)

    def raw_value(self, xp, alpha):
        """φ(α) without input checks, for hot loops on validated arrays (inside 1-D minimisers).

        Parameters
        ----------
        xp : module
            The array namespace of ``alpha``.
        alpha : array
            Real margins, no NaN (not checked).

        Returns
        -------
        array
            φ(α).

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer.
        Statist. Assoc. 101(473), 2006.
        """
        return self._value(xp, alpha)

    def _check_risk_args(self, p, scores):
        xp, (p, f) = real_namespace(p=p, scores=scores)
        check_no_nan("scores", f, xp)
        if p.ndim < 1 or p.shape[-1] != 2:
            raise InputError(f"p has shape {tuple(p.shape)}; probabilities (..., 2) = (P(y=-1), P(y=+1)) are "
                             "required for a binary margin loss")
        check_probability("p", p, xp)
        try:
            np.broadcast_shapes(tuple(p.shape[:-1]), tuple(f.shape))
        except ValueError:
            raise InputError(f"p has shape {tuple(p.shape)} and scores has shape {tuple(f.shape)}; scores "
                             "broadcastable with p's leading axes are required") from None
        return xp, p, f

    def conditional_risk(self, p, scores):
        """C(f, p) = p₊ φ(f) + p₋ φ(−f), p = (p₋, p₊) = (P(y = −1), P(y = +1)) on the last axis.

        Parameters
        ----------
        p : array (..., 2)
            Class probabilities (P(y = −1), P(y = +1)).
        scores : float or array (...)
            The real scores f, broadcastable with p's leading axes (no NaN).

        Returns
        -------
        array
            The conditional risks.

        Raises
        ------
        InputError
            For p that is not a batch of probability pairs, NaN scores or non-broadcastable shapes.

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer.
        Statist. Assoc. 101(473), 2006 (the conditional φ-risk C_η(α) = ηφ(α) + (1 − η)φ(−α), §2).
        """
        xp, p, f = self._check_risk_args(p, scores)
        return self.conditional_risk_rows(p, f)

    def conditional_risk_rows(self, P, H):
        """:meth:`conditional_risk` without checks (NumPy float64 rows P (..., 2), scores H (...)).

        Parameters
        ----------
        P : ndarray (..., 2)
            Probability pairs (P(y = −1), P(y = +1)).
        H : ndarray (...)
            Real scores f.

        Returns
        -------
        ndarray
            p₊ φ(f) + p₋ φ(−f).

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer.
        Statist. Assoc. 101(473), 2006.
        """
        xp, _ = real_namespace(P=P)
        with np.errstate(over="ignore", invalid="ignore"):
            return P[..., 1] * self._value(xp, H) + P[..., 0] * self._value(xp, -H)

    def best_conditional_risk(self, p):
        """C*(p) = inf_f p₊ φ(f) + p₋ φ(−f): the closed form where known, else a bounded 1-D search.

        Closed forms (η = p₊; Bartlett et al., Table 1): hinge 1 − |2η − 1|; logistic the entropy
        −η log η − (1 − η) log(1 − η); exponential 2√(η(1 − η)); squared and squared hinge 4η(1 − η);
        sigmoid 1 − |2η − 1| (an infimum, approached as |f| → ∞); ρ-margin min(η, 1 − η). Otherwise a grid
        over f ∈ [−40, 40] refined by bounded Brent (an upper estimate).

        Parameters
        ----------
        p : array (..., 2)
            Class probabilities (P(y = −1), P(y = +1)).

        Returns
        -------
        array or float
            C*(p) over the leading axes.

        Raises
        ------
        InputError
            For p that is not a batch of probability pairs.

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer.
        Statist. Assoc. 101(473), 2006 (H(η), Table 1).
        """
        xp, p, _ = self._check_risk_args(p, 0.0)
        return self.best_conditional_risk_rows(p)

    def best_conditional_risk_rows(self, P):
        """:meth:`best_conditional_risk` without checks (probability pairs on the last axis).

        Parameters
        ----------
        P : array (..., 2)
            Probability pairs (P(y = −1), P(y = +1)).

        Returns
        -------
        array or float
            C*(p).

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer.
        Statist. Assoc. 101(473), 2006 (H(η), Table 1).
        """
        xp, _ = real_namespace(P=P)
        if self._best is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                return self._best(xp, P[..., 1])
        from scipy.optimize import minimize_scalar

        eta = np.asarray(P, dtype=np.float64)[..., 1]
        grid = np.linspace(-_MARGIN_HALFWIDTH, _MARGIN_HALFWIDTH, 8001)
        step = grid[1] - grid[0]
        with np.errstate(over="ignore", invalid="ignore"):
            vp, vm = self._value(np, grid), self._value(np, -grid)
        out = np.empty(eta.size)
        for i, e in enumerate(eta.ravel()):
            c = e * vp + (1 - e) * vm
            j = int(np.argmin(c))
            f = lambda x, e=e: float(e * self._value(np, np.asarray(x)) + (1 - e) * self._value(np, -np.asarray(x)))  # noqa: E731
            r = minimize_scalar(f, bounds=(max(grid[j] - step, grid[0]), min(grid[j] + step, grid[-1])),
                                method="bounded", options={"xatol": 1e-12})
            out[i] = min(float(r.fun), float(c[j]))
        return out.reshape(eta.shape) if eta.ndim else float(out[0])

    def sympy_form(self) -> sp.Expr:
        """φ(α) as a sympy expression in the real symbol ``alpha`` (the margin): :meth:`sympy` with its default.

        Returns
        -------
        sympy.Expr
            φ(alpha).

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer.
        Statist. Assoc. 101(473), 2006.
        """
        return self.sympy()

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


def _entropy(xp, eta):
    """−η log η − (1 − η) log(1 − η), 0 log 0 = 0."""
    def xlogx(x):
        return xp.where(x > 0, x * xp.log(xp.where(x > 0, x, xp.ones_like(x))), xp.zeros_like(x))
    return -xlogx(eta) - xlogx(1 - eta)


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
        parameter=k, bounded=True, _best=lambda xp, eta: 1 - xp.abs(2 * eta - 1), _param_name="k",
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
        parameter=rho, bounded=True, _best=lambda xp, eta: xp.minimum(eta, 1 - eta), _param_name="rho",
    )


def margin_loss(expr, name: str | None = None, *, alpha: sp.Symbol | None = None, convex: bool = False,
                bounded: bool = False) -> MarginLoss:
    """A margin loss built from a sympy expression φ(α): value and derivatives by ``lambdify`` (NumPy).

    The first and second derivatives are differentiated symbolically; C* has no closed form (the numeric
    search of :meth:`MarginLoss.best_conditional_risk`). Evaluated on NumPy arrays (other namespaces are
    converted to NumPy), so it is for exploration and tests rather than accelerated arrays.

    Parameters
    ----------
    expr : sympy.Expr
        φ in the margin symbol ``alpha`` (its only free symbol).
    name : str, optional
        The loss name; ``str(expr)`` when None.
    alpha : sympy.Symbol, optional
        The margin symbol of ``expr``; its only free symbol (or ``Symbol("alpha", real=True)``) when None.
    convex : bool, default False
        Declare φ convex (not checked here).
    bounded : bool, default False
        Declare φ bounded (not checked here).

    Returns
    -------
    MarginLoss
        The loss.

    Raises
    ------
    InputError
        When ``expr`` is not a sympy expression of one symbol.

    References
    ----------
    P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer.
    Statist. Assoc. 101(473), 2006 (margin losses φ(yf(x)), §2).
    """
    if not isinstance(expr, sp.Basic):
        raise InputError(f"expr={expr!r} is not allowed; a sympy expression in the margin symbol alpha is")
    free = sorted(expr.free_symbols, key=str)
    if alpha is None:
        if len(free) > 1:
            raise InputError(f"expr has free symbols {free}; one margin symbol is allowed (pass alpha=)")
        alpha = free[0] if free else sp.Symbol("alpha", real=True)
    elif set(free) - {alpha}:
        raise InputError(f"expr has free symbols {free} besides alpha={alpha}; only the margin symbol is allowed")
    first, second = sp.diff(expr, alpha), sp.diff(expr, alpha, 2)
    funcs = [sp.lambdify(alpha, e, "numpy") for e in (expr, first, second)]

    def numeric(f):
        def evaluate(xp, a):
            a = np.asarray(a, dtype=np.float64)
            with np.errstate(over="ignore", invalid="ignore"):
                return np.asarray(f(a), dtype=np.float64) + np.zeros_like(a)
        return evaluate

    return MarginLoss(str(expr) if name is None else name, str(expr), *(numeric(f) for f in funcs),
                      lambda a: expr.subs(alpha, a), convex=bool(convex), bounded=bool(bounded))


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
