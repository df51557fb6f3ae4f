"""The lean paths of issue 17 item 4 (Python objectives in SciPy optimisers without per-call wrappers) against the
library calls they replace: the L-BFGS-B driver of theorylab.losses.callable_risks against
``scipy.optimize.minimize(method="L-BFGS-B")`` (identical iterates), its fallback when SciPy's private routine is
unusable, and the once-per-process memos of theorylab.theory.calibration (cross-check, lambdified H)."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize

from theorylab.losses import callable_risks as cr
from theorylab.theory import calibration as cal


def _problem(seed, d):
    rng = np.random.default_rng(seed)
    M = rng.normal(size=(d, d))
    A = M @ M.T + 0.1 * np.eye(d)
    b = rng.normal(size=d)

    def fg(x):
        return float(0.5 * x @ A @ x - b @ x + 0.05 * np.sum(x ** 4)), A @ x - b + 0.2 * x ** 3
    return fg, rng.normal(size=d)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("bounded", [False, True])
def test_lean_lbfgsb_gives_scipy_iterates(seed, bounded):
    d = 2 + seed
    fg, x0 = _problem(seed, d)
    bounds = [(-0.3, 0.5)] * d if bounded else None
    ref = minimize(fg, x0, jac=True, method="L-BFGS-B", bounds=bounds,
                   options={"maxiter": 300, "ftol": 1e-14, "gtol": 1e-11, "maxls": 40})
    f, x = cr._lbfgsb(fg, x0, bounds, maxiter=300, ftol=1e-14, gtol=1e-11, maxls=40)
    assert cr._lean_lbfgsb_ok()
    assert f == float(ref.fun) and np.array_equal(x, ref.x)


def test_lean_lbfgsb_stops_at_maxiter_like_scipy():
    fg, x0 = _problem(7, 6)
    ref = minimize(fg, x0, jac=True, method="L-BFGS-B", options={"maxiter": 3, "ftol": 1e-14, "gtol": 1e-11})
    f, x = cr._lbfgsb(fg, x0, None, maxiter=3, ftol=1e-14, gtol=1e-11, maxls=20)
    assert ref.nit == 3 and f == float(ref.fun) and np.array_equal(x, ref.x)


def test_lean_lbfgsb_falls_back_to_scipy_when_the_private_routine_breaks(monkeypatch):
    def broken(*args):
        raise TypeError("setulb() takes another signature")
    monkeypatch.setattr(cr, "_setulb", broken)
    monkeypatch.setattr(cr, "_LEAN", {})
    fg, x0 = _problem(1, 3)
    f, x = cr._lbfgsb(fg, x0, None, maxiter=300, ftol=1e-14, gtol=1e-11, maxls=40)
    assert cr._LEAN == {"ok": False}
    ref = minimize(fg, x0, jac=True, method="L-BFGS-B", options={"maxiter": 300, "ftol": 1e-14, "gtol": 1e-11})
    assert f == pytest.approx(float(ref.fun), rel=0, abs=1e-12)


def test_derive_cross_checks_each_derivation_once(monkeypatch):
    calls = []
    real = cal._cross_check
    monkeypatch.setattr(cal, "_cross_check", lambda phi, c: (calls.append(phi), real(phi, c)))
    monkeypatch.setattr(cal, "_CROSS_CHECKED", {})
    a = cal.derive("logistic")
    b = cal.derive("logistic")
    assert a is b and len(calls) == 1


def test_h_numeric_is_lambdified_once_and_right():
    c = cal.derive("exponential")
    f1, f2 = c.H_numeric(), c.H_numeric()
    assert f1 is f2
    p = np.array([0.5, 0.6, 0.8, 0.99, 1.0 - 1e-12])
    # exponential loss: H(η) = 2 sqrt(η(1 − η)) (Bartlett, Jordan, McAuliffe 2006, table 1)
    assert np.allclose(f1(p, 1.0 - p), 2.0 * np.sqrt(p * (1.0 - p)), rtol=1e-12, atol=0)
