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
