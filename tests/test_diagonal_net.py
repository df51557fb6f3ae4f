"""Tests of theorylab.settings.diagonal_net (diagonal linear networks) and its claims."""
import importlib

import numpy as np
import pytest

from theorylab import InputError
from theorylab.settings import diagonal_net as dn


@pytest.fixture(scope="module")
def data():
    X, y, bstar, _, _ = dn.sparse_regression(12, 30, 3, np.random.default_rng(0))
    return X, y, bstar


# ----------------------------------------------------------------------------- numba vs reference
@pytest.mark.parametrize("param", ["uu-vv", "uv"])
@pytest.mark.parametrize("batch", [None, 1, 5, 12])
def test_numba_matches_reference(data, param, batch):
    X, y, _ = data
    r = np.random.default_rng(3)
    u0, v0 = (np.full(30, 0.2), np.full(30, 0.2)) if param == "uu-vv" else (0.5 * r.standard_normal(30),
                                                                            0.5 * r.standard_normal(30))
    kw = dict(step=0.01, n_steps=300, parametrization=param, batch_size=batch, warmup=50, track=True)
    fast = dn.run_dynamics(X, y, u0, v0, rng=np.random.default_rng(7), **kw)
    ref = dn.run_dynamics(X, y, u0, v0, rng=np.random.default_rng(7), reference=True, **kw)
    np.testing.assert_allclose(fast.beta, ref.beta, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(fast.params.u, ref.params.u, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(fast.log_a, ref.log_a, rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(fast.log_b, ref.log_b, rtol=1e-11, atol=1e-13)
    assert np.max(np.abs(fast.beta)) > 1e-3  # the run did something


def test_reference_runs_under_array_api_strict(data):
    xps = pytest.importorskip("array_api_strict")
    X, y, _ = data
    Xs, ys = xps.asarray(X), xps.asarray(y)
    u0 = xps.full((30,), 0.2, dtype=xps.float64)
    tr = dn.run_dynamics(Xs, ys, u0, u0, step=0.02, n_steps=50, batch_size=2, rng=np.random.default_rng(1),
                         track=True)
    assert "array_api_strict" in type(tr.beta).__module__
    fast = dn.run_dynamics(X, y, np.full(30, 0.2), np.full(30, 0.2), step=0.02, n_steps=50, batch_size=2,
                           rng=np.random.default_rng(1), track=True)
    np.testing.assert_allclose(np.asarray(tr.beta), fast.beta, rtol=1e-12, atol=1e-14)
    # Hessian, potential and dual solver also run on the strict namespace
    H = dn.hessian(Xs, ys, tr.params)
    np.testing.assert_allclose(np.asarray(H), dn.hessian(X, y, fast.params), rtol=1e-10, atol=1e-12)
    b = dn.implicit_bias_solution(Xs, ys, 0.3)
    np.testing.assert_allclose(np.asarray(b), dn.implicit_bias_solution(X, y, 0.3), rtol=1e-9, atol=1e-12)
    assert abs(dn.Q_alpha(b, 0.3) - dn.Q_alpha(np.asarray(b), 0.3)) < 1e-12


def test_same_seed_same_numbers(data):
    X, y, _ = data
    a = dn.train_sgd(X, y, 0.1, 0.02, 2000, 1, np.random.default_rng(5))[0]
    b = dn.train_sgd(X, y, 0.1, 0.02, 2000, 1, np.random.default_rng(5))[0]
    c = dn.train_sgd(X, y, 0.1, 0.02, 2000, 1, np.random.default_rng(6))[0]
    assert np.array_equal(a, b) and not np.array_equal(a, c)


# ----------------------------------------------------------------------------- potential and solvers
def test_q_entropy_derivatives_and_limits():
    from scipy.integrate import quad

    z = np.array([-50.0, -3.0, -1e-3, 1e-6, 0.5, 7.0, 1e3])
    # q(z) = ∫_0^z arcsinh(t/2) dt  (q(0) = 0, q' = arcsinh(·/2))
    ref = np.array([quad(lambda t: np.arcsinh(t / 2), 0, zi, epsabs=1e-14, epsrel=1e-13)[0] for zi in z])
    np.testing.assert_allclose(dn.q_entropy(z), ref, rtol=1e-10, atol=1e-20)
    np.testing.assert_allclose(dn.q_entropy(np.array([1e-7])), [1e-14 / 4], rtol=1e-9)


def test_dual_newton_kkt_and_gradient_flow(data):
    X, y, _ = data
    for alpha in (1e-8, 1e-3, 0.1, 1.0, 1e3):
        b = dn.implicit_bias_solution(X, y, alpha)
        assert np.linalg.norm(X @ b - y) <= 1e-10 * (1 + np.linalg.norm(y))
        # KKT: ∇Q_α(β) = arcsinh(β/2α²) ∈ range(Xᵀ)
        grad = np.arcsinh(b / (2 * alpha**2))
        proj = X.T @ np.linalg.lstsq(X.T, grad, rcond=None)[0]
        assert np.linalg.norm(grad - proj) <= 1e-8 * max(1.0, np.linalg.norm(grad))
    beta_gf, params = dn.gradient_flow(X, y, 0.3, 300.0)
    assert np.linalg.norm(beta_gf - dn.implicit_bias_solution(X, y, 0.3)) < 1e-8
    np.testing.assert_allclose(params.u * params.v, 0.09, rtol=1e-10)  # u⊙v conserved by the flow


def test_interpolators(data):
    X, y, bstar = data
    X2, y2, b2, _, _ = dn.sparse_regression(20, 40, 3, np.random.default_rng(1))
    np.testing.assert_allclose(dn.min_l1_interpolator(X2, y2), b2, atol=1e-8)  # exact sparse recovery
    l2 = dn.min_l2_interpolator(X, y)
    np.testing.assert_allclose(l2, np.linalg.pinv(X) @ y, rtol=1e-10, atol=1e-12)
    assert np.abs(dn.min_l1_interpolator(X, y)).sum() <= np.abs(l2).sum() + 1e-9


def test_per_coordinate_alpha_matches_scalar(data):
    X, y, _ = data
    np.testing.assert_allclose(dn.implicit_bias_solution(X, y, np.full(30, 0.2)),
                               dn.implicit_bias_solution(X, y, 0.2), rtol=1e-12, atol=1e-14)


# ----------------------------------------------------------------------------- Hessian
@pytest.mark.parametrize("param", ["uu-vv", "uv"])
def test_hessian_matches_finite_differences(data, param):
    X, y, _ = data
    r = np.random.default_rng(2)
    u, v = r.standard_normal(30), r.standard_normal(30)
    params = dn.DiagonalParams(u, v, param)
    H = dn.hessian(X, y, params)

    def grad(theta):
        p = dn.DiagonalParams(theta[:30], theta[30:], param)
        A = dn.per_sample_jacobian(X, p)
        return A.T @ (X @ p.beta - y) / X.shape[0]

    theta = np.concatenate([u, v])
    h = 1e-6
    fd = np.array([(grad(theta + h * e) - grad(theta - h * e)) / (2 * h) for e in np.eye(60)])
    np.testing.assert_allclose(H, fd, atol=1e-6 * np.abs(H).max())
    assert abs(dn.hessian_trace(X, params) - np.trace(H)) < 1e-10 * np.trace(H)
    st = dn.sgd_stability(X, y, params, 1)
    assert st["lambda_max"] == pytest.approx(np.linalg.eigvalsh(H).max(), rel=1e-12)
    assert st["sgd_trace_step_bound"] == pytest.approx(2 / np.trace(H), rel=1e-12)


# ----------------------------------------------------------------------------- bad input
def test_bad_alpha(data):
    X, y, _ = data
    for bad in (0.0, -1.0, float("nan")):
        with pytest.raises(InputError, match="alpha"):
            dn.train_gd(X, y, bad, 0.01, 10)
        with pytest.raises(InputError, match="alpha"):
            dn.implicit_bias_solution(X, y, bad)
    with pytest.raises(InputError, match="alpha"):
        dn.train_sgd(X, y, -0.1, 0.01, 10, 1, np.random.default_rng(0))


def test_not_interpolable_is_detected():
    r = np.random.default_rng(0)
    X = r.standard_normal((8, 3))  # n > d: generic y is not in range(X)
    y = r.standard_normal(8)
    for f in (dn.implicit_bias_solution, ):
        with pytest.raises(dn.NotInterpolableError, match="not in the range of X"):
            f(X, y, 0.1)
    with pytest.raises(dn.NotInterpolableError):
        dn.min_l1_interpolator(X, y)
    with pytest.raises(dn.NotInterpolableError):
        dn.min_l2_interpolator(X, y)


def test_divergence_names_step_and_loss(data):
    X, y, _ = data
    for call in (lambda: dn.train_gd(X, y, 1.0, 0.5, 1000),
                 lambda: dn.train_sgd(X, y, 1.0, 0.5, 1000, 1, np.random.default_rng(0)),
                 lambda: dn.run_dynamics(X, y, np.ones(30), np.ones(30), step=0.5, n_steps=1000, reference=True)):
        with pytest.raises(dn.DivergenceError, match=r"step=0\.5 diverges: the training loss reached .* at iteration"):
            call()


def test_other_bad_inputs(data):
    X, y, _ = data
    with pytest.raises(InputError, match="batch_size"):
        dn.train_sgd(X, y, 0.1, 0.01, 10, 13, np.random.default_rng(0))
    with pytest.raises(InputError, match="rng"):
        dn.train_sgd(X, y, 0.1, 0.01, 10, 1, 42)
    with pytest.raises(InputError, match="step"):
        dn.train_gd(X, y, 0.1, 0.0, 10)
    with pytest.raises(InputError, match="n_steps"):
        dn.train_gd(X, y, 0.1, 0.01, -1)
    with pytest.raises(InputError, match="y has shape"):
        dn.train_gd(X, y[:-1], 0.1, 0.01, 1)
    with pytest.raises(InputError, match="parametrization"):
        dn.run_dynamics(X, y, np.ones(30), np.ones(30), step=0.1, n_steps=1, parametrization="u+v")
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(InputError, match="X contains NaN"):
        dn.train_gd(Xn, y, 0.1, 0.01, 1)


# ----------------------------------------------------------------------------- claims
# (every claim passes at several seeds with a decisive control: tests/test_claims.py)


def test_stability_claims_fail_when_too_many_runs_are_excluded(monkeypatch):
    """Non-converged runs are excluded from the inequalities, counted, and fail the claim below 2/3 per optimiser."""
    from theorylab.engine.claim import _REGISTRY
    from theorylab.engine.runner import evaluate

    from theorylab.engine.claim import Context

    mod = importlib.import_module("verifications.wu2023_stability")
    ctx = Context(rng=np.random.default_rng(0), budget="quick", control=False, seed=0)
    p = {k: v.copy() for k, v in mod.sweep(ctx).items()}
    assert p["converged"].all()  # the unperturbed protocol converges everywhere (quick budget, seed 0)
    sgd = np.flatnonzero(p["opt"] == "SGD")
    p["converged"][sgd[: 2 * sgd.size // 3]] = False  # only a third of the SGD runs left
    p["loss"][sgd[: 2 * sgd.size // 3]] = 1e-3
    monkeypatch.setattr(mod, "_protocol", lambda ctx: p)
    for cid in ("wu2023/linear-stability", "wu2023/trace-l1-bound"):
        ev = evaluate(_REGISTRY[cid], "quick", 0).to_dict()
        assert not ev["passed"], ev
        assert ev["worst_case"]["check"] == "converged fraction" and ev["worst_case"]["opt"] == "SGD"
    ev = evaluate(_REGISTRY["wu2023/linear-stability"], "quick", 0).to_dict()
    assert "SGD 5/15" in ev["message"] and "excluded: SGD" in ev["message"]
