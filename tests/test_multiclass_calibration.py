"""The numerical classification-calibration verdict (theorylab.theory.multiclass_calibration).

Each verdict against an independent derivation: cross-entropy and MAE calibrated with the closed-form transforms
of Mao, Mohri, Zhong (their growth t²/2 and t/n); the quadratic surrogate of Osokin et al. calibrated with
T(t) = t²/(4n) (derived in tests/test_callable_loss.py); Crammer–Singer not calibrated (Zhang 2004; Tewari &
Bartlett 2007), its witness re-checked against a brute-force grid minimum of the conditional risk; the
normalised cross-entropy not calibrated at p = e_1 (derived below); undecided and unbounded cases with their
reasons; bad inputs. The whole catalogue against the literature verdicts is the slow test.
"""
import itertools

import numpy as np
import pytest
from scipy.special import xlogy

from theorylab import InputError
from theorylab.losses.callable_loss import multiclass_loss
from theorylab.losses.catalogue_multiclass import MULTICLASS_CATALOGUE
from theorylab.losses.compsum import CompSumLoss
from theorylab.losses.margin import get_loss
from theorylab.theory.compsum_transforms import compsum_true_transform
from theorylab.theory.multiclass_calibration import DEFAULT_TS, multiclass_calibration

FEW = (0.05, 0.3, 0.6)  # a short grid for the slower (nested-search) losses


def test_cross_entropy_is_calibrated_with_quadratic_growth():
    r = multiclass_calibration(CompSumLoss(1.0), 3)
    assert r.verdict is True and r.witness is None and r.slack > 0
    ts = np.array(r.ts)
    np.testing.assert_allclose(r.transform, 0.5 * (xlogy(1 + ts, 1 + ts) + xlogy(1 - ts, 1 - ts)), rtol=1e-9)
    assert r.growth_order == pytest.approx(2.0, abs=1e-3)  # T = t²/2 + t⁴/12 + …
    assert r.growth_constant == pytest.approx(0.5, rel=1e-3)
    assert r.ts == DEFAULT_TS and max(r.accuracy) < 1e-6


@pytest.mark.parametrize("n", [3, 4])
def test_mae_is_calibrated_with_linear_growth_one_over_n(n):
    r = multiclass_calibration(CompSumLoss(2.0), n)
    assert r.verdict is True
    np.testing.assert_allclose(r.transform, compsum_true_transform(np.array(r.ts), 2.0, n), rtol=1e-9, atol=1e-12)
    assert r.growth_order == pytest.approx(1.0, abs=1e-6) and r.growth_constant == pytest.approx(1.0 / n, rel=1e-6)


def test_osokin_quadratic_is_calibrated_with_t2_over_4n():
    loss = MULTICLASS_CATALOGUE["osokin_quadratic"].loss
    r = multiclass_calibration(loss, 3, ts=FEW)
    assert r.verdict is True
    np.testing.assert_allclose(r.transform, np.array(FEW) ** 2 / 12, rtol=1e-8)
    assert r.growth_order == pytest.approx(2.0, abs=1e-6) and r.growth_constant == pytest.approx(1 / 12, rel=1e-6)
    assert r.margin == pytest.approx(1e-6 * (2 / 3) / 2)  # atol × |C(0, uniform)| = (n − 1)/(2n)


def _grid_min(loss, p, width=3.0, k=61):
    """Brute-force min over the grid h ∈ {0} × [−w, w]² of C(h, p) (an independent upper bound on C*)."""
    g = np.linspace(-width, width, k)
    H = np.array([(0.0, a, b) for a, b in itertools.product(g, g)])
    return float(np.min(loss.conditional_risk(np.broadcast_to(p, H.shape), H)))


def test_crammer_singer_is_not_calibrated_and_its_witness_rechecks():
    loss = MULTICLASS_CATALOGUE["crammer_singer"].loss
    r = multiclass_calibration(loss, 3, ts=FEW)
    assert r.verdict is False and MULTICLASS_CATALOGUE["crammer_singer"].literature is False
    w = r.witness
    p, h = w["p"], w["h"]
    assert np.argmax(h) == 0 and h[0] > np.max(h[1:])  # class 0 predicted strictly
    assert w["zero_one_regret"] == pytest.approx(p.max() - p[0]) and w["zero_one_regret"] >= 0.05
    risk = float(loss.conditional_risk(p, h))
    assert risk - _grid_min(loss, p) <= r.margin  # no grid point beats the wrong prediction by more than the margin
    assert w["surrogate_regret"] <= r.margin


def test_normalized_ce_is_not_calibrated_at_a_vertex():
    """NCE(h, y) = log s_y / Σ_k log s_k ∈ [0, 1]. At p = e_1, C = NCE(h, 1): 0 is its infimum, and scores predicting
    class 0 reach it too (s_0 > s_1 fixed, s_2 → 0 sends Σ log s → −∞): 0-1 regret 1 at surrogate regret 0."""
    loss = MULTICLASS_CATALOGUE["normalized_ce"].loss
    r = multiclass_calibration(loss, 3, ts=(0.05, 0.5, 1.0))
    assert r.verdict is False
    w = r.witness
    assert w["zero_one_regret"] == pytest.approx(1.0) and w["cstar"] >= 0.0
    h = np.array([0.1, 0.0, -1e9])  # the derivation's direction, independent of the search
    assert float(loss.conditional_risk(np.array([0.0, 1.0, 0.0]), h)) < 1e-8


def test_undecided_when_the_only_zeros_are_below_the_witness_threshold():
    """Crammer–Singer has T(t) = 0 for t < 1/2 at n = 3; with witness_t = 1 no witness qualifies: None, with why."""
    r = multiclass_calibration(MULTICLASS_CATALOGUE["crammer_singer"].loss, 3, ts=(0.05, 0.3, 1.0), witness_t=1.0,
                               growth_ts=(0.01, 0.02))
    assert r.verdict is None and "below witness_t" in r.reason
    assert r.transform[0] <= r.margin and r.transform[2] > 0.5 and r.growth_order is None


def test_unbounded_below_is_undecided_with_the_reason():
    linear = multiclass_loss(lambda h, y: -h[np.arange(h.shape[0]), y], "linear")
    r = multiclass_calibration(linear, 3, ts=FEW)
    assert r.verdict is None and "unbounded below" in r.reason and r.transform == ()


def test_result_as_dict_is_plain():
    r = multiclass_calibration(CompSumLoss(1.0), 2, ts=FEW)
    d = r.as_dict()
    assert d["verdict"] is True and d["n"] == 2 and d["loss"] == "comp_sum(tau=1)" and len(d["transform"]) == 3


@pytest.mark.parametrize("kwargs, match", [
    ({"loss": get_loss("hinge"), "n": 2}, r"binary margin loss"),
    ({"loss": "hinge", "n": 3}, r"^loss='hinge'"),
    ({"n": 1}, r"\bn\b"),
    ({"ts": (0.1, 0.2)}, r"^ts=\[0.1, 0.2\] is not allowed"),
    ({"ts": (0.2, 0.1, 0.3)}, r"^ts="),
    ({"ts": (0.0, 0.1, 0.3)}, r"^ts="),
    ({"growth_ts": (0.01,)}, r"^growth_ts="),
    ({"atol": -1.0}, r"atol"),
    ({"witness_t": 0.0}, r"^witness_t=0.0 is not allowed"),
    ({"rng": 3}, r"rng"),
])
def test_bad_input(kwargs, match):
    args = {"loss": CompSumLoss(1.0), "n": 3} | kwargs
    with pytest.raises(InputError, match=match) as info:
        multiclass_calibration(args.pop("loss"), args.pop("n"), **args)
    assert "\n" not in str(info.value)


@pytest.mark.slow
def test_catalogue_verdicts_agree_with_the_literature():
    for name, (loss, verdict) in ((k, (e.loss, e.literature)) for k, e in MULTICLASS_CATALOGUE.items()):
        r = multiclass_calibration(loss, 3)
        if verdict is not None:
            assert r.verdict is verdict, (name, r.reason)
        else:
            assert r.verdict is not None, (name, r.reason)
