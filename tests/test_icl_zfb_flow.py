"""Tests of theorylab.settings.icl.zfb_flow (the ZFB population gradient flow)."""
import numpy as np
import pytest

from theorylab.settings import icl
from theorylab.settings import icl_training as tr


def test_zfb_flow_conserves_and_converges():
    cov = np.diag([0.5, 1.0, 2.0])
    u0, U0 = tr.zfb_initialisation(np.eye(3) / 3**0.25, 0.2)  # ||ΘΘᵀ||_F = 1
    sol = tr.zfb_gradient_flow(cov, 5, u0, U0)
    assert sol.success
    assert abs(sol.u[-1] - tr.zfb_limit(cov, 5)) < 1e-8
    assert np.max(np.abs(sol.conserved)) < 1e-9
    assert np.all(np.diff(sol.loss) <= 1e-12)  # gradient flow decreases the loss
    assert sol.loss[-1] == pytest.approx(0.5 * float(icl.optimal_risk(cov, 5)), rel=1e-9)
