"""Tests of the theorylab.settings.icl package as a whole: its argument checks, and a verification helper.

The modules have their own test files (tests/test_icl_<module>.py); every claim passes at several seeds with a
decisive control: tests/test_claims.py."""
import numpy as np
import pytest

from theorylab import InputError
from theorylab.settings import icl
from theorylab.settings import icl_training as tr


# --------------------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("call,match", [
    (lambda: icl.optimal_risk(np.diag([1.0, -1.0]), 3), "positive definite"),
    (lambda: icl.optimal_risk(np.array([[1.0, 2.0], [0.0, 1.0]]), 3), "symmetric"),
    (lambda: icl.optimal_risk(np.ones((2, 3)), 3), "square"),
    (lambda: icl.optimal_preconditioner(np.eye(2), 0), "n=0"),
    (lambda: icl.optimal_step(0, 3), "d=0"),
    (lambda: icl.optimal_step(2, 3, -0.1), "noise_var"),
    (lambda: icl.sample_prompts(5, 3, 2, np.random.default_rng(0), covariance=np.eye(3)), "d=2"),
    (lambda: icl.sample_prompts(5, 3, 2, np.random.default_rng(0), noise_var=-1), "noise_var"),
    (lambda: icl.sample_prompts(5, 0, 2, np.random.default_rng(0)), "n=0"),
    (lambda: icl.sample_prompts(5, 3, 2, 0), "rng"),
    (lambda: icl.lsa_forward(np.eye(3), np.eye(4), np.zeros((4, 5))), "P has shape"),
    (lambda: icl.risk_of_preconditioner(np.eye(3), np.eye(2), 4), "K has shape"),
    (lambda: icl.optimal_risk(np.array([[np.nan, 0], [0, 1.0]]), 3), "NaN"),
    (lambda: tr.train_lsa(2, 3, np.random.default_rng(0), steps=0), "steps"),
])
def test_bad_input(call, match):
    with pytest.raises(InputError, match=match) as info:
        call()
    assert "\n" not in str(info.value)


def test_ratio_standard_error_matches_replicates():
    """The delta-method SE used by vonoswald2023/trained-alignment agrees with the spread over replicates."""
    import importlib

    vo = importlib.import_module("verifications.vonoswald2023_gd")
    rng = np.random.default_rng(11)
    ratios, ses = [], []
    for _ in range(400):
        b = rng.exponential(1.0, 500)
        a = 0.1 * b + rng.exponential(0.05, 500)
        r, se = vo._ratio_se(a, b)
        ratios.append(r)
        ses.append(se)
    assert np.mean(ses) == pytest.approx(np.std(ratios, ddof=1), rel=0.15)


def test_package_exports_and_compatibility_paths():
    import importlib

    from theorylab.settings.icl import training

    assert not hasattr(icl, "__getattr__")  # every name resolves without a module __getattr__
    assert icl.TrainResult is training.TrainResult and icl.train_lsa is tr.train_lsa
    for name in icl.__all__:
        assert getattr(icl, name) is not None
    for name in tr.__all__:
        assert getattr(tr, name) is getattr(icl, name)
    for old, new in [("gaussian_mixture", "mixture.gaussian_mixture"), ("learners", "mixture.learners"),
                     ("sample_complexity", "mixture.sample_complexity"), ("mixture3", "mixture.mixture3"),
                     ("gaussian_quadrature", "mixture.gaussian_quadrature"), ("diagonal_net_bias", "diagonal_net.bias"),
                     ("diagonal_net_stability", "diagonal_net.stability"),
                     ("diagonal_net_kernels", "diagonal_net.dynamics_kernels")]:
        a = importlib.import_module(f"theorylab.settings.{old}")
        b = importlib.import_module(f"theorylab.settings.{new}")
        for name in a.__all__:
            assert getattr(a, name) is getattr(b, name, None) or name in ("fit_logistic", "fit_naive_bayes",
                                                                          "single_blas_thread"), (old, name)
