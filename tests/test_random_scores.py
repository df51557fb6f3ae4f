"""Tests of theorylab.settings.random_scores (random multi-class score functions)."""
import numpy as np

from theorylab.settings.random_scores import random_tanh_net


def test_random_tanh_net_shapes_and_determinism():
    f, g = random_tanh_net(np.random.default_rng(0), 3, 4), random_tanh_net(np.random.default_rng(0), 3, 4)
    X = np.random.default_rng(1).normal(size=(7, 3))
    assert f(X).shape == (7, 4)
    np.testing.assert_array_equal(f(X), g(X))
    rng = np.random.default_rng(0)
    W1, b1, W2, b2 = rng.normal(0, 1, (8, 3)), rng.normal(0, 0.5, 8), rng.normal(0, 1, (4, 8)), rng.normal(0, 0.5, 4)
    np.testing.assert_array_equal(f(X), np.tanh(X @ W1.T + b1) @ W2.T + b2)
