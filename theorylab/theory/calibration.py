"""Classification calibration of binary margin losses: the ψ-transform, derived symbolically.

Bartlett, Jordan, McAuliffe, "Convexity, Classification, and Risk Bounds", JASA 2006:

* conditional φ-risk (§2)            C_η(α) = η φ(α) + (1 − η) φ(−α)
* optimal conditional risk           H(η)  = inf_α C_η(α)
* wrong-sign conditional risk        H⁻(η) = inf_{α(2η−1) ≤ 0} C_η(α)
* Definition 2                       ψ̃(θ) = H⁻((1+θ)/2) − H((1+θ)/2),  ψ = ψ̃** (convex closure)
* Theorem 1(a)                       ψ(R(f) − R*) ≤ R_φ(f) − R_φ*
* Theorem 2 (convex φ)               φ is calibrated ⇔ φ is differentiable at 0 and φ'(0) < 0;
                                     then ψ(θ) = φ(0) − H((1+θ)/2).

The derivation is done by sympy for η = (1+θ)/2 > 1/2: C_η is split into its smooth pieces
(``piecewise_fold``), and the infimum over a domain is taken among the candidates that calculus allows —
stationary points of each piece (``solve``), the pieces' finite endpoints, and the limits at ±∞
(``limit``). The winning candidate is picked by evaluating all of them at reference values of θ and must
be the same one across (0, 1); every result is then cross-checked by :func:`psi_numeric`, an
independent numerical minimisation. The sympy helpers of the derivation are in
:mod:`theorylab.theory.calibration_sympy` (symbols re-exported here).
"""
from __future__ import annotations

import numpy as np
import sympy as sp
from scipy import optimize

from .._validation import InputError, check_in_unit_interval, check_positive
from ..losses.margin import MarginLoss, get_loss
from .analysis import analyse
from .calibration_derivation import Calibration, _derive_cached
from .calibration_sympy import (_P, _Q, _REF_THETAS, ALPHA, EPS, ETA, THETA, _as_expr,  # noqa: F401 (old path)
                                _convex_closure_piecewise, _in_theta, _infimum, _is_convex_on_unit, _num, _to_pieces,
                                one_sided_derivatives_at_zero)


def derive(loss) -> Calibration:
    """The full symbolic calibration analysis of a margin loss.

    Derives C_η(α) = η φ(α) + (1 − η) φ(−α), H(η) = inf_α C_η(α), H⁻(η) (infimum over the wrong sign),
    ψ̃(θ) = H⁻((1+θ)/2) − H((1+θ)/2), its convex closure ψ, the series of ψ at 0 and ψ⁻¹, with sympy.

    Parameters
    ----------
    loss : str, MarginLoss or sympy expression
        A name from :data:`theorylab.losses.margin.LOSSES` (or ``"sigmoid(k=2)"``, ``"rho_margin(rho=.5)"``),
        a loss object, or φ as a sympy expression in one symbol.

    Returns
    -------
    Calibration
        C_η(α), the minimiser, H, H⁻, ψ̃, ψ, the series of ψ at 0 and the inverted bound ψ⁻¹.

    Raises
    ------
    InputError
        For an unknown loss name or a sympy expression with ≠ 1 free symbol or complex values.
    NotImplementedError
        When the symbolic infimum cannot be identified, or the derived ψ̃ disagrees with numerical minimisation
        at the reference θ (use :func:`theorylab.theory.analysis.analyse`).

    References
    ----------
    P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer. Statist.
    Assoc. 101(473), 2006, §2 (conditional φ-risk), Definition 2 (ψ-transform) and Theorem 1.
    """
    phi = _as_expr(loss)
    cal = _derive_cached(phi)
    if _CROSS_CHECKED.get(phi) is not cal:  # the same derivation (the memo's object) is checked once per process
        _cross_check(phi, cal)
        _CROSS_CHECKED[phi] = cal
    return cal


_CROSS_CHECKED: dict = {}
"""φ → the Calibration object that passed :func:`_cross_check` in this process (a deterministic check: repeating
it on the same object would repeat the same numerical minimisation)."""


def _cross_check(phi: sp.Expr, cal: Calibration) -> None:
    """Reject a derivation whose ψ̃ disagrees with the numerical minimisation at the reference θ (no wrong answer)."""
    from .margin_numeric import psi_tilde_at

    f = sp.lambdify(ALPHA, phi, "numpy")
    thetas = np.asarray(_REF_THETAS)
    numeric = psi_tilde_at(lambda a: np.asarray(f(a), dtype=float) + np.zeros_like(a), thetas)[0]
    symbolic = np.array([_num(cal.psi_tilde, th) for th in _REF_THETAS])
    err = np.abs(symbolic - numeric)
    if not np.all(err <= 1e-7 * (1 + np.abs(numeric))):
        i = int(np.nanargmax(np.where(np.isnan(err), np.inf, err)))
        raise NotImplementedError(f"the symbolic ψ̃ of {phi} disagrees with numerical minimisation at θ = "
                                  f"{_REF_THETAS[i]} ({symbolic[i]:.6g} vs {numeric[i]:.6g}); use "
                                  "theorylab.theory.analyse for the numerical route")


def psi_transform(loss) -> sp.Expr:
    """ψ(θ) as a sympy expression in the symbol ``theta`` (θ ∈ [0, 1]), when a symbolic one exists.

    ψ is the convex closure of ψ̃(θ) = H⁻((1+θ)/2) − H((1+θ)/2); for convex φ, ψ = ψ̃. The expression is the
    derivation of :func:`derive` run under the time budget of :func:`theorylab.theory.analysis.analyse` and
    accepted only when it agrees with the numerical minimisation at every θ of its grid.

    Parameters
    ----------
    loss : str, MarginLoss or sympy expression
        The margin loss φ (a name, a loss object, a formula string or a sympy expression in one symbol).

    Returns
    -------
    sympy.Expr
        ψ(θ).

    Raises
    ------
    InputError
        For an invalid loss, or when no symbolic ψ exists here (sympy failed, timed out, or its result disagreed
        with the numerics): the message points to ``theorylab.theory.analyse(loss).psi``.

    References
    ----------
    P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer. Statist.
    Assoc. 101(473), 2006, Definition 2.
    """
    a = analyse(loss)
    if a.method != "symbolic":
        why = a.details.get("symbolic_note") or a.reason
        raise InputError(f"no symbolic ψ for {a.loss.name} ({why}); theorylab.theory.analyse(loss).psi(theta) "
                         "gives ψ numerically")
    return a.symbolic.psi


def psi_numeric(loss, theta, grid_halfwidth: float = 40.0) -> np.ndarray:
    """ψ̃(θ) by direct numerical minimisation of C_η over a grid α ∈ [−w, w], refined by Brent's method.

    ψ̃(θ) = inf_{α ≤ 0} C_η(α) − inf_α C_η(α), η = (1+θ)/2, C_η(α) = η φ(α) + (1 − η) φ(−α). An independent
    cross-check of the symbolic derivation: no sympy involved in the minimisation.

    Parameters
    ----------
    loss : str, MarginLoss or sympy expression
        The margin loss φ.
    theta : float or array-like
        Points θ ∈ [0, 1].
    grid_halfwidth : float, default 40.0
        Half-width w > 0 of the α grid.

    Returns
    -------
    ndarray
        ψ̃(θ) at each θ.

    Raises
    ------
    InputError
        For θ outside [0, 1], w ≤ 0 or an invalid loss.

    References
    ----------
    P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer. Statist.
    Assoc. 101(473), 2006, Definition 2.
    """
    check_in_unit_interval("theta", theta)
    grid_halfwidth = check_positive("grid_halfwidth", grid_halfwidth)
    loss = get_loss(loss) if not isinstance(loss, sp.Basic) else loss
    if isinstance(loss, sp.Basic):
        f = sp.lambdify(ALPHA, _as_expr(loss), "numpy")
        phi = lambda a: np.asarray(f(a), dtype=float) * np.ones_like(a)
    else:  # the unchecked evaluator: phi runs inside minimize_scalar, the grid is checked here once
        phi = lambda a: np.asarray(loss.raw_value(np, np.asarray(a, dtype=float)))
    grid = np.linspace(-grid_halfwidth, grid_halfwidth, 16001)
    out = []
    for th in np.atleast_1d(np.asarray(theta, dtype=float)):
        eta = (1 + th) / 2
        c = lambda a: eta * phi(a) + (1 - eta) * phi(-a)
        mins = []
        for g in (grid, grid[grid <= 0]):
            vals = c(g)
            i = int(np.argmin(vals))
            lo, hi = g[max(i - 1, 0)], g[min(i + 1, g.size - 1)]
            best = float(vals[i])
            if hi > lo:
                r = optimize.minimize_scalar(lambda a: float(c(np.array([a]))[0]), bounds=(lo, hi),
                                             method="bounded", options={"xatol": 1e-12})
                best = min(best, float(r.fun))
            mins.append(best)
        out.append(mins[1] - mins[0])
    return np.asarray(out)


def is_classification_calibrated(loss) -> bool:
    """Whether φ is classification-calibrated: ψ̃(θ) > 0 for every θ ∈ (0, 1] (any φ bounded below).

    The verdict of :func:`theorylab.theory.analysis.analyse`: the definition decided against the numerical
    accuracy of ψ̃ (symbolic ψ where one exists), cross-checked by the convex criterion for convex φ.

    Parameters
    ----------
    loss : str, MarginLoss or sympy expression
        The margin loss φ.

    Returns
    -------
    bool
        True when φ is classification-calibrated.

    Raises
    ------
    InputError
        For an invalid loss, a loss unbounded below (calibration is not defined), or the rare loss whose verdict
        stays undetermined numerically (the message gives the reason).

    References
    ----------
    P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer. Statist.
    Assoc. 101(473), 2006, Definition 1 and Lemma 5 (calibration ⇔ ψ(θ) > 0 on (0, 1]).
    """
    a = analyse(loss)
    if a.calibrated is None:
        raise InputError(f"calibration of {a.loss.name} is undetermined: {a.reason}")
    return a.calibrated


def convex_cc_criterion(loss) -> bool:
    """Test for a *convex* φ: differentiable at 0 with φ'(0) < 0 (⇔ classification-calibrated).

    One-sided derivatives at 0 are symbolic limits of difference quotients.

    Parameters
    ----------
    loss : str, MarginLoss or sympy expression
        A convex margin loss φ.

    Returns
    -------
    bool
        Whether φ'(0⁻) = φ'(0⁺) < 0.

    Raises
    ------
    InputError
        When φ is not convex (checked numerically on α ∈ [−20, 20]), since the criterion then does not apply.

    References
    ----------
    P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer. Statist.
    Assoc. 101(473), 2006, Theorem 2.
    """
    phi = _as_expr(loss)
    f = sp.lambdify(ALPHA, phi, "numpy")
    a = np.linspace(-20, 20, 4001)
    v = np.asarray(f(a), dtype=float) * np.ones_like(a)
    if np.any(v[:-2] + v[2:] - 2 * v[1:-1] < -1e-9 * np.maximum(1, np.abs(v[1:-1]))):
        raise InputError(f"loss {loss!r} is not convex; the convex criterion (BJM Theorem 2) does not apply")
    left, right = one_sided_derivatives_at_zero(phi)
    return bool(sp.simplify(right - left) == 0 and right < 0)


def growth_constant(loss) -> sp.Expr:
    """lim_{θ→0} ψ(θ)/θ² = φ'(0)² / (2 φ''(0)) for φ twice differentiable at 0 with φ''(0) > 0.

    Computed as the symbolic limit of ψ(θ)/θ²; ``oo`` for losses whose ψ grows linearly.

    Parameters
    ----------
    loss : str, MarginLoss or sympy expression
        The margin loss φ.

    Returns
    -------
    sympy.Expr
        The constant c of ψ(θ) ∼ c θ² (or oo).

    Raises
    ------
    InputError
        For an invalid loss.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "A Universal Growth Rate for Learning with Smooth Surrogate Losses", NeurIPS 2024,
    arXiv:2405.05968 (square-root growth, binary case; theorem number unconfirmed).
    P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer. Statist.
    Assoc. 101(473), 2006 (the ψ-transform).
    """
    return sp.limit(psi_transform(loss) / THETA**2, THETA, 0, "+")


def growth_constant_from_derivatives(loss) -> sp.Expr:
    """φ'(0)² / (2 φ''(0)) from the symbolic derivatives of φ at 0 (the closed form of the growth constant).

    Parameters
    ----------
    loss : str, MarginLoss or sympy expression
        The margin loss φ, twice differentiable at 0.

    Returns
    -------
    sympy.Expr
        φ'(0)²/(2 φ''(0)).

    Raises
    ------
    InputError
        For an invalid loss.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "A Universal Growth Rate for Learning with Smooth Surrogate Losses", NeurIPS 2024,
    arXiv:2405.05968 (binary case; theorem number unconfirmed).
    """
    phi = _as_expr(loss)
    d1 = sp.diff(phi, ALPHA).subs(ALPHA, 0)
    d2 = sp.diff(phi, ALPHA, 2).subs(ALPHA, 0)
    return sp.simplify(d1**2 / (2 * d2))


__all__ = ["Calibration", "derive", "psi_transform", "psi_numeric", "is_classification_calibrated",
           "convex_cc_criterion", "growth_constant", "growth_constant_from_derivatives", "MarginLoss"]
