"""Every bartlett2006 claim passes at the quick budget and its negative control fails; mixture risks."""
import numpy as np
import pytest

from theorylab.engine import evaluate
from theorylab.engine.claim import select
from theorylab.losses.margin import LOSSES
from theorylab.settings.gaussian_mixture import GaussianMixture

CLAIMS = [c.id for c in select("bartlett2006/*")]


def test_at_least_ten_claims():
    assert len(CLAIMS) >= 10


@pytest.mark.parametrize("cid", CLAIMS)
def test_claim_passes_and_control_fails(cid):
    (c,) = select(cid)
    ev = evaluate(c, budget="quick", seed=0)
    assert ev.verdict == "PASS", ev
    assert ev.negative_control_failed and ev.negative_control_worst_slack < -c.tolerance


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
