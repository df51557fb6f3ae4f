"""Tests of theorylab.settings.diagonal_net.stability (Hessian, SGD linear stability) and the stability claims."""
import importlib

import numpy as np
import pytest

from theorylab.settings import diagonal_net as dn


@pytest.mark.parametrize("param", ["uu-vv", "uv"])
def test_hessian_matches_finite_differences(data, param, central_difference):
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
    fd = central_difference(grad, theta, elementwise=False)  # the Jacobian of the gradient
    np.testing.assert_allclose(H, fd, atol=1e-6 * np.abs(H).max())
    assert abs(dn.hessian_trace(X, params) - np.trace(H)) < 1e-10 * np.trace(H)
    st = dn.sgd_stability(X, y, params, 1)
    assert st["lambda_max"] == pytest.approx(np.linalg.eigvalsh(H).max(), rel=1e-12)
    assert st["sgd_trace_step_bound"] == pytest.approx(2 / np.trace(H), rel=1e-12)


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
