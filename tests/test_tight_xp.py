"""The tight-transform candidate stage on the array API (issue 11, item 2).

The reference (:func:`map_rows_xp`, :func:`regret_rows_xp`, :func:`candidate_regrets`) runs under array-api-strict
on ``Device("device1")`` (standing in for CuPy on a second GPU or torch on CUDA) in float32 and float64: its values
equal the NumPy/numba ones within a tolerance scaled by the dtype's epsilon, its results stay in the input's
namespace, on its device, in its dtype. The numba kernels (the NumPy fast path) equal the reference on NumPy
inputs, and ``tight_transform(..., xp=, device=, dtype=)`` gives the default path's value.
"""
from __future__ import annotations

import numpy as np
import pytest

xps = pytest.importorskip("array_api_strict")
from array_api_compat import array_namespace, device as device_of  # noqa: E402

from theorylab import InputError  # noqa: E402
from theorylab.losses import margin as mg  # noqa: E402
from theorylab.theory import hconsistency as hc  # noqa: E402
from theorylab.theory.tight import candidates as cd  # noqa: E402
from theorylab.theory.tight import kernels as kn  # noqa: E402
from theorylab.engine.backends import to_numpy  # noqa: E402

DEV = xps.Device("device1")
TAUS = (0.0, 0.5, 0.7, 1.0, 1.5, 1.9, 2.0, 3.0)


@pytest.fixture(params=["float64", "float32"])
def xp_dev(request):
    """(xp, device, dtype, eps): array-api-strict on its non-default device, in float64 and float32."""
    dt = getattr(xps, request.param)
    return xps, DEV, dt, float(np.finfo(request.param).eps)


def _raw(rng, N, n):
    """Raw candidates as the search draws them, plus rows outside [0, 1] in x_0 and zero weights."""
    X = np.empty((N, n - 1))
    X[:, 0] = rng.uniform(-0.2, 1.2, N)
    X[:, 1:] = rng.exponential(1.0, (N, n - 2)) ** rng.uniform(0.3, 4.0, (N, 1))
    X[:5, 1:] = 0.0  # ws = 0: the even split
    return X


def _tol(n, eps):
    """Values are sums of n terms of size ≤ n − 1 (C*_0 reaches n − 1): 4 n² eps absolute."""
    return 4.0 * n * n * eps


def _assert_on(a, xp, dev, dt):
    assert array_namespace(a) is xp and device_of(a) == dev and a.dtype == dt


@pytest.mark.parametrize("n", [2, 3, 6, 10])
def test_map_rows_on_device_equals_the_numba_map(xp_dev, n):
    xp, dev, dt, eps = xp_dev
    X = _raw(np.random.default_rng(n), 400, n)
    ref = np.empty((400, n))
    kn.map_rows(X, 0.3, n, ref)
    got = cd.map_rows_xp(xp.asarray(X, dtype=dt, device=dev), 0.3, n)
    _assert_on(got, xp, dev, dt)
    np.testing.assert_allclose(to_numpy(got), ref, rtol=0, atol=8 * n * eps)


@pytest.mark.parametrize("n", [2, 3, 6, 10])
def test_regret_rows_on_device_equals_numpy_values(xp_dev, n):
    xp, dev, dt, eps = xp_dev
    rng = np.random.default_rng(10 + n)
    P = rng.dirichlet(np.full(n, 0.6), 300)
    P[:40, 0] = P[:40, 1]  # ties between class 0 and another class
    P[40:80, 2 % n] = P[40:80, 1]
    P /= P.sum(1, keepdims=True)
    Pd = xp.asarray(P, dtype=dt, device=dev)
    for tau in TAUS:
        ref = cd.regret_rows(P, tau, fast=True)
        for got in (cd.regret_rows_xp(Pd, tau), cd.regret_rows(Pd, tau)):
            _assert_on(got, xp, dev, dt)
            np.testing.assert_allclose(to_numpy(got), ref, rtol=0, atol=_tol(n, eps), err_msg=f"tau={tau}")


@pytest.mark.parametrize("n", [3, 10])
def test_batched_candidate_stage_on_device(xp_dev, n):
    xp, dev, dt, eps = xp_dev
    X = _raw(np.random.default_rng(20 + n), 2000, n)
    Xd = xp.asarray(X, dtype=dt, device=dev)
    for tau in (0.0, 1.0, 1.5, 2.5):
        ref = cd.candidate_regrets(X, 0.4, n, tau, fast=True)
        got = cd.candidate_regrets(Xd, 0.4, n, tau)
        _assert_on(got, xp, dev, dt)
        np.testing.assert_allclose(to_numpy(got), ref, rtol=0, atol=_tol(n, eps))
        v, i = cd.best_candidate(Xd, 0.4, n, tau)
        vr, ir = cd.best_candidate(X, 0.4, n, tau, fast=True)
        assert abs(v - vr) <= _tol(n, eps)
        assert ref[i] - vr <= 2 * _tol(n, eps)  # the device argmin is a minimiser up to rounding
        if dt == xp.float64:
            assert i == ir


@pytest.mark.parametrize("tau", TAUS)
def test_numba_kernels_equal_the_reference_on_numpy(tau):
    rng = np.random.default_rng(4)
    for n in (2, 3, 6, 9):
        X = _raw(rng, 500, n)
        fast = cd.candidate_regrets(X, 0.25, n, tau, fast=True)
        ref = cd.candidate_regrets(X, 0.25, n, tau, fast=False)
        assert isinstance(ref, np.ndarray) and ref.dtype == np.float64
        np.testing.assert_allclose(fast, ref, rtol=0, atol=_tol(n, np.finfo(float).eps))
        P = cd.map_rows_numpy(X, 0.25, n)
        np.testing.assert_allclose(cd.regret_rows(P, tau, fast=True), cd.regret_rows_numpy(P, tau), rtol=0,
                                   atol=_tol(n, np.finfo(float).eps))
        assert cd.best_candidate(X, 0.25, n, tau, fast=True)[1] == cd.best_candidate(X, 0.25, n, tau, fast=False)[1]


@pytest.mark.parametrize("tau,t,n", [(1.5, 0.4, 5), (0.0, 0.3, 10), (1.0, 1e-3, 3), (2.0, 0.6, 4), (1.0, 0.5, 2),
                                     (3.0, 0.2, 6)])
def test_tight_transform_array_path_gives_the_default_value(xp_dev, tau, t, n):
    xp, dev, dt, eps = xp_dev
    v, w = hc.tight_transform(("comp_sum", tau), t, n, rng=np.random.default_rng(3), n_random=1500, n_refine=2)
    va, wa = hc.tight_transform(("comp_sum", tau), t, n, rng=np.random.default_rng(3), n_random=1500, n_refine=2,
                                xp=xp, device=dev, dtype=dt)
    # host float64 re-evaluation and refinement of the kept candidates: float64 values either way
    assert isinstance(va, float) and isinstance(wa["p"], np.ndarray) and wa["p"].dtype == np.float64
    assert abs(va - v) <= 1e-9 * max(1.0, v)
    assert abs((wa["p"][1] - wa["p"][0]) - t) <= 1e-12 and abs(wa["p"].sum() - 1) <= 1e-12


def test_array_path_bad_inputs():
    loss = ("comp_sum", 1.0)
    with pytest.raises(InputError, match="xp="):
        hc.tight_transform(loss, 0.3, 3, device=DEV)
    with pytest.raises(InputError, match="bound"):
        hc.tight_transform(loss, 0.3, 3, bound=1.0, xp=xps)
    with pytest.raises(InputError, match="xp="):
        hc.tight_transform(mg.hinge, 0.3, 2, xp=xps)
    with pytest.raises(InputError, match="dtype"):
        hc.tight_transform(loss, 0.3, 3, xp=xps, dtype=xps.int64)
    with pytest.raises(InputError, match="xp="):
        hc.tight_transform(loss, 0.3, 3, xp="cupy")
    Pd = xps.asarray([[0.2, 0.5, 0.3]], device=DEV)
    with pytest.raises(InputError, match="fast=True"):
        cd.regret_rows(Pd, 1.0, fast=True)
    with pytest.raises(InputError, match="bound"):
        cd.regret_rows(Pd, 1.0, 1.0)
    with pytest.raises(InputError, match=r"\bP\b"):
        cd.regret_rows_xp(xps.asarray([[0.6, 0.6]], device=DEV), 1.0)
    with pytest.raises(InputError, match=r"\bX\b"):
        cd.candidate_regrets(xps.asarray([[0.1, 0.2]], device=DEV), 0.3, 4, 1.0)
    with pytest.raises(InputError, match=r"\bX\b"):
        cd.map_rows_xp(xps.asarray([[float("nan"), 0.2]], device=DEV), 0.3, 3)
