"""Kernel ridge / random-feature eigenframework (theorylab.settings.kernel_ridge): closed forms against
independent numerics (a quadratic root, dense direct solves, Monte Carlo with standard errors), limits, bad inputs
and the public-API contract."""
from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from theorylab import InputError
from theorylab.settings import kernel_ridge as kr

LAM, V = kr.power_law_task(200, 1.5, 1.5)


def test_public_api_contract():
    r = kr.eigenlearning(LAM, V, 50, 0.1, noise_var=0.05)
    for name in ("kappa", "test_mse", "train_mse"):
        assert isinstance(getattr(r, name), float)
    r0 = kr.eigenlearning(LAM, V, 50, 0.1)  # noise_var defaults to 0
    assert r0.kappa == r.kappa and r0.test_mse < r.test_mse
    assert math.isclose(r.excess_risk, r.test_mse - 0.05)
    assert set(kr.__all__) >= {"eigenlearning", "random_feature_eigenlearning", "solve_kappa", "simulate_krr",
                               "simulate_random_features", "tuned_ridge", "power_law_task"}


def test_kappa_single_mode_closed_form():
    # one mode: λ/(λ+κ) + δ/κ = n  ⇔  nκ² + (nλ − λ − δ)κ − δλ = 0 (positive root)
    for lam, n, d in ((1.0, 3, 0.5), (0.2, 10, 2.0), (5.0, 1, 1e-3)):
        b = n * lam - lam - d
        root = (-b + math.sqrt(b * b + 4 * n * d * lam)) / (2 * n)
        assert math.isclose(kr.solve_kappa([lam], n, d), root, rel_tol=1e-13)


def test_kappa_defining_equation_and_monotone():
    ks = [kr.solve_kappa(LAM, 40, d) for d in (0.0, 1e-3, 1e-1, 1.0, 10.0)]
    for k, d in zip(ks, (0.0, 1e-3, 1e-1, 1.0, 10.0)):
        assert abs(kr.df1(LAM, k) + d / k - 40) < 1e-11 * 40
    assert all(a < b for a, b in itertools.pairwise(ks))  # κ increases with the ridge
    assert math.isclose(kr.solve_kappa(LAM, 40, 1e-12), ks[0], rel_tol=1e-8)  # continuous at δ = 0


def test_krr_formula_special_cases():
    r = kr.eigenlearning(LAM, V, 40, 0.0, 0.05)
    assert r.train_mse == 0.0  # interpolation
    L = r.learnabilities
    e0 = 40 / (40 - np.sum(L ** 2))
    assert math.isclose(r.test_mse, e0 * (np.sum((1 - L) ** 2 * V ** 2) + 0.05), rel_tol=1e-14)
    big = kr.eigenlearning(LAM, V, 40, 1e8, 0.05)  # huge ridge: predictor → 0, E_te → ‖v‖² + σ², E_tr too
    assert math.isclose(big.test_mse, 1.05, rel_tol=1e-6) and math.isclose(big.train_mse, 1.05, rel_tol=1e-5)


def test_simulate_krr_matches_dense_direct_solve():
    rng = np.random.default_rng(3)
    lam, v = LAM[:60], V[:60]
    te, tr = kr.simulate_krr(lam, v, 25, [0.0, 0.3], 0.1, np.random.default_rng(3), 1)
    # replay the draw: G, then ε (same order as the simulator)
    G = rng.standard_normal((25, 60)) * np.sqrt(lam)
    theta = v / np.sqrt(lam)
    y = G @ theta + np.sqrt(0.1) * rng.standard_normal(25)
    for j, d in enumerate((0.0, 0.3)):
        alpha = np.linalg.solve(G @ G.T + d * np.eye(25), y)
        th = G.T @ alpha
        assert math.isclose(te[0, j], (th - theta) @ (lam * (th - theta)) + 0.1, rel_tol=1e-9)
        assert math.isclose(tr[0, j], np.mean((G @ th - y) ** 2), rel_tol=1e-7, abs_tol=1e-12)


def test_simulate_rf_matches_dense_direct_solve():
    lam, v = LAM[:60], V[:60]
    te, tr = kr.simulate_random_features(lam, v, 20, [15, 40], [0.2], 0.1, np.random.default_rng(5), 1)
    rng = np.random.default_rng(5)
    G = rng.standard_normal((20, 60)) * np.sqrt(lam)
    theta = v / np.sqrt(lam)
    y = G @ theta + np.sqrt(0.1) * rng.standard_normal(20)
    F0 = rng.standard_normal((40, 60))
    for a, k in enumerate((15, 40)):
        F = F0[:k] / np.sqrt(k)
        Phi = G @ F.T
        w = np.linalg.solve(Phi.T @ Phi + 0.2 * np.eye(k), Phi.T @ y)
        th = F.T @ w
        assert math.isclose(te[0, a, 0], (th - theta) @ (lam * (th - theta)) + 0.1, rel_tol=1e-9)
        assert math.isclose(tr[0, a, 0], np.mean((Phi @ w - y) ** 2), rel_tol=1e-8)


@pytest.mark.parametrize("n, ridge", [(40, 1e-2), (40, 1.0)])
def test_krr_formula_against_monte_carlo(n, ridge):
    draws = 150
    te, tr = kr.simulate_krr(LAM, V, n, [ridge], 0.05, np.random.default_rng(11), draws)
    r = kr.eigenlearning(LAM, V, n, ridge, 0.05)
    for sim, th in ((te[:, 0], r.test_mse), (tr[:, 0], r.train_mse)):
        se = sim.std(ddof=1) / math.sqrt(draws)
        assert abs(sim.mean() - th) <= 0.04 * th + 5 * se  # O(1/n) bias budget + 5 SE


@pytest.mark.parametrize("k, ridge", [(15, 1e-3), (80, 0.1), (200, 1.0)])
def test_rf_formula_against_monte_carlo(k, ridge):
    draws = 60
    te, tr = kr.simulate_random_features(LAM, V, 40, k, [ridge], 0.05, np.random.default_rng(13), draws)
    r = kr.random_feature_eigenlearning(LAM, V, 40, k, ridge, 0.05)
    for sim, th, bias in ((te[:, 0], r.test_mse, 0.04), (tr[:, 0], r.train_mse, 0.1)):
        se = sim.std(ddof=1) / math.sqrt(draws)
        assert abs(sim.mean() - th) <= bias * th + 5 * se


def test_rf_ridges_equations_and_limits():
    for n, k, d in ((40, 15, 0.1), (40, 80, 1e-3), (40, 400, 1.0), (40, 15, 0.0), (40, 80, 0.0)):
        kap, gam = kr.solve_rf_ridges(LAM, n, k, d)
        d1 = kr.df1(LAM, gam)
        assert abs(d1 - k * (1 - kap / gam)) < 1e-10 * n
        if d > 0:
            assert abs(d1 + d / kap - n) < 1e-10 * n
        else:
            assert abs(d1 - min(n, k)) < 1e-10 * n
    # δ = 0, k < n: E_tr = ((n − k)/n)² E_te
    r = kr.random_feature_eigenlearning(LAM, V, 40, 15, 0.0, 0.05)
    assert math.isclose(r.train_mse, (25 / 40) ** 2 * r.test_mse, rel_tol=1e-10)
    # k → ∞ recovers KRR, gap ∝ 1/k
    ref = kr.eigenlearning(LAM, V, 40, 0.1, 0.05).test_mse
    gaps = [abs(kr.random_feature_eigenlearning(LAM, V, 40, k, 0.1, 0.05).test_mse - ref) for k in (1000, 10000)]
    assert gaps[1] < 0.12 * gaps[0] and gaps[1] < 3e-3 * ref


def test_tuned_ridge_and_more_is_better():
    d, e = kr.tuned_ridge(lambda x: (math.log(x) - 1.0) ** 2 + 2.0, np.geomspace(1e-3, 1e3, 25))
    assert math.isclose(d, math.e, rel_tol=1e-6) and math.isclose(e, 2.0, abs_tol=1e-12)
    tuned = [kr.tuned_ridge(lambda x, k=k: kr.random_feature_eigenlearning(LAM, V, 40, k, x, 0.05).test_mse,
                            np.geomspace(1e-6, 1e2, 40))[1] for k in (10, 40, 160)]
    assert tuned[0] > tuned[1] > tuned[2]
    ridgeless = [kr.random_feature_eigenlearning(LAM, V, 40, k, 1e-8, 0.05).test_mse for k in (10, 39, 160)]
    assert ridgeless[1] > 10 * ridgeless[0]  # double descent near k = n


@pytest.mark.parametrize("call", [
    lambda: kr.eigenlearning(LAM, V, 10, -1.0),
    lambda: kr.eigenlearning(LAM, V, 0, 1.0),
    lambda: kr.eigenlearning(LAM, V[:-1], 10, 1.0),
    lambda: kr.eigenlearning(-LAM, V, 10, 1.0),
    lambda: kr.eigenlearning(LAM, V, 10, 1.0, noise_var=-0.1),
    lambda: kr.eigenlearning(LAM[:5], V[:5], 5, 0.0),
    lambda: kr.eigenlearning(np.ones((2, 2)), np.ones((2, 2)), 1, 1.0),
    lambda: kr.random_feature_eigenlearning(LAM, V, 20, 20, 0.0),
    lambda: kr.random_feature_eigenlearning(LAM, V, 20, 0, 1.0),
    lambda: kr.tuned_ridge(lambda x: x, [1.0, 0.5, 2.0]),
    lambda: kr.power_law_task(10, 0.0, 1.0),
    lambda: kr.simulate_krr(LAM, V, 10, [-1.0], 0.0, np.random.default_rng(0)),
    lambda: kr.simulate_random_features(LAM, V, 10, 5, [1.0], 0.0, "not a generator"),
])
def test_bad_inputs_raise_input_error(call):
    with pytest.raises(InputError):
        call()


@pytest.mark.parametrize("n", [20, 60, 150])
def test_tuned_krr_ridge_is_the_bayes_ridge(n):
    # v_i² = τ² λ_i (an isotropic Gaussian prior θ ~ N(0, τ² I) on average): the posterior mean is KRR at
    # δ = σ²/τ² for every n, so the eigenframework risk must be minimised there (a check independent of the
    # risk formula's derivation)
    lam = np.arange(1, 801, dtype=float) ** -1.5
    tau2 = 1.0 / lam.sum()
    v = np.sqrt(tau2 * lam)
    d, _ = kr.tuned_ridge(lambda x: kr.eigenlearning(lam, v, n, x, 0.05).test_mse, np.geomspace(1e-4, 1e2, 40))
    assert math.isclose(d, 0.05 / tau2, rel_tol=1e-4)
