"""Lion: box invariance, convergence to the box-constrained minimiser, bad inputs."""
import numpy as np
import pytest
from scipy.optimize import minimize

from theorylab import InputError
from theorylab.settings.optimizers import lion


def test_shape_and_first_step():
    it = lion(lambda x: 2 * x, np.array([1.0, -2.0]), 0.1, 0.5, 3)
    assert it.shape == (4, 2)
    # first step: c_0 = (1-β1) g_0, sign = sign(g_0)
    assert np.allclose(it[1], it[0] - 0.1 * (np.sign(it[0]) + 0.5 * it[0]))


def test_box_invariant_adversarial():
    rng = np.random.default_rng(0)
    lam, lr = 2.0, 0.3
    x0 = rng.uniform(-1 / lam, 1 / lam, 20)
    it = lion(lambda x: rng.standard_normal(x.size) * 100, x0, lr, lam, 200)
    assert np.max(np.abs(it)) <= 1 / lam + 1e-12


def test_converges_to_box_minimiser():
    rng = np.random.default_rng(1)
    A = rng.standard_normal((30, 10))
    b = A @ (3 * rng.standard_normal(10))
    lam = 1.0
    ref = minimize(lambda x: 0.5 * np.sum((A @ x - b) ** 2), np.zeros(10), jac=lambda x: A.T @ (A @ x - b),
                   method="L-BFGS-B", bounds=[(-1 / lam, 1 / lam)] * 10, options={"gtol": 1e-12, "ftol": 1e-15}).x
    errs = []
    for lr in (1e-2, 1e-3):
        it = lion(lambda x: A.T @ (A @ x - b), np.zeros(10), lr, lam, int(20 / lr))
        errs.append(np.max(np.abs(it[-1] - ref)))
    assert errs[1] < errs[0] and errs[1] < 0.05


@pytest.mark.parametrize("kw", [dict(lr=0), dict(weight_decay=-1), dict(n_steps=-1), dict(n_steps=1.5),
                                dict(betas=(2, 0.5)), dict(x0=[[1.0]])])
def test_bad_inputs(kw):
    args = dict(grad_fn=lambda x: x, x0=[1.0], lr=0.1, weight_decay=0.1, n_steps=2)
    args.update(kw)
    with pytest.raises(InputError):
        lion(**args)
