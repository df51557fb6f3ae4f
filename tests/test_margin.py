"""Margin losses: tails against high-precision references, derivatives, array-API, Gaussian closed forms."""
import mpmath
import numpy as np
import pytest
import sympy as sp
from scipy import integrate

from theorylab import InputError
from theorylab.losses.margin import LOSSES, get_loss, rho_margin, sigmoid

EXACT = {  # mpmath references, written independently of the implementation
    "hinge": lambda a: max(mpmath.mpf(0), 1 - a),
    "logistic": lambda a: mpmath.log1p(mpmath.exp(-a)),
    "exponential": lambda a: mpmath.exp(-a),
    "squared": lambda a: (1 - a) ** 2,
    "squared_hinge": lambda a: max(mpmath.mpf(0), 1 - a) ** 2,
    "sigmoid": lambda a: 1 - mpmath.tanh(a),
    "rho_margin": lambda a: min(mpmath.mpf(1), max(mpmath.mpf(0), 1 - a)),
}
POINTS = [-1e4, -700.0, -80.0, -30.0, -1.0, -1e-8, 0.0, 1e-8, 0.5, 1.0, 2.0, 30.0, 80.0, 700.0, 1e4]


@pytest.mark.parametrize("name", list(LOSSES))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_values_match_high_precision(name, dtype):
    mpmath.mp.dps = 50
    a = np.array(POINTS, dtype=dtype)
    with np.errstate(over="ignore"):  # e^{1e4} overflows to +inf, checked below
        got = np.asarray(LOSSES[name].value(a))
    assert got.dtype == dtype
    for x, g in zip(a, got):
        ref = EXACT[name](mpmath.mpf(float(x)))
        if ref > np.finfo(dtype).max:  # e^{1e4}: not representable, the correctly rounded value is +inf
            assert name == "exponential" and np.isposinf(g)
            continue
        assert np.isfinite(g), (name, x)
        tol = 4 * np.finfo(dtype).eps * max(1.0, float(abs(ref)))
        if dtype == np.float32:
            tol += float(np.finfo(np.float32).tiny)
        assert abs(float(g) - float(ref)) <= tol + 1e-300, (name, x, g, ref)


@pytest.mark.parametrize("name", list(LOSSES))
def test_logistic_like_losses_finite_at_extremes(name):
    for dtype in (np.float32, np.float64):
        a = np.array([-1e4, 1e4], dtype=dtype)
        with np.errstate(over="ignore"):  # only the exponential loss overflows (to ∓inf, never NaN)
            d = np.asarray(LOSSES[name].derivative(a))
        assert not np.any(np.isnan(d))
        if name != "exponential":
            assert np.all(np.isfinite(LOSSES[name].value(a)))
            assert np.all(np.isfinite(d))


@pytest.mark.parametrize("name", list(LOSSES))
def test_derivatives_against_finite_differences(name, central_difference):
    loss = LOSSES[name]
    a = np.array([-3.1, -1.7, -0.6, -0.2, 0.13, 0.4, 0.77, 1.4, 2.9])  # away from every kink
    fd = central_difference(loss.value, a)
    np.testing.assert_allclose(loss.derivative(a), fd, rtol=1e-6, atol=1e-8)
    fd2 = central_difference(loss.derivative, a)
    np.testing.assert_allclose(loss.second_derivative(a), fd2, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", list(LOSSES))
def test_sympy_matches_numeric(name):
    loss = LOSSES[name]
    alpha = sp.Symbol("alpha", real=True)
    f = sp.lambdify(alpha, loss.sympy(alpha), "mpmath")
    for x in (-2.5, -0.3, 0.0, 0.7, 3.0):
        assert abs(float(f(x)) - float(loss.value(np.array([x]))[0])) < 1e-14


@pytest.mark.parametrize("name", list(LOSSES))
def test_reference_in_every_namespace(name, xp, central_difference):
    a = np.linspace(-5, 5, 40)  # no grid point on a kink (0 or 1)
    out = LOSSES[name].value(xp.asarray(a))
    assert type(out) is type(xp.asarray(a))
    exact = np.vectorize(lambda x: float(EXACT[name](mpmath.mpf(x))))
    np.testing.assert_allclose(np.asarray(out), exact(a), rtol=1e-14, atol=1e-15)
    d = LOSSES[name].derivative(xp.asarray(a))
    assert type(d) is type(xp.asarray(a))
    np.testing.assert_allclose(np.asarray(d), central_difference(exact, a), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", [n for n in LOSSES if LOSSES[n].gaussian_mean(0.0, 1.0) is not None])
def test_gaussian_closed_forms_against_quadrature(name):
    loss = LOSSES[name]
    for m, s in ((0.3, 0.7), (-1.2, 2.0), (2.5, 0.1)):
        kinks = [-2, -1, 0, 1, 2]
        ref = integrate.quad(lambda z: float(loss.value(np.array([z]))[0]) * np.exp(-0.5 * ((z - m) / s) ** 2)
                             / (s * np.sqrt(2 * np.pi)), m - 30 * s, m + 30 * s,
                             points=[k for k in kinks if m - 30 * s < k < m + 30 * s], epsabs=1e-13, limit=500)[0]
        assert abs(float(loss.gaussian_mean(m, s)) - ref) < 1e-10


def test_bad_input():
    with pytest.raises(InputError, match="alpha contains NaN"):
        LOSSES["logistic"].value(np.array([0.0, np.nan]))
    with pytest.raises(InputError, match="k=.*> 0"):
        sigmoid(0)
    with pytest.raises(InputError, match="rho=.*> 0"):
        rho_margin(-1)
    with pytest.raises(InputError, match="unknown loss 'nope'"):
        get_loss("nope")
    assert get_loss("sigmoid(k=2)").name == "sigmoid(k=2)"
    np.testing.assert_allclose(get_loss("rho_margin(rho=0.5)").value(np.array([0.25])), [0.5])
