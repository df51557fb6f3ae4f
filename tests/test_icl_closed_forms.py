"""Tests of theorylab.settings.icl.closed_forms (optimal preconditioner, risks, steps)."""
import math

import numpy as np
import pytest
from scipy import integrate

from theorylab.settings import icl


def test_sanity_example():
    assert icl.optimal_step(5, 20) == pytest.approx(10 / 13, abs=1e-15)
    assert float(icl.optimal_risk(np.eye(5), 20)) == pytest.approx(15 / 13, abs=1e-13)


@pytest.mark.parametrize("d,n,s2", [(1, 1, 0.0), (5, 20, 0.3), (3, 7, 2.0)])
def test_isotropic_closed_forms(d, n, s2):
    assert float(icl.optimal_risk(np.eye(d), n, s2)) == pytest.approx(d * (d + 1 + s2) / (n + d + 1 + s2) + s2,
                                                                       rel=1e-13)
    eta = icl.optimal_step(d, n, s2)
    np.testing.assert_allclose(icl.optimal_preconditioner(np.eye(d), n, s2), eta * np.eye(d), rtol=1e-13)
    for e in (0.0, 0.3, eta, 1.7):
        assert float(icl.risk_of_step(e, d, n, s2)) == pytest.approx(
            float(icl.risk_of_preconditioner(e * np.eye(d), np.eye(d), n, s2)), rel=1e-12, abs=1e-13)
    # R(η) minimised at η* (scipy)
    from scipy.optimize import minimize_scalar
    opt = minimize_scalar(lambda e: float(icl.risk_of_step(e, d, n, s2)), bounds=(0, 2), method="bounded",
                          options={"xatol": 1e-12})
    assert opt.x == pytest.approx(eta, abs=1e-7)


def test_optimum_minimises_risk_numerically():
    rng = np.random.default_rng(1)
    M = rng.standard_normal((3, 3))
    cov = M @ M.T + 0.3 * np.eye(3)
    from scipy.optimize import minimize
    f = lambda k: float(icl.risk_of_preconditioner(k.reshape(3, 3), cov, 5, 0.7, 1.3))
    res = minimize(f, np.zeros(9), method="BFGS", options={"gtol": 1e-11})
    np.testing.assert_allclose(res.x.reshape(3, 3), icl.optimal_preconditioner(cov, 5, 0.7, 1.3), atol=1e-5)
    assert res.fun == pytest.approx(float(icl.optimal_risk(cov, 5, 0.7, 1.3)), rel=1e-9)
    # eigen form R* = σ² + ψ² Σ λ(1 − λ/γ)
    lam = np.linalg.eigvalsh(cov)
    gam = ((5 + 1) * lam + lam.sum() + 0.7 / 1.3) / 5
    assert float(icl.optimal_risk(cov, 5, 0.7, 1.3)) == pytest.approx(0.7 + 1.3 * np.sum(lam * (1 - lam / gam)))


def test_inverse_covariance_prior_closed_form():
    cov = np.diag([0.5, 2.0, 3.0])
    K = icl.optimal_preconditioner(cov, 7, 0.4, weight_prior="inverse-covariance")
    np.testing.assert_allclose(K, 7 / (7 + 3 + 1 + 0.4) * np.linalg.inv(cov), rtol=1e-12)
    assert float(icl.optimal_risk(cov, 7, 0.4, weight_prior="inverse-covariance")) == pytest.approx(
        float(icl.optimal_risk(np.eye(3), 7, 0.4)), rel=1e-12)


def test_risk_at_length():
    cov = np.diag([0.3, 1.0, 2.5])
    for N in (1, 4, 30):
        assert float(icl.risk_at_length(cov, N, N)) == pytest.approx(float(icl.optimal_risk(cov, N)), rel=1e-12)
        Gi = np.linalg.inv(np.asarray(icl.gamma_matrix(cov, N)))
        for M in (1, 3, 100):  # same as the general R(K) at test length M
            assert float(icl.risk_at_length(cov, N, M)) == pytest.approx(
                float(icl.risk_of_preconditioner(Gi, cov, M)), rel=1e-12)
        alt = np.trace(cov @ Gi @ Gi @ (cov + np.trace(cov) * np.eye(3)) @ (cov + np.trace(cov) * np.eye(3))) / N**2
        assert float(icl.length_shift_bias(cov, N)) == pytest.approx(alt, rel=1e-12)
        assert float(icl.length_shift_bias(cov, N)) > 0
    d, N, M = 4, 8, 50
    iso = d * (d + 1) ** 2 / (N + d + 1) ** 2 + d * (d + 1) * N**2 / (M * (N + d + 1) ** 2)
    assert float(icl.risk_at_length(np.eye(d), N, M)) == pytest.approx(iso, rel=1e-12)


def test_link_step_quadrature():
    for d, n, s2 in ((2, 3, 0.0), (5, 11, 0.8)):  # identity link recovers the linear step
        assert icl.link_step(lambda u: u, d, n, s2) == pytest.approx(icl.optimal_step(d, n, s2), rel=1e-12)
    # tanh: E||g||^2 by independent nested quadrature over r ~ chi_d and s ~ N(0,1) (densities written out with
    # math: scipy.stats' pdf calls made this nested quadrature take 14 s)
    d = 3
    c = 1 / math.sqrt(2 * math.pi)
    inner = lambda r: integrate.quad(lambda s: math.tanh(r * s) * s * c * math.exp(-s * s / 2), -12, 12)[0]
    chi_pdf = lambda r: r ** (d - 1) * math.exp(-r * r / 2) / (2 ** (d / 2 - 1) * math.gamma(d / 2))
    eg2 = integrate.quad(lambda r: inner(r) ** 2 * chi_pdf(r), 0, 15)[0]
    assert icl.link_moments(np.tanh, d)[0] == pytest.approx(eg2, rel=1e-6)


def test_uniform_optimum_matches_moments():
    eta, R = icl.uniform_input_optimum(3, 5, 2.0)
    s2, m4 = 4 / 3, 16 / 5
    c = (m4 + 2 * s2**2) / 5 + (1 - 1 / 5) * s2**2
    assert eta == pytest.approx(s2 / c) and R == pytest.approx(3 * s2 * (1 - s2**2 / c))
    assert icl.moment_step(4, 9, 1.0, 3.0)[0] == pytest.approx(icl.optimal_step(4, 9), rel=1e-13)
