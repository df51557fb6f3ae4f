"""Shared fixtures of the tests: the one finite-difference helper, and the settings tests' data."""
import numpy as np
import pytest

from theorylab.settings import diagonal_net as dn


@pytest.fixture(scope="module")
def data():
    """A sparse regression problem (n=12, d=30, s=3) for the diagonal-network tests: X, y, β*."""
    X, y, bstar, _, _ = dn.sparse_regression(12, 30, 3, np.random.default_rng(0))
    return X, y, bstar


def _central_difference(f, x, eps=1e-6):
    """Central finite differences of f at x: the one finite-difference helper of the test suite.

    ``f`` is elementwise (``f(x).shape == x.shape``: returns (f(x + ε) − f(x − ε))/2ε entrywise) or row-wise
    (``f(x)`` has the leading shape of x, rows independent: returns the (…, n) array whose column j is the
    central difference along coordinate j of every row at once).
    """
    x = np.asarray(x, dtype=np.float64)
    fx = np.asarray(f(x))
    if fx.shape == x.shape:
        return (np.asarray(f(x + eps)) - np.asarray(f(x - eps))) / (2 * eps)
    out = np.empty(x.shape)
    for j in range(x.shape[-1]):
        e = np.zeros(x.shape[-1])
        e[j] = eps
        out[..., j] = (np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * eps)
    return out


@pytest.fixture(scope="session")
def central_difference():
    """The suite's finite-difference helper ``central_difference(f, x, eps=1e-6)`` (see :func:`_central_difference`)."""
    return _central_difference
