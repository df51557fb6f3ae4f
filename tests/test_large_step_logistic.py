"""Tests of theorylab.settings.large_step_logistic (LR+GD at large steps, the batch perceptron)."""
import numpy as np
import pytest

from theorylab import InputError
from theorylab.settings import large_step_logistic as ls


def test_public_api():
    for name in ls.__all__:
        assert callable(getattr(ls, name))


def test_rescaled_iterates_match_plain_gd_and_first_step():
    rng = np.random.default_rng(0)
    A, y, w_star = ls.separable_data(50, 5, rng)
    assert np.all(y * (A @ w_star) > 0)
    for gamma in (0.5, 3.0):
        w = np.zeros(5)
        for _ in range(10):  # plain GD on the logistic loss with a numerical gradient check
            m = y * (A @ w)
            w = w + gamma * (y[:, None] * A).T @ (1 / (1 + np.exp(m))) / 50
        v = ls.logistic_gd_rescaled(A, y, gamma, 10)
        np.testing.assert_allclose(gamma * v[-1], w, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(v[1], (y[:, None] * A).sum(0) / 100, rtol=1e-12)


def test_loss_gradient_and_perceptron_limit():
    rng = np.random.default_rng(1)
    A, y, _ = ls.separable_data(40, 4, rng)
    w = rng.standard_normal(4)
    h = 1e-6
    g = np.array([(ls.logistic_loss(A, y, w + h * e) - ls.logistic_loss(A, y, w - h * e)) / (2 * h)
                  for e in np.eye(4)])
    v = ls.logistic_gd_rescaled(A, y, 1.0, 1)  # from 0: the step is −∇f(0)
    np.testing.assert_allclose(-g, (y[:, None] * A).T @ (1 / (1 + np.exp(y * (A @ w)))) / 40, rtol=1e-6)
    assert ls.logistic_loss(A, y, np.zeros(4)) == pytest.approx(np.log(2))
    u = ls.batch_perceptron(A, y, 20)
    np.testing.assert_allclose(v[1], u[1], rtol=1e-12)
    np.testing.assert_allclose(ls.logistic_gd_rescaled(A, y, 1e9, 20), u, atol=1e-12)
    assert np.max(np.abs(ls.logistic_gd_rescaled(A, y, 1.0, 20) - u)) > 1e-2


@pytest.mark.parametrize("call", [
    lambda: ls.separable_data(0, 3, np.random.default_rng(0)),
    lambda: ls.separable_data(5, 3, 0),
    lambda: ls.batch_perceptron(np.ones((3, 2)), np.array([1.0, 0.0, 1.0]), 3),
    lambda: ls.logistic_gd_rescaled(np.ones((3, 2)), np.ones(3), -1.0, 3),
    lambda: ls.logistic_gd_rescaled(np.ones(3), np.ones(3), 1.0, 3),
    lambda: ls.logistic_loss(np.ones((3, 2)), np.ones(3), np.ones(3)),
])
def test_bad_inputs(call):
    with pytest.raises(InputError):
        call()
