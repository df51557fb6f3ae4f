"""One SGD step of a two-layer tanh network under NTK / μP / SP (Yang & Hu 2021): the step, the exact Δh formula,
the output change, the log-log slope fit with its standard error, bad inputs."""
from __future__ import annotations

import numpy as np
import pytest

from theorylab._validation import InputError
from theorylab.settings.stats import loglog_slope
from theorylab.settings.width_scaling import feature_learning as fl


def _net(rng, batch=(), n=6, d=4, v_std=1.0):
    W = rng.standard_normal(batch + (n, d)) / np.sqrt(d)
    v = v_std * rng.standard_normal(batch + (n,))
    x = rng.standard_normal(batch + (d,))
    return W, v, x


def _f(W, v, x, m):
    return m * np.sum(v * np.tanh(W @ x), axis=-1)


@pytest.mark.parametrize("param", fl.PARAMETERISATIONS)
def test_dh_is_exactly_the_first_order_formula(param):
    rng = np.random.default_rng(1)
    m, v_std, lr = fl.parameterisation_scales(param, 6, eta=0.3)
    W, v, x = _net(rng, (3,), v_std=v_std)
    xt = rng.standard_normal((3, 4))
    r = fl.one_sgd_step(W, v, x, multiplier=m, lr=lr, target=1.0, x_test=xt)
    assert r["chi"] == -1.0
    for z, key in ((x, "dh"), (xt, "dh_test")):
        pred = fl.first_order_feature_change(v, r["h"], np.sum(x * z, -1), multiplier=m, lr=lr, chi=-1.0)
        np.testing.assert_allclose(r[key], pred, rtol=1e-12, atol=1e-15)
        # and it is the change of w·z recomputed from the updated weights
        np.testing.assert_allclose(r[key], ((W + r["dW"]) @ z[..., None])[..., 0] - (W @ z[..., None])[..., 0],
                                   rtol=1e-10, atol=1e-14)


def test_step_equals_finite_difference_gradient_step():
    rng = np.random.default_rng(2)
    n, d, m, lr, y = 5, 3, 0.7, 0.2, 1.3
    W, v, x = _net(rng, n=n, d=d)
    f0 = _f(W, v, x, m)

    def loss(Wp, vp):
        return 0.5 * (_f(Wp, vp, x, m) - f0 - y) ** 2

    eps = 1e-6
    gW, gv = np.zeros_like(W), np.zeros_like(v)
    for idx in np.ndindex(W.shape):
        e = np.zeros_like(W); e[idx] = eps
        gW[idx] = (loss(W + e, v) - loss(W - e, v)) / (2 * eps)
    for i in range(n):
        e = np.zeros_like(v); e[i] = eps
        gv[i] = (loss(W, v + e) - loss(W, v - e)) / (2 * eps)
    r = fl.one_sgd_step(W, v, x, multiplier=m, lr=lr, target=y)
    np.testing.assert_allclose(r["dW"], -lr * gW, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(r["dv"], -lr * gv, rtol=1e-7, atol=1e-10)
    # Δf is the output change of the stepped network, computed without cancellation
    assert r["df"] == pytest.approx(_f(W + r["dW"], v + r["dv"], x, m) - f0, rel=1e-12, abs=1e-14)


def test_output_change_is_first_order_as_lr_to_zero():
    rng = np.random.default_rng(3)
    W, v, x = _net(rng, n=50, d=4)
    m = 50 ** -0.5
    h = W @ x
    # Δf/lr → −χ ‖∇f‖² = m² Σ [tanh² h_i + v_i² tanh'(h_i)² ‖x‖²]
    kernel = m * m * np.sum(np.tanh(h) ** 2 + v ** 2 * (1 - np.tanh(h) ** 2) ** 2 * (x @ x))
    errs = []
    for lr in (1e-3, 1e-4, 1e-5):
        r = fl.one_sgd_step(W, v, x, multiplier=m, lr=lr)
        errs.append(abs(r["df"] / lr - kernel) / kernel)
    assert errs[-1] < 1e-4
    assert 5 < errs[0] / errs[1] < 20 and 5 < errs[1] / errs[2] < 20   # error O(lr)


def test_scales_and_ntk_sp_feature_change_coincide():
    n, eta = 64, 0.05
    assert fl.parameterisation_scales("ntk", n, eta) == pytest.approx((1 / 8, 1.0, eta))
    assert fl.parameterisation_scales("mup", n, eta) == pytest.approx((1 / 64, 1.0, eta * 64))
    assert fl.parameterisation_scales("sp", n, eta) == pytest.approx((1.0, 1 / 8, eta))
    sim = fl.simulate_feature_change([8, 32], 4, np.random.default_rng(4), d=5, max_block=100)
    for p in fl.PARAMETERISATIONS:
        np.testing.assert_allclose(sim[p]["rms_dh"], sim[p]["rms_dh_first_order"], rtol=1e-12)
        assert sim[p]["df"].shape == (2, 4) and np.all(sim[p]["df"] > 0)
    np.testing.assert_allclose(sim["sp"]["rms_dh"], sim["ntk"]["rms_dh"], rtol=1e-12)
    np.testing.assert_allclose(sim["mup"]["rms_dh"], sim["ntk"]["rms_dh"] * np.sqrt([[8], [32]]), rtol=1e-12)


def test_slope_fit_on_synthetic_power_laws():
    rng = np.random.default_rng(5)
    n = np.array([256, 512, 1024, 2048, 4096], float)
    exact = 3.0 * n[:, None] ** -0.5 * np.ones((1, 4))
    fit = fl.loglog_slope_fit(n, exact, correction=False)
    assert fit["slope"] == pytest.approx(-0.5, abs=1e-12) and fit["se"] < 1e-12
    # power law with a 1/n correction and multiplicative noise ∝ n^{-1/2}: the corrected fit is unbiased
    zs, zs_plain = [], []
    for _ in range(20):
        noise = rng.standard_normal((n.size, 100)) / np.sqrt(n[:, None])
        y = 2.0 * n[:, None] * (1 + 30 / n[:, None]) * np.exp(noise)
        f = fl.loglog_slope_fit(n, y)
        zs.append((f["slope"] - 1) / f["se"])
        zs_plain.append((fl.loglog_slope_fit(n, y, correction=False)["slope"] - 1) / f["se"])
        lo, hi = f["interval"]
        assert lo < f["slope"] < hi and hi - lo == pytest.approx(10 * f["se"])
    assert abs(np.mean(zs)) < 1.0 and np.max(np.abs(zs)) < 5
    assert np.mean(zs_plain) < -3          # the 1/n term biases the plain fit
    # the plain fit's point estimate is stats.loglog_slope of the geometric mean
    plain = fl.loglog_slope_fit(n, y, correction=False)
    assert plain["slope"] == pytest.approx(loglog_slope(n, np.exp(np.log(y).mean(1))), abs=1e-12)


@pytest.mark.parametrize("call", [
    lambda: fl.parameterisation_scales("nngp", 8),
    lambda: fl.parameterisation_scales("ntk", 0),
    lambda: fl.parameterisation_scales("ntk", 2.5),
    lambda: fl.parameterisation_scales("mup", 8, eta=-1.0),
    lambda: fl.first_order_feature_change(np.ones(3), np.ones(4), 1.0, multiplier=1.0, lr=0.1),
    lambda: fl.first_order_feature_change(np.ones(3), np.ones(3), 1.0, multiplier=1.0, lr=0.0),
    lambda: fl.first_order_feature_change([np.nan, 1, 1], np.ones(3), 1.0, multiplier=1.0, lr=0.1),
    lambda: fl.one_sgd_step(np.ones((4, 3)), np.ones(5), np.ones(3), multiplier=1.0, lr=0.1),
    lambda: fl.one_sgd_step(np.ones((4, 3)), np.ones(4), np.ones(2), multiplier=1.0, lr=0.1),
    lambda: fl.one_sgd_step(np.ones((4, 3)), np.ones(4), np.ones(3), multiplier=np.inf, lr=0.1),
    lambda: fl.one_sgd_step(np.ones((4, 3)), np.ones(4), np.ones(3), multiplier=1.0, lr=0.1, x_test=np.ones(2)),
    lambda: fl.one_sgd_step(np.ones((2, 4, 3)), np.ones((3, 4)), np.ones(3), multiplier=1.0, lr=0.1),
    lambda: fl.simulate_feature_change([], 3, np.random.default_rng(0)),
    lambda: fl.simulate_feature_change([8, 0], 3, np.random.default_rng(0)),
    lambda: fl.simulate_feature_change([8], 3, 0),
    lambda: fl.simulate_feature_change([8], 3, np.random.default_rng(0), parameterisations=("ntk", "xx")),
    lambda: fl.loglog_slope_fit([1, 2, 4], np.ones((3, 1))),
    lambda: fl.loglog_slope_fit([1, 2], np.ones((2, 5))),
    lambda: fl.loglog_slope_fit([1, 2, 2], np.ones((3, 5))),
    lambda: fl.loglog_slope_fit([1, 2, 4], -np.ones((3, 5))),
    lambda: fl.loglog_slope_fit([1, 2, 4], np.ones(3)),
    lambda: fl.loglog_slope_fit([1, 2, 4], np.ones((3, 5)), correction=1),
])
def test_bad_inputs_raise(call):
    with pytest.raises(InputError):
        call()
