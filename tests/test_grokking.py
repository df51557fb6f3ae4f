"""Tests of theorylab.settings.modular_arithmetic.grokking: the bias-free MLP trainer against independent numerics."""
from __future__ import annotations

import numpy as np
import pytest

from theorylab._validation import InputError
from theorylab.losses.stablemax import stablemax_cross_entropy
from theorylab.settings import modular_arithmetic as ma
from theorylab.settings.modular_arithmetic.grokking import _init, _softmax_ce


def _problem(seed=0, n=40, d=6, K=4):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.integers(0, K, n)


@pytest.mark.parametrize("widths", [(), (7,), (5, 3)])
def test_first_step_matches_independent_backprop(widths):
    X, y = _problem()
    W0 = _init(widths, X.shape[1], 4, np.random.default_rng(3), np.dtype("float64"))
    loss, grads, _, _ = ma.mlp_loss_and_grads(W0, X, y)
    h = ma.train_bias_free_mlp(X, y, 1, np.random.default_rng(3), widths=widths, n_classes=4, lr=1e-3,
                               dtype="float64")
    theta = np.concatenate([W.ravel() for W in W0])
    g = np.concatenate([G.ravel() for G in grads])
    assert h["loss"][0] == pytest.approx(loss, rel=1e-12)
    assert h["cos_nlm"][0] == pytest.approx(-(theta @ g) / np.linalg.norm(theta) / np.linalg.norm(g), rel=1e-10)
    # Adam's first bias-corrected step is −lr·g/(|g| + ε) = −lr·sign(g) for ε = 1e-25
    for W_new, W_old, G in zip(h["weights"], W0, grads):
        np.testing.assert_allclose(W_new - W_old, -1e-3 * np.sign(G), rtol=1e-9, atol=1e-15)


def test_orthograd_first_step_follows_projected_gradient():
    X, y = _problem(1)
    W0 = _init((5,), X.shape[1], 4, np.random.default_rng(4), np.dtype("float64"))
    _, grads, _, _ = ma.mlp_loss_and_grads(W0, X, y)
    h = ma.train_bias_free_mlp(X, y, 1, np.random.default_rng(4), widths=(5,), n_classes=4, lr=1e-3,
                               orthograd=True, dtype="float64")
    for W_new, W_old, G in zip(h["weights"], W0, grads):
        gp = ma.orthograd_project(W_old, G)
        np.testing.assert_allclose(W_new - W_old, -1e-3 * np.sign(gp), rtol=1e-9, atol=1e-15)


def test_stablemax_loss_is_the_library_loss():
    X, y = _problem(2)
    W0 = _init((6,), X.shape[1], 4, np.random.default_rng(5), np.dtype("float64"))
    z = ma.mlp_forward(W0, X)
    h = ma.train_bias_free_mlp(X, y, 1, np.random.default_rng(5), widths=(6,), n_classes=4, loss="stablemax",
                               dtype="float64")
    assert h["loss"][0] == pytest.approx(float(np.mean(stablemax_cross_entropy(z, y))), rel=1e-12)


def test_float32_softmax_ce_is_exactly_zero_when_collapsed():
    z = np.array([[20.0, 0.0, 0.0], [5.0, 0.0, 0.0]], dtype=np.float32)
    ell, G, S = _softmax_ce(z, np.array([0, 0]))
    assert ell[0] == 0 and G[0, 0] == 0 and np.all(G[0, 1:] > 0) and S[0] == 1  # wrong-class gradients survive
    assert ell[1] > 0 and S[1] > 1
    assert bool(ma.is_collapsed(z[0], "float32")) and not bool(ma.is_collapsed(z[1], "float32"))


def test_nlm_demo_baseline_grows_and_orthograd_creeps():
    X, y = ma.nlm_demo_data(np.random.default_rng(0), n=100, d=10)
    base = ma.train_bias_free_mlp(X, y, 300, np.random.default_rng(1), lr=3e-2, record_every=50)
    orth = ma.train_bias_free_mlp(X, y, 300, np.random.default_rng(1), lr=3e-2, orthograd=True, record_every=50)
    assert base["train_acc"][-1] == 1.0
    assert base["weight_norm"][-1] > 3 * orth["weight_norm"][-1]
    assert orth["collapsed"].max() == 0.0
    assert np.all(np.diff(base["weight_norm"][1:]) > 0)


def test_modular_run_shapes_and_split():
    h = ma.modular_grokking_run(5, 3, np.random.default_rng(0), widths=(8,), train_fraction=0.6, record_every=1)
    assert h["step"].tolist() == [0, 1, 2, 3]
    assert h["train"].size == 15 and np.all((h["test_acc"] >= 0) & (h["test_acc"] <= 1))
    assert [W.shape for W in h["weights"]] == [(8, 10), (5, 8)] and h["weights"][0].dtype == np.float32


@pytest.mark.parametrize("kwargs", [dict(loss="hinge"), dict(widths=5), dict(widths=(0,)), dict(lr=0.0),
                                    dict(eps=-1.0), dict(weight_decay=-1.0), dict(dtype="float16"),
                                    dict(betas=(0.9, 1.0)), dict(record_every=0), dict(steps=0),
                                    dict(X_test=np.zeros((2, 6))), dict(n_classes=2), dict(orthograd="yes")])
def test_bad_inputs_raise(kwargs):
    X, y = _problem()
    args = dict(steps=1, rng=np.random.default_rng(0))
    args.update(kwargs)
    with pytest.raises(InputError):
        ma.train_bias_free_mlp(X, y, **args)


def test_bad_data_and_modulus_raise():
    X, y = _problem()
    with pytest.raises(InputError):
        ma.train_bias_free_mlp(X, y[:-1], 1, np.random.default_rng(0))
    with pytest.raises(InputError):
        ma.train_bias_free_mlp(X, y.astype(float), 1, np.random.default_rng(0))
    with pytest.raises(InputError):
        ma.train_bias_free_mlp(X, y, 1, np.random.default_rng(0), X_test=np.zeros((3, 2)), y_test=np.zeros(3, int))
    with pytest.raises(InputError):
        ma.modular_grokking_run(9, 1, np.random.default_rng(0))
    with pytest.raises(InputError):
        ma.nlm_demo_data(np.random.default_rng(0), K=1)
