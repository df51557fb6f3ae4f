"""Accuracy of the loss layer against extended-precision references (issue 10, item 5).

Values and gradients of the comp-sum losses (array-API reference and numba kernel), the LDR-KL loss, and the
sigmoid and ρ-margin margin losses, for float64 and float32 inputs, are compared with references computed in
mpmath (50–60 significant digits; every linear combination of input floats, such as h_j − h_y, exact at 2300
bits) on fuzzed and adversarial inputs. Target: relative error ≤ 1e-12 in float64 and ≤ 1e-5 in float32 for
scores in ±1e4, ±inf exactly where the correctly rounded result overflows, and no NaN for finite inputs.

The error measure (:func:`excess`): ``|x − ref| ≤ rtol·|ref|`` plus an absolute floor of ``finfo.smallest_normal``
(2.2e-308 / 1.2e-38, within the 1e-300 / 1e-37 the brief allows) *only where |ref| is below it*: in the gradual
underflow range a float holds a value to an absolute quantum (2⁻¹⁰⁷⁴ / 2⁻¹⁴⁹), not to a relative precision, so a
relative bound cannot be met there by any implementation. Where |ref| is beyond the largest float, the
correctly rounded result is ±inf and is required; within rtol of that boundary either is accepted.

One documented exception: the LDR-KL *value* ψ_λ changes sign (ψ_λ ∈ [mean δ, max δ], and mean δ < 0 < max δ is
common), and near its zero set its relative condition number Σ_k p*_k|δ_k| / |ψ_λ| (δ_k = f_k − f_y + c·1[k≠y],
p* the maximising weights) is unbounded: no float64 evaluation without extended precision can be relatively
accurate there. Its tolerance is ``rtol·(|ref| + Σ_k p*_k|δ_k|)``, the error of one rounding of every δ_k; where
ψ_λ is not small against the δ's (always for λ = 0, where Σ p*|δ| = |ψ|) that is the relative bound itself.

``-m slow`` adds 10⁶ inputs per loss against vectorised np.longdouble references (64-bit significands), which
are themselves validated against mpmath on a subsample; it skips where longdouble is plain double.
"""
import math

import mpmath as mp
import numpy as np
import pytest

from theorylab.losses import compsum as cs
from theorylab.losses import ldr
from theorylab.losses.margin import rho_margin, sigmoid

DTYPES = (np.float64, np.float32)
RTOL = {np.float64: 1e-12, np.float32: 1e-5}
TAUS = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)
LAMS = (0.0, 0.01, 1.0, 100.0, math.inf)
MARGINS = (0.0, 0.1, 1.0)
_EXACT_BITS = 2300  # any sum of a few doubles (2^-1074 … 2^1024) and products by a double are exact at this precision
_DPS = 60


# ------------------------------------------------------------------------------------------- error measure


def excess(x, ref, dtype, scale=None):
    """Error of x against ref over the allowed error (≤ 1 passes; NaN in x counts as ∞), elementwise.

    Allowed: rtol·(|ref| + scale) + smallest_normal where |ref| < smallest_normal; ±inf is required where
    |ref| > max·(1 + rtol) and accepted where |ref| ≥ max·(1 − rtol) (see the module docstring).
    """
    dtype = np.dtype(dtype).type
    x = np.asarray(x, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    fi = np.finfo(dtype)
    rtol, tiny, big = RTOL[dtype], float(fi.smallest_normal), float(fi.max)
    mag = np.abs(ref)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        allowed = rtol * mag + (0.0 if scale is None else rtol * np.asarray(scale, dtype=np.float64))
        allowed = allowed + np.where(mag < tiny, tiny, 0.0)
        ratio = np.abs(x - ref) / allowed
        good_inf = np.isinf(x) & (np.sign(x) == np.sign(ref)) & (mag >= big * (1 - rtol))
        ratio = np.where(mag > big * (1 + rtol), np.where(good_inf, 0.0, np.inf), np.where(good_inf, 0.0, ratio))
    return np.where(np.isnan(ratio), np.inf, ratio)


def rel_error(x, ref, dtype):
    """|x − ref|/|ref| where ref is a normal, representable number (for reports); 0 elsewhere unless x is wrong."""
    dtype = np.dtype(dtype).type
    x = np.asarray(x, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    fi = np.finfo(dtype)
    mag = np.abs(ref)
    normal = (mag >= fi.smallest_normal) & (mag <= fi.max)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(normal, np.abs(x - ref) / np.where(normal, mag, 1.0), 0.0)
    bad = excess(x, ref, dtype) > 1
    return np.where(np.isnan(r) | (~normal & bad), np.inf, r)


# ------------------------------------------------------------------------------------- mpmath references


def _exp(x):
    if x > 100_000:
        return mp.inf
    if x < -100_000:
        return mp.mpf(0)
    return mp.exp(x)


def _expm1(x):
    if x > 100_000:
        return mp.inf
    if x < -100_000:
        return mp.mpf(-1)
    return mp.expm1(x)


def ref_compsum(h, y, tau):
    """(ℓ^τ, ∂ℓ^τ/∂h) of one score row at the exact input floats: −log s_y = (m − h_y) + log1p(Σ_{k≠a} e^{h_k−m}),
    ∂ℓ/∂h_j = exp((1−τ)(m − h_y) + (h_j − m) − τ·log1p(…)) for j ≠ y, ∂ℓ/∂h_y = −Σ_{j≠y} ∂ℓ/∂h_j."""
    hs = [mp.mpf(float(v)) for v in h]
    m = max(hs)
    a = hs.index(m)
    t = mp.mpf(float(tau))
    with mp.workprec(_EXACT_BITS):
        d = [v - m for v in hs]
        G = m - hs[y]
        lin = [(1 - t) * G + dj for dj in d]
    with mp.workdps(_DPS):
        L = mp.log1p(mp.fsum(_exp(dk) for k, dk in enumerate(d) if k != a))
        nls = G + L
        loss = nls if tau == 1 else _expm1((1 - t) * nls) / (1 - t)
        grad = [_exp(lin[j] - t * L) if j != y else mp.mpf(0) for j in range(len(hs))]
        grad[y] = -mp.fsum(grad)
    return float(loss), [float(g) for g in grad]


def ref_ldr(f, y, lam, c):
    """(ψ_λ, ∂ψ_λ/∂f, Σ_k p*_k|δ_k|) of one score row at the exact input floats (λ = 0: max; λ = ∞: mean)."""
    fs = [mp.mpf(float(v)) for v in f]
    K = len(fs)
    cm = mp.mpf(float(c))
    with mp.workprec(_EXACT_BITS):
        d = [fs[k] - fs[y] + (cm if k != y else 0) for k in range(K)]
        M = max(d)
        total = mp.fsum(d)
    with mp.workdps(_DPS):
        if lam == 0:
            p = [mp.mpf(1) if k == d.index(M) else mp.mpf(0) for k in range(K)]
            psi = M
        elif math.isinf(lam):
            p = [mp.mpf(1) / K] * K
            psi = total / K
        else:
            lm = mp.mpf(float(lam))
            w = [(dk - M) / lm for dk in d]
            psi = M + lm * mp.log1p(mp.fsum(_expm1(wk) for wk in w) / K)
            ew = [_exp(wk) for wk in w]
            Z = mp.fsum(ew)
            p = [e / Z for e in ew]
        grad = [p[k] if k != y else -mp.fsum(p[j] for j in range(K) if j != y) for k in range(K)]
        scale = mp.fsum(p[k] * abs(d[k]) for k in range(K))
    return float(psi), [float(g) for g in grad], float(scale)


def ref_sigmoid(alpha, k):
    """(φ, φ', φ'') of the sigmoid loss 1 − tanh(kα) = 2/(1 + e^{2kα}) at the exact float α."""
    with mp.workdps(_DPS):
        x = mp.mpf(float(k)) * mp.mpf(float(alpha))
        if mp.isinf(x):
            return (0.0 if x > 0 else 2.0), 0.0, 0.0
        value = 2 / (1 + _exp(2 * x))
        if abs(x) > 100_000:
            return float(value), 0.0, 0.0
        sech2 = 1 / mp.cosh(x) ** 2
        return float(value), float(-mp.mpf(float(k)) * sech2), float(2 * mp.mpf(float(k)) ** 2 * mp.tanh(x) * sech2)


def ref_rho(alpha, rho):
    """(φ, right derivative φ') of the ρ-margin loss min(1, max(0, (ρ − α)/ρ)) at the exact float α."""
    with mp.workdps(_DPS):
        a, r = mp.mpf(float(alpha)), mp.mpf(float(rho))
        value = min(mp.mpf(1), max(mp.mpf(0), (r - a) / r))
        return float(value), (float(-1 / r) if 0 <= a < r else 0.0)


# ------------------------------------------------------------------------------------------------ inputs


def _cast(h, dtype):
    """h in dtype, the float64 range edges (±1e308) moved to the edges of dtype's range (finite inputs only)."""
    big = float(np.finfo(dtype).max)
    return np.clip(h, -0.99 * big, 0.99 * big).astype(dtype)


def fuzz_scores(rng, B, n):
    """Scores with magnitudes log-uniform in [1e-6, 1e4], random signs, some zeros and some tied entries."""
    h = rng.choice([-1.0, 1.0], (B, n)) * 10.0 ** rng.uniform(-6, 4, (B, n))
    h[rng.random((B, n)) < 0.05] = 0.0
    tie = rng.random(B) < 0.05
    h[tie, -1] = h[tie, 0]
    return h


def cancelling_rows(rng, B, n, tau):
    """Scores where the τ < 1 gradient exponent (1−τ)(m − h_y) + (h_j − m) is O(1) from O(1e4) terms."""
    h = fuzz_scores(rng, B, n)
    h[:, 0] = -rng.uniform(5e3, 1e4, B)  # the label's score, low
    h[:, 1] = rng.uniform(5e3, 1e4, B)  # the max
    if n > 2:
        h[:, 2] = h[:, 1] - (1 - tau) * (h[:, 1] - h[:, 0]) + rng.uniform(-30, 30, B)
    return h


ADVERSARIAL_COMPSUM = [  # (scores, label): the fuzzing findings of issue 10 and the range edges
    ([0.0, 8.28e8, -33.47], 2),
    ([1e308, -1e308], 0), ([1e308, -1e308], 1), ([-1e308, 1e308, 0.0], 2), ([1.7e308, -1.7e308, 1.7e308], 1),
    ([40.0, 0.0], 0), ([40.0, 0.0, -3.0], 0), ([745.0, 0.0], 0), ([700.0, 0.0, 0.0], 0), ([1e4, -1e4, 0.0], 0),
    ([5.0, 5.0], 1), ([3.0, 3.0, 3.0], 0), ([0.0, 0.0, 0.0], 2), ([-1e4, 1e4, 9.9e3], 0), ([-1e4, 1e4, 0.0], 0),
    ([-1e4, 1e4, 1e4 - 1e-6], 0), ([1e-300, -1e-300], 1), ([5e-324, 0.0], 1),
]


# ----------------------------------------------------------------------------------------- comp-sum tests


def _compsum_cases(rng, tau):
    rows = []
    for n in (2, 3, 10):
        h = fuzz_scores(rng, 130, n)
        rows += [(h[i], int(rng.integers(n))) for i in range(h.shape[0])]
        if tau < 1:
            hc = cancelling_rows(rng, 40, n, tau)
            rows += [(hc[i], 0) for i in range(hc.shape[0])]
    return rows + [(np.array(h, dtype=np.float64), y) for h, y in ADVERSARIAL_COMPSUM]


def _check_compsum(rows, tau, dtype, label):
    worst = {}
    by_n = {}
    for h, y in rows:
        by_n.setdefault(len(h), []).append((h, y))
    for n, group in by_n.items():
        H = _cast(np.array([h for h, _ in group]), dtype)
        Y = np.array([y for _, y in group])
        refs = [ref_compsum(H[i], Y[i], tau) for i in range(H.shape[0])]
        rl = np.array([r[0] for r in refs])
        rg = np.array([r[1] for r in refs])
        for fast in (False, True):
            with np.errstate(all="ignore"):
                loss, grad = cs.comp_sum_loss_and_grad(H, Y, tau, fast=fast)
                value = cs.comp_sum_loss(H, Y, tau)
            assert loss.dtype == dtype and grad.dtype == dtype
            assert not np.isnan(loss).any() and not np.isnan(grad).any(), (label, tau, n, fast)
            for what, x, ref in (("loss", loss, rl), ("grad", grad, rg), ("value", value, rl)):
                e = excess(x, ref, dtype)
                i = np.unravel_index(int(np.argmax(e)), e.shape)
                assert e[i] <= 1, (f"{label} tau={tau} n={n} fast={fast} {what}: {x[i]!r} vs {ref[i]!r} at "
                                   f"scores {H[i[0]].tolist()}, label {Y[i[0]]}")
                key = (what, fast)
                worst[key] = max(worst.get(key, 0.0), float(np.max(rel_error(x, ref, dtype))))
    return worst


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("tau", TAUS)
def test_compsum_values_and_gradients_against_mpmath(tau, dtype):
    rng = np.random.default_rng([10, 5, int(tau * 10), np.dtype(dtype).itemsize])
    _check_compsum(_compsum_cases(rng, tau), tau, dtype, "fuzz")


def test_compsum_issue_findings_exactly():
    # float32, τ = 0, scores (0, 8.28e8, −33.47), label 2: ∂ℓ/∂h_0 = e^{h_0 − h_2} = 3.43e14 (was 6.2e27)
    h = np.array([[0.0, 8.28e8, -33.47]], dtype=np.float32)
    for fast in (False, True):
        _, g = cs.comp_sum_loss_and_grad(h, np.array([2]), 0.0, fast=fast)
        assert g[0, 0] == pytest.approx(math.exp(-float(h[0, 2])), rel=1e-6)
        assert np.isposinf(g[0, 1]) and np.isneginf(g[0, 2])
    # τ = 1 at ±1e308: the softmax is (1, 0) and the loss +inf, not NaN
    for fast in (False, True):
        loss, g = cs.comp_sum_loss_and_grad(np.array([[1e308, -1e308]]), np.array([1]), 1.0, fast=fast)
        assert np.isposinf(loss[0]) and g.tolist() == [[1.0, -1.0]]
    # a loss of 4.2e-18 is not −0.0
    for tau in TAUS:
        value = cs.comp_sum_loss(np.array([[40.0, 0.0]]), np.array([0]), tau)[0]
        assert value == pytest.approx(math.log1p(math.exp(-40.0)), rel=1e-14)


def test_log_softmax_keeps_log_probabilities_near_zero():
    out = cs.log_softmax(np.array([[40.0, 0.0, -5.0], [0.0, 0.0, 0.0]]))
    assert out[0, 0] == pytest.approx(-math.log1p(math.exp(-40.0) + math.exp(-45.0)), rel=1e-15)
    np.testing.assert_allclose(out[1], -math.log(3.0), rtol=1e-15)


def test_compsum_reference_namespaces_agree(xp):
    rng = np.random.default_rng(3)
    h = fuzz_scores(rng, 50, 4)
    y = rng.integers(0, 4, 50)
    for tau in (0.0, 0.5, 1.0, 2.0):
        ln, gn = cs.comp_sum_loss_and_grad(h, y, tau, fast=False)
        lx, gx = cs.comp_sum_loss_and_grad(xp.asarray(h), xp.asarray(y), tau, fast=False)
        np.testing.assert_array_equal(np.asarray(lx), ln)
        np.testing.assert_array_equal(np.asarray(gx), gn)
        h32 = xp.asarray(h.astype(np.float32))
        l32, g32 = cs.comp_sum_loss_and_grad(h32, xp.asarray(y), tau, fast=False)
        assert l32.dtype == xp.float32 and g32.dtype == xp.float32


# -------------------------------------------------------------------------------------------- LDR-KL tests


ADVERSARIAL_LDR = [  # (scores, label)
    ([1e308, -1e308], 1), ([1e308, -1e308], 0), ([1e308, -1e308, 0.0], 1), ([1.7e308, 1.7e308, -1.7e308], 2),
    ([-1.7e308, -1.7e308, 1.7e308], 2), ([0.0, 0.0, 0.0], 1), ([5.0, 5.0 - 0.1, 5.0 - 0.1], 0),
    ([1e4, -1e4, 1e4], 0), ([1e-300, 0.0], 0),
]


def _check_ldr(H, Y, lam, c, dtype, label):
    refs = [ref_ldr(H[i], Y[i], lam, c) for i in range(H.shape[0])]
    rv = np.array([r[0] for r in refs])
    rg = np.array([r[1] for r in refs])
    scale = np.array([r[2] for r in refs])
    loss_obj = ldr.LDRKLLoss(lam, c)
    with np.errstate(all="ignore"):
        value = ldr.ldr_kl_loss(H, Y, lam, c)
        v2, grad = loss_obj.value_and_grad(H, Y)
    assert value.dtype == dtype and grad.dtype == dtype
    assert not np.isnan(value).any() and not np.isnan(grad).any(), (label, lam, c)
    worst = {}
    for what, x, ref, sc in (("value", value, rv, scale), ("value", v2, rv, scale), ("grad", grad, rg, None)):
        e = excess(x, ref, dtype, sc)
        i = np.unravel_index(int(np.argmax(e)), e.shape)
        assert e[i] <= 1, (f"{label} lam={lam} c={c} {what}: {x[i]!r} vs {ref[i]!r} at scores "
                           f"{H[i[0]].tolist()}, label {Y[i[0]]}")
        worst[what] = max(worst.get(what, 0.0), float(np.max(rel_error(x, ref, dtype))))
    return worst


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("lam", LAMS)
def test_ldr_kl_values_and_gradients_against_mpmath(lam, dtype):
    rng = np.random.default_rng([10, 5, 7, int(min(lam, 1e3) * 100), np.dtype(dtype).itemsize])
    for c in MARGINS:
        for n in (2, 3, 10):
            H = fuzz_scores(rng, 60, n).astype(dtype)
            if lam not in (0.0, math.inf):
                H[:20] *= lam / 1e2  # scores of the order of λ: the weights p* are far from one-hot
            _check_ldr(H, rng.integers(0, n, H.shape[0]), lam, c, dtype, "fuzz")
        for h, y in ADVERSARIAL_LDR:
            H = _cast(np.array([h]), dtype)
            _check_ldr(H, np.array([y]), lam, c, dtype, "adversarial")


def test_ldr_kl_issue_findings():
    # NaN where the answer is +inf
    assert np.isposinf(ldr.ldr_kl_loss(np.array([[1e308, -1e308]]), np.array([1]), 1.0, 0.1)[0])
    # float32, λ = ∞: the mean −1.5e38 is finite though δ_3 = −6e38 is not a float32
    f = np.array([[3e38, 3e38, 3e38, -3e38]], dtype=np.float32)
    out = ldr.ldr_kl_loss(f, np.array([0]), math.inf, 0.1)
    assert out.dtype == np.float32 and out[0] == pytest.approx((0.2 - 6e38 + 0.1) / 4, rel=1e-6)
    # a huge λ on huge scores: finite, λ·log((e² + 1 + e)/3)
    psi = ldr.ldr_kl_loss(np.array([[1e308, -1e308, 0.0]]), np.array([1]), 1e308, 0.0)[0]
    assert psi == pytest.approx(1e308 * math.log((math.exp(2) + 1 + math.e) / 3), rel=1e-13)


def test_ldr_reference_namespaces_agree(xp):
    rng = np.random.default_rng(4)
    h = fuzz_scores(rng, 40, 3)
    y = rng.integers(0, 3, 40)
    for lam in LAMS:
        v = ldr.LDRKLLoss(lam, 0.1).value_and_grad(h, y)
        vx = ldr.LDRKLLoss(lam, 0.1).value_and_grad(xp.asarray(h), xp.asarray(y))
        np.testing.assert_array_equal(np.asarray(vx[0]), v[0])
        np.testing.assert_array_equal(np.asarray(vx[1]), v[1])


# ------------------------------------------------------------------------------------------ margin losses


def _margins(rng, m):
    a = rng.choice([-1.0, 1.0], m) * 10.0 ** rng.uniform(-6, 4, m)
    return np.concatenate([a, [0.0, 5e-324, -5e-324, 18.0, 19.0, 20.0, 30.0, 354.0, 400.0, 1e4, -1e4, 1e300,
                               -1e300, math.inf, -math.inf]])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("k", (1.0, 2.0, 0.5, 0.3))
def test_sigmoid_against_mpmath(k, dtype):
    rng = np.random.default_rng([10, 5, 9, int(k * 10)])
    with np.errstate(over="ignore"):
        a = _margins(rng, 1500).astype(dtype)
    refs = np.array([ref_sigmoid(v, k) for v in a])
    loss = sigmoid(k)
    for j, got in enumerate((loss.value(a), loss.derivative(a), loss.second_derivative(a))):
        assert got.dtype == dtype and not np.isnan(got).any()
        e = excess(got, refs[:, j], dtype)
        i = int(np.argmax(e))
        assert e[i] <= 1, (f"k={k} order {j}: {got[i]!r} vs {refs[i, j]!r} at alpha={a[i]!r}")


def test_sigmoid_tail_is_not_zero():
    v = sigmoid(1.0).value(np.array([19.0, 30.0, 300.0]))
    np.testing.assert_allclose(v, [2 / (1 + math.exp(38)), 2 / (1 + math.exp(60)), 2 * math.exp(-600)], rtol=1e-14)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("rho", (1.0, 0.5, 0.3))
def test_rho_margin_against_mpmath(rho, dtype):
    rng = np.random.default_rng([10, 5, 11, int(rho * 10)])
    a = np.concatenate([_margins(rng, 1000), rho * (1 + rng.choice([-1.0, 1.0], 300) * 10.0 ** rng.uniform(-15, -1, 300)),
                        rho * 10.0 ** rng.uniform(-8, 0, 100), [rho, 0.0, -0.0]])
    with np.errstate(over="ignore"):
        a = a.astype(dtype)
    refs = np.array([ref_rho(v, rho) for v in a])
    loss = rho_margin(rho)
    for j, got in enumerate((loss.value(a), loss.derivative(a))):
        assert got.dtype == dtype and not np.isnan(got).any()
        e = excess(got, refs[:, j], dtype)
        i = int(np.argmax(e))
        assert e[i] <= 1, (f"rho={rho} order {j}: {got[i]!r} vs {refs[i, j]!r} at alpha={a[i]!r}")


def test_rho_margin_right_derivative_at_the_kinks():
    d = rho_margin(0.5).derivative(np.array([0.0, -0.0, 0.5, -1e-300, 1e-300]))
    assert d.tolist() == [-2.0, -2.0, 0.0, 0.0, -2.0]


# ------------------------------------------------------------------------------- 10⁶ inputs (-m slow)


def _longdouble_ok():
    return np.finfo(np.longdouble).eps <= 1e-18


def ld_compsum(H, Y, tau):
    """Vectorised np.longdouble reference of (ℓ^τ, ∂ℓ^τ/∂h): the formulas of :func:`ref_compsum`."""
    h = H.astype(np.longdouble)
    B, n = h.shape
    rows = np.arange(B)
    a = np.argmax(h, axis=1)
    m = h[rows, a]
    d = h - m[:, None]
    e = np.exp(d)
    e[rows, a] = 0
    L = np.log1p(e.sum(axis=1))
    G = m - h[rows, Y]
    nls = G + L
    t = np.longdouble(tau)
    loss = nls if tau == 1 else np.expm1((1 - t) * nls) / (1 - t)
    grad = np.exp((1 - t) * G[:, None] + d - t * L[:, None])
    grad[rows, Y] = 0
    grad[rows, Y] = -grad.sum(axis=1)
    return loss, grad


def ld_ldr(H, Y, lam, c):
    """Vectorised np.longdouble reference of (ψ_λ, ∂ψ_λ/∂f, Σ p*|δ|): the formulas of :func:`ref_ldr`."""
    f = H.astype(np.longdouble)
    B, K = f.shape
    rows = np.arange(B)
    onehot = np.arange(K)[None, :] == Y[:, None]
    d = f - f[rows, Y][:, None] + np.where(onehot, 0, np.longdouble(c))
    M = d.max(axis=1)
    if lam == 0:
        p = (np.arange(K)[None, :] == np.argmax(d, axis=1)[:, None]).astype(np.longdouble)
        psi = M
    elif math.isinf(lam):
        p = np.full_like(d, 1 / np.longdouble(K))
        psi = d.sum(axis=1) / K
    else:
        lm = np.longdouble(lam)
        w = (d - M[:, None]) / lm
        psi = M + lm * np.log1p(np.expm1(w).sum(axis=1) / K)
        ew = np.exp(w)
        p = ew / ew.sum(axis=1, keepdims=True)
    grad = np.where(onehot, 0, p)
    grad[rows, Y] = -grad.sum(axis=1)
    return psi, grad, (p * np.abs(d)).sum(axis=1)


def _slow_inputs(rng, total, tau=None):
    out = []
    for n in (2, 3, 10):
        B = total // 3
        h = fuzz_scores(rng, B, n) if tau is None or tau >= 1 else np.concatenate(
            [fuzz_scores(rng, B - B // 10, n), cancelling_rows(rng, B // 10, n, tau)])
        out.append((h, rng.integers(0, n, B) if tau is None or tau >= 1 else
                    np.concatenate([rng.integers(0, n, B - B // 10), np.zeros(B // 10, dtype=np.int64)])))
    return out


def validate_longdouble_references(rng):
    """The longdouble references against mpmath on a subsample: within 1e-2 of the float64 tolerance (1e-14)."""
    for tau in TAUS:
        for h, y in _slow_inputs(rng, 600, tau):
            ll, lg = ld_compsum(h, y, tau)
            refs = [ref_compsum(h[i], y[i], tau) for i in range(h.shape[0])]
            assert np.max(excess(ll, [r[0] for r in refs], np.float64)) <= 1e-2, ("compsum", tau)
            assert np.max(excess(lg, [r[1] for r in refs], np.float64)) <= 1e-2, ("compsum", tau)
    for lam in LAMS:
        for h, y in _slow_inputs(rng, 600):
            lv, lg, ls = ld_ldr(h, y, lam, 0.1)
            refs = [ref_ldr(h[i], y[i], lam, 0.1) for i in range(h.shape[0])]
            assert np.max(excess(lv, [r[0] for r in refs], np.float64, [r[2] for r in refs])) <= 1e-2, ("ldr", lam)
            assert np.max(excess(lg, [r[1] for r in refs], np.float64)) <= 1e-2, ("ldr", lam)


def million_errors(rng, total=1_000_000):
    """{(loss, parameter, dtype, path, quantity): (worst relative error, worst excess)} on ``total`` inputs per
    loss and setting, against the longdouble references (the LDR-KL value's excess with its Σ p*|δ| term)."""
    out = {}

    def note(key, x, ref, dtype, scale=None):
        e, r = excess(x, ref, dtype, scale), rel_error(x, ref, dtype)
        old = out.get(key, (0.0, 0.0))
        out[key] = (max(old[0], float(np.max(r))), max(old[1], float(np.max(e))))

    with np.errstate(all="ignore"):
        for tau in TAUS:
            for dtype in DTYPES:
                for h, y in _slow_inputs(rng, total, tau):
                    h = h.astype(dtype)
                    ll, lg = ld_compsum(h, y, tau)
                    for fast in (False, True):
                        loss, grad = cs.comp_sum_loss_and_grad(h, y, tau, fast=fast)
                        path = "numba" if fast else "reference"
                        note(("comp_sum", f"tau={tau:g}", np.dtype(dtype).name, path, "value"), loss, ll, dtype)
                        note(("comp_sum", f"tau={tau:g}", np.dtype(dtype).name, path, "grad"), grad, lg, dtype)
        for lam in LAMS:
            for dtype in DTYPES:
                for h, y in _slow_inputs(rng, total):
                    h = h.astype(dtype)
                    lv, lg, ls = ld_ldr(h, y, lam, 0.1)
                    v, g = ldr.LDRKLLoss(lam, 0.1).value_and_grad(h, y)
                    note(("ldr_kl", f"lam={lam:g}", np.dtype(dtype).name, "reference", "value"), v, lv, dtype, ls)
                    note(("ldr_kl", f"lam={lam:g}", np.dtype(dtype).name, "reference", "grad"), g, lg, dtype)
        for dtype in DTYPES:
            a = (rng.choice([-1.0, 1.0], total) * 10.0 ** rng.uniform(-6, 4, total)).astype(dtype)
            x = a.astype(np.longdouble)
            for k in (1.0, 0.3):
                kx = np.longdouble(k) * x
                e = np.exp(-2 * np.abs(kx))
                loss = sigmoid(k)
                note(("sigmoid", f"k={k:g}", np.dtype(dtype).name, "reference", "value"), loss.value(a),
                     np.where(kx > 0, 2 * e / (1 + e), 2 / (1 + e)), dtype)
                note(("sigmoid", f"k={k:g}", np.dtype(dtype).name, "reference", "grad"), loss.derivative(a),
                     -np.longdouble(k) * 4 * e / (1 + e) ** 2, dtype)
            for rho in (1.0, 0.3):
                r = np.longdouble(rho)
                near = (rho * (1 + rng.choice([-1.0, 1.0], total // 10) * 10.0 ** rng.uniform(-15, -1, total // 10)))
                b = np.concatenate([a, near.astype(dtype)])
                xb = b.astype(np.longdouble)
                note(("rho_margin", f"rho={rho:g}", np.dtype(dtype).name, "reference", "value"), rho_margin(rho).value(b),
                     np.clip((r - xb) / r, 0, 1), dtype)
                note(("rho_margin", f"rho={rho:g}", np.dtype(dtype).name, "reference", "grad"),
                     rho_margin(rho).derivative(b), np.where((xb >= 0) & (xb < r), -1 / r, 0), dtype)
    return out


@pytest.mark.slow
@pytest.mark.skipif(not _longdouble_ok(), reason="np.longdouble is plain double on this platform")
def test_million_inputs_per_loss_against_longdouble():
    rng = np.random.default_rng([10, 5, 1_000_000])
    with np.errstate(over="ignore"):
        validate_longdouble_references(rng)
    errors = million_errors(rng)
    for key, (rel, ex) in sorted(errors.items()):
        print(" ".join(key), f"worst relative error {rel:.2e}, worst error / allowed {ex:.2g}")
    bad = {key: v for key, v in errors.items() if not v[1] <= 1}
    assert not bad, bad
