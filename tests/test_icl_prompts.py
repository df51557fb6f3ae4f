"""Tests of theorylab.settings.icl.prompts (the prompt sampler)."""
import numpy as np

from theorylab.settings import icl


def test_sampler_moments_and_determinism():
    cov = np.array([[2.0, 0.5], [0.5, 1.0]])
    a = icl.sample_prompts(40_000, 3, 2, np.random.default_rng(10), covariance=cov, weight_prior="inverse-covariance")
    b = icl.sample_prompts(40_000, 3, 2, np.random.default_rng(10), covariance=cov, weight_prior="inverse-covariance")
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_allclose(np.cov(a.X.reshape(-1, 2).T), cov, atol=0.03)
    np.testing.assert_allclose(np.cov(a.w.T), np.linalg.inv(cov), atol=0.03)
    Z = a.matrix()
    assert Z.shape == (40_000, 3, 4) and np.all(Z[:, 2, 3] == 0)
    u = icl.sample_prompts(1000, 2, 3, np.random.default_rng(0), inputs="uniform", input_range=2.0)
    assert np.max(np.abs(u.X)) <= 2.0


def test_rotated_covariance():
    lam = [0.25, 1.0, 4.0]
    S = icl.rotated_covariance(np.random.default_rng(0), lam)
    assert np.array_equal(S, S.T)
    np.testing.assert_allclose(np.linalg.eigvalsh(S), lam, rtol=1e-12)
    np.testing.assert_array_equal(S, icl.rotated_covariance(np.random.default_rng(0), lam))
    icl.check_covariance(S, 3)
