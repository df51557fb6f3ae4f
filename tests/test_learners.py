"""Naive Bayes and logistic regression learners; the m*(d) protocol; the zheng2023 claims."""
import concurrent.futures as cf

import numpy as np
import pytest
from scipy import optimize, special, stats

import theorylab
from theorylab._validation import InputError
from theorylab.settings.gaussian_mixture import fit_logistic, fit_naive_bayes
from theorylab.settings.learners import logistic_objective
from theorylab.settings.sample_complexity import geometric_grid, learning_curves, zheng_mixture


def _data(m=300, d=5, K=3, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(m) % K
    X = rng.normal(size=(m, d)) + rng.normal(size=(K, d))[y] * 1.5
    return X, y


def test_naive_bayes_matches_independent_gaussian_posterior():
    X, y = _data()
    W, b = fit_naive_bayes(X, y)
    K = 3
    pri = np.bincount(y) / y.size
    mu = np.stack([X[y == k].mean(0) for k in range(K)])
    var = sum(pri[k] * X[y == k].var(0) for k in range(K)) + 1e-9
    Xt = np.random.default_rng(9).normal(size=(50, 5)) * 2
    logp = np.stack([np.log(pri[k]) + stats.norm.logpdf(Xt, mu[k], np.sqrt(var)).sum(1) for k in range(K)], 1)
    post_ref = special.softmax(logp, axis=1)
    assert np.allclose(special.softmax(Xt @ W.T + b, axis=1), post_ref, atol=1e-12)


def test_objective_matches_independent_logsumexp():
    from scipy.special import logsumexp

    X, y = _data(m=80, d=4)
    rng = np.random.default_rng(1)
    theta = rng.normal(size=3 * 4 + 3) * 10  # large scores: the stable kernel must not overflow
    w = rng.uniform(0.5, 2, 80)
    f, _ = logistic_objective(theta, X, y, w, 3, 0.1)
    W, b = theta[:12].reshape(3, 4), theta[12:]
    S = X @ W.T + b
    ce = logsumexp(S, axis=1) - S[np.arange(80), y]
    ref = (w @ ce) / w.sum() + 0.05 * np.sum(W * W)
    assert abs(f - ref) < 1e-10 * max(1.0, abs(ref))


def test_objective_gradient_finite_differences():
    X, y = _data(m=60, d=4)
    theta = np.random.default_rng(2).normal(size=3 * 4 + 3) * 0.3
    w = np.random.default_rng(3).uniform(0.5, 2, 60)
    err = optimize.check_grad(lambda t: logistic_objective(t, X, y, w, 3, 0.1)[0],
                              lambda t: logistic_objective(t, X, y, w, 3, 0.1)[1], theta)
    assert err < 1e-6


def test_fit_logistic_matches_independent_minimisation():
    X, y = _data(m=120, d=3)
    C = 0.7
    W, b = fit_logistic(X, y, C, tol=1e-10)
    K, d = 3, 3

    def f(t):  # ½‖W‖² + C Σ CE, pure NumPy/SciPy
        Wt, bt = t[:K * d].reshape(K, d), t[K * d:]
        S = X @ Wt.T + bt
        return 0.5 * (Wt ** 2).sum() + C * (special.logsumexp(S, axis=1) - S[np.arange(y.size), y]).sum()

    ref = optimize.minimize(f, np.zeros(K * d + K), method="BFGS", options={"gtol": 1e-9}).x
    # the bias is determined up to a common shift: compare the centred biases
    assert np.allclose(W, ref[:K * d].reshape(K, d), atol=1e-5)
    assert np.allclose(b - b.mean(), ref[K * d:] - ref[K * d:].mean(), atol=1e-5)


def test_learners_converge_to_population_rules():
    mix = zheng_mixture(3, 6, 0.0)
    X, y = mix.sample(40_000, np.random.default_rng(4))
    err_nb = mix.error(*fit_naive_bayes(X, y))
    err_lr = mix.error(*fit_logistic(X, y, 1.0))
    bayes = mix.bayes_error()
    assert bayes <= err_nb < bayes + 3e-3 and bayes <= err_lr < bayes + 3e-3


def test_bad_input():
    X, y = _data(m=30)
    with pytest.raises(InputError, match="class 1 has no samples"):
        fit_naive_bayes(X, np.where(y == 1, 0, y))
    with pytest.raises(InputError, match="m=2 training points"):
        fit_logistic(X[:2], y[:2], 1.0, n_classes=3)
    with pytest.raises(InputError, match="y has shape"):
        fit_naive_bayes(X, y[:-1])
    with pytest.raises(InputError, match="C=-1"):
        fit_logistic(X, y, -1)
    with pytest.raises(InputError, match="rho="):
        zheng_mixture(2, 10, 1.0)


def test_learning_curves_deterministic_and_executor_independent():
    mix = zheng_mixture(2, 8)
    sizes = geometric_grid(2, 40)
    a = learning_curves(mix, "lr", sizes, 3, np.random.default_rng(5))
    with cf.ThreadPoolExecutor(2) as ex:
        b = learning_curves(mix, "lr", sizes, 3, np.random.default_rng(5), executor=ex)
    assert np.array_equal(a, b)


@pytest.mark.parametrize("cid", ["zheng2023/bayes-closed-form", "zheng2023/hard-covariance-indefinite",
                                 "zheng2023/m-star-log-vs-linear", "zheng2023/two-regimes",
                                 "zheng2023/logistic-hcons-pointwise", "zheng2023/logistic-gap-mixture"])
def test_claim(cid):
    (ev,) = theorylab.run(cid, budget="quick", seed=0)
    assert ev["passed"] and ev["negative_control_failed"], ev
