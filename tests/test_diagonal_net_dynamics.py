"""Tests of theorylab.settings.diagonal_net.dynamics ((S)GD: numba kernels vs the reference, determinism, divergence)."""
import numpy as np
import pytest

from theorylab import InputError
from theorylab.settings import diagonal_net as dn


@pytest.mark.parametrize("param", ["uu-vv", "uv"])
@pytest.mark.parametrize("batch", [None, 1, 5, 12])
def test_numba_matches_reference(data, param, batch):
    X, y, _ = data
    r = np.random.default_rng(3)
    u0, v0 = (np.full(30, 0.2), np.full(30, 0.2)) if param == "uu-vv" else (0.5 * r.standard_normal(30),
                                                                            0.5 * r.standard_normal(30))
    kw = dict(step=0.01, n_steps=300, parametrization=param, batch_size=batch, warmup=50, track=True)
    fast = dn.run_dynamics(X, y, u0, v0, rng=np.random.default_rng(7), **kw)
    ref = dn.run_dynamics(X, y, u0, v0, rng=np.random.default_rng(7), fast=False, **kw)
    np.testing.assert_allclose(fast.beta, ref.beta, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(fast.params.u, ref.params.u, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(fast.log_a, ref.log_a, rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(fast.log_b, ref.log_b, rtol=1e-11, atol=1e-13)
    assert np.max(np.abs(fast.beta)) > 1e-3  # the run did something


def test_reference_in_every_namespace_equals_numba(data, xp):
    X, y, _ = data
    Xs, ys = xp.asarray(X), xp.asarray(y)
    u0 = xp.full((30,), 0.2, dtype=xp.float64)
    tr = dn.run_dynamics(Xs, ys, u0, u0, step=0.02, n_steps=50, batch_size=2, rng=np.random.default_rng(1),
                         track=True, fast=False)
    assert type(tr.beta) is type(Xs)
    fast = dn.run_dynamics(X, y, np.full(30, 0.2), np.full(30, 0.2), step=0.02, n_steps=50, batch_size=2,
                           rng=np.random.default_rng(1), track=True, fast=True)
    np.testing.assert_allclose(np.asarray(tr.beta), fast.beta, rtol=1e-12, atol=1e-14)
    # Hessian, potential and dual solver also run on the strict namespace
    H = dn.hessian(Xs, ys, tr.params)
    np.testing.assert_allclose(np.asarray(H), dn.hessian(X, y, fast.params), rtol=1e-10, atol=1e-12)
    b = dn.implicit_bias_solution(Xs, ys, 0.3)
    np.testing.assert_allclose(np.asarray(b), dn.implicit_bias_solution(X, y, 0.3), rtol=1e-9, atol=1e-12)
    assert abs(dn.Q_alpha(b, 0.3) - dn.Q_alpha(np.asarray(b), 0.3)) < 1e-12


def test_same_seed_same_numbers(data):
    X, y, _ = data
    a = dn.train_sgd(X, y, 0.1, 0.02, 2000, 1, np.random.default_rng(5))[0]
    b = dn.train_sgd(X, y, 0.1, 0.02, 2000, 1, np.random.default_rng(5))[0]
    c = dn.train_sgd(X, y, 0.1, 0.02, 2000, 1, np.random.default_rng(6))[0]
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_divergence_names_step_and_loss(data):
    X, y, _ = data
    for call in (lambda: dn.train_gd(X, y, 1.0, 0.5, 1000),
                 lambda: dn.train_sgd(X, y, 1.0, 0.5, 1000, 1, np.random.default_rng(0)),
                 lambda: dn.run_dynamics(X, y, np.ones(30), np.ones(30), step=0.5, n_steps=1000, fast=False)):
        with pytest.raises(dn.DivergenceError, match=r"step=0\.5 diverges: the training loss reached .* at iteration"):
            call()


def test_other_bad_inputs(data):
    X, y, _ = data
    with pytest.raises(InputError, match="batch_size"):
        dn.train_sgd(X, y, 0.1, 0.01, 10, 13, np.random.default_rng(0))
    with pytest.raises(InputError, match="rng"):
        dn.train_sgd(X, y, 0.1, 0.01, 10, 1, 42)
    with pytest.raises(InputError, match="step"):
        dn.train_gd(X, y, 0.1, 0.0, 10)
    with pytest.raises(InputError, match="n_steps"):
        dn.train_gd(X, y, 0.1, 0.01, -1)
    with pytest.raises(InputError, match="y has shape"):
        dn.train_gd(X, y[:-1], 0.1, 0.01, 1)
    with pytest.raises(InputError, match="parametrization"):
        dn.run_dynamics(X, y, np.ones(30), np.ones(30), step=0.1, n_steps=1, parametrization="u+v")
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(InputError, match="X contains NaN"):
        dn.train_gd(Xn, y, 0.1, 0.01, 1)


def test_fast_none_follows_the_switch_and_reference_keyword_is_deprecated(data):
    from theorylab._fastpath import fast_path

    X, y, _ = data
    kw = dict(step=0.01, n_steps=200, batch_size=3, warmup=20, track=True)
    u0 = np.full(30, 0.2)
    fast = dn.run_dynamics(X, y, u0, u0, rng=np.random.default_rng(7), fast=True, **kw)
    auto = dn.run_dynamics(X, y, u0, u0, rng=np.random.default_rng(7), **kw)
    ref = dn.run_dynamics(X, y, u0, u0, rng=np.random.default_rng(7), fast=False, **kw)
    np.testing.assert_array_equal(auto.beta, fast.beta)  # NumPy inputs, switch on: the kernel
    np.testing.assert_allclose(fast.beta, ref.beta, rtol=1e-12, atol=1e-13)
    with fast_path(False):
        off = dn.run_dynamics(X, y, u0, u0, rng=np.random.default_rng(7), **kw)
    np.testing.assert_array_equal(off.beta, ref.beta)  # switch off: the reference
    with pytest.warns(DeprecationWarning, match="reference"):
        old_ref = dn.run_dynamics(X, y, u0, u0, rng=np.random.default_rng(7), reference=True, **kw)
    np.testing.assert_array_equal(old_ref.beta, ref.beta)  # reference=True ≡ fast=False
    with pytest.warns(DeprecationWarning, match="reference"):
        old_fast = dn.run_dynamics(X, y, u0, u0, rng=np.random.default_rng(7), reference=False, **kw)
    np.testing.assert_array_equal(old_fast.beta, fast.beta)  # reference=False ≡ fast=None
    with pytest.warns(DeprecationWarning), pytest.raises(InputError, match="contradict"):
        dn.run_dynamics(X, y, u0, u0, rng=np.random.default_rng(7), reference=True, fast=True, **kw)
    with pytest.raises(InputError, match="fast="):
        dn.run_dynamics(X, y, u0, u0, rng=np.random.default_rng(7), fast="yes", **kw)
