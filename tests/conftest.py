"""Shared fixtures of the tests: the array namespaces the reference code supports (``xp``), the one
finite-difference helper, and the settings tests' data."""
import numpy as np
import pytest

from theorylab.settings import diagonal_net as dn


@pytest.fixture(params=["numpy", "array_api_strict"], scope="session")
def xp(request):
    """Each array namespace the reference code is written for: NumPy and array-api-strict (the strictest
    implementation of the array API standard, standing in for CuPy, torch and JAX arrays)."""
    if request.param == "numpy":
        return np
    return pytest.importorskip("array_api_strict")


@pytest.fixture(scope="module")
def data():
    """A sparse regression problem (n=12, d=30, s=3) for the diagonal-network tests: X, y, β*."""
    X, y, bstar, _, _ = dn.sparse_regression(12, 30, 3, np.random.default_rng(0))
    return X, y, bstar


def _central_difference(f, x, eps=1e-6, elementwise=None):
    """Central finite differences of f at x: the one finite-difference helper of the test suite.

    ``elementwise=True``: f acts entrywise (``f(x).shape == x.shape``); returns (f(x + ε) − f(x − ε))/2ε.
    ``elementwise=False``: returns the array of shape ``f(x).shape + (n,)`` whose last index j is the central
    difference along coordinate j of x (n = x.shape[-1]); for a row-wise f on x of shape (m, n) (f(x) of shape
    (m,)) that is every row's gradient at once, for f: ℝⁿ → ℝᵏ on x of shape (n,) it is the Jacobian (k, n).
    ``None`` (default) means elementwise exactly when f(x) has the shape of x.
    """
    x = np.asarray(x, dtype=np.float64)
    fx = np.asarray(f(x))
    if elementwise is None:
        elementwise = fx.shape == x.shape
    if elementwise:
        return (np.asarray(f(x + eps)) - np.asarray(f(x - eps))) / (2 * eps)
    n = x.shape[-1]
    out = np.empty(fx.shape + (n,))
    for j in range(n):
        e = np.zeros(n)
        e[j] = eps
        out[..., j] = (np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * eps)
    return out


@pytest.fixture(scope="session")
def central_difference():
    """The suite's finite-difference helper ``central_difference(f, x, eps=1e-6, elementwise=None)`` (see :func:`_central_difference`)."""
    return _central_difference
