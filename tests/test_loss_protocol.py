"""The one Loss protocol (theorylab.losses.base.Loss), checked on every built-in loss from one registry.

Per loss: the gradient against central finite differences (the suite's one helper, tests/conftest.py), the
conditional risk at the best scores equal to the best conditional risk, C* below the risk at random scores,
sympy_form against value, and the declared properties (convexity ⇒ midpoint convexity on random points,
boundedness ⇒ finite values at huge scores, n_classes/is_margin/params/tight_search well formed). Then the
fast/reference pairs of the comp-sum and tight-search kernels, and the tight search taking Loss objects.
"""
import numpy as np
import pytest
import sympy as sp
from scipy.optimize import minimize_scalar

from theorylab import InputError
from theorylab.losses import compsum as cs
from theorylab.losses import compsum_kernels as ck
from theorylab.losses.base import TIGHT_SEARCHES, Loss
from theorylab.losses.compsum import CompSumLoss
from theorylab.losses.ldr import LDRKLLoss
from theorylab.losses.margin import LOSSES, get_loss, margin_loss, rho_margin, sigmoid
from theorylab.losses.multiclass import KINDS, center_scores, from_margin
from theorylab.theory import hconsistency as hc
from theorylab.theory import tight_transform as tt

ALPHA = sp.Symbol("alpha", real=True)
PHIS = ["hinge", "exponential", "squared_hinge", "logistic", "rho_margin(rho=0.5)"]
N = 4  # classes of the multi-class checks

REGISTRY = (
    [get_loss(name) for name in LOSSES]
    + [sigmoid(2.0), rho_margin(0.5), margin_loss(sp.log(1 + sp.exp(-ALPHA)), "logistic(sympy)", convex=True)]
    + [CompSumLoss(tau) for tau in (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)]
    + [CompSumLoss(1.0, bound=2.0), CompSumLoss(3.0, bound=1.0)]
    + [from_margin(kind, phi) for kind in KINDS for phi in PHIS]
    + [LDRKLLoss(0.5, 0.1), LDRKLLoss(2.0, 0.0)]
)


def _id(loss):
    return f"{type(loss).__name__}:{loss.name}"


def _scores(loss, rng, batch=6, scale=1.5):
    """Random scores in the loss's domain: margins (batch,) or score rows (batch, N) (centred if constrained)."""
    if loss.is_margin:
        return rng.normal(0, 2.0, batch)
    h = rng.normal(0, scale, (batch, N))
    if loss.params.get("bound") is not None:
        h = np.clip(h, -loss.params["bound"], loss.params["bound"])
    return center_scores(h) if loss.constrained else h


def _probabilities(loss, rng, m=5):
    return rng.dirichlet(np.ones(2 if loss.is_margin else N), m)


def test_every_loss_is_a_loss_with_well_formed_declarations():
    for loss in REGISTRY:
        assert isinstance(loss, Loss)
        assert isinstance(loss.name, str) and loss.name
        assert loss.n_classes in (2, None)
        assert loss.is_margin == (loss.n_classes == 2)
        assert isinstance(loss.convex, bool) and isinstance(loss.bounded, bool)
        assert isinstance(loss.params, dict)
        assert loss.tight_search in TIGHT_SEARCHES
        assert loss.tight_search == "margin" if loss.is_margin else loss.tight_search != "margin"


@pytest.mark.parametrize("loss", REGISTRY, ids=_id)
def test_gradient_matches_central_differences(loss, central_difference):
    rng = np.random.default_rng(1)
    h = _scores(loss, rng)
    if loss.is_margin:
        v, g = loss.value_and_grad(h)
        np.testing.assert_array_equal(v, loss.value(h))
        np.testing.assert_allclose(g, loss.derivative(h), rtol=0, atol=0)
        np.testing.assert_allclose(g, central_difference(loss.value, h), rtol=1e-6, atol=1e-8)
        return
    y = rng.integers(0, N, h.shape[0])
    v, g = loss.value_and_grad(h, y)
    np.testing.assert_allclose(v, loss.value(h, y), rtol=1e-14, atol=0)
    if loss.constrained:  # the loss lives on Σh = 0: compare the tangent part of the gradient
        fd = central_difference(lambda x: loss.value(center_scores(x), y), h)
        g = g - g.mean(-1, keepdims=True)
    else:
        fd = central_difference(lambda x: loss.value(x, y), h)
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=2e-7)


def _margin_best_score(loss, p):
    """argmin_f of the binary conditional risk over [−40, 40] (grid, then bounded Brent)."""
    grid = np.linspace(-40, 40, 8001)
    c = loss.conditional_risk(np.broadcast_to(p, (grid.size, 2)), grid)
    j = int(np.argmin(c))
    r = minimize_scalar(lambda f: float(loss.conditional_risk(p, f)), bounds=(grid[max(j - 1, 0)], grid[min(j + 1, 8000)]),
                        method="bounded", options={"xatol": 1e-12})
    return r.x if r.fun < c[j] else grid[j]


@pytest.mark.parametrize("loss", REGISTRY, ids=_id)
def test_risk_at_best_scores_equals_best_conditional_risk(loss):
    rng = np.random.default_rng(2)
    for p in _probabilities(loss, rng, m=3):
        best = float(loss.best_conditional_risk(p))
        if loss.is_margin:
            at = float(loss.conditional_risk(p, _margin_best_score(loss, p)))
        elif isinstance(loss, (CompSumLoss, LDRKLLoss)):
            at = float(loss.conditional_risk(p, loss.best_scores(p)))
        elif loss.constrained and loss.phi.name in ("hinge", "rho_margin(rho=0.5)"):  # piecewise linear: the vertex
            rho = 1.0 if loss.phi.name == "hinge" else 0.5
            h = np.full(N, -rho)
            h[int(np.argmax(p))] = (N - 1) * rho
            at = float(loss.conditional_risk(p, h))
        else:  # smooth multi-class losses: the closed form against the numerical infimum (Nelder–Mead)
            at = float(loss.best_conditional_risk(p, numeric=True))
        assert at == pytest.approx(best, rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("loss", REGISTRY, ids=_id)
def test_best_conditional_risk_below_risk_at_random_scores(loss):
    rng = np.random.default_rng(3)
    P = _probabilities(loss, rng, m=4)
    best = np.asarray(loss.best_conditional_risk(P))
    for _ in range(5):
        h = _scores(loss, rng, batch=4, scale=3.0)
        assert np.all(best <= loss.conditional_risk(P, h) + 1e-12)
    np.testing.assert_allclose(loss.best_conditional_risk_rows(P), best, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("loss", REGISTRY, ids=_id)
def test_sympy_form_agrees_with_value(loss):
    expr = loss.sympy_form()
    if expr is None:
        assert not loss.is_margin  # every margin loss has one
        return
    rng = np.random.default_rng(4)
    if loss.is_margin:
        a = rng.normal(0, 2.0, 9)
        f = sp.lambdify(ALPHA, expr, "mpmath")
        np.testing.assert_allclose([float(f(x)) for x in a], loss.value(a), rtol=1e-13, atol=1e-15)
        return
    h, y = rng.normal(0, 1.5, (6, N)), rng.integers(0, N, 6)  # comp-sum: Ψ_τ of the softmax mass s_y
    s = np.exp(cs.log_softmax(h))[np.arange(6), y]
    f = sp.lambdify(sp.Symbol("s", positive=True), expr, "numpy")
    np.testing.assert_allclose(np.asarray(f(s), dtype=float) + 0 * s, loss.value(h, y), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("loss", REGISTRY, ids=_id)
def test_declared_convexity_and_boundedness(loss):
    rng = np.random.default_rng(5)
    y = rng.integers(0, N, 8)
    value = loss.value if loss.is_margin else (lambda h: loss.value(h, y))
    if loss.convex:
        for _ in range(20):
            a, b = _scores(loss, rng, batch=8, scale=3.0), _scores(loss, rng, batch=8, scale=3.0)
            assert np.all(value((a + b) / 2) <= (value(a) + value(b)) / 2 + 1e-12)
    if loss.bounded:
        big = _scores(loss, rng, batch=8, scale=1e3)
        assert np.all(np.isfinite(value(big)))


def test_convexity_declarations_are_not_vacuous():
    """Negative control: the non-convex losses declared non-convex do violate midpoint convexity somewhere."""
    a, b = np.array([-2.0, -1.0]), np.array([0.0, 1.0])
    for loss in (sigmoid(1.0), rho_margin(1.0)):
        assert not loss.convex
        assert np.any(loss.value((a + b) / 2) > (loss.value(a) + loss.value(b)) / 2 + 1e-3)


# ------------------------------------------------------------------ fast paths against their references


@pytest.mark.parametrize("tau", [0.0, 0.5, 1.0, 1.5, 2.0, 3.0])
def test_compsum_kernels_equal_references(tau):
    rng = np.random.default_rng(6)
    P = rng.dirichlet(np.ones(5), 20)
    for p in P:
        np.testing.assert_allclose(ck.psi(p[0], tau), cs.psi_tau(p[0], tau), rtol=1e-13)
        h = rng.normal(0, 2, 5)
        np.testing.assert_allclose(ck.risk_of_scores(p, h, tau), cs.conditional_risk(p, h, tau), rtol=1e-12)
    # the complete C* kernel against the closed forms written out in NumPy
    if tau >= 2:
        ref = (1 - P.max(1)) / (tau - 1)
    elif tau == 1:
        ref = -(P * np.log(P)).sum(1)
    else:
        ref = (1 - ((P ** (1 / (2 - tau))).sum(1)) ** (2 - tau)) / (tau - 1)
    np.testing.assert_allclose([ck.cstar_complete(p, tau) for p in P], ref, rtol=1e-12)
    out = np.empty(len(P))
    ck.cstar_rows(P, tau, -1.0, out)
    np.testing.assert_allclose(out, ref, rtol=1e-12)


@pytest.mark.parametrize("tau", [0.0, 0.5, 1.0, 1.5, 2.0, 3.0])
def test_tight_search_kernels_equal_references(tau):
    rng = np.random.default_rng(7)
    for n in (2, 3, 6):
        X = rng.uniform(0, 2, (200, n - 1))
        P = tt.map_rows_numpy(X, 0.3, n)
        np.testing.assert_allclose(tt.regret_rows(P, tau, fast=True), tt.regret_rows(P, tau, fast=False),
                                   rtol=1e-10, atol=1e-13)
        v1, i1 = tt.best_candidate(X, 0.3, n, tau, fast=True)
        v0, i0 = tt.best_candidate(X, 0.3, n, tau, fast=False)
        assert v1 == pytest.approx(v0, rel=1e-10, abs=1e-13)
    with pytest.raises(InputError, match="reference"):
        tt.regret_rows(P, tau, 1.0, fast=False)


# ---------------------------------------------------------------------- the tight search takes a Loss


def test_tight_transform_takes_loss_objects_and_the_shorthand_identically():
    for tau in (0.5, 1.5, 3.0):
        a = tt.tight_transform(("comp_sum", tau), 0.4, 3, n_random=500)
        b = tt.tight_transform(CompSumLoss(tau), 0.4, 3, n_random=500)
        c = hc.tight_transform(("comp_sum", tau), 0.4, 3, n_random=500)
        assert a[0] == b[0] == c[0]
        np.testing.assert_array_equal(a[1]["p"], b[1]["p"])
        np.testing.assert_array_equal(a[1]["h"], b[1]["h"])
    boxed = tt.tight_transform(CompSumLoss(1.0, bound=1.0), 0.4, 3, n_random=500)
    assert boxed[0] == tt.tight_transform(("comp_sum", 1.0), 0.4, 3, 1.0, n_random=500)[0]
    v, _ = tt.tight_transform(get_loss("logistic"), 0.3, 2)
    assert v == pytest.approx(hc.binary_transform("logistic", 0.3, 40.0), rel=1e-6)
    with pytest.raises(InputError, match="loss"):
        tt.tight_transform("logistic", 0.3, 2)
    with pytest.raises(InputError, match="bound"):
        tt.tight_transform(from_margin("sum", "exponential"), 0.3, 3, 1.0)


def test_tight_transform_runs_the_joint_search_on_any_multiclass_loss():
    v, w = tt.tight_transform(LDRKLLoss(1.0, 0.1), 0.3, 3, n_random=10, n_refine=1)
    assert np.isfinite(v) and v >= -1e-6 and w["p"].shape == (3,)
