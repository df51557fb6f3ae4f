"""Tests of theorylab.settings.icl.estimators (Monte Carlo risks, the ridge/Bayes risk)."""
import numpy as np
import pytest

from theorylab.settings import icl


def test_bayes_noiseless_min_norm():
    rng = np.random.default_rng(9)
    pr = icl.sample_prompts(2000, 3, 5, rng)
    out = icl.bayes_risk(pr, 0.0)
    assert out["semi_exact"][0] == pytest.approx(5 - 3, rel=1e-9)  # ψ² max(d − n, 0)
    assert abs(out["mc"][0] - 2.0) < 4 * out["mc"][1]


def test_bayes_risk_below_inverse_wishart_ceiling():
    """far-from-bayes floor: ridge risk ≤ σ²(1 + d/(n−d−1)) (E tr(XᵀX)⁻¹ = d/(n−d−1)), and the LSA optimum above."""
    d, n, s2 = 4, 12, 0.5
    pr = icl.sample_prompts(20_000, n, d, np.random.default_rng(12), noise_var=s2)
    semi, se = icl.bayes_risk(pr, s2)["semi_exact"]
    ceiling = s2 * (1 + d / (n - d - 1))
    assert semi + 4 * se < ceiling
    XtX = np.einsum("bni,bnj->bij", pr.X, pr.X)
    m, s = icl.mean_se(np.trace(np.linalg.inv(XtX), axis1=1, axis2=2))
    assert abs(m - d / (n - d - 1)) < 4 * s
    assert float(icl.optimal_risk(np.eye(d), n, s2)) - ceiling > 0.9


def test_ridge_errors_are_what_bayes_risk_averages():
    d, n, s2 = 4, 12, 0.5
    pr = icl.sample_prompts(3000, n, d, np.random.default_rng(13), noise_var=s2)
    err, exact = icl.ridge_errors(pr, s2)
    assert err.shape == exact.shape == (3000,)
    out = icl.bayes_risk(pr, s2)
    assert out["mc"] == icl.mean_se(err) and out["semi_exact"] == icl.mean_se(exact)
    # isotropic Σ: the semi-exact risk is σ²(1 + tr (XᵀX + σ²I)⁻¹), the same bits as the trace
    M = np.einsum("bni,bnj->bij", pr.X, pr.X) + s2 * np.eye(d)
    np.testing.assert_array_equal(exact, s2 * (1.0 + np.trace(np.linalg.inv(M), axis1=1, axis2=2)))
    w = np.linalg.solve(M, np.einsum("bni,bn->bi", pr.X, pr.y)[..., None])[..., 0]
    np.testing.assert_array_equal(err, (np.einsum("bd,bd->b", w, pr.x_query) - pr.y_query) ** 2)
