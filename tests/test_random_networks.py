"""Random ReLU networks at initialisation: closed forms against independent numerics, bad inputs, public API."""
from __future__ import annotations

import numpy as np
import pytest

from theorylab import InputError
from theorylab.settings.random_networks import (relu_gain_second_moment, relu_kernel_recursion, relu_kurtosis,
                                                relu_kurtosis_leading, simulate_relu_networks)


def test_api_contract_values():
    assert relu_kurtosis(1, 32) == 0.0
    assert relu_kurtosis(2, 32) == pytest.approx(15 / 32, rel=1e-14)
    assert relu_kurtosis(10, 32) == pytest.approx(3 * ((1 + 5 / 32) ** 9 - 1), rel=1e-14)
    # leading order agrees as n → ∞ at fixed depth
    assert relu_kurtosis(5, 10**6) / relu_kurtosis_leading(5, 10**6) == pytest.approx(1, abs=1e-4)


@pytest.mark.parametrize("n", [1, 2, 7, 32, 100])
def test_gain_moment_binomial_sum(n):
    assert relu_gain_second_moment(n) == pytest.approx(1 + 5 / n, rel=1e-13)


def test_kurtosis_against_direct_relu_moments():
    """Independent check of E[Ĝ²] via the exact ReLU moments E σ² = K/2, E σ⁴ = 3K²/2 (dense recursion)."""
    for n in (3, 16):
        m2 = 1.0  # E[Ĝ_1²] with K = 1
        for ell in range(2, 9):
            m2 = (4 / n**2) * (n * 1.5 + n * (n - 1) * 0.25) * m2
            assert relu_kurtosis(ell, n) == pytest.approx(3 * (m2 - 1), rel=1e-12)


def test_kurtosis_monte_carlo_networks():
    rng = np.random.default_rng(1)
    G = simulate_relu_networks(np.ones(5), 4, 32, 40000, rng)
    m1, m2 = G.mean(0), (G**2).mean(0)
    kap = 3 * (m2 / m1**2 - 1)
    # delta-method SE of the ratio, computed per layer
    for ell in (2, 3, 4):
        g = G[:, ell - 1]
        infl = 3 * (g**2 / m1[ell - 1] ** 2 - 2 * m2[ell - 1] * g / m1[ell - 1] ** 3)
        se = infl.std() / np.sqrt(len(g))
        assert abs(kap[ell - 1] - relu_kurtosis(ell, 32)) < 5 * se
    # criticality: the kernel is preserved in the mean
    se = G.std(0)[1:] / np.sqrt(G.shape[0])
    assert np.all(np.abs(m1[1:] - 2.0) < 5 * se + 1e-12)


def test_raw_fourth_moment_last_layer():
    """Raw E z⁴/E z² ² − 3 on explicit Gaussian last-layer draws matches the formula (within 5 SE)."""
    rng = np.random.default_rng(2)
    G = simulate_relu_networks(np.ones(3), 3, 16, 100000, rng)[:, -1]
    z = np.sqrt(G) * rng.standard_normal(G.size)
    m2, m4 = np.mean(z**2), np.mean(z**4)
    infl = (z**4 - 2 * m4 * z**2 / m2) / m2**2
    se = infl.std() / np.sqrt(z.size)
    assert abs(m4 / m2**2 - 3 - relu_kurtosis(3, 16)) < 5 * se


def test_kernel_recursion():
    np.testing.assert_allclose(relu_kernel_recursion(2.0, 5, 2.2), 2.0 * 1.1 ** np.arange(5), rtol=1e-14)
    np.testing.assert_allclose(relu_kernel_recursion(1.0, 3, 2.0, 0.5), [1.0, 1.5, 2.0], rtol=1e-14)


def test_unequal_widths_shape():
    G = simulate_relu_networks(np.ones(2), 4, (3, 5, 2), 10, np.random.default_rng(0), c_b=0.1)
    assert G.shape == (10, 4) and np.all(G >= 0.1 - 1e-12)


@pytest.mark.parametrize("call", [
    lambda: relu_kurtosis(0, 8), lambda: relu_kurtosis(2, 0), lambda: relu_kurtosis(2.5, 8),
    lambda: relu_kurtosis(True, 8), lambda: relu_kurtosis_leading(1, -1), lambda: relu_gain_second_moment(0),
    lambda: relu_kernel_recursion(-1.0, 3), lambda: relu_kernel_recursion(1.0, 3, c_w=0.0),
    lambda: relu_kernel_recursion(1.0, 3, c_b=np.nan),
    lambda: simulate_relu_networks(np.zeros(3), 3, 4, 5, np.random.default_rng(0)),
    lambda: simulate_relu_networks(np.ones(3), 3, (4,), 5, np.random.default_rng(0)),
    lambda: simulate_relu_networks(np.ones(3), 3, 4, 5, 0),
])
def test_bad_inputs(call):
    with pytest.raises(InputError):
        call()
