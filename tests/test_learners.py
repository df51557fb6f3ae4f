"""Tests of theorylab.settings.mixture.learners (naive Bayes and logistic regression)."""
import numpy as np
import pytest
from scipy import optimize, special, stats

from theorylab._validation import InputError
from theorylab.settings.gaussian_mixture import fit_logistic, fit_naive_bayes
from theorylab.settings.learners import logistic_objective
from theorylab.settings.sample_complexity import zheng_mixture


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


def test_objective_gradient_finite_differences(central_difference):
    X, y = _data(m=60, d=4)
    theta = np.random.default_rng(2).normal(size=3 * 4 + 3) * 0.3
    w = np.random.default_rng(3).uniform(0.5, 2, 60)
    fd = central_difference(lambda t: logistic_objective(t, X, y, w, 3, 0.1)[0], theta)
    np.testing.assert_allclose(logistic_objective(theta, X, y, w, 3, 0.1)[1], fd, rtol=1e-6, atol=1e-8)


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


def test_binary_reduction_matches_two_row_problem():
    # K = 2 is solved as binary LR with 2C; the minimiser must be the two-row problem's, with W1 = −W0
    X, y = _data(m=150, d=4, K=2, seed=5)
    C, K, d = 0.3, 2, 4
    w8 = np.random.default_rng(6).uniform(0.5, 2, 150)
    W, b = fit_logistic(X, y, C, sample_weight=w8, tol=1e-11, max_iter=10_000)

    def f(t):  # ½(‖W0‖² + ‖W1‖²) + C Σ w_i CE, both rows free, pure NumPy/SciPy
        Wt, bt = t[:K * d].reshape(K, d), t[K * d:]
        S = X @ Wt.T + bt
        return 0.5 * (Wt ** 2).sum() + C * w8 @ (special.logsumexp(S, axis=1) - S[np.arange(y.size), y])

    ref = optimize.minimize(f, np.zeros(K * d + K), method="BFGS", options={"gtol": 1e-9}).x
    Wr = ref[:K * d].reshape(K, d)
    assert np.abs(Wr[0] + Wr[1]).max() < 1e-5  # the derivation's W1 = −W0 holds at the optimum
    assert np.allclose(W, Wr, atol=1e-5)
    assert abs((b[1] - b[0]) - (ref[-1] - ref[-2])) < 1e-5


def test_warm_start_reaches_the_same_minimiser():
    X, y = _data(m=200, d=6, K=4, seed=7)
    X = X * np.array([1.0, 10.0, 0.1, 1.0, 30.0, 1.0]) + 5.0  # badly scaled, off-centre features
    cold = fit_logistic(X, y, 1.0, tol=1e-10, max_iter=10_000)
    rng = np.random.default_rng(8)
    warm = fit_logistic(X, y, 1.0, tol=1e-10, max_iter=10_000,
                        init=(cold[0] + rng.normal(size=cold[0].shape), cold[1] + 3.0))
    obj = [logistic_objective(np.concatenate([W.ravel(), b]), X, y, np.ones(y.size), 4, 1 / y.size)[0]
           for W, b in (cold, warm)]
    # L-BFGS stops on scikit-learn's ftol = 64ε here (gradients ~1e-7): the objective agrees to ~1e-11
    assert abs(obj[0] - obj[1]) < 1e-10
    assert np.allclose(cold[0], warm[0], atol=1e-4)
    assert np.allclose(cold[1] - cold[1].mean(), warm[1] - warm[1].mean(), atol=1e-3)
    with pytest.raises(InputError, match="init has shapes"):
        fit_logistic(X, y, 1.0, init=(np.zeros((3, 6)), np.zeros(3)))


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
