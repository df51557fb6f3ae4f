"""The MarginLoss class: the Loss protocol for a binary margin loss φ(α) of the margin α = y·f(x).

Over 400 lines because it is one class: the declarations, elementwise values and derivatives, Gaussian
means, conditional risks, C* (closed form or the bounded 1-D search) and sympy forms of a margin loss share
the fields that implement the loss, and each member carries its numpydoc docstring; splitting the class
across modules would be artificial.

Bartlett, Jordan, McAuliffe, "Convexity, Classification, and Risk Bounds", JASA 2006, §2. The catalogue of
named losses (hinge, logistic, ..., ``sigmoid(k)``, ``rho_margin(rho)``, ``margin_loss(expr)``, ``LOSSES``,
``get_loss``) is :mod:`theorylab.losses.margin`, which re-exports this class.
"""
from __future__ import annotations

import dataclasses
from typing import Callable

import numpy as np
import sympy as sp

from .._validation import (InputError, _is_foreign_array, check_no_nan, check_probability, like_input,
                           real_namespace, to_numpy)
from .base import Loss

__all__ = ["MarginLoss"]

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
        Key in :data:`~theorylab.losses.margin.LOSSES`
        (with its parameter for parametrised losses, e.g. ``"sigmoid(k=2)"``).
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
        _, (pp,) = real_namespace(p=p)
        xp, p, _ = self._check_risk_args(pp, pp[..., 0] if pp.ndim else 0.0)
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
        if _is_foreign_array(P):  # the numeric minimisation runs on the host (SciPy); moved once each way
            return like_input(self.best_conditional_risk_rows(to_numpy(P).astype(np.float64)), P)
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
