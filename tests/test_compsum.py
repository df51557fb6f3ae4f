"""Tests of theorylab.losses.compsum: forms, gradients, stability, numba kernel, C*, bad input."""
import numpy as np
import pytest
from scipy.integrate import quad
from scipy.optimize import minimize

from theorylab import InputError
from theorylab.losses import compsum as cs

TAUS = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0]


@pytest.mark.parametrize("tau", TAUS)
def test_phi_integral_and_softmax_form(tau):
    u = np.array([0.0, 0.1, 1.0, 7.0])
    ref = [quad(lambda v: (1 + v) ** -tau, 0, x, epsrel=1e-13)[0] for x in u]
    np.testing.assert_allclose(cs.phi_tau(u, tau), ref, rtol=1e-12, atol=0)
    rng = np.random.default_rng(1)
    h, y = rng.normal(size=(20, 4)), rng.integers(0, 4, 20)
    usum = np.exp(h - h[np.arange(20), y][:, None]).sum(1) - 1
    np.testing.assert_allclose(cs.comp_sum_loss(h, y, tau), cs.phi_tau(usum, tau), rtol=1e-12)


@pytest.mark.parametrize("tau", TAUS)
def test_gradient_matches_finite_differences_and_numba(tau, central_difference):
    rng = np.random.default_rng(2)
    h, y = rng.normal(size=(6, 5)), rng.integers(0, 5, 6)
    loss, g = cs.comp_sum_loss_and_grad(h, y, tau, fast=False)
    gn = central_difference(lambda x: cs.comp_sum_loss(x, y, tau), h)
    np.testing.assert_allclose(g, gn, atol=1e-7)
    l2, g2 = cs.comp_sum_loss_and_grad(h, y, tau, fast=True)
    np.testing.assert_allclose(l2, loss, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(g2, g, rtol=1e-12, atol=1e-14)


def test_numba_float32_large_matches_reference():
    rng = np.random.default_rng(3)
    h = rng.normal(0, 3, (2000, 60)).astype(np.float32)
    y = rng.integers(0, 60, 2000)
    for tau in (0.5, 1.0, 1.7):
        l1, g1 = cs.comp_sum_loss_and_grad(h, y, tau, fast=False)
        l2, g2 = cs.comp_sum_loss_and_grad(h, y, tau, fast=True)
        assert l2.dtype == np.float32 and g2.dtype == np.float32
        np.testing.assert_allclose(l2, l1, rtol=2e-5, atol=1e-6)
        np.testing.assert_allclose(g2, g1, rtol=2e-4, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("tau", [1.0, 1.5, 2.0, 3.0])
def test_extreme_scores_finite(dtype, tau):
    h = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5.0], [1e4, 1e4, -1e4]], dtype=dtype)
    y = np.array([0, 0, 2])
    for fast in (False, True):
        loss, g = cs.comp_sum_loss_and_grad(h, y, tau, fast=fast)
        assert np.all(np.isfinite(loss)) and np.all(np.isfinite(g))
    if tau == 1.0:
        np.testing.assert_allclose(loss[1], 2e4, rtol=1e-6)  # CE of a 2e4 logit gap


def test_tau_below_one_overflow_is_inf_not_nan():
    h = np.array([[-1e4, 1e4, 0.0]])
    for fast in (False, True):
        loss, g = cs.comp_sum_loss_and_grad(h, np.array([0]), 0.0, fast=fast)
        assert np.isposinf(loss[0]) and not np.any(np.isnan(g))


def test_reference_in_every_namespace_equals_numba(xp):
    h0, y0 = np.array([[0.5, -1.0, 2.0], [3.0, 0.0, -2.0]]), np.array([2, 1])
    h, y = xp.asarray(h0, dtype=xp.float64), xp.asarray(y0)
    loss, g = cs.comp_sum_loss_and_grad(h, y, 1.5, fast=False)
    assert type(loss) is type(h) and type(g) is type(h)
    ref_l, ref_g = cs.comp_sum_loss_and_grad(h0, y0, 1.5, fast=True)
    np.testing.assert_allclose(np.asarray(loss), ref_l, rtol=1e-14)
    np.testing.assert_allclose(np.asarray(g), ref_g, rtol=1e-14)


@pytest.mark.parametrize("tau", [0.0, 0.5, 1.0, 1.5])
def test_cstar_complete_vs_minimisation(tau):
    rng = np.random.default_rng(4)
    p = rng.dirichlet(np.ones(4))
    num = min(minimize(lambda h: cs.conditional_risk(p, h, tau), rng.normal(size=4), method="BFGS",
                       options={"gtol": 1e-10}).fun for _ in range(4))
    assert abs(cs.best_conditional_risk(p, tau) - num) < 1e-8
    if tau == 0.0:
        assert abs(cs.best_conditional_risk(p, 0.0) - (np.sqrt(p).sum() ** 2 - 1)) < 1e-12
    assert abs(cs.best_conditional_risk([0.5, 0.5, 0.0], 0.0) - 1.0) < 1e-12  # spec sanity example


@pytest.mark.parametrize("tau", [0.0, 1.0, 1.5, 2.0, 3.0])
def test_cstar_box_vs_lbfgsb(tau):
    rng = np.random.default_rng(5)
    for _ in range(3):
        p = rng.dirichlet(np.full(4, 0.4))
        lam = 0.4
        num = min(minimize(lambda h: cs.conditional_risk(p, h, tau), rng.uniform(-lam, lam, 4), method="L-BFGS-B",
                           bounds=[(-lam, lam)] * 4, options={"ftol": 1e-15, "gtol": 1e-12}).fun for _ in range(5))
        closed = cs.best_conditional_risk(p, tau, lam)
        assert closed <= num + 1e-12 and num - closed < 1e-8
        assert closed > cs.best_conditional_risk(p, tau) - 1e-15


def test_deterministic_risk():
    assert cs.deterministic_risk(1.0, 3, None) == 0.0
    assert abs(cs.deterministic_risk(1.0, 3, 1.0) - np.log1p(2 * np.exp(-2))) < 1e-15


def test_sympy_forms_match_numeric():
    import sympy as sp
    s = sp.Symbol("s", positive=True)
    for tau in (0.0, 0.5, 1.0, 2.5):
        f = sp.lambdify(s, cs.psi_sympy(s, tau), "numpy")
        np.testing.assert_allclose(f(np.array([0.1, 0.7])), cs.psi_tau([0.1, 0.7], tau), rtol=1e-13)
    u = sp.Symbol("u", positive=True)
    assert sp.simplify(sp.diff(cs.phi_sympy(u, sp.Rational(1, 2)), u) - (1 + u) ** sp.Rational(-1, 2)) == 0


@pytest.mark.parametrize("call, match", [
    (lambda: cs.comp_sum_loss(np.zeros((2, 3)), np.array([0, 1]), -0.5), "tau"),
    (lambda: cs.comp_sum_loss(np.zeros((2, 3)), np.array([0, 3]), 1.0), "labels"),
    (lambda: cs.comp_sum_loss(np.zeros((2, 3)), np.array([0]), 1.0), "labels"),
    (lambda: cs.comp_sum_loss(np.zeros((2, 3)), np.array([0.0, 1.0]), 1.0), "labels"),
    (lambda: cs.comp_sum_loss(np.array([[np.nan, 0, 0]]), np.array([0]), 1.0), "scores"),
    (lambda: cs.comp_sum_loss(np.zeros(3), np.array([0]), 1.0), "scores"),
    (lambda: cs.best_conditional_risk([0.5, 0.5], 1.0, bound=0.0), "bound"),
    (lambda: cs.best_conditional_risk([0.5, 0.6], 1.0), "p="),
    (lambda: cs.deterministic_risk(1.0, 1, 1.0), "n="),
])
def test_bad_input(call, match):
    with pytest.raises(InputError, match=match):
        call()


def test_backend_keyword_is_deprecated_and_maps_to_fast():
    rng = np.random.default_rng(3)
    h, y = rng.normal(size=(6, 4)), rng.integers(0, 4, 6)
    for backend, fast in (("auto", None), ("numba", True), ("reference", False)):
        with pytest.warns(DeprecationWarning, match="fast="):
            old = cs.comp_sum_loss_and_grad(h, y, 0.5, backend=backend)
        new = cs.comp_sum_loss_and_grad(h, y, 0.5, fast=fast)
        np.testing.assert_array_equal(old[0], new[0])
        np.testing.assert_array_equal(old[1], new[1])
    with pytest.raises(InputError, match="fast"):
        cs.comp_sum_loss_and_grad(h, y, 0.5, fast="yes")
    with pytest.raises(InputError, match="both"):
        cs.comp_sum_loss_and_grad(h, y, 0.5, backend="numba", fast=True)
