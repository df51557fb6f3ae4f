"""The ICL samplers, Monte Carlo estimators and LSA training on the array API (issue 11 item 2).

Under array-api-strict on ``Device("device1")`` (standing in for CuPy on a second GPU) in float32 and float64:
(a) results equal the NumPy float64 values within ``C·eps·scale`` (``eps`` of the dtype, ``scale`` = 1 + the
largest |reference| entry; ``C`` = 50 unless the entry states its conditioning), (b) every array result lies on
device1 in the requested dtype, (c) the same seed gives the same prompts on every backend (drawn on the host, moved
once), (d) the numba loss/gradient equals the array-API reference, and (e) the training loop reads nothing back
from the device per step.
"""
from __future__ import annotations

import numpy as np
import pytest

xps = pytest.importorskip("array_api_strict")
from array_api_compat import device as device_of  # noqa: E402

from theorylab import InputError  # noqa: E402
from theorylab.engine.backends import to_numpy  # noqa: E402
from theorylab.settings import icl  # noqa: E402

DEV = xps.Device("device1")
COV = np.array([[1.0, 0.3, 0.0], [0.3, 0.5, 0.1], [0.0, 0.1, 2.0]])
DTYPES = ("float64", "float32")


def _eps(dtype):
    return float(np.finfo(dtype).eps)


def _on_device(a, dtype):
    assert type(a).__module__.startswith("array_api_strict"), type(a)
    assert device_of(a) == DEV
    assert a.dtype == getattr(xps, dtype)


def _close(got, ref, dtype, factor=50.0):
    got, ref = np.asarray(to_numpy(got), dtype=np.float64), np.asarray(ref, dtype=np.float64)
    scale = 1.0 + float(np.max(np.abs(ref)))
    err = float(np.max(np.abs(got - ref)))
    assert err <= factor * _eps(dtype) * scale, (err, factor * _eps(dtype) * scale)


def _prompts(dtype, B=600, n=6, **kw):
    np_pr = icl.sample_prompts(B, n, 3, np.random.default_rng(3), covariance=COV, noise_var=0.4, **kw)
    xp_pr = icl.sample_prompts(B, n, 3, np.random.default_rng(3), covariance=COV, noise_var=0.4, xp=xps,
                               device=DEV, dtype=dtype, **kw)
    return np_pr, xp_pr


@pytest.mark.parametrize("dtype", DTYPES)
def test_sampler_moves_the_host_draw_once(dtype):
    np_pr, xp_pr = _prompts(dtype, weight_prior="inverse-covariance")
    for f in ("X", "y", "x_query", "y_query", "w"):
        _on_device(getattr(xp_pr, f), dtype)
        # the same draw, rounded once: bit-identical in float64, the float32 rounding of it in float32
        np.testing.assert_array_equal(to_numpy(getattr(xp_pr, f)), getattr(np_pr, f).astype(dtype))
    _close(xp_pr.matrix(), np_pr.matrix(), dtype)
    _close(xp_pr.moment(), np_pr.moment(), dtype)
    _on_device(xp_pr.matrix(), dtype)
    # the namespace, device and dtype of a non-NumPy covariance are the defaults
    pr = icl.sample_prompts(10, 4, 3, np.random.default_rng(3), covariance=xps.asarray(COV.astype(dtype), device=DEV))
    _on_device(pr.X, dtype)
    u = icl.sample_prompts(10, 4, 3, np.random.default_rng(3), inputs="uniform", xp=xps, device=DEV, dtype=dtype)
    _on_device(u.y_query, dtype)
    with pytest.raises(InputError, match="dtype"):
        icl.sample_prompts(10, 4, 3, np.random.default_rng(3), xp=xps, dtype="float16")
    with pytest.raises(InputError, match="device"):
        icl.sample_prompts(10, 4, 3, np.random.default_rng(3), device="cuda:0")


@pytest.mark.parametrize("dtype", DTYPES)
def test_estimators_equal_numpy_on_device1(dtype):
    np_pr, xp_pr = _prompts(dtype)
    K = 0.4 * np.eye(3) + 0.05
    for got, ref in zip(icl.mc_risk(xp_pr, K), icl.mc_risk(np_pr, K)):
        _on_device(got, dtype)
        _close(got, ref, dtype)
    # the same K given on the device
    _close(icl.mc_risk(xp_pr, xps.asarray(K, device=DEV, dtype=getattr(xps, dtype)))[0], icl.mc_risk(np_pr, K)[0],
           dtype)
    for got, ref in zip(icl.fit_step(xp_pr), icl.fit_step(np_pr)):
        _on_device(got, dtype)
        _close(got, ref, dtype, factor=200.0)  # a ratio of two sums of 600 products
    for got, ref in zip(icl.fit_preconditioner(xp_pr), icl.fit_preconditioner(np_pr)):
        _on_device(got, dtype)
        # normal equations of 9 features: condition number of FᵀF ≈ 60 here, squared in the sandwich SE
        _close(got, ref, dtype, factor=5e3)
    for s2 in (0.4, 0.0):
        for got, ref in zip(icl.ridge_errors(xp_pr, s2, covariance=COV), icl.ridge_errors(np_pr, s2, covariance=COV)):
            _on_device(got, dtype)
            _close(got, ref, dtype, factor=2e3)  # 3×3 solves / pseudo-inverses of XᵀX, condition ≤ 10² here
    br, br_np = icl.bayes_risk(xp_pr, 0.4), icl.bayes_risk(np_pr, 0.4)
    for key in ("mc", "semi_exact"):
        for got, ref in zip(br[key], br_np[key]):
            _on_device(got, dtype)
            _close(got, ref, dtype, factor=2e3)
    assert isinstance(icl.mc_risk(np_pr, K)[0], float)  # NumPy prompts keep Python floats


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mask", [True, False])
def test_reduced_predictor_and_loss_grad_equal_numpy(dtype, mask):
    np_pr, xp_pr = _prompts(dtype, B=300)
    rng = np.random.default_rng(5)
    b, A = rng.standard_normal(4), rng.standard_normal((4, 3))
    _close(icl.context_gram(xp_pr, mask), icl.context_gram(np_pr, mask), dtype)
    _on_device(icl.context_gram(xp_pr, mask), dtype)
    got = icl.predict_reduced(xp_pr, b, A, mask)
    _on_device(got, dtype)
    _close(got, icl.predict_reduced(np_pr, b, A, mask), dtype)
    if mask:
        _close(icl.input_gradient_reduced(xp_pr, b, A), icl.input_gradient_reduced(np_pr, b, A), dtype)
    ref = icl.loss_grad(np_pr, b, A, mask, fast=False)
    fast = icl.loss_grad(np_pr, b, A, mask, fast=True)
    for r, f in zip(ref, fast):  # numba == reference (NumPy float64)
        np.testing.assert_allclose(f, r, rtol=1e-11, atol=1e-12)
    got = icl.loss_grad(xp_pr, b, A, mask)  # fast=None: the reference, on the device
    for g, r in zip(got, ref):
        _on_device(g, dtype)
        _close(g, r, dtype, factor=200.0)  # sums over 300 prompts of products of 4 factors
    with pytest.raises(InputError, match="fast=True"):
        icl.loss_grad(xp_pr, b, A, mask, fast=True)


class _Reads:
    """Counts reads of device arrays back to the host (float(), bool(), __array__, to_device) during a block."""

    def __init__(self, monkeypatch):
        self.n = 0
        cls = type(xps.asarray(0.0))
        for name in ("__float__", "__bool__", "__array__", "to_device"):
            if hasattr(cls, name):
                monkeypatch.setattr(cls, name, self._wrap(getattr(cls, name)))

    def _wrap(self, fn):
        def counted(*args, **kwargs):
            self.n += 1
            return fn(*args, **kwargs)
        return counted


@pytest.mark.parametrize("dtype", DTYPES)
def test_training_on_device1_matches_numpy_without_per_step_reads(dtype, monkeypatch):
    kw = dict(covariance=np.diag([0.5, 1.0, 2.0]), steps=40, batch_size=128, lr=1e-2, record_every=10,
              target=np.eye(3) * 0.5)
    ref = icl.train_lsa(3, 5, np.random.default_rng(11), fast=False, **kw)
    fast = icl.train_lsa(3, 5, np.random.default_rng(11), fast=True, **kw)
    np.testing.assert_allclose(fast.A, ref.A, rtol=1e-9, atol=1e-12)  # numba == reference
    reads = _Reads(monkeypatch)
    got = icl.train_lsa(3, 5, np.random.default_rng(11), xp=xps, device=DEV, dtype=dtype, **kw)
    # a fixed number of read-backs after the loop (one stacked array per history series: loss, distance,
    # irrelevant), none per step: 40 steps and 80 steps read back the same number of times
    first = reads.n
    icl.train_lsa(3, 5, np.random.default_rng(11), xp=xps, device=DEV, dtype=dtype, **{**kw, "steps": 80})
    assert reads.n - first == first <= 9, (first, reads.n)
    for a in (got.b, got.A, got.K, got.P, got.Q):
        _on_device(a, dtype)
    # Adam's normalised steps amplify rounding (≈ 40 steps of size 1e-2): 2e-4 relative in float32
    tol = 1e-10 if dtype == "float64" else 2e-4
    np.testing.assert_allclose(to_numpy(got.A), ref.A, rtol=tol, atol=tol)
    np.testing.assert_allclose(got.history["loss"], ref.history["loss"], rtol=max(tol, 1e-9))
    np.testing.assert_allclose(got.history["distance"], ref.history["distance"], rtol=max(tol, 1e-9))
    assert isinstance(got.history["loss"], np.ndarray)
