"""Modular arithmetic setting: collapse predicate by hand, bisection vs scan, ⊥Grad, MLP gradients, Gromov's
analytic network vs closed forms, IPR, data, bad inputs."""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from theorylab import InputError
from theorylab.settings import modular_arithmetic as ma


@pytest.mark.parametrize("dt", ["float16", "float32", "float64"])
def test_collapse_predicate_by_hand_k2(dt):
    """K = 2: fl(1 + t) = 1 iff t ≤ 2^{−p} (ties to even), t = fl(e^{−g}) taken as an exact rational."""
    p = ma.significand_bits(dt)
    lo = p * math.log(2)
    for g in np.linspace(lo - 0.05, lo + 0.05, 201):
        t = np.exp(-np.asarray(g).astype(dt))
        by_hand = Fraction(float(t)) <= Fraction(1, 2 ** p)
        assert ma.is_collapsed(ma.gap_logits(g, 2), dt, "sequential") == by_hand
        assert (np.asarray(1, dt) + t == 1) == by_hand


def test_sum_orders_by_hand():
    """float32, K = 3, two terms 0.6·2^{−24} each: one at a time both vanish; summed first they survive."""
    g = -math.log(0.6 * 2.0 ** -24)
    z = ma.gap_logits(g, 3)
    t = np.float32(np.exp(np.float32(-g)))
    assert float(ma.sum_exp(z, "float32", "sequential")) == float((np.float32(1) + t) + t) == 1.0
    assert float(ma.sum_exp(z, "float32", "small-first")) == float(np.float32(1) + (t + t)) > 1.0
    assert ma.is_collapsed(z, "float32", "sequential") and not ma.is_collapsed(z, "float32", "small-first")


@pytest.mark.parametrize("dt,K,order", [("float16", 113, "numpy"), ("float32", 113, "small-first"),
                                        ("float32", 2, "sequential"), ("float64", 113, "numpy")])
def test_bisection_matches_scan(dt, K, order):
    lo, hi = ma.collapse_bounds(K, dt)
    g = np.arange(lo - 0.5, hi + 0.5, 1e-3)
    col = ma.is_collapsed(ma.gap_logits(g, K), dt, order)
    first = g[np.argmax(col)]
    assert col.any() and np.all(col[np.argmax(col):])  # monotone
    gs = ma.collapse_gap(K, dt, order)
    assert first - 1e-3 - 1e-9 < gs <= first + 1e-9


def test_collapse_values_and_bounds():
    assert ma.collapse_gap(2, "float32", "sequential") == pytest.approx(24 * math.log(2), abs=2e-6)
    assert ma.collapse_gap(113, "float64", "small-first") == pytest.approx(53 * math.log(2) + math.log(112), abs=1e-9)
    g = ma.collapse_gap(113, "float32", "numpy")
    lo, hi = ma.collapse_bounds(113, "float32")
    assert lo < g < hi
    # float16: the answer is the cast boundary between the float16 neighbours 7.62109375 and 7.625
    assert ma.collapse_gap(2, "float16", "sequential") == pytest.approx(7.623046875, abs=1e-9)
    assert ma.underflow_gap("float32") == pytest.approx(150 * math.log(2))
    assert ma.underflow_gap("float64") == pytest.approx(1075 * math.log(2))


def test_cross_entropy_matches_float64_reference_and_zeros():
    rng = np.random.default_rng(0)
    z = rng.standard_normal((7, 5)) * 3
    y = rng.integers(0, 5, 7)
    loss, grad = ma.framework_cross_entropy(z, y, "float64", "numpy")
    P = np.exp(z - z.max(1, keepdims=True)); P /= P.sum(1, keepdims=True)
    np.testing.assert_allclose(loss, -np.log(P[np.arange(7), y]), rtol=1e-12)
    np.testing.assert_allclose(grad, P - np.eye(5)[y], atol=1e-15)
    loss, grad = ma.framework_cross_entropy(ma.gap_logits(20.0, 4), 0, "float32", "sequential")
    assert loss == 0 and grad[0] == 0 and np.all(grad[1:] > 0)
    loss, grad = ma.framework_cross_entropy(ma.gap_logits(110.0, 4), 0, "float32", "sequential")
    assert loss == 0 and np.all(grad == 0)


def test_orthograd_projection():
    rng = np.random.default_rng(1)
    w, g = rng.standard_normal((4, 6)), rng.standard_normal((4, 6))
    g = g + 2 * w
    gp = ma.orthograd_project(w, g)
    assert abs(np.sum(w * gp)) < 1e-12 * np.linalg.norm(w) * np.linalg.norm(g)
    assert np.linalg.norm(gp) == pytest.approx(np.linalg.norm(g), rel=1e-13)
    raw = ma.orthograd_project(w, g, rescale=False)
    assert abs(np.sum(w * raw)) < 1e-12 * np.linalg.norm(w) * np.linalg.norm(g)
    assert np.linalg.norm(raw) < 0.9 * np.linalg.norm(g)
    np.testing.assert_allclose(gp / np.linalg.norm(gp), raw / np.linalg.norm(raw), rtol=1e-12)


def _net(rng, bias=False):
    Ws = [rng.standard_normal((7, 4)), rng.standard_normal((6, 7)), rng.standard_normal((3, 6))]
    bs = [rng.standard_normal(7), rng.standard_normal(6), rng.standard_normal(3)] if bias else None
    return Ws, bs, rng.standard_normal((9, 4)), rng.integers(0, 3, 9)


@pytest.mark.parametrize("bias", [False, True])
def test_mlp_gradients_finite_differences(bias):
    rng = np.random.default_rng(2)
    Ws, bs, X, y = _net(rng, bias)
    _, grads, _, _ = ma.mlp_loss_and_grads(Ws, X, y, bs)
    h = 1e-6
    for li, W in enumerate(Ws):
        for idx in [(0, 0), (W.shape[0] - 1, W.shape[1] - 1), (1, 2)]:
            Wp = [A.copy() for A in Ws]; Wm = [A.copy() for A in Ws]
            Wp[li][idx] += h; Wm[li][idx] -= h
            fd = (ma.mlp_loss_and_grads(Wp, X, y, bs)[0] - ma.mlp_loss_and_grads(Wm, X, y, bs)[0]) / (2 * h)
            assert grads[li][idx] == pytest.approx(fd, rel=1e-5, abs=1e-8)


def test_euler_identity_and_its_failure_with_biases():
    rng = np.random.default_rng(3)
    Ws, _, X, y = _net(rng)
    lay, logit = ma.euler_products(Ws, X, y)
    np.testing.assert_allclose(lay, logit, rtol=1e-12)
    # it is the derivative of the loss under scaling one layer: d/dc L(c W_l) at c = 1
    for li in range(3):
        c = 1e-6
        up = [A * (1 + c) if i == li else A for i, A in enumerate(Ws)]
        dn = [A * (1 - c) if i == li else A for i, A in enumerate(Ws)]
        fd = (ma.mlp_loss_and_grads(up, X, y)[0] - ma.mlp_loss_and_grads(dn, X, y)[0]) / (2 * c)
        assert fd == pytest.approx(logit, rel=1e-6)
    Ws, bs, X, y = _net(np.random.default_rng(4), bias=True)
    lay, logit = ma.euler_products(Ws, X, y, bs)
    assert np.max(np.abs(lay - logit)) > 1e-3 * abs(logit)


@pytest.mark.parametrize("p,J", [(7, 3), (11, 4), (13, 3)])
def test_analytic_logits_vs_closed_form(p, J):
    U, V, W, sigma = ma.grid_weights(p, np.arange(1, (p - 1) // 2 + 1), J)
    f = ma.quadratic_logits(U, V, W)
    np.testing.assert_allclose(f, ma.coherent_logits_all_frequencies(p, J * J), atol=1e-11)
    # explicit triple loop for one (n, m)
    n, m = 2, p - 1
    direct = [sum(W[q, k] * (U[k, n] + V[k, m]) ** 2 for k in range(len(sigma))) for q in range(p)]
    np.testing.assert_allclose(f[n, m], direct, rtol=1e-12, atol=1e-12)
    assert ma.modular_accuracy(f, p) == 1.0


def test_coherent_logits_formula_and_j2_differs():
    p, s = 11, np.array([3, 3, 5])
    fc = ma.coherent_logits(p, s)
    n, m, q = 4, 9, 2
    assert fc[n, m, q] == pytest.approx(0.5 * sum(np.cos(2 * np.pi * k * (n + m - q) / p) for k in s))
    U, V, W, sigma = ma.grid_weights(p, [3], 2)
    assert np.max(np.abs(ma.quadratic_logits(U, V, W) - ma.coherent_logits(p, sigma))) > 0.1


def test_ipr_values():
    p = 23
    x = np.cos(2 * np.pi * 4 * np.arange(p) / p + 0.3)
    assert ma.ipr(x) == pytest.approx(1.0, abs=1e-13)
    assert ma.ipr(x, spectrum="full") == pytest.approx(0.5, abs=1e-13)
    assert ma.ipr(np.ones(p)) == pytest.approx(1.0)
    rng = np.random.default_rng(5)
    v = ma.ipr(rng.standard_normal((20000, p)))
    assert abs(v.mean() - ma.gaussian_ipr_mean(p)) < 5 * v.std() / np.sqrt(v.size)
    assert ma.gaussian_ipr_mean(p) == pytest.approx(4 / (p + 1), rel=0.06)


def test_data():
    a, b, y = ma.modular_table(7, "add")
    assert a.size == 49 and np.all(y == (a + b) % 7)
    a, b, y = ma.modular_table(7, "div")
    assert a.size == 42 and np.all((y * b) % 7 == a)
    X = ma.one_hot_pairs(a, b, 7)
    assert X.shape == (42, 14) and np.all(X.sum(1) == 2) and np.all(X[np.arange(42), 7 + b] == 1)
    tr, te = ma.train_test_split(49, 0.3, np.random.default_rng(0))
    assert tr.size == 15 and np.intersect1d(tr, te).size == 0 and tr.size + te.size == 49
    yc, mask = ma.corrupt_labels(np.arange(100) % 7, 7, 0.2, np.random.default_rng(0))
    assert mask.sum() == 20 and np.all((yc != np.arange(100) % 7) == mask)


@pytest.mark.parametrize("loss", ["mse", "ce"])
def test_quadratic_network_gradients_and_training(loss):
    rng = np.random.default_rng(6)
    p, N = 7, 5
    U, V, W = rng.standard_normal((N, p)), rng.standard_normal((N, p)), rng.standard_normal((p, N))
    a, b = rng.integers(0, p, 12), rng.integers(0, p, 12)
    y = (a + b) % p
    val, grads, f = ma.quadratic_loss_and_grads(U, V, W, a, b, y, loss)
    np.testing.assert_allclose(f, ma.quadratic_logits(U, V, W)[a, b], rtol=1e-12)
    h = 1e-6
    for M, G in zip((U, V, W), grads):
        for idx in [(0, 0), (M.shape[0] - 1, M.shape[1] - 1), (2, 1)]:
            old = M[idx]
            M[idx] = old + h; up = ma.quadratic_loss_and_grads(U, V, W, a, b, y, loss)[0]
            M[idx] = old - h; dn = ma.quadratic_loss_and_grads(U, V, W, a, b, y, loss)[0]
            M[idx] = old
            assert G[idx] == pytest.approx((up - dn) / (2 * h), rel=1e-5, abs=1e-8)
    r = ma.train_quadratic_network(7, 16, 60, np.random.default_rng(0), lr=1e-2, loss=loss, xi=0.2, record_every=20)
    assert r["loss"][-1] < 0.5 * r["loss"][0] and r["corrupted"].sum() == round(0.2 * r["train"].size)
    assert np.all(np.isfinite(r["train_corrupt_acc"]))


@pytest.mark.parametrize("call", [
    lambda: ma.collapse_gap(2, "float8"), lambda: ma.collapse_gap(1, "float32"),
    lambda: ma.collapse_gap(2, "float32", "reverse"), lambda: ma.sum_exp([1.0], "float32"),
    lambda: ma.framework_cross_entropy([1.0, 2.0], 2), lambda: ma.gap_logits(-1.0, 3),
    lambda: ma.significand_bits("int32"), lambda: ma.modular_table(9), lambda: ma.modular_table(2),
    lambda: ma.modular_table(7, "pow"), lambda: ma.one_hot_pairs([0, 7], [0, 1], 7),
    lambda: ma.train_test_split(10, 1.0, np.random.default_rng(0)), lambda: ma.corrupt_labels([0, 1], 7, 1.5, None),
    lambda: ma.orthograd_project(np.ones(3), np.ones(4)), lambda: ma.orthograd_project([np.nan], [1.0]),
    lambda: ma.mlp_forward([np.ones((2, 3))], np.ones((4, 2))), lambda: ma.grid_weights(11, [11], 3),
    lambda: ma.grid_weights(12, [1], 3), lambda: ma.grid_weights(11, [1], 0),
    lambda: ma.fourier_weights(11, [1], [0.0], [0.0], "product"), lambda: ma.modular_accuracy(np.zeros((5, 5)), 5),
    lambda: ma.ipr(np.zeros(5)), lambda: ma.ipr(np.ones(5), spectrum="two-sided"), lambda: ma.gaussian_ipr_mean(10),
    lambda: ma.train_quadratic_network(7, 4, 10, np.random.default_rng(0), betas=(0.9, 1.0)),
    lambda: ma.train_quadratic_network(7, 4, 0, np.random.default_rng(0)),
    lambda: ma.quadratic_loss_and_grads(np.ones((2, 5)), np.ones((2, 5)), np.ones((5, 2)), [0], [5], [0]),
])
def test_bad_inputs(call):
    with pytest.raises(InputError):
        call()
