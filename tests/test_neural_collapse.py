"""Neural collapse in the UFM: gradients vs finite differences, closed forms vs L-BFGS / brute force, metrics on
hand-built configurations, the threshold's M → 1 limit, the perturbed model, bad inputs."""
from __future__ import annotations

import inspect

import numpy as np
import pytest

from theorylab import InputError
from theorylab.settings import neural_collapse as nc
from theorylab.settings.neural_collapse import collapse_threshold, optimal_objective

SIZES = (20, 10, 5, 2)


def _product(ws):
    p = ws[0]
    for w in ws[1:]:
        p = w @ p
    return p


def test_public_api_signatures():
    assert list(inspect.signature(optimal_objective).parameters) == ["class_sizes", "lam_w", "lam_h", "depth", "bias"]
    assert inspect.signature(optimal_objective).parameters["depth"].default == 1
    assert inspect.signature(optimal_objective).parameters["bias"].default is False
    assert list(inspect.signature(collapse_threshold).parameters) == ["class_sizes", "lam_w", "lam_h", "depth"]


def test_known_values():
    # M = 1: threshold N² λ_W λ_H and the soft-threshold objective (claims note §3: n = (20,10,5,2), λ = 0.0506)
    assert collapse_threshold(SIZES, 0.0506, 0.0506) == pytest.approx(37**2 * 0.0506**2, rel=1e-14)
    a = np.maximum(np.sqrt(SIZES) - 37 * 0.0506, 0)
    f = np.sum((a - np.sqrt(SIZES)) ** 2 / 74 + 0.0506 * a)
    assert optimal_objective(SIZES, 0.0506, 0.0506) == pytest.approx(f, rel=1e-14)
    # the authors' window example (claims note §4): M = 2, λ = 0.01, n = (40,20,10,2): code root x_4 ≈ 0.76
    auth = nc.dang_stationarity_solution((40, 20, 10, 2), 0.01, 0.01, 2)
    assert auth["x"][3] == pytest.approx(0.76, abs=0.005)
    assert nc.closed_form_minimiser((40, 20, 10, 2), 0.01, 0.01, 2)["collapsed"].tolist() == [False] * 3 + [True]


@pytest.mark.parametrize("depth,bias", [(1, False), (2, True), (3, False)])
def test_gradient_matches_finite_differences(depth, bias):
    rng = np.random.default_rng(depth)
    labels = nc.labels_from_sizes((3, 2, 4))
    ws = [rng.standard_normal((5, 4))] + [rng.standard_normal((5, 5)) for _ in range(depth - 2)]
    ws = ws + [rng.standard_normal((3, 5 if depth > 1 else 4))] if depth > 1 else [rng.standard_normal((3, 4))]
    h = rng.standard_normal((4, labels.size))
    b = rng.standard_normal(3) if bias else None
    f, gws, gh, gb = nc.ufm_objective(ws, h, labels, 0.03, 0.02, bias=b, gradient=True)
    eps = 1e-6
    for mats, grads in ((ws, gws), ([h], [gh])) + ((([b], [gb]),) if bias else ()):
        for m, g in zip(mats, grads):
            for idx in [tuple(rng.integers(0, s) for s in m.shape) for _ in range(4)]:
                old = m[idx]
                m[idx] = old + eps
                fp = nc.ufm_objective(ws, h, labels, 0.03, 0.02, bias=b)
                m[idx] = old - eps
                fm = nc.ufm_objective(ws, h, labels, 0.03, 0.02, bias=b)
                m[idx] = old
                assert g[idx] == pytest.approx((fp - fm) / (2 * eps), rel=1e-6, abs=1e-8)


def test_perturbed_gradient_matches_finite_differences():
    rng = np.random.default_rng(5)
    labels = nc.labels_from_sizes((4, 3))
    w, h, x = rng.standard_normal((2, 3)), rng.standard_normal((3, 7)), rng.standard_normal((3, 7))
    f, gw, gh = nc.perturbed_objective(w, h, x, labels, 0.02, 0.01, 0.3, gradient=True)
    eps = 1e-6
    for m, g in ((w, gw), (h, gh)):
        for idx in [(0, 1), (1, 2)]:
            old = m[idx]
            m[idx] = old + eps
            fp = nc.perturbed_objective(w, h, x, labels, 0.02, 0.01, 0.3)
            m[idx] = old - eps
            fm = nc.perturbed_objective(w, h, x, labels, 0.02, 0.01, 0.3)
            m[idx] = old
            assert g[idx] == pytest.approx((fp - fm) / (2 * eps), rel=1e-6)


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_scalar_minimiser_vs_brute_force(depth):
    lw, lh, big_n = 0.02, 0.03, 37
    q, c = nc.scalar_constants(lw, lh, depth)
    for sigma in (0.3, 1.0, 1.7, 3.0, 4.5):
        s = np.linspace(0, sigma, 200001)
        g = (s - sigma) ** 2 / (2 * big_n) + c * s**q
        s_num = s[np.argmin(g)]
        s_cf = nc.scalar_minimiser(sigma, big_n, lw, lh, depth)
        assert s_cf == pytest.approx(s_num, abs=2 * sigma / 200000)
        assert nc.scalar_objective(s_cf, sigma, big_n, lw, lh, depth) <= g.min() + 1e-15


@pytest.mark.parametrize("depth", [2, 3, 5])
def test_threshold_is_where_zero_ties_the_positive_root(depth):
    big_n, lw, lh = 40, 0.01, 0.02
    thr = collapse_threshold((big_n - 1, 1), lw, lh, depth)
    # just above the threshold the minimiser is positive with (P H̄)_kk ≈ (M−1)/M; just below it is 0
    above = nc.scalar_minimiser(np.sqrt(thr * (1 + 1e-8)), big_n, lw, lh, depth)
    below = nc.scalar_minimiser(np.sqrt(thr * (1 - 1e-8)), big_n, lw, lh, depth)
    assert below == 0.0
    assert above / np.sqrt(thr) == pytest.approx((depth - 1) / depth, abs=1e-3)
    # equal λ: n_thr = M (M−1)^{(1−M)/M} b (claims note §4)
    b = depth * big_n * (big_n * lw**depth * lw) ** (1 / depth)
    assert collapse_threshold((big_n - 1, 1), lw, lw, depth) == pytest.approx(
        depth * (depth - 1) ** ((1 - depth) / depth) * b, rel=1e-12)


def test_threshold_m_to_one_limit():
    big_n, lw, lh = 30, 0.02, 0.05

    def deep(m):  # the M ≥ 2 formula at real M
        return (m / (m - 1)) ** 2 * (big_n * (m - 1)) ** ((m + 1) / m) * (lh * lw**m) ** (1 / m)

    for eps, tol in ((1e-6, 1e-4), (1e-9, 1e-7)):
        assert deep(1 + eps) == pytest.approx(collapse_threshold((big_n - 5, 5), lw, lh, 1), rel=tol)


def test_stationarity_rule_agrees_above_threshold_and_is_stationary():
    sizes, lw, lh = (40, 20, 10, 2), 0.01, 0.01
    auth = nc.dang_stationarity_solution(sizes, lw, lh, 2)
    glob = nc.closed_form_minimiser(sizes, lw, lh, 2)
    np.testing.assert_allclose(auth["s"][:3], glob["s"][:3], rtol=1e-9)
    q, c = nc.scalar_constants(lw, lh, 2)
    s4, n4 = auth["s"][3], sizes[3]
    assert (s4 - np.sqrt(n4)) / 72 + c * q * s4 ** (q - 1) == pytest.approx(0, abs=1e-10)   # g'(s) = 0
    lo, thr = nc.stationarity_window(sizes, lw, lh, 2)
    assert lo <= n4 < thr
    assert nc.scalar_objective(s4, np.sqrt(n4), 72, lw, lh, 2) > n4 / (2 * 72)               # local, not global


def test_m1_closed_form_vs_lbfgs():
    lw, lh = 0.2, 0.0128
    cf = nc.closed_form_minimiser(SIZES, lw, lh)
    fit = nc.fit_ufm(SIZES, lw, lh, starts=1, rng=np.random.default_rng(0))
    assert fit["objective"] == pytest.approx(cf["objective"], rel=1e-10)
    w = fit["weights"][0]
    means, _ = nc.class_means(fit["features"], fit["labels"])
    np.testing.assert_allclose(w @ means, np.diag(cf["product_diag"]), atol=1e-6)
    np.testing.assert_allclose(np.sum(w**2, 1), cf["classifier_norm_sq"], atol=1e-6)
    np.testing.assert_allclose(np.sum(means**2, 0), cf["feature_norm_sq"], atol=1e-6)
    assert nc.nc1(fit["features"], fit["labels"]) < 1e-10


def test_deep_closed_form_vs_lbfgs():
    lw = lh = 0.021
    f_star = optimal_objective(SIZES, lw, lh, 2)
    fit = nc.fit_ufm(SIZES, lw, lh, 2, starts=6, rng=np.random.default_rng(1), stop_below=f_star * (1 + 1e-11))
    assert fit["objective"] == pytest.approx(f_star, rel=1e-10)
    assert np.all(fit["objectives"] >= f_star * (1 - 1e-12))
    means, _ = nc.class_means(fit["features"], fit["labels"])
    np.testing.assert_allclose(np.diag(_product(fit["weights"]) @ means),
                               nc.closed_form_minimiser(SIZES, lw, lh, 2)["product_diag"], atol=1e-6)


def test_bias_and_truncation_vs_lbfgs():
    fit = nc.fit_ufm(SIZES, 0.04, 0.04, bias=True, starts=1, rng=np.random.default_rng(2))
    bp = nc.bias_product(SIZES, 0.04, 0.04)
    assert fit["objective"] == pytest.approx(bp["objective"], rel=1e-10)
    assert bp["objective"] == pytest.approx(0.2237, abs=1e-4)
    np.testing.assert_allclose(fit["bias"], np.array(SIZES) / 37, atol=1e-6)
    fit = nc.fit_ufm(SIZES, 0.02, 0.03, dim=2, starts=2, rng=np.random.default_rng(3))
    assert fit["objective"] == pytest.approx(nc.closed_form_minimiser(SIZES, 0.02, 0.03, rank=2)["objective"],
                                             rel=1e-10)
    assert fit["objective"] > optimal_objective(SIZES, 0.02, 0.03) * (1 + 1e-3)


def test_balanced_bias_is_simplex_etf():
    bp = nc.bias_product((6, 6, 6), 0.01, 0.02)
    shrink = 1 - 18 * np.sqrt(0.01 * 0.02 / 6)
    np.testing.assert_allclose(bp["product_means"], shrink * nc.simplex_etf(3), atol=1e-12)
    np.testing.assert_allclose(bp["bias"], [1 / 3] * 3)


def test_metrics_on_hand_built_configurations():
    rng = np.random.default_rng(4)
    labels = np.repeat(np.arange(3), [4, 3, 2])
    means = rng.standard_normal((5, 3))
    h = means[:, labels]
    assert nc.nc1(h, labels) == pytest.approx(0, abs=1e-28)
    assert nc.nc1(h + 0.3 * rng.standard_normal(h.shape), labels) > 1e-3
    # a collapsed (zero-mean) minority class: Σ_B rank-deficient, NC1 still finite and 0
    means[:, 2] = 0
    assert nc.nc1(means[:, labels], labels) == pytest.approx(0, abs=1e-28)
    # simplex ETF Gram and orthogonal frames
    assert nc.nc2(3.0 * nc.simplex_etf(4)) == pytest.approx(0, abs=1e-15)
    assert nc.nc2(np.diag([3.0, 2.0, 1.0]), "of") == 0.0
    assert nc.nc2(np.eye(3)) > 0.1
    g = np.diag([3.0, 2.0, 1.0])
    assert nc.nc2(g, np.diag([6.0, 4.0, 2.0])) == pytest.approx(0, abs=1e-15)
    assert nc.nc3(2.5 * means, means) == pytest.approx(0, abs=1e-15)
    assert nc.nc3(-means, means) == pytest.approx(2, rel=1e-12)


def test_perturbed_model_reduction_and_features():
    rng = np.random.default_rng(6)
    labels = nc.labels_from_sizes((8, 5, 3))
    init = (rng.standard_normal((3, 4)), rng.standard_normal((4, 16)))
    fit = nc.fit_perturbed(np.zeros((4, 16)), labels, 0.02, 0.01, 0.02, init=init)
    assert fit["objective"] == pytest.approx(optimal_objective((8, 5, 3), 0.02, 0.03), rel=1e-9)
    x = rng.standard_normal((4, 16))
    fit = nc.fit_perturbed(x, labels, 0.02, 0.05, 0.1)
    h = nc.optimal_features(fit["weights"], x, labels, 0.05, 0.1)
    np.testing.assert_allclose(fit["features"], h, atol=1e-6)
    a = nc.contraction_matrix(fit["weights"], 16, 0.05, 0.1)
    assert np.linalg.eigvalsh(a).max() <= 0.1 / 0.15 + 1e-12


@pytest.mark.parametrize("call", [
    lambda: optimal_objective((3, 0), 0.1, 0.1),
    lambda: optimal_objective((3, 2.5), 0.1, 0.1),
    lambda: optimal_objective((5,), 0.1, 0.1),
    lambda: optimal_objective([[3, 4]], 0.1, 0.1),
    lambda: optimal_objective((3, 4), 0.0, 0.1),
    lambda: optimal_objective((3, 4), 0.1, -1.0),
    lambda: optimal_objective((3, 4), 0.1, float("nan")),
    lambda: optimal_objective((3, 4), 0.1, 0.1, depth=0),
    lambda: optimal_objective((3, 4), 0.1, 0.1, depth=1.5),
    lambda: optimal_objective((3, 4), 0.1, 0.1, bias="yes"),
    lambda: collapse_threshold((3, 4), 0.1, 0.1, depth=True),
    lambda: collapse_threshold("ab", 0.1, 0.1),
    lambda: nc.dang_stationarity_solution((3, 4), 0.1, 0.1, depth=1),
    lambda: nc.closed_form_minimiser((3, 4), 0.1, 0.1, rank=0),
    lambda: nc.nc1(np.ones((2, 3)), [0, 2, 2]),
    lambda: nc.nc1(np.ones((2, 3)), [0, 1]),
    lambda: nc.nc2(np.ones((2, 3))),
    lambda: nc.nc2(np.eye(2), "simplex"),
    lambda: nc.nc3(np.ones((2, 3)), np.ones((3, 2))),
    lambda: nc.fit_ufm((3, 4), 0.1, 0.1, starts=0),
    lambda: nc.perturbed_objective(np.ones((2, 3)), np.ones((3, 4)), np.ones((3, 5)), [0, 0, 1, 1], 0.1, 0, 0.1),
    lambda: nc.fit_perturbed(np.ones((3, 4)), [0, 0, 1, 1], 0.1, 0.0, 0.0),
])
def test_bad_inputs(call):
    with pytest.raises(InputError):
        call()
