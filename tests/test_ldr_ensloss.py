"""LDR-KL / ALDR-KL losses and the EnsLoss generator; the zhu2023 and dai2024 claims."""
import math

import numpy as np
import pytest
from scipy import optimize, special

from theorylab._validation import InputError
from theorylab.losses.compsum import comp_sum_loss
from theorylab.losses.ensloss import ensloss_derivatives, piecewise_linear_loss, psi_transform
from theorylab.losses.ldr import aldr_kl_loss, ldr_kl_loss, ldr_kl_weights, ldr_risk_minimizer


def test_ldr_closed_form_vs_slsqp_over_simplex():
    rng = np.random.default_rng(0)
    for _ in range(10):
        K = int(rng.integers(2, 7))
        f, y, lam, c = rng.normal(size=(1, K)), int(rng.integers(K)), float(rng.uniform(0.3, 3)), 0.2
        delta = f[0] - f[0, y] + c * (np.arange(K) != y)
        obj = lambda p: -(p @ delta - lam * np.sum(special.xlogy(p, K * p)))  # noqa: E731
        res = optimize.minimize(obj, np.ones(K) / K, method="SLSQP", bounds=[(0, 1)] * K,
                                constraints=[{"type": "eq", "fun": lambda p: p.sum() - 1}], options={"ftol": 1e-14})
        assert abs(-res.fun - ldr_kl_loss(f, [y], lam, c)[0]) < 1e-7
        assert np.allclose(res.x, ldr_kl_weights(f, [y], lam, c)[0], atol=1e-4)


def test_ldr_cross_entropy_case_in_every_namespace(xp):
    rng = np.random.default_rng(1)
    f, y = rng.normal(size=(20, 4)) * 5, rng.integers(0, 4, 20)
    ce = ldr_kl_loss(xp.asarray(f), xp.asarray(y), 1.0, 0.0)
    assert type(ce) is type(xp.asarray(f))
    assert np.allclose(np.asarray(ce), comp_sum_loss(f, y, 1.0) - math.log(4), atol=1e-12)
    out = ldr_kl_loss(xp.asarray(f), xp.asarray(y), 2.0, 0.1)
    assert type(out) is type(xp.asarray(f))
    assert np.allclose(np.asarray(out), ldr_kl_loss(f, y, 2.0, 0.1), atol=1e-14)
    # huge scores: finite (stable log-sum-exp)
    assert np.all(np.isfinite(ldr_kl_loss(f * 1e4, y, 0.1, 0.1)))


def test_unconstrained_minimiser_ce_case_is_log_eta():
    eta = np.array([0.5, 0.3, 0.2])
    f = ldr_risk_minimizer(eta, 1.0, 0.0)  # λ=1, c=0: cross-entropy, argmin = log η up to a shift
    assert np.allclose(f - f.mean(), np.log(eta) - np.log(eta).mean(), atol=1e-6)


def test_aldr_range_and_bad_input():
    rng = np.random.default_rng(2)
    loss, lam = aldr_kl_loss(rng.normal(size=(50, 5)) * 100, rng.integers(0, 5, 50), 10.0, 2.0, 0.1)
    assert np.all(lam >= 5.0 - 1e-12) and np.all(lam <= 10.0) and np.all(np.isfinite(loss))
    with pytest.raises(InputError, match="lam=-1"):
        ldr_kl_loss(np.zeros((2, 3)), [0, 1], -1, 0.1)
    with pytest.raises(InputError, match="labels has shape"):
        ldr_kl_loss(np.zeros((2, 3)), [0], 1.0, 0.1)
    with pytest.raises(InputError, match="alpha"):
        aldr_kl_loss(np.zeros((2, 3)), [0, 1], 10.0, 0.5)


def test_ensloss_properties_and_determinism(central_difference):
    rng = np.random.default_rng(3)
    z = rng.normal(size=64) * 2
    g1 = ensloss_derivatives(z, np.random.default_rng(5))
    g2 = ensloss_derivatives(z, np.random.default_rng(5))
    assert np.array_equal(g1, g2)
    gs = g1[np.argsort(z)]
    assert np.all(np.diff(gs) >= 0) and np.all(g1 < 0) and np.all(g1 >= -1 - 1e-6)
    # the integrated loss has the assigned derivatives (finite differences between kinks)
    phi = piecewise_linear_loss(z, g1)
    zs = np.sort(z)
    mid = (zs[:-1] + zs[1:]) / 2
    h = 1e-7 * np.diff(zs).min()
    assert np.allclose(central_difference(phi, mid, eps=h, elementwise=True), gs[:-1], atol=1e-5)
    assert np.all(psi_transform(z, g1, np.linspace(0.05, 1, 20)) > 0)
    with pytest.raises(InputError, match="margins"):
        ensloss_derivatives(np.array([np.nan]), rng)


# (every claim passes at several seeds with a decisive control: tests/test_claims.py)


def test_ldr_risk_derivatives_match_finite_differences(central_difference):
    from theorylab.losses.ldr_risks import _ldr_risk, _ldr_risk_derivatives

    rng = np.random.default_rng(8)
    eta, f = rng.dirichlet(np.ones(4)), rng.normal(size=4)
    for lam, c in ((0.3, 0.1), (2.0, 0.0)):
        v, g, H = _ldr_risk_derivatives(f, eta, lam, c)
        assert v == pytest.approx(_ldr_risk(f, eta, lam, c), rel=1e-14)
        np.testing.assert_allclose(g, central_difference(lambda x: _ldr_risk(x, eta, lam, c), f), atol=1e-8)
        jac = central_difference(lambda x: _ldr_risk_derivatives(x, eta, lam, c)[1], f, elementwise=False)
        np.testing.assert_allclose(H, jac, atol=1e-7)
        # the minimiser is a stationary point of the risk (the Newton route converged)
        fstar = ldr_risk_minimizer(eta, lam, c)
        assert np.abs(_ldr_risk_derivatives(fstar, eta, lam, c)[1]).max() < 1e-10
