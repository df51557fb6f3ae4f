"""Modular-arithmetic data: all pairs (a, b) with label a ∘ b mod p, one-hot inputs, splits, label corruption."""
from __future__ import annotations

import numpy as np

from ..._validation import InputError, check_choice, check_generator, check_real
from ._checks import check_prime

__all__ = ["OPERATIONS", "modular_table", "one_hot_pairs", "train_test_split", "corrupt_labels"]

OPERATIONS = ("add", "sub", "mul", "div")


def modular_table(p, op="add"):
    """All operand pairs and their labels for one binary operation modulo a prime.

    ``add``: ``(a + b) mod p``; ``sub``: ``(a − b) mod p``; ``mul``: ``a b mod p``; ``div``: ``a b^{p−2} mod p``
    (``a / b`` in the field ℤ_p, pairs with ``b = 0`` left out). Pairs are listed with ``a`` varying slowest.

    Parameters
    ----------
    p : int
        The modulus, a prime ≥ 3.
    op : {"add", "sub", "mul", "div"}
        The operation.

    Returns
    -------
    a, b, y : numpy.ndarray
        Integer arrays of equal length (``p²``, or ``p(p−1)`` for ``div``): operands and label.

    References
    ----------
    A. Power, Y. Burda, H. Edwards, I. Babuschkin, V. Misra, "Grokking: Generalization Beyond Overfitting on
    Small Algorithmic Datasets", arXiv 2201.02177 (the task family); A. Gromov, "Grokking modular arithmetic",
    arXiv 2301.02679, Sec. 2 (modular addition with one-hot operands).
    """
    p = check_prime("p", p)
    check_choice("op", op, OPERATIONS)
    a, b = (g.ravel() for g in np.meshgrid(np.arange(p), np.arange(p), indexing="ij"))
    if op == "add":
        y = (a + b) % p
    elif op == "sub":
        y = (a - b) % p
    elif op == "mul":
        y = (a * b) % p
    else:
        keep = b != 0
        a, b = a[keep], b[keep]
        inv = np.array([pow(int(v), p - 2, p) for v in range(p)])
        y = (a * inv[b]) % p
    return a, b, y


def one_hot_pairs(a, b, p):
    """Concatenated one-hot encodings ``[e_a, e_b] ∈ {0, 1}^{2p}`` of operand pairs.

    Parameters
    ----------
    a, b : array_like of int
        Operands in ``0..p−1``, same length.
    p : int
        The modulus (≥ 2).

    Returns
    -------
    numpy.ndarray
        Shape ``(n, 2p)``, float64.

    References
    ----------
    A. Gromov, "Grokking modular arithmetic", arXiv 2301.02679, Sec. 2 (inputs ``e_n ⊕ e_m``).
    """
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or p < 2:
        raise InputError(f"p must be an integer >= 2, got {p!r}")
    a, b = np.asarray(a), np.asarray(b)
    if a.ndim != 1 or a.shape != b.shape or not np.issubdtype(a.dtype, np.integer) \
            or not np.issubdtype(b.dtype, np.integer):
        raise InputError("a and b must be 1-d integer arrays of the same length")
    if a.size and (min(a.min(), b.min()) < 0 or max(a.max(), b.max()) >= p):
        raise InputError(f"a and b must lie in 0..{p - 1}")
    X = np.zeros((a.size, 2 * p))
    X[np.arange(a.size), a] = 1.0
    X[np.arange(a.size), p + b] = 1.0
    return X


def train_test_split(n, train_fraction, rng):
    """Seeded random split of ``n`` examples: ``round(train_fraction · n)`` for training, the rest for testing.

    Parameters
    ----------
    n : int
        Number of examples (≥ 2).
    train_fraction : float
        Fraction in the open interval (0, 1); both parts are kept non-empty.
    rng : numpy.random.Generator
        Source of the permutation.

    Returns
    -------
    train, test : numpy.ndarray
        Disjoint sorted index arrays covering ``0..n−1``.

    References
    ----------
    L. Prieto, M. Barsbey, P. Mediano, T. Birdal, "Grokking at the Edge of Numerical Stability", ICLR 2025,
    arXiv 2501.04697, Sec. 2 (train fractions 0.3–0.4 of all pairs mod 113).
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise InputError(f"n must be an integer >= 2, got {n!r}")
    f = check_real("train_fraction", train_fraction, allow_inf=False)
    if not 0.0 < f < 1.0:
        raise InputError(f"train_fraction must lie in (0, 1), got {train_fraction!r}")
    rng = check_generator("rng", rng)
    k = min(max(int(round(f * n)), 1), n - 1)
    perm = rng.permutation(n)
    return np.sort(perm[:k]), np.sort(perm[k:])


def corrupt_labels(y, p, xi, rng):
    """Replace the labels of a random ``ξ`` fraction of examples by uniformly random *wrong* residues.

    Exactly ``round(ξ n)`` examples are chosen without replacement; each gets ``(y + r) mod p`` with
    ``r`` uniform on ``1..p−1``, i.e. a uniform wrong label.

    Parameters
    ----------
    y : array_like of int
        Clean labels in ``0..p−1`` (1-d).
    p : int
        Number of classes (≥ 2).
    xi : float
        Corruption fraction in ``[0, 1]``.
    rng : numpy.random.Generator
        Source of the choice and of the new labels.

    Returns
    -------
    y_corrupt : numpy.ndarray
        The labels after corruption.
    corrupted : numpy.ndarray of bool
        Which examples were corrupted (``y_corrupt != y`` exactly there).

    References
    ----------
    D. Doshi, A. Das, T. He, A. Gromov, "To grok or not to grok: Disentangling generalization and memorization on
    corrupted algorithmic datasets", ICLR 2024, arXiv 2310.13061, Sec. 2 (label corruption fraction ξ).
    """
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or p < 2:
        raise InputError(f"p must be an integer >= 2, got {p!r}")
    y = np.asarray(y)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer) or (y.size and (y.min() < 0 or y.max() >= p)):
        raise InputError(f"y must be a 1-d integer array with values in 0..{p - 1}")
    x = check_real("xi", xi, allow_inf=False)
    if not 0.0 <= x <= 1.0:
        raise InputError(f"xi must lie in [0, 1], got {xi!r}")
    rng = check_generator("rng", rng)
    k = int(round(x * y.size))
    mask = np.zeros(y.size, bool)
    mask[rng.choice(y.size, size=k, replace=False)] = True
    out = y.copy()
    out[mask] = (y[mask] + rng.integers(1, p, size=k)) % p
    return out, mask
