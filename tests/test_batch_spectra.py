"""Tests of theorylab.settings.batch_spectra (BBP limit of the batch-Hessian λ_max, η_max(B))."""
import numpy as np
import pytest

from theorylab import InputError
from theorylab.settings import batch_spectra as bs


def test_public_api():
    for name in bs.__all__:
        assert callable(getattr(bs, name))


def test_continuity_at_threshold_and_branches():
    for g in (0.25, 1.0, 4.0):
        bc = float(bs.bbp_threshold(g))
        assert bs.spike_branch(bc, g) == pytest.approx(bs.bulk_edge(g), rel=1e-14)
        assert bs.bbp_lambda_max(bc * (1 + 1e-9), g) == pytest.approx(bs.bulk_edge(g), rel=1e-8)
        # below threshold the spike branch lies above the edge (that is why the control fails)
        assert bs.spike_branch(0.5 * bc, g) > bs.bulk_edge(g)
        assert bs.bbp_lambda_max(0.5 * bc, g) == bs.bulk_edge(g)
    assert bs.bbp_lambda_max(3.0, 0.25) == pytest.approx(4 * (1 + 0.25 / 3))


def test_monte_carlo_against_limit_and_dense_matrix():
    rng = np.random.default_rng(0)
    lam = bs.sample_lambda_max(200, 50, 3.0, 10, rng)  # γ = 4 < β² = 9: spike regime
    pred = bs.bbp_lambda_max(3.0, 4.0)
    assert abs(lam.mean() - pred) < 5 * lam.std(ddof=1) / np.sqrt(10) + 0.03 * pred
    # the Gram trick equals the dense d×d batch Hessian
    r1, r2 = np.random.default_rng(5), np.random.default_rng(5)
    small = bs.sample_lambda_max(30, 10, 1.0, 1, r1)[0]
    X = r2.standard_normal((10, 30))
    X[:, 0] *= np.sqrt(2.0)
    assert small == pytest.approx(np.linalg.eigvalsh(X.T @ X / 10)[-1], rel=1e-12)


def test_edge_shift_matches_monte_carlo():
    rng = np.random.default_rng(1)
    lam = bs.sample_lambda_max(100, 25, 0.0, 40, rng)
    z = lam.mean() / bs.bulk_edge(4.0) - 1
    assert abs(z - bs.edge_finite_size_shift(100, 25)) < 5 * lam.std(ddof=1) / np.sqrt(40) / bs.bulk_edge(4.0) + 0.01


def test_eta_max_slopes_and_gd_stability():
    d, beta = 400.0, 3.0
    B = np.geomspace(1, 1e5, 50)
    s = bs.eta_max_loglog_slope(B, d, beta)
    num = np.gradient(np.log(bs.eta_max(B, d, beta)), np.log(B))
    assert np.all(s < 1) and np.max(np.abs(num[1:-1] - s[1:-1])) < 0.02
    # GD on the batch quadratic (1/2B)‖Xw‖² is stable iff η < 2/λ_max(H_B)
    rng = np.random.default_rng(3)
    X = rng.standard_normal((40, 20))
    H = X.T @ X / 40
    lam = np.linalg.eigvalsh(H)[-1]
    for factor, grows in ((0.98, False), (1.02, True)):
        w = rng.standard_normal(20)
        for _ in range(3000):
            w = w - factor * 2 / lam * (H @ w)
        assert (np.linalg.norm(w) > 1.0) == grows


@pytest.mark.parametrize("call", [
    lambda: bs.bulk_edge(-1.0),
    lambda: bs.bbp_lambda_max(-0.1, 1.0),
    lambda: bs.spike_branch(0.0, 1.0),
    lambda: bs.eta_max(0.0, 10, 1.0),
    lambda: bs.eta_max(10, -1, 1.0),
    lambda: bs.sample_lambda_max(10, 0, 1.0, 2, np.random.default_rng(0)),
    lambda: bs.sample_lambda_max(10, 5, 1.0, 2, 0),
    lambda: bs.edge_finite_size_shift(1, 5),
])
def test_bad_inputs(call):
    with pytest.raises(InputError):
        call()
