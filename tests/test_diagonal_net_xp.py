"""Batched diagonal-net GD/SGD (:func:`run_dynamics_batched`): each run equals the per-run reference, the numba
fast path equals the batched array-API loop, and under array-api-strict on ``Device("device1")`` the results stay
on the device in the input dtype and equal NumPy within ``C · eps · steps`` (issue 11, item 2)."""
from __future__ import annotations

import copy

import numpy as np
import pytest

from theorylab import InputError
from theorylab.settings import diagonal_net as dn
from theorylab.settings.diagonal_net import batched as bmod

N, D = 10, 16
X, Y, _, _, _ = dn.sparse_regression(N, D, 3, np.random.default_rng(0))
ALPHAS = np.array([0.1, 0.3, 1.0, 0.05])
STEPS = [0.02, 0.01, 0.005, 0.03]
HORIZONS = [150, 300, 0, 257]
SEEDS = [3, 4, 5, 6]
U0 = np.repeat(ALPHAS[:, None], D, axis=1)
V0 = 0.5 * U0 + 0.01 * np.arange(D)  # unbalanced, so "uv" moves the imbalance too
EPS64 = np.finfo(np.float64).eps


def _rel(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b)) / max(1.0, float(np.max(np.abs(b)))))


def _reference(r, batch, par, n_steps=None, warmup=0, X=X, Y=Y, rng=None):
    g = np.random.default_rng(SEEDS[r]) if rng is None else rng
    return dn.run_dynamics(X, Y, U0[r], V0[r], step=STEPS[r], n_steps=HORIZONS[r] if n_steps is None else n_steps,
                           parametrization=par, batch_size=batch, rng=g, warmup=warmup, track=True, fast=False)


@pytest.mark.parametrize("par", dn.PARAMETRIZATIONS)
@pytest.mark.parametrize("batch", [None, 1, 3])
def test_batched_equals_per_run_reference_and_numba(batch, par):
    """Every run of one batched sweep (different α, γ, horizons, seeds; warm-up) is the per-run reference run, and
    the numba path (fast=None on NumPy) gives the same runs; the generators end in the per-run state."""
    out = {}
    for fast in (False, None):
        rngs = [np.random.default_rng(s) for s in SEEDS]
        out[fast] = dn.run_dynamics_batched(X, Y, U0, V0, step=STEPS, n_steps=HORIZONS, parametrization=par,
                                            batch_size=batch, rng=rngs, warmup=40, track=True, fast=fast)
        out[fast, "rng"] = [g.bit_generator.state for g in rngs]
    for r in range(len(SEEDS)):
        g = np.random.default_rng(SEEDS[r])
        ref = _reference(r, batch, par, warmup=40, rng=g)
        tol = 20 * EPS64 * max(1, HORIZONS[r])
        for fast in (False, None):
            tr = out[fast].run(r)
            assert tr.n_steps == HORIZONS[r]
            for a, b in ((tr.beta, ref.beta), (tr.params.u, ref.params.u), (tr.log_a, ref.log_a),
                         (tr.log_b, ref.log_b)):
                assert _rel(a, b) <= tol
            if batch is not None:
                assert out[fast, "rng"][r] == g.bit_generator.state
    assert not out[False].diverged.any() and not out[None].diverged.any()


def test_per_run_data_and_shared_generator():
    """Per-run designs (R, n, d) and one shared Generator (the same batches for every run)."""
    rng = np.random.default_rng(11)
    Xs = rng.standard_normal((3, N, D))
    Ys = Xs @ np.r_[1.0, -1.0, np.zeros(D - 2)]
    gen = np.random.default_rng(7)
    ref_gen = copy.deepcopy(gen)
    bt = dn.run_dynamics_batched(Xs, Ys, U0[:3], V0[:3], step=STEPS[:3], n_steps=[120, 90, 200], batch_size=2,
                                 rng=gen, track=True, fast=False)
    nb = dn.run_dynamics_batched(Xs, Ys, U0[:3], V0[:3], step=STEPS[:3], n_steps=[120, 90, 200], batch_size=2,
                                 rng=copy.deepcopy(ref_gen), track=True)
    for r, h in enumerate((120, 90, 200)):
        g = copy.deepcopy(ref_gen)
        ref = dn.run_dynamics(Xs[r], Ys[r], U0[r], V0[r], step=STEPS[r], n_steps=h, batch_size=2, rng=g, track=True)
        assert _rel(bt.run(r).beta, ref.beta) <= 20 * EPS64 * h
        assert _rel(nb.run(r).beta, ref.beta) <= 20 * EPS64 * h
        if h == 200:  # the shared generator ends as after the longest run
            assert gen.bit_generator.state == g.bit_generator.state


@pytest.mark.parametrize("fast", [False, None])
def test_divergence_freeze_and_raise(fast):
    """A diverging run is frozen at its last finite parameters (= the reference stopped just before), the others go
    on; on_divergence="raise" raises DivergenceError naming the run."""
    steps = [0.02, 3.0, 0.01]
    kw = dict(step=steps, n_steps=200, batch_size=1, track=True, fast=fast)
    bt = dn.run_dynamics_batched(X, Y, U0[:3], U0[:3], rng=[np.random.default_rng(s) for s in SEEDS[:3]],
                                 on_divergence="freeze", **kw)
    assert bt.diverged.tolist() == [False, True, False]
    k = int(bt.n_steps[1])
    assert 0 < k < 200 and np.isfinite(bt.divergence_loss[1])
    with pytest.raises(dn.DivergenceError, match=f"iteration {k} of 200"):
        dn.run_dynamics(X, Y, U0[1], U0[1], step=3.0, n_steps=200, batch_size=1, rng=np.random.default_rng(SEEDS[1]))
    before = dn.run_dynamics(X, Y, U0[1], U0[1], step=3.0, n_steps=k, batch_size=1,
                             rng=np.random.default_rng(SEEDS[1]), track=True)
    assert _rel(bt.run(1).beta, before.beta) <= 1e-12 and np.all(np.isfinite(bt.log_a))
    for r in (0, 2):
        ref = dn.run_dynamics(X, Y, U0[r], U0[r], step=steps[r], n_steps=200, batch_size=1,
                              rng=np.random.default_rng(SEEDS[r]))
        assert _rel(bt.run(r).beta, ref.beta) <= 20 * EPS64 * 200
    with pytest.raises(dn.DivergenceError, match="run 1: step=3.0"):
        dn.run_dynamics_batched(X, Y, U0[:3], U0[:3], rng=[np.random.default_rng(s) for s in SEEDS[:3]], **kw)


def test_host_reads_once_per_window(monkeypatch):
    """No host synchronisation per step: the loss is read once per window of 128 steps (plus the initial loss)."""
    calls = []
    real = bmod.to_numpy
    monkeypatch.setattr(bmod, "to_numpy", lambda a: calls.append(1) or real(a))
    dn.run_dynamics_batched(X, Y, U0, V0, step=0.01, n_steps=1000, fast=False)
    assert len(calls) == 1 + int(np.ceil(1000 / bmod._WINDOW))


@pytest.mark.parametrize("bad, match", [
    (dict(u0=U0[0]), "equal shapes"),
    (dict(X=X[:, :5]), "shapes"),
    (dict(step=[0.1, 0.2]), "step has 2 entries"),
    (dict(step=-1.0), "step=-1.0"),
    (dict(n_steps=[10, 10, 10, -1]), "n_steps=-1"),
    (dict(batch_size=2, rng=None), "SGD needs"),
    (dict(batch_size=2, rng=[np.random.default_rng(0)]), "SGD needs"),
    (dict(batch_size=N + 1, rng=np.random.default_rng(0)), "batch_size"),
    (dict(on_divergence="skip"), "on_divergence"),
    (dict(parametrization="u2"), "parametrization"),
    (dict(fast="yes"), "fast="),
])
def test_bad_inputs(bad, match):
    kw = dict(X=X, y=Y, u0=U0, v0=V0, step=0.01, n_steps=10)
    kw.update(bad)
    X_, y_, u0, v0 = (kw.pop(k) for k in ("X", "y", "u0", "v0"))
    with pytest.raises(InputError, match=match):
        dn.run_dynamics_batched(X_, y_, u0, v0, **kw)
    with pytest.raises(InputError, match="run index"):
        dn.run_dynamics_batched(X, Y, U0, V0, step=0.01, n_steps=1).run(4)


# ----------------------------------------------------------------------------- array-api-strict, device1
xps = pytest.importorskip("array_api_strict")
DEV = xps.Device("device1")


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("par, batch", [("uu-vv", None), ("uu-vv", 2), ("uv", 1)])
def test_strict_device1_equals_numpy(dtype, par, batch):
    """On array-api-strict Device("device1"): results on device1 in the input dtype, equal to the NumPy (numba)
    float64 runs within C·eps·steps (eps of the dtype)."""
    n_steps = 60
    A = (lambda a: xps.asarray(np.asarray(a, dtype=dtype), device=DEV))
    rngs = [np.random.default_rng(s) for s in SEEDS]
    bt = dn.run_dynamics_batched(A(X), A(Y), A(U0), A(V0), step=STEPS, n_steps=[n_steps, 40, 0, n_steps],
                                 parametrization=par, batch_size=batch, rng=rngs, track=True)
    ref = dn.run_dynamics_batched(X, Y, U0, V0, step=STEPS, n_steps=[n_steps, 40, 0, n_steps], parametrization=par,
                                  batch_size=batch, rng=[np.random.default_rng(s) for s in SEEDS], track=True)
    eps = float(np.finfo(dtype).eps)
    for got, want in ((bt.beta, ref.beta), (bt.params.u, ref.params.u), (bt.params.v, ref.params.v),
                      (bt.log_a, ref.log_a), (bt.log_b, ref.log_b)):
        assert got.device == DEV
        assert got.dtype == getattr(xps, dtype)
        host = np.asarray(xps.asarray(got, device=xps.Device("CPU_DEVICE")))
        assert _rel(host, want) <= 50 * eps * n_steps
    assert bt.n_steps.tolist() == [n_steps, 40, 0, n_steps]
    tr = bt.run(3)
    assert tr.beta.device == DEV and tuple(tr.beta.shape) == (D,)
