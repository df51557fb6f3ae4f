"""Lion: box invariance, step-size schedules, convergence to the box-constrained minimiser, bad inputs."""
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


def _quad_grad(x):
    return np.array([3.0, 1.0, 0.5]) * (x - np.array([2.0, -0.3, 0.1]))


def test_constant_schedule_identical_to_float():
    x0 = np.array([0.4, -0.2, 0.0])
    ref = lion(_quad_grad, x0, 0.05, 0.7, 40)
    assert np.array_equal(lion(_quad_grad, x0, lambda t: 0.05, 0.7, 40), ref)
    assert np.array_equal(lion(_quad_grad, x0, np.full(40, 0.05), 0.7, 40), ref)
    assert np.array_equal(lion(_quad_grad, x0, [0.05] * 40, 0.7, 40), ref)


def test_schedule_matches_direct_loop():
    x0 = np.array([0.4, -0.2, 0.0])
    lam, (b1, b2) = 0.7, (0.9, 0.99)
    sched = lambda t: 0.1 / (1 + t / 5)  # noqa: E731
    it = lion(_quad_grad, x0, sched, lam, 25)
    x, m = x0.copy(), np.zeros(3)
    for t in range(25):
        g = _quad_grad(x)
        c = b1 * m + (1 - b1) * g
        x = x - sched(t) * (np.sign(c) + lam * x)
        m = b2 * m + (1 - b2) * g
        assert np.allclose(it[t + 1], x, rtol=0, atol=1e-15)
    arr = np.array([sched(t) for t in range(25)])
    assert np.array_equal(lion(_quad_grad, x0, arr, lam, 25), it)


def test_schedule_is_called_once_per_step_with_step_index():
    seen = []
    lion(_quad_grad, np.zeros(3), lambda t: seen.append(t) or 0.01, 1.0, 7)
    assert seen == list(range(7))
    assert lion(_quad_grad, np.zeros(3), lambda t: 1 / 0, 1.0, 0).shape == (1, 3)  # never called at n_steps = 0


def test_box_entry_contraction_with_schedule():
    # outside the box the excess e_t = (‖x_t‖∞ − 1/λ)_+ shrinks at least by 1 − η_tλ per step, any gradients
    rng = np.random.default_rng(3)
    lam = 0.5
    etas = rng.uniform(0.01, 1 / lam, 80)
    it = lion(lambda x: 1e4 * rng.standard_normal(x.size), np.full(6, 12.0), etas, lam, 80)
    e = np.maximum(np.max(np.abs(it), axis=1) - 1 / lam, 0)
    assert np.all(e[1:] <= (1 - etas * lam) * e[:-1] + 1e-12)
    # pushing outward (sign(c) = −sign(x)) attains the rate exactly
    it = lion(lambda x: -np.sign(x), np.full(3, 10.0), 0.4, lam, 5)
    e = np.max(np.abs(it), axis=1) - 1 / lam
    assert np.allclose(e[1:], 0.8 * e[:-1], rtol=1e-13)


def test_decaying_schedule_beats_constant_on_box_quadratic():
    rng = np.random.default_rng(1)
    A = rng.standard_normal((30, 10))
    b = A @ (3 * rng.standard_normal(10))
    ref = minimize(lambda x: 0.5 * np.sum((A @ x - b) ** 2), np.zeros(10), jac=lambda x: A.T @ (A @ x - b),
                   method="L-BFGS-B", bounds=[(-1, 1)] * 10, options={"gtol": 1e-12, "ftol": 1e-15}).x
    grad = lambda x: A.T @ (A @ x - b)  # noqa: E731
    const = lion(grad, np.zeros(10), 1e-2, 1.0, 4000)[-1]
    dec = lion(grad, np.zeros(10), lambda t: 1e-2 / (1 + t / 500), 1.0, 4000)[-1]
    assert np.max(np.abs(dec - ref)) < 0.5 * np.max(np.abs(const - ref))


@pytest.mark.parametrize("lr", [0, -0.1, np.nan, True, "fast", np.full(3, 0.1), np.full(2, -0.1), np.ones((2, 1)),
                                lambda t: 0.0, lambda t: np.nan, lambda t: "x", lambda t: -1.0])
def test_bad_schedules(lr):
    with pytest.raises(InputError):
        lion(lambda x: x, [1.0], lr, 0.1, 2)


@pytest.mark.parametrize("kw", [dict(lr=0), dict(weight_decay=-1), dict(n_steps=-1), dict(n_steps=1.5),
                                dict(betas=(2, 0.5)), dict(x0=[[1.0]])])
def test_bad_inputs(kw):
    args = dict(grad_fn=lambda x: x, x0=[1.0], lr=0.1, weight_decay=0.1, n_steps=2)
    args.update(kw)
    with pytest.raises(InputError):
        lion(**args)
