"""Lazy-to-rich two-layer networks (Kumar et al. 2024): GD, NTK and kernel regression against independent numerics."""
from __future__ import annotations

import numpy as np
import pytest

from theorylab import InputError
from theorylab.settings.width_scaling.lazy_rich import (crossing_time, empirical_ntk, gd_step, infinite_width_ntk,
                                                        init_weights, kernel_regression, linearised_dynamics,
                                                        network_output, sample_task, train_gd)


def _small(seed=0, p=7, d=3, n=5, target="quadratic"):
    rng = np.random.default_rng(seed)
    task = sample_task(p, 11, d, rng, target=target)
    return task, init_weights(n, d, rng)


def _loss(W, X, y, f0, alpha, eps):
    return 0.5 * np.mean((network_output(W, X, alpha, eps) - f0 - y) ** 2)


def test_sample_task_and_targets():
    task = sample_task(50, 20, 6, np.random.default_rng(3))
    assert task["beta"] @ task["beta"] == pytest.approx(6.0, rel=1e-12)
    np.testing.assert_allclose(task["y"], 0.5 * (task["X"] @ task["beta"]) ** 2, rtol=1e-14)
    lin = sample_task(50, 20, 6, np.random.default_rng(3), target="linear")
    np.testing.assert_allclose(lin["y_test"], lin["X_test"] @ lin["beta"], rtol=1e-14)
    np.testing.assert_allclose(lin["X"], task["X"])  # same stream, same inputs


@pytest.mark.parametrize("alpha", [0.5, 3.0, 40.0])
def test_gd_step_equals_finite_difference_gradient_step(alpha):
    task, W = _small()
    X, y, eps, eta0 = task["X"], task["y"], 0.7, 0.3
    f0 = network_output(W, X, alpha, eps)
    W = W + 0.3 * np.random.default_rng(1).standard_normal(W.shape)  # away from the initialisation
    grad = np.zeros_like(W)
    h = 1e-6
    for idx in np.ndindex(W.shape):
        E = np.zeros_like(W)
        E[idx] = h
        grad[idx] = (_loss(W + E, X, y, f0, alpha, eps) - _loss(W - E, X, y, f0, alpha, eps)) / (2 * h)
    eta = eta0 * W.shape[0] / alpha ** 2
    np.testing.assert_allclose(gd_step(W, X, y, f0, alpha, eta0, eps), W - eta * grad, rtol=0, atol=1e-7)


def test_train_gd_vectorised_equals_reference_steps():
    task, W0 = _small(seed=2)
    X, y, Xt, yt = task["X"], task["y"], task["X_test"], task["y_test"]
    alphas = [1.0, 5.0, 50.0]
    run = train_gd(X, y, W0, alphas, 0.5, 7, 1.0, Xt, yt, log_every=3)
    assert list(run["steps"]) == [0, 3, 6, 7]
    for j, a in enumerate(alphas):
        f0, f0t = network_output(W0, X, a), network_output(W0, Xt, a)
        W = W0.copy()
        tr, te = [], []
        for t in range(8):
            if t in (0, 3, 6, 7):
                tr.append(np.mean((network_output(W, X, a) - f0 - y) ** 2))
                te.append(np.mean((network_output(W, Xt, a) - f0t - yt) ** 2))
            if t < 7:
                W = gd_step(W, X, y, f0, a, 0.5)
        np.testing.assert_allclose(run["W"][j], W, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(run["train_mse"][:, j], tr, rtol=1e-10)
        np.testing.assert_allclose(run["test_mse"][:, j], te, rtol=1e-10)
        np.testing.assert_allclose(run["f_test"][j], network_output(W, Xt, a) - f0t, rtol=1e-10, atol=1e-12)


def test_empirical_ntk_equals_jacobian_gram():
    """η Σ ∂f(x)∂f(x') over all weights (Jacobian by finite differences) = η₀ K_N, for η = η₀N/α²."""
    task, W = _small(seed=4, p=6, d=3, n=4)
    X, Xt, alpha, eps, eta0 = task["X"], task["X_test"], 3.0, 0.8, 1.3
    Z = np.vstack([X, Xt])
    J = np.zeros((Z.shape[0], W.size))
    h = 1e-6
    for k, idx in enumerate(np.ndindex(W.shape)):
        E = np.zeros_like(W)
        E[idx] = h
        J[:, k] = (network_output(W + E, Z, alpha, eps) - network_output(W - E, Z, alpha, eps)) / (2 * h)
    eta = eta0 * W.shape[0] / alpha ** 2
    np.testing.assert_allclose(eta * J @ J.T, eta0 * empirical_ntk(W, Z, epsilon=eps), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(empirical_ntk(W, Xt, X, epsilon=eps), empirical_ntk(W, Z, epsilon=eps)[6:, :6],
                               rtol=1e-13)


def test_empirical_ntk_converges_to_infinite_width():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((6, 4)) / 2.0
    K_inf = infinite_width_ntk(X, epsilon=1.5)
    errs = [np.max(np.abs(empirical_ntk(init_weights(n, 4, rng), X, epsilon=1.5) - K_inf)) for n in (100, 40000)]
    assert errs[1] < 0.3 * errs[0]          # 1/√N: a factor 20 expected
    assert errs[1] < 5 * np.max(np.abs(K_inf)) / np.sqrt(40000) * 3


def test_linearised_dynamics_recursion_and_kernel_regression_limit():
    rng = np.random.default_rng(6)
    task = sample_task(20, 9, 5, rng)
    W0 = init_weights(30, 5, rng)
    X, y, Xt = task["X"], task["y"], task["X_test"]
    K, Kt, eta0 = empirical_ntk(W0, X), empirical_ntk(W0, Xt, X), 3.0
    f, ft = np.zeros(20), np.zeros(9)
    for _ in range(25):   # the function-space recursion, step by step
        r = f - y
        f, ft = f - eta0 / 20 * K @ r, ft - eta0 / 20 * Kt @ r
    a, b = linearised_dynamics(K, Kt, y, eta0, 25)
    np.testing.assert_allclose(a, f, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b, ft, rtol=1e-10, atol=1e-12)
    fa, fb = linearised_dynamics(K, Kt, y, eta0, [0, 10**9])
    assert np.all(fa[0] == 0) and np.all(fb[0] == 0)
    np.testing.assert_allclose(fb[1], kernel_regression(K, Kt, y), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(fa[1], y, rtol=1e-7, atol=1e-9)       # interpolates (P < N·D)
    # kernel regression with a tiny ridge approaches the ridgeless one; with a big ridge it shrinks
    np.testing.assert_allclose(kernel_regression(K, Kt, y, ridge=1e-10), fb[1], rtol=1e-5, atol=1e-6)
    assert np.linalg.norm(kernel_regression(K, Kt, y, ridge=1e6)) < 1e-3 * np.linalg.norm(fb[1])


def test_linearised_dynamics_overshooting_modes():
    """Modes with η₀λ/P in (1, 2) oscillate but converge; the closed form follows them."""
    K = np.diag([0.5, 6.0, 7.5])             # η₀λ/P = 0.125, 1.5, 1.875 for η₀ = 1, P = 4 ... padded below
    K = np.pad(K, ((0, 1), (0, 1)))          # one zero mode: f there grows linearly, as t η₀/P · (K y) = 0
    Kt = np.arange(8.0).reshape(2, 4)
    y = np.array([1.0, -2.0, 0.5, 3.0])
    f, ft = np.zeros(4), np.zeros(2)
    for _ in range(9):
        r = f - y
        f, ft = f - K @ r / 4, ft - Kt @ r / 4
    a, b = linearised_dynamics(K, Kt, y, 1.0, 9)
    np.testing.assert_allclose(a, f, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(b, ft, rtol=1e-12, atol=1e-12)


def test_large_alpha_follows_linearised_dynamics():
    rng = np.random.default_rng(7)
    task = sample_task(30, 40, 5, rng)
    W0 = init_weights(40, 5, rng)
    X, y, Xt, yt = task["X"], task["y"], task["X_test"], task["y_test"]
    run = train_gd(X, y, W0, [1e2, 1e3], 2.0, 60, 1.0, Xt, yt, log_every=60)
    _, lin = linearised_dynamics(empirical_ntk(W0, X), empirical_ntk(W0, Xt, X), y, 2.0, 60)
    d = np.sqrt(np.mean((run["f_test"] - lin) ** 2, axis=1))
    assert d[1] < 0.02 * np.sqrt(np.mean(lin ** 2))
    assert 8.0 < d[0] / d[1] < 12.0       # ∝ 1/α


def test_crossing_time():
    steps = np.array([0, 2, 4, 6])
    curve = np.array([[1.0, 1.0], [0.5, 0.9], [0.2, 0.8], [0.1, 0.7]])
    np.testing.assert_array_equal(crossing_time(steps, curve, 0.5), [2.0, np.inf])
    assert crossing_time(steps, curve[:, 0], 0.15) == 6.0


@pytest.mark.parametrize("call", [
    lambda: sample_task(0, 5, 3, np.random.default_rng(0)),
    lambda: sample_task(5, 5, 3, np.random.default_rng(0), target="cubic"),
    lambda: sample_task(5, 5, 3, 0),
    lambda: init_weights(2.5, 3, np.random.default_rng(0)),
    lambda: network_output(np.ones((4, 3)), np.ones((5, 2)), 1.0),
    lambda: network_output(np.ones((4, 3)), np.ones((5, 3)), 0.0),
    lambda: network_output(np.ones((4, 3)), np.full((5, 3), np.nan), 1.0),
    lambda: gd_step(np.ones((4, 3)), np.ones((5, 3)), np.ones(4), np.ones(5), 1.0, 1.0),
    lambda: gd_step(np.ones((4, 3)), np.ones((5, 3)), np.ones(5), np.ones(5), 1.0, -1.0),
    lambda: train_gd(np.ones((5, 3)), np.ones(5), np.ones((4, 3)), [1.0, -2.0], 1.0, 3),
    lambda: train_gd(np.ones((5, 3)), np.ones(5), np.ones((4, 3)), 1.0, 1.0, -1),
    lambda: train_gd(np.ones((5, 3)), np.ones(5), np.ones((4, 3)), 1.0, 1.0, 3, X_test=np.ones((2, 3))),
    lambda: train_gd(np.ones((5, 3)), np.ones(5), np.ones((4, 3)), 1.0, 1.0, 3, log_every=0),
    lambda: empirical_ntk(np.ones((4, 3)), np.ones((5, 3)), np.ones((2, 4))),
    lambda: infinite_width_ntk(np.ones(3)),
    lambda: infinite_width_ntk(np.ones((2, 3)), epsilon=np.inf),
    lambda: kernel_regression(np.eye(3), np.ones((2, 3)), np.ones(3), ridge=-1.0),
    lambda: kernel_regression(np.ones((3, 2)), np.ones((2, 2)), np.ones(3)),
    lambda: linearised_dynamics(np.eye(3), np.ones((2, 3)), np.ones(3), 1.0, 2.5),
    lambda: linearised_dynamics(np.eye(3), np.ones((2, 3)), np.ones(3), 10.0, 2),
    lambda: crossing_time([0, 1], [1.0, 2.0, 3.0], 0.5),
])
def test_bad_inputs(call):
    with pytest.raises(InputError) as e:
        call()
    assert "\n" not in str(e.value)
