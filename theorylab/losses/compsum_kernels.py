"""The numba kernels of the comp-sum losses (fast paths beside the references of :mod:`.compsum`).

Mao, Mohri, Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023
(arXiv 2304.07288). No input checks here: the public functions of :mod:`theorylab.losses.compsum` validate
and call these. Each kernel is tested equal to its reference (tests/test_compsum.py, tests/test_loss_protocol.py):

* :func:`fused_loss_and_grad` (``fused_kernel_parallel``/``fused_kernel_serial``) ↔ the array-API reference of
  :func:`~theorylab.losses.compsum.comp_sum_loss_and_grad` (``fast=False``);
* ``psi`` ↔ :func:`~theorylab.losses.compsum.psi_tau`; ``risk_of_scores`` ↔
  :func:`~theorylab.losses.compsum.conditional_risk`; ``cstar_complete`` ↔ the closed forms of
  :func:`~theorylab.losses.compsum.best_conditional_risk`; ``cstar_box_h``/``cstar``/``cstar_rows`` (box
  bounded C*, a 1-D search) ↔ a bounded minimisation (tests/test_compsum.py).
"""
from __future__ import annotations

import math
import types

import numpy as np
from numba import njit, prange, types as nbtypes
from numba.extending import overload

__all__ = ["fused_loss_and_grad", "PARALLEL_MIN_SIZE", "exp_array", "exp_array_single"]


def fused_loss_and_grad(h, labels, tau: float, loss, grad) -> None:
    """The numba kernel behind ``comp_sum_loss_and_grad(..., fast=True)``, without input checks.

    A NaN score makes its row's loss NaN (and never reads or writes outside the row): the public entry detects NaN
    scores from the (batch,) losses instead of scanning the scores first.

    For hot loops whose inputs were validated once (e.g. every L-BFGS step of a fit). Threads pay off only on
    large arrays; smaller ones run serially. Same formulas as :func:`comp_sum_loss_and_grad` (see
    :mod:`theorylab.losses.compsum_values`), computed in float64 whatever the dtype of ``h`` and rounded once
    when stored.

    Parameters
    ----------
    h : ndarray (batch, n)
        C-contiguous float scores.
    labels : ndarray (batch,)
        int64 class indices in [0, n).
    tau : float
        τ ≥ 0.
    loss : ndarray (batch,)
        Output: the losses are written here in place.
    grad : ndarray (batch, n)
        Output: the gradients are written here in place.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
    ICML 2023, arXiv:2304.07288.
    """
    par = h.size >= PARALLEL_MIN_SIZE
    if tau >= 1.0:  # row passes that vectorise (vector_kernel)
        kernel = vector_kernel_parallel if par else vector_kernel_serial
    else:  # the exponent of each entry from exact pieces (fused_kernel)
        kernel = fused_kernel_parallel if par else fused_kernel_serial
    kernel(h, labels, tau, loss, grad, h.dtype == np.float32)


PARALLEL_MIN_SIZE = 1_000_000


@njit(cache=True, inline="always")
def _two_sum(a, b):  # pragma: no cover - compiled
    """(s, e): s = fl(a + b), s + e = a + b exactly; e = 0 where s is not finite (as compsum_values._two_sum)."""
    s = a + b
    bb = s - a
    e = (a - (s - bb)) + (b - bb)
    if not math.isfinite(s):
        e = 0.0
    return s, e


@njit(cache=True, inline="always")
def _two_prod_const(x, c, c_hi, c_lo):  # pragma: no cover - compiled
    """(p, e): p = fl(c·x), p + e = c·x exactly, c = c_hi + c_lo split (as compsum_values._two_prod_const)."""
    p = c * x
    if not (abs(x) < 2.0 ** 995 and math.isfinite(p)):
        return p, 0.0
    t = 134217729.0 * x
    x_hi = t - (t - x)
    x_lo = x - x_hi
    return p, ((x_hi * c_hi - p) + x_hi * c_lo + x_lo * c_hi) + x_lo * c_lo


@njit(cache=True, inline="always")
def _exp_to(x, single):  # pragma: no cover - compiled
    """e^x (x float64) for a result to be stored in float32 when ``single``: ``expf`` of the rounded argument times
    the first-order correction 1 + (x − fl32(x)) (relative error ≈ expf's, 2⁻²⁴, where the float32 argument alone
    would cost |x|·2⁻²⁴, up to 6e-6); ``exp`` otherwise. float32 ``expf`` is the cheaper call."""
    if not single:
        return math.exp(x)
    if x > 100.0:  # beyond the float32 range either way
        return math.inf
    if x < -110.0:
        return 0.0
    x32 = np.float32(x)
    return np.float64(math.exp(x32)) * (1.0 + (x - np.float64(x32)))


@njit(cache=True, inline="always")
def _exp_nonpositive(x, single):  # pragma: no cover - compiled
    """:func:`_exp_to` for x ≤ 0 (no overflow test)."""
    if not single:
        return math.exp(x)
    x = max(x, -110.0)  # e^{-110} is 0 in float32; the clamp keeps x − fl32(x) finite (no branch)
    x32 = np.float32(x)
    return np.float64(math.exp(x32)) * (1.0 + (x - np.float64(x32)))


@njit(cache=True, inline="always")
def _log1p(u):  # pragma: no cover - compiled
    """log(1 + u) for u ≥ 0 by Goldberg's formula log(w)·u/(w − 1), w = fl(1 + u) (a few ulps; cheaper than libm's
    log1p)."""
    w = 1.0 + u
    if w == 1.0:
        return u
    return math.log(w) * (u / (w - 1.0))


# ------------------------------------------------------------------ a vectorisable exp (numba here has no SVML)
# e^x = 2^k·e^r: k = round(x/ln 2) by the 1.5·2^52 shifter (its low mantissa bits are k, read by a bit cast), r = x −
# k·ln2_hi − k·ln2_lo (Cody–Waite: ln2_hi has 32 significant bits, so k·ln2_hi is exact for |k| < 2^21), |r| ≤ ln2/2,
# e^r by its Taylor polynomial (Horner), 2^k written into the exponent bits. No branch and no libm call: LLVM
# vectorises a loop over it (packed vmulpd/vaddpd/vfmadd; checked with ``inspect_asm`` in
# tests/test_compsum_kernels_speed.py). Clamping x to [−746, 710] gives exactly 0 / +inf beyond the float64 range;
# NaN passes through. ``contract`` (FMA fusion) is the only fast-math flag: each fusion removes a rounding.

_LOG2E = 1.4426950408889634
_LN2_HI = 6.93147180369123816490e-01  # 0x3fe62e42fee00000: the low 21 mantissa bits are zero
_LN2_LO = 1.90821492927058770002e-10
_SHIFTER = 6755399441055744.0  # 1.5·2^52: fl(t + S) − S = round(t) for |t| < 2^51
_SHIFTER_BITS = 0x4338000000000000  # the bits of S: bits(t + S) − bits(S) = round(t)
_INV_FACT = tuple(1.0 / math.factorial(i) for i in range(14))


@njit(cache=True, inline="always", fastmath={"contract"})
def _exp64(x):  # pragma: no cover - compiled
    """e^x in float64, relative error ≤ 2.5e-16 (about 1 ulp) incl. subnormal results (2^k as 2^⌊k/2⌋·2^⌈k/2⌉);
    exp(0) = 1 exactly; a Taylor polynomial of degree 13 (truncation (ln2/2)^14/14! < 3e-18)."""
    xc = x if x > -746.0 else -746.0
    xc = xc if xc < 710.0 else 710.0
    t = xc * _LOG2E + _SHIFTER
    kf = t - _SHIFTER
    r = (xc - kf * _LN2_HI) - kf * _LN2_LO
    c = _INV_FACT
    p = c[13]
    p = p * r + c[12]
    p = p * r + c[11]
    p = p * r + c[10]
    p = p * r + c[9]
    p = p * r + c[8]
    p = p * r + c[7]
    p = p * r + c[6]
    p = p * r + c[5]
    p = p * r + c[4]
    p = p * r + c[3]
    p = p * r + c[2]
    p = p * r + 1.0
    p = p * r + 1.0
    k = np.float64(t).view(np.int64) - _SHIFTER_BITS
    k1 = k >> 1
    s1 = np.int64((k1 + 1023) << 52).view(np.float64)
    s2 = np.int64((k - k1 + 1023) << 52).view(np.float64)
    res = (p * s1) * s2  # p·s1 is exact (a normal number): one rounding, also into the subnormals
    return x if x != x else res


@njit(cache=True, inline="always", fastmath={"contract"})
def _exp_single(x):  # pragma: no cover - compiled
    """e^x in float64 to float32 needs: relative error ≤ 1e-8 (Taylor degree 7 on |r| ≤ ln2/2: truncation 5.2e-9)
    for x ≥ −200, where the result is normal in float64 (one 2^k factor); 0 (well, e^{−200} ≈ 1e-87) below, far
    under float32's range; +inf above 710; NaN passes through. For results stored in float32."""
    xc = x if x > -200.0 else -200.0
    xc = xc if xc < 710.0 else 710.0
    t = xc * _LOG2E + _SHIFTER
    kf = t - _SHIFTER
    r = (xc - kf * _LN2_HI) - kf * _LN2_LO
    c = _INV_FACT
    p = c[7]
    p = p * r + c[6]
    p = p * r + c[5]
    p = p * r + c[4]
    p = p * r + c[3]
    p = p * r + c[2]
    p = p * r + 1.0
    p = p * r + 1.0
    k = np.float64(t).view(np.int64) - _SHIFTER_BITS
    k1 = k >> 1
    s1 = np.int64((k1 + 1023) << 52).view(np.float64)
    s2 = np.int64((k - k1 + 1023) << 52).view(np.float64)
    res = (p * s1) * s2
    return x if x != x else res


@njit(cache=True, fastmath={"contract"})
def exp_array(x, out):  # pragma: no cover - compiled
    """out[i] = e^{x[i]} by the kernels' vector exp (float64, ≈ 1 ulp); for tests and benchmarks."""
    for i in range(x.shape[0]):
        out[i] = _exp64(x[i])


@njit(cache=True, fastmath={"contract"})
def exp_array_single(x, out):  # pragma: no cover - compiled
    """out[i] = e^{x[i]} by the float32 kernel's vector exp (float64, relative error ≤ 1e-8 for x ≥ −200)."""
    for i in range(x.shape[0]):
        out[i] = _exp_single(x[i])


# ------------------------------------------------------------------------- row passes of the τ ≥ 1 kernel
# Each is one short loop over a row (in L1) that LLVM vectorises without fast-math: the max and the first argmax
# as integer reductions (a float's bits, negative ones with the magnitude bits flipped, order like the floats:
# integer max/min are associative, float ones are not vectorised without 'nnan'), the exponentials by the vector
# exp, and the sum with 'reassoc' alone (allowed there: a sum of non-negative terms, any order, error ≤ n·2⁻⁵³).


def _row_max(h, i):  # pragma: no cover - typed by the overload below
    raise NotImplementedError


@overload(_row_max, jit_options={"cache": True})
def _row_max_impl(h, i):  # pragma: no cover - compiled
    if h.dtype == nbtypes.float32:
        def impl(h, i):
            mk = np.int64(-2147483648)
            for j in range(h.shape[1]):
                b = np.int64(np.float32(h[i, j]).view(np.int32))
                key = b ^ ((b >> 31) & 0x7FFFFFFF)
                mk = key if key > mk else mk
            b = mk ^ ((mk >> 31) & 0x7FFFFFFF)
            return np.int32(b).view(np.float32)
        return impl

    def impl(h, i):
        mk = np.int64(-9223372036854775807 - 1)
        for j in range(h.shape[1]):
            b = np.float64(h[i, j]).view(np.int64)
            key = b ^ ((b >> 63) & 0x7FFFFFFFFFFFFFFF)
            mk = key if key > mk else mk
        b = mk ^ ((mk >> 63) & 0x7FFFFFFFFFFFFFFF)
        return np.int64(b).view(np.float64)
    return impl


@njit(cache=True, inline="always")
def _first_index(h, i, v):  # pragma: no cover - compiled
    """The first j with h[i, j] == v (n when none), as a branch-free integer min reduction."""
    n = h.shape[1]
    a = n
    for j in range(n):
        cand = j if h[i, j] == v else n
        a = cand if cand < a else a
    return a


def _row_exp(h, i, m, out):  # pragma: no cover - typed by the overload below
    raise NotImplementedError


@overload(_row_exp, jit_options={"cache": True, "fastmath": {"contract"}})
def _row_exp_impl(h, i, m, out):  # pragma: no cover - compiled
    if h.dtype == nbtypes.float32:
        def impl(h, i, m, out):
            for j in range(h.shape[1]):
                out[i, j] = _exp_single(np.float64(h[i, j]) - m)
        return impl

    def impl(h, i, m, out):
        for j in range(h.shape[1]):
            out[i, j] = _exp64(h[i, j] - m)
    return impl


@njit(cache=True, fastmath={"reassoc"})
def _row_sum(g, i):  # pragma: no cover - compiled
    s = 0.0
    for j in range(g.shape[1]):
        s += np.float64(g[i, j])
    return s


@njit(cache=True, inline="always")
def _row_scale(g, i, c):  # pragma: no cover - compiled
    for j in range(g.shape[1]):
        g[i, j] = np.float64(g[i, j]) * c


def vector_kernel(h, labels, tau, loss, grad, single):  # pragma: no cover - compiled below, twice
    """τ ≥ 1 by row passes that vectorise (max, first argmax, e^{h_j − m} into the gradient row, Σ, one scaling);
    same formulas as :func:`fused_kernel` up to the order of the sums (and, in float32, e^{h_j − m} rounded to
    float32 before its product by c: one more rounding, 2⁻²⁴). Rows are indexed as h[i, j] (no row views: a view
    costs a reference count per row)."""
    B = h.shape[0]
    for i in prange(B):
        mx = _row_max(h, i)
        a = min(_first_index(h, i, mx), h.shape[1] - 1)  # n only for a NaN max: stay in the row (the loss is NaN)
        m = np.float64(mx)
        _row_exp(h, i, m, grad)  # e_j = e^{h_j − m}; e_a = 1 exactly
        grad[i, a] = 0.0
        u = _row_sum(grad, i)  # Σ_{j≠a} e_j
        grad[i, a] = 1.0
        lg = _log1p(u)
        y = labels[i]
        hy = np.float64(h[i, y])
        ey = np.float64(grad[i, y])
        nls = (m - hy) + lg  # −log s_y
        if tau == 1.0:
            loss[i] = nls
            c = math.exp(-lg)
        else:
            loss[i] = math.expm1((1.0 - tau) * nls) / (1.0 - tau)
            c = math.exp(-(tau - 1.0) * nls - lg)
        # Σ_{j≠y} e_j = u when y = a, else 1 + (u − e_y) (≥ 1: no cancellation that matters)
        tot = c * (u if y == a else 1.0 + (u - ey))
        _row_scale(grad, i, c)
        grad[i, y] = -tot


def fused_kernel(h, labels, tau, loss, grad, single):  # pragma: no cover - compiled below, twice
    # the formulas of compsum_values._reference_body, in float64 whatever the dtype of h (one rounding at the store);
    # single: h is float32, whose results need e^x only to float32 accuracy (_exp_to)
    B, n = h.shape
    omt = 1.0 - tau
    t = 134217729.0 * omt  # Veltkamp's split of 1 − τ
    omt_hi = t - (t - omt)
    omt_lo = omt - omt_hi
    for i in prange(B):
        mx = h[i, 0]
        for j in range(1, n):  # the max first (a branch-free loop), then its first position a
            mx = max(mx, h[i, j])
        a = 0
        while a < n - 1 and h[i, a] != mx:  # bounded: a NaN max equals no entry (the loss is then NaN)
            a += 1
        m = np.float64(mx)
        u = 0.0  # Σ_{j≠a} e^{h_j − m}: the loop skips a (its term is 1) instead of testing j ≠ a
        for j in range(a):
            e = _exp_nonpositive(np.float64(h[i, j]) - m, single)
            grad[i, j] = e
            u += e
        grad[i, a] = 1.0
        for j in range(a + 1, n):
            e = _exp_nonpositive(np.float64(h[i, j]) - m, single)
            grad[i, j] = e
            u += e
        lg = _log1p(u)
        y = labels[i]
        hy = np.float64(h[i, y])
        g = m - hy  # ≥ 0: −log s_y = g + lg
        nls = g + lg
        if tau == 1.0:
            loss[i] = nls
        else:
            loss[i] = math.expm1(omt * nls) / omt
        tot = 0.0
        if tau >= 1.0:  # s_y^{τ−1}/Σe ≤ 1: a product of stored exponentials cannot overflow
            c = math.exp(-lg) if tau == 1.0 else math.exp(-(tau - 1.0) * nls - lg)
            for j in range(y):
                gj = grad[i, j] * c
                grad[i, j] = gj
                tot += gj
            for j in range(y + 1, n):
                gj = grad[i, j] * c
                grad[i, j] = gj
                tot += gj
        else:  # exponent (1−τ)(m − h_y) + (h_j − m) − τ·lg from exact pieces (compsum_values._exponent_below_one)
            g_hi, g_lo = _two_sum(m, -hy)
            p_hi, p_lo = _two_prod_const(g_hi, omt, omt_hi, omt_lo)
            small = p_lo + omt * g_lo - tau * lg
            for j in range(n):
                if j != y:
                    hj = np.float64(h[i, j])
                    z_hi, z_lo = _two_sum(hj, -m)
                    s, s_lo = _two_sum(p_hi, z_hi)
                    ex = s + (s_lo + z_lo + small)
                    if math.isnan(ex):
                        ex = (hj - tau * m) - omt * hy
                    gj = _exp_to(ex, single)
                    grad[i, j] = gj
                    tot += gj
        grad[i, y] = -tot


def _renamed(fn, name: str):
    """A copy of ``fn`` called ``name``. numba names a function's cache files by its qualified name and first line
    and leaves the ``parallel`` flag out of the cache key, so two cached dispatchers of one function share one entry:
    whichever compiled last was loaded by both (the "serial" kernel then ran the threaded code, and on a busy machine
    every small call waited ~8 ms for the thread pool)."""
    out = types.FunctionType(fn.__code__, fn.__globals__, name, fn.__defaults__, fn.__closure__)
    out.__qualname__ = name
    return out


fused_kernel_parallel = njit(cache=True, parallel=True)(fused_kernel)
fused_kernel_serial = njit(cache=True)(_renamed(fused_kernel, "fused_kernel_serial_code"))  # prange runs as range
vector_kernel_parallel = njit(cache=True, parallel=True, fastmath={"contract"})(vector_kernel)
vector_kernel_serial = njit(cache=True, fastmath={"contract"})(_renamed(vector_kernel, "vector_kernel_serial_code"))


@njit(cache=True)
def psi(s, tau):  # pragma: no cover - compiled
    if s <= 0.0:
        if tau > 1.0:
            return 1.0 / (tau - 1.0)
        return np.inf
    if tau == 1.0:
        return -math.log(s)
    return -math.expm1((tau - 1.0) * math.log(s)) / (tau - 1.0)


@njit(cache=True)
def cstar_complete(p, tau):  # pragma: no cover - compiled
    n = p.shape[0]
    if tau >= 2.0:
        mx = 0.0
        for j in range(n):
            if p[j] > mx:
                mx = p[j]
        return (1.0 - mx) / (tau - 1.0)
    if tau == 1.0:
        v = 0.0
        for j in range(n):
            if p[j] > 0.0:
                v -= p[j] * math.log(p[j])
        return v
    a = 1.0 / (2.0 - tau)
    sa = 0.0
    for j in range(n):
        if p[j] > 0.0:
            sa += math.exp(a * math.log(p[j]))
    # (1 − ‖p‖_a)/(τ−1) = −expm1((2−τ)·log Σ p^a)/(τ−1)
    return -math.expm1((2.0 - tau) * math.log(sa)) / (tau - 1.0)


@njit(cache=True)
def risk_of_scores(p, h, tau):  # pragma: no cover - compiled
    """Σ_y p_y Ψ_τ(softmax(h)_y) with p_y = 0 terms skipped; h finite."""
    n = p.shape[0]
    m = h[0]
    for j in range(1, n):
        if h[j] > m:
            m = h[j]
    ssum = 0.0
    for j in range(n):
        ssum += math.exp(h[j] - m)
    lse = math.log(ssum)
    v = 0.0
    for j in range(n):
        if p[j] > 0.0:
            ls = h[j] - m - lse
            if tau == 1.0:
                v -= p[j] * ls
            else:
                v -= p[j] * math.expm1((tau - 1.0) * ls) / (tau - 1.0)
    return v


@njit(cache=True)
def clip_path_risk(p, tau, lam, c, h):  # pragma: no cover - compiled
    a = 1.0 / (2.0 - tau)
    n = p.shape[0]
    for j in range(n):
        if p[j] > 0.0:
            v = a * math.log(p[j]) + c
            h[j] = min(lam, max(-lam, v))
        else:
            h[j] = -lam
    return risk_of_scores(p, h, tau)


@njit(cache=True)
def cstar_box_h(p, tau, lam, h):  # pragma: no cover - compiled
    """Box-bounded C*; writes a minimiser into h."""
    n = p.shape[0]
    if tau >= 2.0:
        order = np.argsort(-p)
        best = np.inf
        bestk = 1
        cum = 0.0
        e = math.exp(-2.0 * lam)
        for k in range(1, n + 1):
            cum += p[order[k - 1]]
            stop = 1.0 / (k + (n - k) * e)
            v = cum * psi(stop, tau) + (1.0 - cum) * psi(stop * e, tau)
            if v < best:
                best = v
                bestk = k
        for j in range(n):
            h[j] = -lam
        for k in range(bestk):
            h[order[k]] = lam
        return best
    # τ < 2: the minimiser lies on the clip path h_j(c) = clip(a·log p_j + c, −Λ, Λ), a = 1/(2 − τ).
    # The risk along it is smooth between the breakpoints c = ±Λ − a·log p_j (where a coordinate
    # enters or leaves the box) and can be flat over a stretch where every coordinate is clipped, so a
    # global grid can miss a dip just past a flat stretch: minimise on each segment separately.
    a = 1.0 / (2.0 - tau)
    bks = np.empty(2 * n)
    m = 0
    for j in range(n):
        if p[j] > 0.0:
            lp = a * math.log(p[j])
            bks[m] = -lam - lp
            bks[m + 1] = lam - lp
            m += 2
    bks = np.sort(bks[:m])
    best = clip_path_risk(p, tau, lam, bks[m - 1], h)
    cbest = bks[m - 1]
    g = 0.3819660112501051
    for s in range(m - 1):
        lo = bks[s]
        hi = bks[s + 1]
        v = clip_path_risk(p, tau, lam, lo, h)
        if v < best:
            best = v
            cbest = lo
        if hi - lo <= 1e-15 * max(1.0, abs(lo)):
            continue
        a_ = lo
        b_ = hi
        x1 = a_ + g * (b_ - a_)
        x2 = b_ - g * (b_ - a_)
        f1 = clip_path_risk(p, tau, lam, x1, h)
        f2 = clip_path_risk(p, tau, lam, x2, h)
        for _ in range(60):  # golden section: the bracket shrinks by 0.618^60 ≈ 3e-13
            if f1 < f2:
                b_ = x2
                x2 = x1
                f2 = f1
                x1 = a_ + g * (b_ - a_)
                f1 = clip_path_risk(p, tau, lam, x1, h)
            else:
                a_ = x1
                x1 = x2
                f1 = f2
                x2 = b_ - g * (b_ - a_)
                f2 = clip_path_risk(p, tau, lam, x2, h)
        c = 0.5 * (a_ + b_)
        v = clip_path_risk(p, tau, lam, c, h)
        if v < best:
            best = v
            cbest = c
    return clip_path_risk(p, tau, lam, cbest, h)  # writes the minimiser into h


@njit(cache=True)
def cstar(p, tau, lam):  # pragma: no cover - compiled
    if lam < 0.0:
        return cstar_complete(p, tau)
    h = np.empty(p.shape[0])
    return cstar_box_h(p, tau, lam, h)


@njit(cache=True)
def cstar_rows(P, tau, lam, out):  # pragma: no cover - compiled
    for i in range(P.shape[0]):
        out[i] = cstar(P[i], tau, lam)
