"""Tests of theorylab.settings.mixture.gaussian_mixture (exact risks of Gaussian mixtures)."""
import numpy as np
import pytest
from scipy import special, stats

from theorylab._validation import InputError
from theorylab.settings.gaussian_mixture import GaussianMixture
from theorylab.settings.sample_complexity import zheng_bayes_error, zheng_mixture, zheng_nb_asymptotic_error


def _mvn_correct(mix, W, b):
    """Independent P(correct): Σ_k π_k P(D_k > 0) with scipy's multivariate normal CDF (Genz)."""
    total = 0.0
    for k in range(mix.n_classes):
        o = [j for j in range(mix.n_classes) if j != k]
        dW = W[k] - W[o]
        m = dW @ mix.means[k] + b[k] - b[o]
        C = dW @ mix.covariances[k] @ dW.T
        total += mix.priors[k] * stats.multivariate_normal(mean=-m, cov=C, maxpts=2_000_000, abseps=1e-8,
                                                                 releps=1e-8).cdf(np.zeros(len(o)))
    return total


def test_binary_bayes_closed_form():
    mix = GaussianMixture([[-1.0, 0.0], [1.0, 0.5]], [[1.0, 0.2], [0.2, 0.5]], [0.3, 0.7])
    d = np.array([2.0, 0.5])
    delta = np.sqrt(d @ np.linalg.solve(mix.covariances[0], d))
    L = np.log(0.7 / 0.3)
    expected = 0.3 * special.ndtr(-delta / 2 + L / delta) + 0.7 * special.ndtr(-delta / 2 - L / delta)
    assert mix.bayes_error(return_error=True) == (pytest.approx(expected, abs=1e-15), 0.0)


@pytest.mark.parametrize("K,d,rho", [(3, 2, 0.0), (5, 10, 0.3), (7, 20, -0.02), (3, 50, 0.7)])
def test_collinear_exact_matches_closed_forms(K, d, rho):
    mix = zheng_mixture(K, d, rho)
    val, err = mix.bayes_error(return_error=True)
    assert err == 0.0 and abs(val - zheng_bayes_error(K, d, rho)) < 1e-13
    assert abs(mix.error(*mix.naive_bayes_affine()) - zheng_nb_asymptotic_error(K, d, rho)) < 1e-13


def test_claims_file_sanity_value():
    # K = 2, n = 2 easy mode: Φ(−√(3/2)) ≈ 0.110 (the repository's table has 0.06655)
    assert abs(zheng_bayes_error(2, 2) - special.ndtr(-np.sqrt(1.5))) < 1e-15


def test_affine_error_k3_rqmc_vs_genz():
    rng = np.random.default_rng(3)
    means = rng.normal(size=(4, 3)) * 1.5
    covs = np.stack([np.eye(3) * s + 0.2 for s in (0.5, 1.0, 1.5, 2.0)])
    mix = GaussianMixture(means, covs, [0.1, 0.2, 0.3, 0.4])
    W, b = rng.normal(size=(4, 3)), rng.normal(size=4)
    val, se = mix.error(W, b, return_error=True)
    assert 0 < se < 1e-4
    assert abs(val - (1 - _mvn_correct(mix, W, b))) < 1e-4


def test_bayes_error_shared_noncollinear_and_unequal_vs_monte_carlo():
    rng = np.random.default_rng(1)
    mix = GaussianMixture(rng.normal(size=(3, 4)) * 1.5, np.eye(4) + 0.3)
    val, se = mix.bayes_error(return_error=True)
    W, b = mix.bayes_affine()
    assert abs(val - (1 - _mvn_correct(mix, W, b))) < 1e-4 and se < 1e-5
    covs = np.stack([np.eye(3) * s for s in (0.5, 1.0, 2.0)])
    mix2 = GaussianMixture(rng.normal(size=(3, 3)), covs)
    val2, se2 = mix2.bayes_error(return_error=True, n_points=2 ** 11)
    X, y = mix2.sample(200_000, rng)
    wrong = np.argmax(mix2.log_joint(X), 1) != y
    mc, mc_se = wrong.mean(), wrong.std() / np.sqrt(y.size)
    assert abs(val2 - mc) < 4 * np.hypot(mc_se, se2)
    # the Bayes error is a lower bound for every affine rule
    assert val2 <= mix2.error(*GaussianMixture(mix2.means, np.eye(3)).bayes_affine())


def test_sampling_deterministic_and_moments():
    mix = GaussianMixture([[0.0, 0.0], [3.0, -1.0]], np.stack([[[1.0, 0.5], [0.5, 2.0]], [[0.5, 0.0], [0.0, 0.5]]]),
                          [0.25, 0.75])
    X1, y1 = mix.sample(50_000, np.random.default_rng(7))
    X2, y2 = mix.sample(50_000, np.random.default_rng(7))
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    assert abs(y1.mean() - 0.75) < 0.01
    for k in range(2):
        Xk = X1[y1 == k]
        assert np.allclose(Xk.mean(0), mix.means[k], atol=0.04)
        assert np.allclose(np.cov(Xk.T), mix.covariances[k], atol=0.06)


def test_bad_input():
    with pytest.raises(InputError, match=r"covariances\[0\] is not positive definite \(smallest eigenvalue -1"):
        GaussianMixture(np.zeros((2, 2)), [[1.0, 2.0], [2.0, 1.0]])
    with pytest.raises(InputError, match="covariances has shape"):
        GaussianMixture(np.zeros((2, 3)), np.eye(2))
    mix = GaussianMixture(np.zeros((3, 2)) + np.arange(3)[:, None], np.eye(2))
    with pytest.raises(InputError, match="W, b have shapes"):
        mix.error(np.zeros((2, 2)), np.zeros(2))
    with pytest.raises(InputError, match="n_points"):
        mix.error(np.eye(3, 2), np.zeros(3), n_points=1000)


def test_random_mixture():
    from theorylab.settings.gaussian_mixture import random_mixture

    a, b = random_mixture(np.random.default_rng(1)), random_mixture(np.random.default_rng(1))
    assert np.array_equal(a.means, b.means) and np.array_equal(a.priors, b.priors)
    assert 0.2 <= a.priors[1] <= 0.8 and a.priors.sum() == pytest.approx(1.0)
    c = random_mixture(np.random.default_rng(2), separation=2.0)
    assert np.linalg.norm(c.means[1] - c.means[0]) == pytest.approx(2.0, rel=1e-12)
    np.testing.assert_array_equal(c.means[0], -c.means[1])
