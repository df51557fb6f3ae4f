"""Tests of theorylab.settings.icl.training (loss/gradient fast path vs reference, training)."""
import numpy as np
import pytest

from theorylab.settings import icl
from theorylab.settings import icl_training as tr


@pytest.mark.parametrize("mask", [True, False])
def test_numba_loss_grad_agrees(mask, central_difference):
    rng = np.random.default_rng(6)
    pr = icl.sample_prompts(300, 6, 3, rng, covariance=np.diag([0.5, 1.0, 2.0]), noise_var=0.3)
    b, A = rng.standard_normal(4), rng.standard_normal((4, 3))
    f, r = tr.loss_grad(pr, b, A, mask, fast=True), tr.loss_grad(pr, b, A, mask, fast=False)
    assert f[0] == pytest.approx(r[0], rel=1e-12)
    np.testing.assert_allclose(f[1], r[1], rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(f[2], r[2], rtol=1e-11, atol=1e-12)
    # the loss is the mean squared error of the full forward pass
    P, Q = np.zeros((4, 4)), np.zeros((4, 4))
    P[-1], Q[:, :3] = b, A
    assert f[0] == pytest.approx(np.mean((icl.lsa_predict(P, Q, pr.matrix(), mask) - pr.y_query) ** 2), rel=1e-12)
    # gradient against central finite differences
    fd = central_difference(lambda bb: tr.loss_grad(pr, bb, A, mask)[0], b)
    np.testing.assert_allclose(fd, f[1], rtol=1e-5, atol=1e-7)


def test_training_deterministic_and_fast_equals_reference():
    kw = dict(steps=30, batch_size=64, lr=1e-2)
    a = tr.train_lsa(2, 4, np.random.default_rng(7), **kw)
    b = tr.train_lsa(2, 4, np.random.default_rng(7), **kw)
    c = tr.train_lsa(2, 4, np.random.default_rng(7), fast=False, **kw)
    np.testing.assert_array_equal(a.b, b.b)
    np.testing.assert_array_equal(a.A, b.A)
    np.testing.assert_allclose(a.A, c.A, rtol=1e-9, atol=1e-12)
    assert isinstance(icl.train_lsa(2, 4, np.random.default_rng(7), **kw), icl.TrainResult)


def test_fast_none_follows_the_switch():
    from theorylab import InputError
    from theorylab._fastpath import fast_path

    rng = np.random.default_rng(6)
    pr = icl.sample_prompts(200, 5, 3, rng, noise_var=0.2)
    b, A = rng.standard_normal(4), rng.standard_normal((4, 3))
    fast, ref = tr.loss_grad(pr, b, A, fast=True), tr.loss_grad(pr, b, A, fast=False)
    auto = tr.loss_grad(pr, b, A)
    assert auto[0] == fast[0] and np.array_equal(auto[2], fast[2])  # switch on: the kernel
    with fast_path(False):
        off = tr.loss_grad(pr, b, A)
    assert off[0] == ref[0] and np.array_equal(off[2], ref[2])  # switch off: the reference
    kw = dict(steps=20, batch_size=32, lr=1e-2)
    with fast_path(False):
        t_off = tr.train_lsa(2, 4, np.random.default_rng(7), **kw)
    t_ref = tr.train_lsa(2, 4, np.random.default_rng(7), fast=False, **kw)
    np.testing.assert_array_equal(t_off.A, t_ref.A)
    with pytest.raises(InputError, match="fast="):
        tr.loss_grad(pr, b, A, fast="yes")
