"""Symbolic calibration (BJM 2006) against independent numerics."""
import numpy as np
import pytest
import sympy as sp
from scipy import optimize

from theorylab import InputError
from theorylab.losses.margin import LOSSES
from theorylab.theory import calibration as cal

T, ETA = cal.THETA, cal.ETA


@pytest.mark.parametrize("name", list(LOSSES))
def test_H_matches_numerical_minimisation(name):
    d = cal.derive(name)
    H = sp.lambdify(ETA, d.H, "numpy")
    loss = LOSSES[name]
    for eta in (0.55, 0.7, 0.9, 0.99):
        c = lambda a: eta * loss.value(np.array([a]))[0] + (1 - eta) * loss.value(np.array([-a]))[0]
        best = min(optimize.minimize_scalar(c, bounds=(lo, hi), method="bounded", options={"xatol": 1e-12}).fun
                   for lo, hi in ((-30, 0), (0, 30)))
        assert abs(float(H(eta)) - best) < 1e-8, (name, eta)


@pytest.mark.parametrize("name", list(LOSSES))
def test_psi_symbolic_vs_numeric(name):
    theta = np.linspace(0.01, 0.99, 23)
    f = sp.lambdify(T, cal.psi_transform(name), "numpy")
    np.testing.assert_allclose(np.broadcast_to(f(theta), theta.shape), cal.psi_numeric(name, theta), atol=1e-9)


def test_known_closed_forms_and_series():
    assert sp.simplify(cal.psi_transform("exponential") - (1 - sp.sqrt(1 - T**2))) == 0
    assert cal.psi_transform("hinge") == T
    assert sp.expand(cal.derive("logistic").series - (T**2 / 2 + T**4 / 12)) == 0
    assert sp.expand(cal.derive("exponential").series - (T**2 / 2 + T**4 / 8)) == 0
    eps = cal.EPS
    inv = cal.derive("exponential").inverse_bound
    assert abs(float(inv.subs(eps, 0.3)) - np.sqrt(2 * 0.3 - 0.09)) < 1e-14
    assert cal.derive("logistic").inverse_bound is None  # no closed-form inverse
    assert sp.simplify(cal.derive("logistic").inverse_leading - sp.sqrt(2 * eps)) == 0


def test_growth_constants():
    for name, c in (("logistic", sp.Rational(1, 2)), ("exponential", sp.Rational(1, 2)), ("squared", 1),
                    ("squared_hinge", 1)):
        assert cal.growth_constant(name) == c
    assert cal.growth_constant_from_derivatives("logistic") == sp.Rational(1, 2)
    assert cal.growth_constant("hinge") == sp.oo


def test_calibration_verdicts():
    a = sp.Symbol("a", real=True)
    for name in LOSSES:
        assert cal.is_classification_calibrated(name), name
    for phi in (sp.Max(0, -a), a**2, sp.exp(a)):
        assert not cal.is_classification_calibrated(phi)
        assert not cal.convex_cc_criterion(phi)
    assert cal.convex_cc_criterion("logistic") and cal.convex_cc_criterion("hinge")
    with pytest.raises(InputError, match="not convex"):
        cal.convex_cc_criterion("sigmoid")


def test_convex_closure_of_a_concave_psi_tilde_is_the_chord():
    # ψ̃(θ) = √θ is concave; its largest convex minorant on [0, 1] with ψ(0) = 0 is the chord θ.
    closure = cal._convex_closure_piecewise(sp.sqrt(T))
    for t in (0.1, 0.37, 0.8, 1.0):
        assert abs(float(sp.lambdify(T, closure)(t)) - t) < 1e-9
    # ψ̃ = min(θ, 0.2 + θ/4): a kinked concave function; its closure is the chord to (1, 0.45)
    kinked = sp.Min(T, sp.Rational(1, 5) + T / 4)
    closure2 = sp.lambdify(T, cal._convex_closure_piecewise(kinked))
    assert abs(float(closure2(0.5)) - 0.45 * 0.5) < 1e-9


def test_bad_input():
    with pytest.raises(InputError, match="theta must lie in"):
        cal.psi_numeric("hinge", [0.5, 1.5])
    with pytest.raises(InputError, match="unknown loss"):
        cal.psi_transform("cauchy")
    with pytest.raises(InputError, match="2 free symbols"):
        cal.psi_transform(sp.Symbol("x") * sp.Symbol("y"))
