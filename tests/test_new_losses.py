"""StableMax CE, pass@N, spherical Z-loss, CE + c·log²Z: values vs direct float64 formulas, gradients vs finite
differences, conditional / best conditional risks vs independent numerics, bad inputs."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize

from theorylab import InputError
from theorylab.losses import (
    CELogZLoss,
    PassAtNLoss,
    SphericalZLoss,
    StableMaxCrossEntropy,
    ce_logz_loss,
    logz_penalty,
    pass_at_n_loss,
    pass_at_n_loss_and_grad,
    spherical_z_loss,
    spherical_z_loss_and_grad,
    stablemax,
    stablemax_cross_entropy,
)
from theorylab.losses.catalogue_multiclass import MULTICLASS_CATALOGUE
from theorylab.losses.pass_at_n import log1mexp, pass_at_n_best_risk, pass_at_n_optimal_probabilities, pass_at_n_weight
from theorylab.losses.stablemax import log_stablemax, stablemax_probabilities
from theorylab.losses.zloss import spherical_z_loss_from_stats, standardize

RNG = np.random.default_rng(13)


def _softmax(h):
    e = np.exp(h - h.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _fd(loss, h, y, step=1e-6):
    G = np.empty_like(h)
    for j in range(h.shape[1]):
        E = np.zeros_like(h)
        E[:, j] = step
        G[:, j] = (loss.value(h + E, y) - loss.value(h - E, y)) / (2 * step)
    return G


# ------------------------------------------------------------------------------------------------ values


def test_stablemax_values_and_code_constant():
    x = RNG.normal(0, 10, 1000)
    direct = np.where(x >= 0, x + 1, 1 / (1 - x))
    np.testing.assert_allclose(stablemax(x), direct, rtol=1e-15)
    # the authors' +1e-30 is a no-op in float64 and float32 (bit for bit)
    neg = x[x < 0]
    assert np.array_equal(stablemax(neg), 1 / (1 - neg + 1e-30))
    n32 = neg.astype(np.float32)
    assert np.array_equal(stablemax(n32), (np.float32(1) / (np.float32(1) - n32 + np.float32(1e-30))))
    assert stablemax(n32).dtype == np.float32
    np.testing.assert_allclose(log_stablemax(x), np.log(direct), rtol=1e-13, atol=1e-300)
    h, y = RNG.normal(0, 3, (20, 5)), RNG.integers(0, 5, 20)
    s = np.where(h >= 0, h + 1, 1 / (1 - h))
    ref = -np.log(s[np.arange(20), y] / s.sum(-1))
    np.testing.assert_allclose(stablemax_cross_entropy(h, y), ref, rtol=1e-12)
    np.testing.assert_allclose(stablemax_probabilities(h), s / s.sum(-1, keepdims=True), rtol=1e-13)


def test_stablemax_tiny_losses_keep_relative_accuracy():
    z = np.array([[1e5, -1e5]])
    exact = np.log1p(1.0 / ((1 + 1e5) * (1 + 1e5)))  # log(1 + s_wrong/s_y)
    assert stablemax_cross_entropy(z, np.array([0]))[0] == pytest.approx(exact, rel=1e-12)


@pytest.mark.parametrize("N", [1, 2, 8, 64])
def test_pass_at_n_values(N):
    h, y = RNG.normal(0, 2, (30, 4)), RNG.integers(0, 4, 30)
    py = _softmax(h)[np.arange(30), y]
    # the direct form cancels in 1 − (1 − p)^N when p → 1 (absolute error ~1e-16)
    np.testing.assert_allclose(pass_at_n_loss(h, y, N), -np.log(1 - (1 - py) ** N), rtol=1e-11, atol=1e-15)
    if N == 1:
        np.testing.assert_allclose(pass_at_n_loss(h, y, 1), -np.log(py), rtol=1e-12)


def test_pass_at_n_extreme_values():
    # p_y → 1: ℓ ≈ (1 − p)^N, kept (not rounded to 0); p_y → 0: ℓ ≈ −log N − log p_y
    h = np.array([[40.0, 0.0], [-800.0, 0.0]])
    v = pass_at_n_loss(h, np.array([0, 0]), 4)
    assert v[0] == pytest.approx(np.exp(-160.0), rel=1e-10)
    assert v[1] == pytest.approx(800.0 - np.log(4.0), rel=1e-12)
    assert np.all(np.isfinite(pass_at_n_loss_and_grad(h, np.array([0, 0]), 4)[1]))
    assert log1mexp(np.array([-1e-20]))[0] == pytest.approx(np.log(1e-20), rel=1e-12)


def test_spherical_z_loss_values():
    o, y = RNG.normal(1, 2, (25, 7)), RNG.integers(0, 7, 25)
    z = (o - o.mean(-1, keepdims=True)) / o.std(-1, keepdims=True)
    for a, b in ((1.0, 1.0), (0.3, 4.0), (5.0, -1.0)):
        ref = np.log1p(np.exp(a * (b - z[np.arange(25), y]))) / a
        np.testing.assert_allclose(spherical_z_loss(o, y, a, b), ref, rtol=1e-12)
        S, Q = o.sum(-1), (o * o).sum(-1)
        np.testing.assert_allclose(spherical_z_loss_from_stats(S, Q, o[np.arange(25), y], 7, a, b), ref, rtol=1e-11)
    np.testing.assert_allclose(standardize(o), z, rtol=1e-12, atol=1e-14)
    # σ = 0: z_c := −√(D − 1), the supremum of the loss (z := 0 would undercut C*)
    assert spherical_z_loss(np.ones((1, 3)), np.array([1]), 2.0, 1.0)[0] == pytest.approx(
        np.log1p(np.exp(2.0 * (1 + np.sqrt(2)))) / 2, rel=1e-14)
    assert SphericalZLoss(2.0, 1.0).conditional_risk(np.full(3, 1 / 3), np.zeros(3)) >= \
        SphericalZLoss(2.0, 1.0).best_conditional_risk(np.full(3, 1 / 3))
    # bounded: |z_c| ≤ √(D − 1)
    big = RNG.normal(0, 1e3, (200, 3))
    assert np.all(spherical_z_loss(big, RNG.integers(0, 3, 200)) <= np.log1p(np.exp(1 + np.sqrt(2))) + 1e-12)


def test_ce_logz_values():
    h, y = RNG.normal(0, 3, (20, 6)), RNG.integers(0, 6, 20)
    lz = np.log(np.exp(h).sum(-1))
    for c in (1e-4, 0.5):
        np.testing.assert_allclose(ce_logz_loss(h, y, c), lz - h[np.arange(20), y] + c * lz ** 2, rtol=1e-12)
        np.testing.assert_allclose(logz_penalty(h, c), c * lz ** 2, rtol=1e-12)


# --------------------------------------------------------------------------------------------- gradients


@pytest.mark.parametrize("loss", [StableMaxCrossEntropy(), PassAtNLoss(1), PassAtNLoss(4), PassAtNLoss(16),
                                  SphericalZLoss(1.0, 1.0), SphericalZLoss(3.0, -0.5), CELogZLoss(1e-4),
                                  CELogZLoss(0.7)], ids=lambda L: L.name)
def test_gradients_match_finite_differences(loss):
    h, y = RNG.normal(0, 1.5, (40, 5)), RNG.integers(0, 5, 40)
    v, g = loss.value_and_grad(h, y)
    np.testing.assert_allclose(v, loss.value(h, y), rtol=1e-15)
    np.testing.assert_allclose(g, _fd(loss, h, y), atol=2e-8, rtol=1e-6)


def test_pass_at_n_gradient_factor():
    h, y = RNG.normal(0, 2, (30, 4)), RNG.integers(0, 4, 30)
    p = _softmax(h)
    py = p[np.arange(30), y]
    _, g = pass_at_n_loss_and_grad(h, y, 8)
    F = 8 * py * (1 - py) ** 7 / (1 - (1 - py) ** 8)
    np.testing.assert_allclose(g, F[:, None] * (p - np.eye(4)[y]), rtol=1e-11, atol=1e-300)
    np.testing.assert_allclose(pass_at_n_weight(py, 8), F, rtol=1e-11)
    assert np.all(pass_at_n_weight(py, 1) == 1.0)
    assert pass_at_n_weight(np.array([0.0, 1.0]), 3).tolist() == [1.0, 0.0]


# ---------------------------------------------------------------------------- conditional risks and C*


def test_conditional_risk_is_the_weighted_sum():
    P, H = RNG.dirichlet(np.ones(3), 6), RNG.normal(0, 1, (6, 3))
    for loss in (StableMaxCrossEntropy(), PassAtNLoss(3), SphericalZLoss(), CELogZLoss(0.1)):
        ref = sum(P[:, k] * loss.value(H, np.full(6, k)) for k in range(3))
        np.testing.assert_allclose(loss.conditional_risk(P, H), ref, rtol=1e-13)


def test_stablemax_best_risk_is_entropy_and_attained():
    p = np.array([0.5, 0.3, 0.2])
    L = StableMaxCrossEntropy()
    H = -(p * np.log(p)).sum()
    assert L.has_closed_best_risk and L.best_conditional_risk(p) == pytest.approx(H, rel=1e-14)
    # StableMax(z) = p at z_0 = 0 (s = 1) and s(z_k) = p_k/p_0 < 1, i.e. z_k = 1 − p_0/p_k
    z = np.array([0.0, 1 - p[0] / p[1], 1 - p[0] / p[2]])
    np.testing.assert_allclose(stablemax_probabilities(z), p, rtol=1e-14)
    assert L.conditional_risk(p, z) == pytest.approx(H, rel=1e-14)
    # an independent generic minimisation does not go lower
    r = minimize(lambda h: L.conditional_risk(p, h), np.zeros(3), method="Nelder-Mead",
                 options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 4000})
    assert r.fun >= H - 1e-12 and r.fun == pytest.approx(H, abs=1e-8)


def _simplex_min(eta, N):
    """Independent: minimise Σ η φ_N(softmax(h)) over h with BFGS (fine for small N)."""
    def f(h):
        q = _softmax(h)
        return float(-(eta * np.log1p(-(1 - q) ** N)).sum())
    best = min((minimize(f, h0, method="BFGS", options={"gtol": 1e-12}) for h0 in (np.log(eta), np.zeros(len(eta)))),
               key=lambda r: r.fun)
    return best.fun, _softmax(best.x)


@pytest.mark.parametrize("N", [2, 4, 8])
def test_pass_at_n_best_risk_against_bfgs(N):
    for eta in (np.array([0.5, 0.3, 0.2]), RNG.dirichlet(np.ones(4))):
        c_bfgs, q_bfgs = _simplex_min(eta, N)
        c = pass_at_n_best_risk(eta, N)
        assert c <= c_bfgs + 1e-12 and c == pytest.approx(c_bfgs, rel=1e-8)
        np.testing.assert_allclose(pass_at_n_optimal_probabilities(eta, N), q_bfgs, atol=1e-5)
    L = PassAtNLoss(N, exact_best_risk=True)
    assert L.has_closed_best_risk and not PassAtNLoss(N).has_closed_best_risk
    assert L.best_conditional_risk(np.array([0.5, 0.3, 0.2])) == pytest.approx(
        pass_at_n_best_risk(np.array([0.5, 0.3, 0.2]), N), rel=1e-14)


def test_pass_at_n_reference_minimisers_and_tie_gap():
    eta = np.array([0.5, 0.3, 0.2])
    np.testing.assert_allclose(pass_at_n_optimal_probabilities(eta, 2), [0.457, 0.316, 0.227], atol=6e-4)
    np.testing.assert_allclose(pass_at_n_optimal_probabilities(eta, 16), [0.354, 0.332, 0.314], atol=6e-4)
    np.testing.assert_allclose(pass_at_n_optimal_probabilities(eta, 1), eta, rtol=1e-15)
    # wrong-region infimum on the tie set q_a = q_b equals C*(η̃), checked with SLSQP on the constraint q_1 ≥ q_0
    e = np.array([0.4, 0.35, 0.25])
    N = 2
    tie = pass_at_n_best_risk(np.array([0.375, 0.375, 0.25]), N)

    def f(q):
        return float(-(e * np.log1p(-(1 - q) ** N)).sum())
    r = minimize(f, np.array([0.3, 0.4, 0.3]), method="SLSQP", bounds=[(1e-9, 1)] * 3,
                 constraints=[{"type": "eq", "fun": lambda q: q.sum() - 1}, {"type": "ineq", "fun": lambda q: q[1] - q[0]}],
                 options={"ftol": 1e-15, "maxiter": 500})
    assert r.fun == pytest.approx(tie, rel=1e-7)
    assert tie - pass_at_n_best_risk(e, N) == pytest.approx(9.6e-4, rel=0.02)


def test_ce_logz_minimiser_is_log_eta():
    eta = np.array([0.6, 0.3, 0.1])
    L = CELogZLoss(0.05)
    z = np.log(eta)
    _, G = L.value_and_grad(np.tile(z, (3, 1)), np.arange(3))
    np.testing.assert_allclose((eta[:, None] * G).sum(0), 0.0, atol=1e-15)
    assert L.conditional_risk(eta, z) == pytest.approx(-(eta * np.log(eta)).sum(), rel=1e-14)


def test_spherical_best_risk_d3_against_a_fine_circle_grid():
    """C* for D = 3 (golden-section on the circle of standardised vectors) against an independent fine grid of
    the same circle, written with another basis, and against random standardised vectors (never lower)."""
    L = SphericalZLoss(2.0, 0.5)
    P = np.vstack([RNG.dirichlet(np.ones(3), 4), [0.5, 0.5, 0.0]])
    th = np.linspace(0, 2 * np.pi, 400001)
    u = np.array([2.0, -1.0, -1.0]) / np.sqrt(6)
    w = np.array([0.0, 1.0, -1.0]) / np.sqrt(2)
    Z = np.sqrt(3) * (np.cos(th)[:, None] * u + np.sin(th)[:, None] * w)
    grid = (np.logaddexp(0, 2.0 * (0.5 - Z)) / 2.0) @ P.T
    c = L.best_conditional_risk(P)
    np.testing.assert_allclose(c, grid.min(0), rtol=1e-9)
    H = RNG.normal(0, 1, (2000, 3))
    for k in range(len(P)):
        assert L.conditional_risk(P[k], H).min() >= c[k] - 1e-12


def test_spherical_gradient_orthogonality_and_invariance():
    o, y = RNG.normal(0, 1, (20, 6)), RNG.integers(0, 6, 20)
    _, g = spherical_z_loss_and_grad(o, y, 2.0, 0.5)
    assert np.abs(g.sum(-1)).max() < 1e-14 and np.abs((g * o).sum(-1)).max() < 1e-13
    np.testing.assert_allclose(spherical_z_loss(3 * o - 2, y, 2.0, 0.5), spherical_z_loss(o, y, 2.0, 0.5), rtol=1e-12)
    assert not np.allclose(spherical_z_loss(-o, y, 2.0, 0.5), spherical_z_loss(o, y, 2.0, 0.5))


def test_catalogue_entries():
    names = {"stablemax_ce": "stablemax_ce", "pass_at_4": "pass_at_4", "spherical_z_loss": "spherical_z_loss(a=1,b=1)",
             "ce_logz": "ce_logz(c=0.0001)"}
    h, y = RNG.normal(0, 1.5, (6, 3)), RNG.integers(0, 3, 6)
    for key, name in names.items():
        e = MULTICLASS_CATALOGUE[key]
        assert e.loss.name == name and e.literature is None and len(e.reference) > 40
        assert np.all(np.isfinite(e.loss.value(h, y)))
    np.testing.assert_allclose(MULTICLASS_CATALOGUE["pass_at_4"].loss.value(h, y), pass_at_n_loss(h, y, 4), rtol=1e-15)


# -------------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("call, match", [
    (lambda: pass_at_n_loss(np.zeros((2, 3)), np.array([0, 1]), 0), r"^n_attempts"),
    (lambda: pass_at_n_loss(np.zeros((2, 3)), np.array([0, 1]), 2.5), r"^n_attempts"),
    (lambda: pass_at_n_loss(np.zeros((2, 3)), np.array([0, 3]), 2), r"labels"),
    (lambda: pass_at_n_loss(np.zeros(3), np.array([0]), 2), r"^scores"),
    (lambda: pass_at_n_weight(np.array([1.5]), 2), r"^q"),
    (lambda: pass_at_n_optimal_probabilities(np.array([0.5, 0.6]), 2), r"eta"),
    (lambda: stablemax(np.array([np.nan])), r"^x"),
    (lambda: stablemax("a"), r"^x"),
    (lambda: stablemax_cross_entropy(np.zeros((2, 1)), np.array([0, 0])), r"^scores"),
    (lambda: spherical_z_loss(np.zeros((2, 3)), np.array([0, 1]), a=0.0), r"^a="),
    (lambda: spherical_z_loss(np.zeros((2, 3)), np.array([0, 1]), b=np.inf), r"^b="),
    (lambda: spherical_z_loss_from_stats(0.0, 1.0, 0.0, 1), r"^D="),
    (lambda: ce_logz_loss(np.zeros((2, 3)), np.array([0, 1]), coef=-1.0), r"^coef="),
    (lambda: logz_penalty(np.array([[np.nan, 0.0]])), r"^scores"),
    (lambda: PassAtNLoss(2, exact_best_risk="yes"), r"^exact_best_risk"),
])
def test_bad_input(call, match):
    with pytest.raises(InputError, match=match) as info:
        call()
    assert "\n" not in str(info.value)


def test_direct_risk_forms_match_the_label_sum_at_extreme_scores():
    """The direct C(h, p) forms against Σ_y p_y ℓ(h, y) from the values, with confident and saturated scores."""
    H = np.array([[30.0, 0.0, -5.0], [800.0, 0.0, 0.0], [0.0, -40.0, -41.0], [1e4, -1e4, 3.0]])
    P = RNG.dirichlet(np.ones(3), 4)
    P[1] = [1.0, 0.0, 0.0]
    for loss in (StableMaxCrossEntropy(), PassAtNLoss(5), SphericalZLoss(2.0, 0.3), CELogZLoss(0.2)):
        ref = sum(np.where(P[:, k] > 0, P[:, k] * loss.value(H, np.full(4, k)), 0.0) for k in range(3))
        np.testing.assert_allclose(loss.conditional_risk(P, H), ref, rtol=1e-12, atol=1e-300, err_msg=loss.name)


def test_single_row_fast_paths_match_the_vectorised_forms():
    H = np.vstack([RNG.normal(0, 2, (4, 3)), [[30.0, 0.0, -5.0], [800.0, 0.0, 0.0], [-1e300, 0.0, 1.0],
                                              [2.0, 2.0, 2.0]]])
    P = np.vstack([RNG.dirichlet(np.ones(3), 7), [[0.0, 0.3, 0.7]]])
    for loss in (StableMaxCrossEntropy(), PassAtNLoss(5), SphericalZLoss(2.0, 0.3), CELogZLoss(0.2)):
        vec = loss.conditional_risk_rows(P, H)
        one = np.array([loss.conditional_risk_rows(P[i], H[i]) for i in range(len(P))])
        np.testing.assert_allclose(one, vec, rtol=1e-12, atol=1e-300, err_msg=loss.name)
    L = StableMaxCrossEntropy()
    np.testing.assert_allclose([L.best_conditional_risk_rows(p) for p in P], L.best_conditional_risk_rows(P),
                               rtol=1e-13)
    S = SphericalZLoss(1.5, 0.2)
    np.testing.assert_allclose([S.best_conditional_risk_rows(p) for p in P], S.best_conditional_risk_rows(P),
                               rtol=1e-13)


# ------------------------------------------------------------------ new-losses.md §4 identities (check L6)


def test_label_smoothing_identity_and_the_wrong_class_variant():
    """LS(ε/K) = (1 − ε)·CE + ε·mean_k(−log p_k), exactly as the catalogue's entry; the ε/(K − 1)-on-wrong-classes
    variant is a different loss (the control of L6)."""
    h, y = RNG.normal(0, 2, (50, 4)), RNG.integers(0, 4, 50)
    ls = h - np.log(np.exp(h).sum(-1, keepdims=True))
    eps, K = 0.1, 4
    ce = -ls[np.arange(50), y]
    ident = (1 - eps) * ce + eps * (-ls).mean(-1)
    onehot = np.eye(K)[y]
    q = (1 - eps) * onehot + eps / K
    np.testing.assert_allclose(-(q * ls).sum(-1), ident, rtol=1e-12)
    h3, y3 = h[:, :3], y % 3
    ls3 = h3 - np.log(np.exp(h3).sum(-1, keepdims=True))
    ref3 = (1 - eps) * -ls3[np.arange(50), y3] + eps * (-ls3).mean(-1)
    np.testing.assert_allclose(MULTICLASS_CATALOGUE["label_smoothing"].loss.value(h3, y3), ref3, rtol=1e-12)
    variant = -(((1 - eps) * onehot + eps / (K - 1) * (1 - onehot)) * ls).sum(-1)
    assert np.abs(variant - ident).max() > 1e-3


def test_taylor_ce_truncation_bound():
    """Σ_{j≤t} (1 − p)^j/j → −log p with remainder ≤ (1 − p)^{t+1}/((t + 1)p); 400 terms at p = 0.01 leave
    3.666e-3 (the spec's 2.7e-3 is wrong; the bound is 4.43e-3)."""
    for p in (0.01, 0.3, 0.9):
        for t in (1, 2, 10, 400):
            j = np.arange(1, t + 1)
            partial = ((1 - p) ** j / j).sum()
            rem = -np.log(p) - partial
            assert -1e-14 <= rem <= (1 - p) ** (t + 1) / ((t + 1) * p) * (1 + 1e-12) + 1e-14  # + rounding of the sum
    j = np.arange(1, 401)
    assert -np.log(0.01) - (0.99 ** j / j).sum() == pytest.approx(3.666e-3, rel=1e-3)
