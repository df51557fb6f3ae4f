"""Tests of theorylab.settings.diagonal_net.bias (implicit-bias potential and interpolators)."""
import numpy as np
import pytest

from theorylab import InputError
from theorylab.settings import diagonal_net as dn


def test_q_entropy_derivatives_and_limits():
    from scipy.integrate import quad

    z = np.array([-50.0, -3.0, -1e-3, 1e-6, 0.5, 7.0, 1e3])
    # q(z) = ∫_0^z arcsinh(t/2) dt  (q(0) = 0, q' = arcsinh(·/2))
    ref = np.array([quad(lambda t: np.arcsinh(t / 2), 0, zi, epsabs=1e-14, epsrel=1e-13)[0] for zi in z])
    np.testing.assert_allclose(dn.q_entropy(z), ref, rtol=1e-10, atol=1e-20)
    np.testing.assert_allclose(dn.q_entropy(np.array([1e-7])), [1e-14 / 4], rtol=1e-9)


def test_dual_newton_kkt_and_gradient_flow(data):
    X, y, _ = data
    for alpha in (1e-8, 1e-3, 0.1, 1.0, 1e3):
        b = dn.implicit_bias_solution(X, y, alpha)
        assert np.linalg.norm(X @ b - y) <= 1e-10 * (1 + np.linalg.norm(y))
        # KKT: ∇Q_α(β) = arcsinh(β/2α²) ∈ range(Xᵀ)
        grad = np.arcsinh(b / (2 * alpha**2))
        proj = X.T @ np.linalg.lstsq(X.T, grad, rcond=None)[0]
        assert np.linalg.norm(grad - proj) <= 1e-8 * max(1.0, np.linalg.norm(grad))
    beta_gf, params = dn.gradient_flow(X, y, 0.3, 300.0)
    assert np.linalg.norm(beta_gf - dn.implicit_bias_solution(X, y, 0.3)) < 1e-8
    np.testing.assert_allclose(params.u * params.v, 0.09, rtol=1e-10)  # u⊙v conserved by the flow


def test_interpolators(data):
    X, y, bstar = data
    X2, y2, b2, _, _ = dn.sparse_regression(20, 40, 3, np.random.default_rng(1))
    np.testing.assert_allclose(dn.min_l1_interpolator(X2, y2), b2, atol=1e-8)  # exact sparse recovery
    l2 = dn.min_l2_interpolator(X, y)
    np.testing.assert_allclose(l2, np.linalg.pinv(X) @ y, rtol=1e-10, atol=1e-12)
    assert np.abs(dn.min_l1_interpolator(X, y)).sum() <= np.abs(l2).sum() + 1e-9


def test_per_coordinate_alpha_matches_scalar(data):
    X, y, _ = data
    np.testing.assert_allclose(dn.implicit_bias_solution(X, y, np.full(30, 0.2)),
                               dn.implicit_bias_solution(X, y, 0.2), rtol=1e-12, atol=1e-14)


def test_bad_alpha(data):
    X, y, _ = data
    for bad in (0.0, -1.0, float("nan")):
        with pytest.raises(InputError, match="alpha"):
            dn.train_gd(X, y, bad, 0.01, 10)
        with pytest.raises(InputError, match="alpha"):
            dn.implicit_bias_solution(X, y, bad)
    with pytest.raises(InputError, match="alpha"):
        dn.train_sgd(X, y, -0.1, 0.01, 10, 1, np.random.default_rng(0))


def test_not_interpolable_is_detected():
    r = np.random.default_rng(0)
    X = r.standard_normal((8, 3))  # n > d: generic y is not in range(X)
    y = r.standard_normal(8)
    for f in (dn.implicit_bias_solution, ):
        with pytest.raises(dn.NotInterpolableError, match="not in the range of X"):
            f(X, y, 0.1)
    with pytest.raises(dn.NotInterpolableError):
        dn.min_l1_interpolator(X, y)
    with pytest.raises(dn.NotInterpolableError):
        dn.min_l2_interpolator(X, y)
