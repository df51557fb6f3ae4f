"""Tests of the vectorisable exp of theorylab.losses.compsum_kernels and of the τ ≥ 1 row kernel built on it.

The exp (``_exp64``, and ``_exp_single`` for results stored in float32) replaces libm's scalar ``exp`` in the
comp-sum loss+gradient kernel so that LLVM can vectorise its loops (numba here has no SVML). Checked: relative
error against ``np.exp`` on 10⁷ float64 points and the edges of the range (subnormal results, 0, +inf, NaN,
±inf), against 50-digit mpmath on a sample, the packed instructions in the compiled loop, and the row kernel
(``vector_kernel_*``) equal to the per-entry kernel (``fused_kernel_*``) and the reference.
"""
from __future__ import annotations

import re

import mpmath as mp
import numpy as np
import pytest
from numba import njit

from theorylab.losses import compsum as cs
from theorylab.losses import compsum_kernels as ck


@njit
def _log1p_array(v, out):
    for i in range(v.shape[0]):
        out[i] = ck._log1p(v[i])


def _rel(x, ref):
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ref == x, 0.0, np.abs(x - ref) / np.abs(ref))


def test_exp64_matches_numpy_on_1e7_points():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.uniform(-745.0, 709.7, 5_000_000), rng.normal(0.0, 3.0, 4_000_000),
                        rng.uniform(-1e-8, 1e-8, 1_000_000)])
    out = np.empty_like(x)
    ck.exp_array(x, out)
    ref = np.exp(x)
    normal = ref >= np.finfo(np.float64).tiny
    assert float(np.max(_rel(out[normal], ref[normal]))) <= 4.5e-16  # ≈ 2 ulp
    # subnormal results: within one unit of the smallest subnormal (its spacing) of np.exp
    assert float(np.max(np.abs(out[~normal] - ref[~normal]))) <= 5e-324


def test_exp64_edges():
    x = np.array([0.0, -0.0, 1e-300, -1e-300, 709.78, 709.79, 710.0, 1e308, np.inf, -745.0, -745.2, -746.0,
                  -1e308, -np.inf, np.nan, -708.4, -720.0, -740.0, 1.0, -1.0, np.log(2.0)])
    out = np.empty_like(x)
    ck.exp_array(x, out)
    with np.errstate(over="ignore"):
        ref = np.exp(x)
    assert out[0] == 1.0 and out[1] == 1.0  # exp(0) = 1 exactly (the kernel relies on it)
    assert np.isposinf(out[5]) and np.isposinf(out[6]) and np.isposinf(out[7]) and np.isposinf(out[8])
    assert out[11] == 0.0 and out[12] == 0.0 and out[13] == 0.0 and np.isnan(out[14])
    fin = np.isfinite(ref) & (ref > 0)
    assert float(np.max(np.abs(out[fin] - ref[fin]) / np.maximum(ref[fin], 5e-324))) <= 1.0  # subnormals
    big = ref >= np.finfo(np.float64).tiny
    assert float(np.max(_rel(out[big], ref[big]))) <= 4.5e-16


def test_exp_single_accuracy_for_float32_results():
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.uniform(-110.0, 88.0, 3_000_000), rng.normal(0.0, 3.0, 1_000_000),
                        np.array([0.0, -0.0, -1e-30])])
    out = np.empty_like(x)
    ck.exp_array_single(x, out)
    assert float(np.max(_rel(out, np.exp(x)))) <= 1e-8  # 1/6 of float32's half ulp
    e = np.array([-200.0, -1e308, -np.inf, 710.0, np.inf, np.nan, 0.0])
    o = np.empty_like(e)
    ck.exp_array_single(e, o)
    assert o[0] < 1e-80 and o[1] < 1e-80 and o[2] < 1e-80  # far below float32's range: 0 once stored
    assert np.isposinf(o[3]) and np.isposinf(o[4]) and np.isnan(o[5]) and o[6] == 1.0


def test_exp_against_mpmath_sample():
    mp.mp.dps = 50
    rng = np.random.default_rng(2)
    x = np.concatenate([rng.uniform(-700.0, 700.0, 300), rng.normal(0.0, 2.0, 300)])
    o64, o32 = np.empty_like(x), np.empty_like(x)
    ck.exp_array(x, o64)
    ck.exp_array_single(x, o32)
    worst64 = worst32 = 0.0
    for xi, a, b in zip(x, o64, o32):
        ref = mp.exp(mp.mpf(float(xi)))
        worst64 = max(worst64, float(abs((mp.mpf(float(a)) - ref) / ref)))
        if xi >= -200.0:  # below, _exp_single clamps (e^{-200}: 0 once stored in float32)
            worst32 = max(worst32, float(abs((mp.mpf(float(b)) - ref) / ref)))
    assert worst64 <= 3.5e-16 and worst32 <= 1e-8, (worst64, worst32)


def test_log1p_of_the_kernel_against_numpy():
    rng = np.random.default_rng(3)
    u = np.concatenate([10.0 ** rng.uniform(-300, 3, 200_000), np.array([0.0, 1e-320, 1.0, 99.0])])
    out = np.empty_like(u)
    _log1p_array(u, out)
    ref = np.log1p(u)
    assert float(np.max(_rel(out, ref))) <= 1e-15


def test_row_exp_loop_is_vectorised():
    # cached code cannot be inspected: compile an uncached copy of the array loop and look for packed doubles
    f = njit(fastmath={"contract"})(ck._renamed(ck.exp_array.py_func, "exp_array_inspect"))
    x = np.zeros(16)
    f(x, x)
    asm = "\n".join(f.inspect_asm().values())
    packed = re.findall(r"\bv(?:mul|add|fmadd\w*)pd\s+%[yz]mm", asm)
    assert len(packed) >= 10, "the exp loop was not vectorised"
    assert not re.search(r"movabsq\s+\$exp\b", asm)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("tau", [1.0, 1.5, 2.0, 3.0])
def test_vector_kernel_equals_fused_kernel_and_reference(dtype, tau):
    rng = np.random.default_rng(4)
    B, n = 300, 37
    h = rng.normal(0.0, 5.0, (B, n)).astype(dtype)
    h[:20] = np.round(h[:20])  # ties of the max (the first maximiser is left out of the sum)
    h[20:30, 3] = 0.0
    h[20:30, 5] = -0.0
    h[30:40] = 0.0  # all equal
    h[40:45, 0] = 200.0 if dtype == np.float32 else 3000.0  # e^{h_j − m} underflows
    y = rng.integers(0, n, B)
    y[:60] = np.argmax(h[:60], axis=1)  # label at the max
    lv, gv = np.empty(B, dtype), np.empty_like(h)
    lf, gf = np.empty(B, dtype), np.empty_like(h)
    ck.vector_kernel_serial(h, y, tau, lv, gv, dtype == np.float32)
    ck.fused_kernel_serial(h, y, tau, lf, gf, dtype == np.float32)
    rl, rg = cs.comp_sum_loss_and_grad(h, y, tau, fast=False)
    rtol = 1e-6 if dtype == np.float32 else 1e-13
    floor = np.finfo(dtype).tiny
    for got, ref in ((lv, rl), (gv, rg), (lv, lf), (gv, gf)):
        assert np.all(np.abs(got.astype(np.float64) - ref) <= rtol * np.abs(ref) + floor)
    assert not np.isnan(gv).any() and not np.isnan(lv).any()


def test_vector_kernel_extremes():
    h = np.array([[1e308, -1e308], [-1e308, 1e308], [1.7e308, -1.7e308], [0.0, -np.inf]])
    y = np.array([1, 1, 0, 0])
    for tau in (1.0, 1.5):
        loss, g = np.empty(4), np.empty_like(h)
        ck.vector_kernel_serial(h, y, tau, loss, g, False)
        assert not np.isnan(loss).any() and not np.isnan(g).any()
        assert (np.isposinf(loss[0]) if tau == 1.0 else loss[0] == 2.0) and loss[1] == 0.0 and loss[2] == 0.0 and loss[3] == 0.0
        if tau == 1.0:
            assert g[0].tolist() == [1.0, -1.0]


_NEG_NAN = np.array([0xFFF8000000000001], np.uint64).view(np.float64)[0]  # a NaN with the sign bit set


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("tau", [0.0, 0.5, 1.0, 1.5, 2.0, 3.0])
def test_kernels_nan_rows_stay_in_the_row_and_give_nan_losses(dtype, tau):
    # before: a NaN max matched no entry, so the first-argmax search ran past the row (a segfault at τ < 1, a write
    # one entry beyond the row at τ ≥ 1); now the row's loss is NaN and nothing outside the row is touched
    rng = np.random.default_rng(5)
    for n in (2, 3, 7, 40):
        for pos in range(n):
            for val in (np.nan, _NEG_NAN):
                h = rng.normal(size=(3, n)).astype(dtype)
                h[1, pos] = val
                y = np.array([0, pos if pos % 2 else (pos + 1) % n, n - 1])
                for kernel in (ck.vector_kernel_serial, ck.fused_kernel_serial):
                    if kernel is ck.vector_kernel_serial and tau < 1.0:
                        continue
                    loss = np.full(4, 7.0, dtype)
                    g = np.full((4, n), 7.0, dtype)  # row 3 lies beyond the kernel's arrays
                    kernel(h, y, tau, loss[:3], g[:3], dtype == np.float32)
                    assert np.isnan(loss[1]) and not np.isnan(loss[[0, 2]]).any()
                    assert loss[3] == 7.0 and np.all(g[3] == 7.0)


@pytest.mark.parametrize("tau", [0.5, 1.0, 1.5])
def test_public_entry_nan_from_the_losses_and_out(tau):
    from theorylab._validation import InputError

    rng = np.random.default_rng(6)
    for dtype in (np.float32, np.float64):
        h = rng.normal(size=(3000, 50)).astype(dtype)  # 1.5e5 entries: the fused kernel under fast=None
        y = rng.integers(0, 50, 3000)
        ref_l, ref_g = cs.comp_sum_loss_and_grad(h, y, tau, fast=False)
        lo, go = np.empty(3000, dtype), np.empty_like(h)
        for fast in (None, True, False):
            fl, fg = cs.comp_sum_loss_and_grad(h, y, tau, fast=fast)
            ol, og = cs.comp_sum_loss_and_grad(h, y, tau, fast=fast, out=(lo, go))
            assert ol is lo and og is go and np.array_equal(ol, fl) and np.array_equal(og, fg)
            tol = 1e-5 if dtype == np.float32 else 1e-12
            assert np.allclose(fl, ref_l, rtol=tol, atol=0) and np.allclose(fg, ref_g, rtol=tol, atol=tol)
        hn = h.copy()
        hn[1234, 7] = np.nan
        for fast in (None, True, False):
            with pytest.raises(InputError, match="scores contains NaN"):
                cs.comp_sum_loss_and_grad(hn, y, tau, fast=fast)
        hi = h.copy()
        hi[5, 0] = np.inf  # ±inf is allowed: a NaN loss from an infinite score is returned, not an error
        a = cs.comp_sum_loss_and_grad(hi, y, tau, fast=True)[0]
        b = cs.comp_sum_loss_and_grad(hi, y, tau, fast=False)[0]
        assert np.array_equal(np.isnan(a), np.isnan(b)) and np.allclose(a, b, rtol=1e-5, atol=0, equal_nan=True)


@pytest.mark.parametrize("out,needle", [
    ((1, 2), "a tuple \\(loss, grad\\) of two NumPy arrays"),
    ((np.empty(3), np.empty((3, 4))), "out\\[0\\] has shape \\(3,\\)"),
    ((np.empty(10, np.float32), np.empty((10, 4))), "out\\[0\\] has shape \\(10,\\) and dtype float32"),
    ((np.empty(10), np.asfortranarray(np.empty((10, 4)))), "C-contiguous"),
    ("same", "out\\[0\\] and out\\[1\\] overlap"),
    ("scores", "overlaps scores"),
])
def test_public_entry_out_errors(out, needle):
    from theorylab._validation import InputError

    h = np.zeros((10, 4))
    if out == "same":
        buf = np.empty(50)
        out = (buf[:10], buf[:40].reshape(10, 4))
    elif out == "scores":
        out = (np.empty(10), h)
    with pytest.raises(InputError, match=needle):
        cs.comp_sum_loss_and_grad(h, np.zeros(10, int), 1.0, out=out)
