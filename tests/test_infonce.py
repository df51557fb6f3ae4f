"""InfoNCE estimator: direct loop, ceiling, Gaussian optimal critic and MI, bad inputs."""
import numpy as np
import pytest
from scipy.stats import multivariate_normal, norm

from theorylab import InputError
from theorylab.settings.infonce import (gaussian_optimal_critic_scores, gaussian_pairs_mutual_information,
                                        infonce_estimate)


def test_against_loop_and_ceiling():
    rng = np.random.default_rng(0)
    for n in (1, 3, 17):
        s = 3 * rng.standard_normal((n, n))
        direct = np.mean([s[i, i] - np.log(np.mean(np.exp(s[i]))) for i in range(n)])
        assert np.isclose(infonce_estimate(s), direct)
        assert infonce_estimate(s) <= np.log(n) + 1e-12
    assert np.isclose(infonce_estimate(100 * np.eye(8)), np.log(8))


@pytest.mark.parametrize("bad", [np.ones((2, 3)), np.ones(3), [[np.nan]], np.zeros((0, 0))])
def test_bad_inputs(bad):
    with pytest.raises(InputError):
        infonce_estimate(bad)


def test_gaussian_mi_against_covariance_determinants():
    # I = ½ log(det Σ_x det Σ_y / det Σ) for the jointly Gaussian (X, Y), Σ built coordinate pair by pair
    for d, rho in ((1, 0.3), (3, -0.8), (10, 0.99)):
        cov = np.block([[np.eye(d), rho * np.eye(d)], [rho * np.eye(d), np.eye(d)]])
        direct = -0.5 * np.linalg.slogdet(cov)[1]
        assert np.isclose(gaussian_pairs_mutual_information(d, rho), direct, rtol=1e-12)
    assert gaussian_pairs_mutual_information(4, 0.0) == 0.0


def test_optimal_critic_is_log_density_ratio():
    rng = np.random.default_rng(0)
    d, rho, n = 3, 0.7, 6
    x, y = rng.standard_normal((n, d)), rng.standard_normal((n, d))
    s = gaussian_optimal_critic_scores(x, y, rho)
    cond = multivariate_normal(np.zeros(d), (1 - rho ** 2) * np.eye(d))
    direct = np.array([[cond.logpdf(y[j] - rho * x[i]) - norm.logpdf(y[j]).sum() for j in range(n)]
                       for i in range(n)])
    assert np.allclose(s, direct, rtol=0, atol=1e-12)


def test_optimal_critic_mean_is_mi_and_estimate_below_ceiling():
    rng = np.random.default_rng(1)
    d, rho, n = 2, 0.9, 1000
    x = rng.standard_normal((n, d))
    y = rho * x + np.sqrt(1 - rho ** 2) * rng.standard_normal((n, d))
    s = gaussian_optimal_critic_scores(x, y, rho)
    f = np.diag(s)
    mi = gaussian_pairs_mutual_information(d, rho)
    assert abs(f.mean() - mi) < 5 * f.std() / np.sqrt(n)      # E_joint f* = I
    off = s[~np.eye(n, dtype=bool)]
    assert abs(np.mean(np.exp(off)) - 1) < 0.1                 # E_{p(x)p(y)} e^{f*} = 1 (heavy tail: loose)
    assert infonce_estimate(s) <= min(np.log(n), mi + 0.05)


@pytest.mark.parametrize("kw", [dict(rho=1.0), dict(rho=-1.0), dict(rho=np.nan), dict(rho="a"), dict(d=0),
                                dict(d=2.5), dict(d=True)])
def test_gaussian_mi_bad_inputs(kw):
    args = dict(d=2, rho=0.5)
    args.update(kw)
    with pytest.raises(InputError):
        gaussian_pairs_mutual_information(**args)


@pytest.mark.parametrize("kw", [dict(rho=1.0), dict(x=np.ones(3)), dict(y=np.ones((4, 2))),
                                dict(x=np.full((3, 2), np.inf)), dict(x=np.zeros((0, 2)), y=np.zeros((0, 2)))])
def test_optimal_critic_bad_inputs(kw):
    args = dict(x=np.ones((3, 2)), y=np.ones((3, 2)), rho=0.5)
    args.update(kw)
    with pytest.raises(InputError):
        gaussian_optimal_critic_scores(**args)
