"""Tests of theorylab.theory.hconsistency / tight_transform and the claims built on them."""
import numpy as np
import pytest
from scipy.optimize import minimize

import theorylab
from theorylab import InputError
from theorylab.losses import compsum as cs
from theorylab.theory import hconsistency as hc
from theorylab.theory import tight_transform as tt


def test_closed_forms_of_transform_and_gamma():
    t = np.linspace(0, 1, 11)
    np.testing.assert_allclose(hc.compsum_transform(t, 0.0, 5), 1 - np.sqrt(1 - t**2), atol=1e-15)
    np.testing.assert_allclose(hc.compsum_transform(t, 2.0, 4), t / 4)
    np.testing.assert_allclose(hc.b_tau(t, 1.5), np.sqrt(2) * (np.sqrt(1 + t**2) - 1), rtol=1e-12)
    u = np.logspace(-8, 0, 30)
    for tau in (0.0, 0.5, 1.0, 1.5, 2.0, 3.0):
        g = hc.compsum_gamma(u, tau, 3)
        back = hc.compsum_transform(np.minimum(g, 1), tau, 3)
        mask = g < 1
        np.testing.assert_allclose(back[mask], u[mask], rtol=1e-9)
    assert abs(hc.compsum_gamma(0.1, 2.0, 4) - 0.4) < 1e-15


def test_b_tau_continuous_at_one_and_small_t():
    t = np.array([1e-3, 0.1, 0.5])  # near τ = 1 the 1/(1−τ) factor amplifies rounding: ~1e-16/|τ−1|/t²
    np.testing.assert_allclose(hc.b_tau(t, 1 + 1e-6), hc.b_tau(t, 1.0), rtol=1e-4)
    np.testing.assert_allclose(hc.b_tau(1e-6, 0.5) / 1e-12, 2**-0.5 / 1.5, rtol=1e-5)


@pytest.mark.parametrize("tau,n", [(0.0, 3), (0.5, 4), (1.0, 6), (1.5, 4), (2.0, 3), (3.0, 4)])
def test_tight_transform_closed_forms_and_witness(tau, n):
    for t in (0.2, 0.7):
        v, w = hc.tight_transform(("comp_sum", tau), t, n, n_random=2000)
        assert abs(v - float(hc.compsum_true_transform(t, tau, n))) < 1e-7
        assert v >= float(hc.compsum_transform(t, tau, n)) - 1e-10
        sr, zr = hc.witness_regrets(tau, w)
        assert abs(zr - t) < 1e-12 and abs(sr - v) < 1e-6


def _risk(p, h, tau):
    """Comp-sum conditional risk Σ_y p_y Ψ_τ(softmax(h)_y), Ψ_τ(s) = (s^{τ−1} − 1)/(1 − τ) (−log s at τ = 1),
    written out here (independent of the library, and without its input checks on every optimiser call)."""
    z = h - h.max()
    log_s = z - np.log(np.exp(z).sum())
    psi = -log_s if tau == 1 else np.expm1((tau - 1) * log_s) / (1 - tau)
    return float(p @ psi)


def test_tight_search_inner_closed_form_vs_direct_minimisation():
    """The pooled (KKT) inner infimum equals a direct constrained minimisation over h (complete and box)."""
    h0 = np.array([0.3, -0.2, 1.1, 0.0])
    for tau in (0.0, 0.5, 1.0, 3.0):  # the test's own risk is the library's
        assert _risk(np.full(4, 0.25), h0, tau) == pytest.approx(cs.conditional_risk(np.full(4, 0.25), h0, tau),
                                                                 rel=1e-13)
    rng = np.random.default_rng(0)
    for tau, lam in ((0.5, None), (1.5, None), (1.0, 0.5), (0.0, 1.0), (3.0, 0.5)):
        for _ in range(3):
            p = rng.dirichlet(np.ones(4))
            p = np.concatenate([[p[1:].min()], np.sort(p[1:])[::-1]])  # class 0 not the top
            p /= p.sum()
            inner = tt.regret_rows(p[None], tau, lam)[0]
            best = np.inf
            for _ in range(6):  # h_0 max: h = (a, a − d²) parametrisation, box by clipping via bounds
                if lam is None:
                    f = lambda z: _risk(p, np.concatenate([[0.0], -z**2]), tau)  # noqa: E731
                    r = minimize(f, rng.normal(0, 2, 3), method="Nelder-Mead",
                                 options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 20000})
                else:
                    cons = [{"type": "ineq", "fun": (lambda h, j=j: h[0] - h[j])} for j in range(1, 4)]
                    r = minimize(lambda h: _risk(p, h, tau), rng.uniform(-lam, lam, 4),
                                 method="SLSQP", bounds=[(-lam, lam)] * 4, constraints=cons,
                                 options={"ftol": 1e-14, "maxiter": 500})
                best = min(best, r.fun)
            direct = best - cs.best_conditional_risk(p, tau, lam)
            assert inner <= direct + 1e-9 and direct - inner < 2e-5, (tau, lam, p, inner, direct)


def test_numpy_reference_search_agrees_with_numba():
    rng = np.random.default_rng(1)
    for tau in (0.0, 0.7, 1.0, 1.6, 2.5):
        X = rng.uniform(0, 1, (500, 5))
        P = tt.map_rows_numpy(X, 0.3, 6)
        P2 = np.empty_like(P)
        tt._map_rows(X, 0.3, 6, P2)
        np.testing.assert_allclose(P, P2, atol=1e-15)
        np.testing.assert_allclose(tt.regret_rows_numpy(P, tau), tt.regret_rows(P, tau), atol=1e-12)


def test_fast_regret_kernel_matches_min_over_every_tie_set():
    """The fast kernel (first feasible tie-set size k*, exact sqrt/product C* differences, Ψ(1/k) table)
    equals the plain min over every feasible k of C*(p̄_k) − C*(p) (``_regret_one``: argsort, pooled
    vectors, compsum's C*), including τ with and without an exact-power path and near-ties."""
    rng = np.random.default_rng(3)
    for tau in (0.0, 0.5, 0.7, 1.0, 1.3, 1.5, 1.9, 2.0, 3.0):
        for n in (2, 3, 6, 9):
            P = rng.dirichlet(np.full(n, 0.6), 300)
            P[:40, 0] = P[:40, 1]  # ties between class 0 and another class
            P[40:80, 2 % n] = P[40:80, 1]
            P /= P.sum(1, keepdims=True)
            fast = tt.regret_rows(P, tau)
            buf = np.empty(n)
            slow = np.array([tt._regret_one(p, tau, -1.0, buf) for p in P])
            np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-13, err_msg=f"tau={tau} n={n}")
            np.testing.assert_allclose(tt.regret_rows_numpy(P, tau), slow, rtol=0, atol=1e-13)


def test_fused_candidate_argmin_is_thread_count_independent():
    import numba
    rng = np.random.default_rng(5)
    X = np.column_stack([rng.uniform(0, 1, 20000), rng.exponential(1.0, (20000, 4))])
    X = np.concatenate([X, X[:500]])  # exact ties: the first index must win, as numpy.argmin
    ref = tt.regret_rows_numpy(tt.map_rows_numpy(X, 0.4, 6), 0.5)
    before = numba.get_num_threads()
    try:
        got = set()
        for th in sorted({1, before}):
            numba.set_num_threads(th)
            got.add(tt.best_candidate(X, 0.4, 6, 0.5))
    finally:
        numba.set_num_threads(before)
    (v, j), = got
    assert j == int(np.argmin(ref)) and abs(v - ref.min()) <= 1e-12 * abs(ref.min())


def test_zero_region_and_witness():
    assert hc.zero_region(2, 1.0) == 0.0
    t0 = hc.zero_region(4, 0.5)
    assert abs(t0 - 2 * np.exp(-1) / (2 + 2 * np.exp(-1))) < 1e-15
    v, _ = hc.tight_transform(("comp_sum", 1.0), 0.9 * t0, 4, bound=0.5, n_random=2000)
    assert v < 1e-9
    v2, _ = hc.tight_transform(("comp_sum", 1.0), min(0.99, 1.5 * t0), 4, bound=0.5, n_random=2000)
    assert v2 > 1e-4


def test_binary_transforms_vs_brute_force_and_growth():
    from theorylab.losses.margin import get_loss
    ts = np.array([0.05, 0.5, 0.95])
    for name in ("hinge", "logistic", "exponential", "squared_hinge", "sigmoid", "rho_margin(rho=0.5)"):
        for B in (0.3, 2.0):
            np.testing.assert_allclose(hc.binary_transform_numeric(get_loss(name), ts, B, grid=4001),
                                       hc.binary_transform(name, ts, B), atol=1e-7)
    assert hc.binary_growth_constant("logistic") == hc.compsum_growth_constant(1.0) == pytest.approx(0.5)
    assert float(hc.compsum_growth_constant(0.5)) == pytest.approx(2**-0.5 / 1.5, rel=1e-14)
    assert float(hc.b_tau_growth_limit(1.5)) == pytest.approx(2**-1.5 / 0.5, rel=1e-14)


def test_deterministic_conditional_risk():
    assert hc.deterministic_conditional_risk(0.0, 3, 1.0) == pytest.approx(2 * np.exp(-2))
    assert hc.deterministic_conditional_risk(1.0, 3, None) == 0.0


@pytest.mark.parametrize("call, match", [
    (lambda: hc.compsum_transform(1.5, 1.0, 3), "t"),
    (lambda: hc.compsum_transform(0.5, -1.0, 3), "tau"),
    (lambda: hc.compsum_transform(0.5, 1.0, 1), "n="),
    (lambda: hc.compsum_gamma(-0.1, 1.0, 3), "eps"),
    (lambda: hc.tight_transform(("comp_sum", 1.0), 0.5, 3, bound=-1.0), "bound"),
    (lambda: hc.tight_transform(("comp_sum", 1.0), np.nan, 3), "t"),
    (lambda: hc.tight_transform("hinge", 0.5, 3), "loss"),
    (lambda: hc.zero_region(3, 0.0), "bound"),
    (lambda: hc.binary_transform("hinge", 0.5, 0.0), "B"),
    (lambda: hc.deterministic_conditional_risk(1.0, 3, float("nan")), "bound"),
])
def test_bad_input(call, match):
    with pytest.raises(InputError, match=match):
        call()


# (every claim passes at several seeds with a decisive control: tests/test_claims.py)


@pytest.mark.parametrize("cid, lo, hi", [
    ("mao2023/gce-not-tight", 1.05, 10.0),       # T^true/T^CE > 1: (2/n)^(τ−1) is loose for n ≥ 3
    ("mao2023/mae-threshold", 1.5, 10.0),        # past t = 1/(n−1) the MAE transform exceeds t/n
    ("mao2023/tau-gt2-loose", 10.0, 1e4),        # τ > 2: T^true ≈ t/(τ−1), n-free, far above T^CE
    ("mao2023char/zero-region", 0.2, 0.25),      # t₀(3, 0.25) = e^{−1/2}/(2 + e^{−1/2}) = 0.2327
    ("mao2023/mixture-trajectory-bound", 0.05, 1.0),  # largest v/Γ(u) over steps with u > 1e−12
])
def test_finding_values(cid, lo, hi):
    (ev,) = theorylab.run(cid, budget="quick", seed=0)
    assert lo < ev["value"] < hi, ev


def test_adversarial_inequality_a_is_checked_on_misclassified_points():
    """(A) is non-trivial only where the perturbed margin is ≤ 0: the claim must see such points, and (A) is
    an equality there when one competitor has ū ≤ 0 and the others ū ≥ ρ (worst slack 0: measured, not a clamp)."""
    (ev,) = theorylab.run("mao2023/adversarial-inequalities", budget="quick", seed=0)
    n_active = int(ev["message"].split("on the ")[1].split(" ")[0])
    assert n_active > 100, ev["message"]
    assert abs(ev["value"]) < 1e-12, ev
