"""Binary Gaussian-mixture risks against Monte Carlo (the bartlett2006 claims are tested in test_claims.py)."""
import numpy as np

from theorylab.losses.margin import LOSSES
from theorylab.settings.gaussian_mixture import GaussianMixture

# (every claim passes at several seeds with a decisive control: tests/test_claims.py)


def test_binary_excess_risks_against_monte_carlo():
    g = GaussianMixture([[-1.0, 0.2], [0.8, -0.4]], [[1.0, 0.3], [0.3, 0.7]], [0.35, 0.65])
    rng = np.random.default_rng(1)
    X, y = g.sample(400_000, rng)
    w, c = np.array([0.7, -1.1]), 0.3
    f = X @ w + c
    s = 2 * y - 1
    assert abs(g.binary_error(w, c) - np.mean((f > 0) != (y == 1))) < 4 * np.sqrt(0.25 / X.shape[0])
    for name in ("logistic", "hinge", "exponential", "sigmoid"):
        r, err = g.binary_surrogate_risk(LOSSES[name], w, c)
        vals = LOSSES[name].value(s * f)
        se = vals.std() / np.sqrt(vals.size)
        assert abs(r - vals.mean()) < 5 * se, name
    # Bayes error: the error of the Bayes log-odds sign, and the smallest over random directions
    wb, cb = g.bayes_direction()
    assert abs(g.bayes_error() - np.mean((X @ wb + cb > 0) != (y == 1))) < 4 * np.sqrt(0.25 / X.shape[0])
    W = rng.normal(size=(500, 2))
    assert np.all(g.binary_error(W, rng.normal(size=500)) >= g.bayes_error() - 1e-15)
