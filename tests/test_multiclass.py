"""Tests of theorylab.losses.multiclass (max / sum / constrained losses) and their brute-force transform."""
import numpy as np
import pytest
from scipy.optimize import linprog, minimize

from theorylab import InputError
from theorylab.losses import multiclass as mc
from theorylab.losses.margin import get_loss
from theorylab.theory import tight_transform as tt

PHIS = ["hinge", "exponential", "squared_hinge", "rho_margin(rho=0.5)"]
KINDS = ["max", "sum", "constrained"]


def _direct(kind, phi, h, y):
    """Loop form of the §9 definitions, straight from Φ(α) in plain Python floats."""
    f = {"hinge": lambda a: max(0.0, 1 - a), "exponential": lambda a: float(np.exp(-a)),
         "squared_hinge": lambda a: max(0.0, 1 - a) ** 2,
         "rho_margin(rho=0.5)": lambda a: min(1.0, max(0.0, 1 - a / 0.5))}[phi]
    out = []
    for row, lab in zip(h, y):
        others = [j for j in range(len(row)) if j != lab]
        if kind == "max":
            out.append(max(f(row[lab] - row[j]) for j in others))
        elif kind == "sum":
            out.append(sum(f(row[lab] - row[j]) for j in others))
        else:
            out.append(sum(f(-row[j]) for j in others))
    return np.array(out)


def _data(rng, kind, B=7, n=4, scale=1.5):
    h = rng.normal(0, scale, (B, n))
    if kind == "constrained":
        h = mc.center_scores(h)
    return h, rng.integers(0, n, B)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("phi", PHIS)
def test_values_match_direct_formulas(kind, phi):
    rng = np.random.default_rng(0)
    h, y = _data(rng, kind)
    np.testing.assert_allclose(mc.from_margin(kind, phi).value(h, y), _direct(kind, phi, h, y),
                               rtol=1e-14, atol=1e-15)
    fn = {"max": mc.max_loss, "sum": mc.sum_loss, "constrained": mc.constrained_loss}[kind]
    np.testing.assert_allclose(fn(h, y, phi), _direct(kind, phi, h, y), rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("phi", PHIS)
def test_gradients_match_finite_differences(kind, phi, central_difference):
    rng = np.random.default_rng(1)
    h, y = _data(rng, kind)
    loss = mc.from_margin(kind, phi)
    v, g = loss.value_and_grad(h, y)
    np.testing.assert_allclose(v, loss.value(h, y), rtol=0, atol=0)
    # central differences of the unconstrained loss formula (no re-centring)
    num = central_difference(lambda x: _direct(kind, phi, x, y), h)
    np.testing.assert_allclose(g, num, atol=2e-7, rtol=1e-6)


def test_reference_in_every_namespace(xp, central_difference):
    rng = np.random.default_rng(2)
    for kind in KINDS:
        h, y = _data(rng, kind)
        loss = mc.from_margin(kind, "exponential")
        hs, ys = xp.asarray(h), xp.asarray(y)
        v, g = loss.value_and_grad(hs, ys)
        assert type(v) is type(hs) and type(g) is type(hs)
        np.testing.assert_allclose(np.asarray(v), _direct(kind, "exponential", h, y), rtol=1e-14)
        if kind != "constrained":  # the constrained loss's gradient is taken on the centred scores
            fd = central_difference(lambda x: _direct(kind, "exponential", x, y), h)
            np.testing.assert_allclose(np.asarray(g), fd, rtol=1e-6, atol=1e-8)
        p = rng.dirichlet(np.ones(4), 3)
        c = loss.conditional_risk(xp.asarray(p), hs[:3, :])
        direct = [sum(p[i, k] * _direct(kind, "exponential", h[i:i + 1], [k])[0] for k in range(4)) for i in range(3)]
        np.testing.assert_allclose(np.asarray(c), direct, rtol=1e-14)
    cs_ = mc.from_margin("constrained", "squared_hinge").best_conditional_risk(xp.asarray(p))
    assert type(cs_) is type(xp.asarray(p))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stable_for_large_scores(dtype):
    h = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0], [5e3, 5e3, -1e4]], dtype=dtype)
    y = np.array([0, 0, 2])
    for kind in KINDS:
        for phi in PHIS:
            v, g = mc.from_margin(kind, phi).value_and_grad(h, y)
            assert v.dtype == dtype and g.dtype == dtype
            assert not np.isnan(v).any() and not np.isnan(g).any()
            if phi != "exponential":
                assert np.isfinite(v).all() and np.isfinite(g).all()
    # exponential: Φ(−h) = e^{1e4} is not representable, +inf is the correctly rounded value
    v = mc.constrained_loss(h, np.array([1, 1, 1]), "exponential")
    assert v[0] == np.inf and v[1] == 1.0 and v[2] == np.inf


def test_conditional_risk_matches_label_average():
    rng = np.random.default_rng(3)
    for kind in KINDS:
        for phi in PHIS:
            loss = mc.from_margin(kind, phi)
            h, _ = _data(rng, kind, B=1)
            p = rng.dirichlet(np.ones(4))
            per_label = loss.value(np.repeat(h, 4, 0), np.arange(4))
            assert abs(float(loss.conditional_risk(p, h[0])) - float(p @ per_label)) < 1e-13


@pytest.mark.parametrize("phi", ["hinge", "exponential", "squared_hinge"])
def test_constrained_cstar_closed_form_vs_slsqp(phi):
    """C* closed forms against SLSQP with the equality constraint Σh = 0 (hinge: linprog), independent solvers."""
    rng = np.random.default_rng(4)
    loss = mc.from_margin("constrained", phi)
    for n in (2, 3, 5):
        for _ in range(3):
            p = rng.dirichlet(np.ones(n))
            if phi == "hinge":  # an LP: min Σ w_j s_j, s_j ≥ 0, s_j ≥ 1 + h_j, Σh = 0 (HiGHS, exact)
                c = np.concatenate([np.zeros(n), 1 - p])
                A = np.hstack([np.eye(n), -np.eye(n)])
                r = linprog(c, A_ub=A, b_ub=-np.ones(n), A_eq=np.concatenate([np.ones(n), np.zeros(n)])[None],
                            b_eq=[0.0], bounds=[(None, None)] * n + [(0, None)] * n, method="highs")
                closed = float(loss.best_conditional_risk(p))
                assert abs(r.fun - closed) < 1e-12, (p, r.fun, closed)
                continue
            best = np.inf
            for k in range(4):
                r = minimize(lambda h: float(loss.conditional_risk(p, h)), rng.normal(0, 1, n), method="SLSQP",
                             constraints=[{"type": "eq", "fun": lambda h: h.sum()}],
                             options={"ftol": 1e-15, "maxiter": 1000})
                best = min(best, r.fun)
            closed = float(loss.best_conditional_risk(p))
            assert closed <= best + 1e-9 and best - closed < 1e-6, (phi, p, closed, best)


def test_constrained_rho_margin_cstar_attained_and_not_beaten():
    rng = np.random.default_rng(5)
    rho = 0.5
    loss = mc.from_margin("constrained", f"rho_margin(rho={rho})")
    for n in (2, 3, 5):
        p = rng.dirichlet(np.ones(n))
        closed = float(loss.best_conditional_risk(p))
        assert closed == pytest.approx(1 - p.max(), abs=1e-15)
        h = np.full(n, -rho)
        h[np.argmax(p)] = (n - 1) * rho
        assert float(loss.conditional_risk(p, h)) == pytest.approx(closed, abs=1e-15)
        H = mc.center_scores(rng.normal(0, 2, (20000, n)))
        assert np.min(loss.conditional_risk(p, H)) >= closed - 1e-15


def test_sum_exponential_cstar_closed_form():
    loss = mc.from_margin("sum", "exponential")
    p = np.array([0.5, 0.3, 0.2])
    assert float(loss.best_conditional_risk(p)) == pytest.approx(
        float(loss.best_conditional_risk(p, numeric=True)), abs=1e-9)
    assert float(loss.best_conditional_risk(p)) == pytest.approx(np.sqrt(p).sum() ** 2 - 1, rel=1e-15)


def test_forced_scores_sum_zero_and_predict_class0():
    rng = np.random.default_rng(6)
    D = rng.normal(size=(50, 3))
    for kind in ("sum", "constrained"):
        H = tt.forced_scores(mc.from_margin(kind, "hinge"), D)
        assert (H[:, :1] >= H).all()
        if kind == "constrained":
            np.testing.assert_allclose(H.sum(1), 0, atol=1e-13)


def test_brute_force_transform_n2_closed_forms():
    """At n = 2 the constrained transforms are t, 1 − √(1 − t²), t² (spec §9)."""
    exact = {"hinge": lambda t: t, "exponential": lambda t: 1 - np.sqrt(1 - t * t),
             "squared_hinge": lambda t: t * t}
    for phi, f in exact.items():
        for t in (0.1, 0.5, 0.9):
            v, w = tt.tight_transform(mc.from_margin("constrained", phi), t, 2, n_random=500, n_refine=2)
            assert abs(v - f(t)) < 1e-8, (phi, t, v)
            assert abs(w["h"].sum()) < 1e-12 and w["h"][0] >= w["h"][1]


def _pooled_reference_n3(loss, t, grid=20001):
    """Independent semi-closed T(t) at n = 3: the inner infimum over h with h_0 = max h, Σh = 0 is C*(p̄)
    with class 0 pooled with the top k − 1 classes (KKT, convex Φ); outer dense grid over m."""
    m = np.linspace(max(t, (1 + t) / 3), (1 + t) / 2, grid)
    P = np.stack([m - t, m, 1 + t - 2 * m], axis=1)
    cstar = loss.best_conditional_risk(P)
    best = np.full(len(m), np.inf)
    for k in (1, 2, 3):
        order = np.argsort(-P[:, 1:], axis=1) + 1
        S = np.concatenate([np.zeros((len(m), 1), int), order[:, : k - 1]], axis=1)
        avg = np.take_along_axis(P, S, 1).mean(1)
        Pb = P.copy()
        np.put_along_axis(Pb, S, avg[:, None], 1)
        rest = np.take_along_axis(P, order[:, k - 1:], 1) if k < 3 else np.zeros((len(m), 0))
        feas = (rest <= avg[:, None] + 1e-15).all(1)
        best = np.where(feas, np.minimum(best, loss.best_conditional_risk(Pb)), best)
    return float(np.min(best - cstar))


@pytest.mark.parametrize("phi", ["hinge", "exponential", "squared_hinge"])
def test_brute_force_transform_n3_vs_pooled_reference(phi):
    loss = mc.from_margin("constrained", phi)
    for t in (0.2, 0.7):
        v, _ = tt.tight_transform(loss, t, 3, n_random=1000, n_refine=2)
        ref = _pooled_reference_n3(loss, t)
        assert abs(v - ref) < 1e-6 * max(1.0, ref), (phi, t, v, ref)


@pytest.mark.parametrize("call, match", [
    (lambda: mc.from_margin("avg", "hinge"), "kind"),
    (lambda: mc.from_margin("max", "hingy"), "unknown loss"),
    (lambda: mc.from_margin("max", 3), "phi"),
    (lambda: mc.constrained_loss(np.array([[1.0, 2.0, 0.0]]), np.array([0]), "hinge"), "sum to 0"),
    (lambda: mc.sum_loss(np.array([[1.0, np.nan]]), np.array([0]), "hinge"), "NaN"),
    (lambda: mc.sum_loss(np.array([[1.0, 0.0]]), np.array([2]), "hinge"), "labels out of range"),
    (lambda: mc.max_loss(np.array([1.0, 0.0]), np.array([0]), "hinge"), "scores has shape"),
    (lambda: mc.from_margin("sum", "hinge").conditional_risk(np.ones(3) / 3, np.zeros(2)), "classes"),
    (lambda: tt.tight_transform(mc.from_margin("constrained", "hinge"), 0.5, 3, bound=1.0), "bound"),
    (lambda: tt.tight_transform(mc.from_margin("constrained", "hinge"), 1.5, 3), "t"),
    (lambda: mc.attributed_constrained_transform("logistic", 0.5), "phi"),
])
def test_bad_input(call, match):
    with pytest.raises(InputError, match=match):
        call()


# (every claim passes at several seeds with a decisive control: tests/test_claims.py)


def test_margin_losses_are_reused_not_redefined():
    assert mc.from_margin("sum", "exponential").phi is get_loss("exponential")


def test_fused_candidate_kernel_matches_numpy_reference():
    """The fused numba candidate loop (benchmark item) returns the NumPy reference's minimum and argmin."""
    rng = np.random.default_rng(7)
    for tau in (0.0, 0.5, 1.0, 1.5, 3.0):
        X = np.column_stack([rng.uniform(0, 1, 3000), rng.exponential(1.0, (3000, 4))])
        v = tt.regret_rows_numpy(tt.map_rows_numpy(X, 0.4, 6), tau)
        vf, jf = tt.best_candidate(X, 0.4, 6, tau)
        assert abs(vf - v.min()) < 1e-12 and abs(v[jf] - v.min()) < 1e-12
