"""Tests of theorylab.settings.mixture.sample_complexity (the m*(d) protocol of Zheng et al. 2023).

Every zheng2023 claim passes at several seeds with a decisive control: tests/test_claims.py."""
import concurrent.futures as cf

import numpy as np

from theorylab.settings.sample_complexity import (geometric_grid, learning_curves, sample_complexity,
                                                  zheng_bayes_error, zheng_mixture)


def test_sample_complexity_independent_of_chunking():
    # LR is warm-started along the grid; the warm start is carried across chunks, so chunking changes nothing
    mix = zheng_mixture(2, 6)
    a = sample_complexity(mix, "lr", zheng_bayes_error(2, 6), np.random.default_rng(11), reps=2, m_max=200,
                          chunk=2)
    b = sample_complexity(mix, "lr", zheng_bayes_error(2, 6), np.random.default_rng(11), reps=2, m_max=200,
                          chunk=7)
    n = min(a["errors"].shape[1], b["errors"].shape[1])
    assert n >= 3 and np.array_equal(a["errors"][:, :n], b["errors"][:, :n])
    assert a["m_star"] == b["m_star"]


def test_learning_curves_deterministic_and_executor_independent():
    mix = zheng_mixture(2, 8)
    sizes = geometric_grid(2, 40)
    a = learning_curves(mix, "lr", sizes, 3, np.random.default_rng(5))
    with cf.ThreadPoolExecutor(2) as ex:
        b = learning_curves(mix, "lr", sizes, 3, np.random.default_rng(5), executor=ex)
    assert np.array_equal(a, b)
