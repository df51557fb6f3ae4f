"""Random fully connected ReLU networks at initialisation: kernel recursion, criticality, finite-width kurtosis.

Setting (Roberts, Yaida, Hanin 2022, ch. 4-5): ``z¹ = W¹x``, ``z^{ℓ+1} = W^{ℓ+1} σ(z^ℓ) + b^{ℓ+1}`` with
``W_ij ~ N(0, C_W/n_ℓ)``, ``b ~ N(0, C_b)``, ``σ = ReLU``. Conditional on layer ℓ the units of ``z^{ℓ+1}`` are
i.i.d. ``N(0, Ĝ_{ℓ+1})`` with ``Ĝ_{ℓ+1} = C_b + (C_W/n_ℓ) Σ_j σ(z^ℓ_j)²``. At criticality (C_W = 2, C_b = 0)
``Ĝ_{ℓ+1} = Ĝ_ℓ · (2/n) χ²_N`` with ``N ~ Bin(n, 1/2)`` independent of the past, a product of independent
scaled chi-square factors; hence ``E[Ĝ_{ℓ+1}² | Ĝ_ℓ] = Ĝ_ℓ² (1 + 5/n)`` and the exact excess kurtosis
``κ_ℓ = 3[(1 + 5/n)^{ℓ-1} − 1]``.
"""
from __future__ import annotations

import numpy as np
from scipy.stats import binom

from ..._validation import InputError

__all__ = ["relu_kernel_recursion", "relu_kurtosis", "relu_kurtosis_leading", "relu_gain_second_moment",
           "simulate_relu_networks"]

def _posint(name, v):
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
        raise InputError(f"{name} must be a positive integer, got {v!r}")
    return int(v)


def _nonneg(name, v, positive=False):
    try:
        f = float(v)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a finite number, got {v!r}") from None
    if not np.isfinite(f) or f < 0 or (positive and f == 0):
        raise InputError(f"{name} must be a finite {'positive' if positive else 'non-negative'} number, got {v!r}")
    return f


def relu_kernel_recursion(k1, depth, c_w=2.0, c_b=0.0):
    """Single-input ReLU kernel ``K^ℓ = E[(z^ℓ_i)²]`` for ℓ = 1..depth (infinite width, and exact at any width).

    ``K^{ℓ+1} = C_b + C_W E[σ(z)²] = C_b + C_W K^ℓ / 2`` for ``z ~ N(0, K^ℓ)``; since ``E[Ĝ_{ℓ+1} | Ĝ_ℓ]`` is
    affine in ``Ĝ_ℓ`` the recursion holds for the mean at every width. At C_b = 0: ``K^ℓ = K¹ (C_W/2)^{ℓ−1}``.

    Parameters
    ----------
    k1 : float
        First-layer kernel ``K¹ = C_W^{(1)} |x|²/n_0`` (non-negative).
    depth : int
        Number of layers (≥ 1).
    c_w : float
        Weight variance ``C_W`` (positive).
    c_b : float
        Bias variance ``C_b`` (non-negative).

    Returns
    -------
    numpy.ndarray
        Shape ``(depth,)``: ``K¹, …, K^depth``.

    References
    ----------
    D. A. Roberts, S. Yaida, B. Hanin, "The Principles of Deep Learning Theory", Cambridge UP 2022,
    arXiv 2106.10165, ch. 4 (eq. 4.1 and the kernel recursion) and ch. 5 (criticality, ReLU four-point vertex).
    """
    k = _nonneg("k1", k1)
    depth = _posint("depth", depth)
    c_w = _nonneg("c_w", c_w, positive=True)
    c_b = _nonneg("c_b", c_b)
    out = np.empty(depth)
    out[0] = k
    for ell in range(1, depth):
        out[ell] = c_b + 0.5 * c_w * out[ell - 1]
    return out


def relu_gain_second_moment(width):
    """Exact ``E[g²]`` of the critical ReLU layer gain ``g = Ĝ_{ℓ+1}/Ĝ_ℓ = (2/n) χ²_N``, ``N ~ Bin(n, 1/2)``.

    Computed by summation over the binomial law, ``Σ_k P(N=k) (4/n²)(k² + 2k)`` (``E[(χ²_k)²] = k² + 2k``),
    which equals ``1 + 5/n``.

    Parameters
    ----------
    width : int
        Layer width ``n`` (≥ 1).

    Returns
    -------
    float
        ``E[g²]``.

    References
    ----------
    D. A. Roberts, S. Yaida, B. Hanin, "The Principles of Deep Learning Theory", Cambridge UP 2022,
    arXiv 2106.10165, ch. 4 (eq. 4.1 and the kernel recursion) and ch. 5 (criticality, ReLU four-point vertex).
    """
    n = _posint("width", width)
    k = np.arange(n + 1, dtype=float)
    return float(np.sum(binom.pmf(k, n, 0.5) * 4.0 * (k * k + 2 * k)) / (n * n))


def relu_kurtosis(depth, width):
    """Exact finite-width excess kurtosis of one preactivation at layer ``depth`` of a critical ReLU network.

    ``κ_ℓ = E[z⁴]/E[z²]² − 3 = 3(E[Ĝ_ℓ²]/E[Ĝ_ℓ]² − 1) = 3[(1 + 5/n)^{ℓ−1} − 1]`` for C_W = 2, C_b = 0 and equal
    hidden widths n (depth 1 is ``W¹x``: Gaussian, κ = 0). Leading order ``15(ℓ−1)/n`` (normalised four-point
    vertex ``V/K² = 5(ℓ−1)``, RYH ch. 5).

    Parameters
    ----------
    depth : int
        Layer ℓ ≥ 1.
    width : int
        Hidden width n ≥ 1.

    Returns
    -------
    float
        ``κ_ℓ``.

    References
    ----------
    D. A. Roberts, S. Yaida, B. Hanin, "The Principles of Deep Learning Theory", Cambridge UP 2022,
    arXiv 2106.10165, ch. 4 (eq. 4.1 and the kernel recursion) and ch. 5 (criticality, ReLU four-point vertex).
    """
    depth = _posint("depth", depth)
    n = _posint("width", width)
    return float(3.0 * np.expm1((depth - 1) * np.log1p(5.0 / n)))


def relu_kurtosis_leading(depth, width):
    """Leading-order (1/n) excess kurtosis ``15(ℓ − 1)/n`` of a critical ReLU preactivation.

    Parameters
    ----------
    depth : int
        Layer ℓ ≥ 1.
    width : int
        Hidden width n ≥ 1.

    Returns
    -------
    float
        ``15(ℓ−1)/n``.

    References
    ----------
    D. A. Roberts, S. Yaida, B. Hanin, "The Principles of Deep Learning Theory", Cambridge UP 2022,
    arXiv 2106.10165, ch. 4 (eq. 4.1 and the kernel recursion) and ch. 5 (criticality, ReLU four-point vertex).
    """
    return 15.0 * (_posint("depth", depth) - 1) / _posint("width", width)


def simulate_relu_networks(x, depth, width, n_nets, rng, c_w=2.0, c_b=0.0):
    """Monte Carlo over independent random ReLU networks: the conditional variances ``Ĝ_ℓ`` at every layer.

    Draws full weight matrices ``W^ℓ ~ N(0, C_W/n_{ℓ−1})`` and biases for ``n_nets`` networks (vectorised) and
    returns ``Ĝ_1 = C_b + C_W|x|²/n_0`` and ``Ĝ_{ℓ+1} = C_b + (C_W/n_ℓ) Σ_j σ(z^ℓ_j)²`` computed from the simulated
    preactivations; ``E[z^ℓ²] = E[Ĝ_ℓ]`` and ``E[z^ℓ⁴] = 3E[Ĝ_ℓ²]`` exactly.

    Parameters
    ----------
    x : array_like
        Input, shape ``(n_0,)``, non-zero.
    depth : int
        Number of layers ≥ 1.
    width : int or sequence of int
        Hidden width(s) ``n_1..n_{depth−1}`` (an int: all equal).
    n_nets : int
        Number of independent networks ≥ 1.
    rng : numpy.random.Generator
        Random stream.
    c_w : float
        Weight variance ``C_W`` > 0.
    c_b : float
        Bias variance ``C_b`` ≥ 0.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_nets, depth)``: ``Ĝ_ℓ`` per network and layer.

    References
    ----------
    D. A. Roberts, S. Yaida, B. Hanin, "The Principles of Deep Learning Theory", Cambridge UP 2022,
    arXiv 2106.10165, ch. 4 (eq. 4.1 and the kernel recursion) and ch. 5 (criticality, ReLU four-point vertex).
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 1 or x.size == 0 or not np.all(np.isfinite(x)) or not np.any(x):
        raise InputError("x must be a finite non-zero 1-d array")
    depth = _posint("depth", depth)
    widths = [_posint("width", width)] * (depth - 1) if np.ndim(width) == 0 else [_posint("width", w) for w in width]
    if len(widths) != depth - 1:
        raise InputError(f"width must be an int or a sequence of depth-1 = {depth - 1} ints")
    n_nets = _posint("n_nets", n_nets)
    if not isinstance(rng, np.random.Generator):
        raise InputError("rng must be a numpy.random.Generator")
    c_w = _nonneg("c_w", c_w, positive=True)
    c_b = _nonneg("c_b", c_b)
    out = np.empty((n_nets, depth))
    n0 = x.size
    w1 = rng.standard_normal((n_nets, widths[0] if widths else 1, n0)) * np.sqrt(c_w / n0)
    z = w1 @ x
    if c_b:
        z = z + rng.standard_normal(z.shape) * np.sqrt(c_b)
    out[:, 0] = c_b + c_w * (x @ x) / n0
    for ell in range(1, depth):
        h = np.maximum(z, 0.0)
        n_prev = h.shape[1]
        out[:, ell] = c_b + c_w * np.einsum("ij,ij->i", h, h) / n_prev
        if ell < depth - 1:
            w = rng.standard_normal((n_nets, widths[ell], n_prev)) * np.sqrt(c_w / n_prev)
            z = np.einsum("bij,bj->bi", w, h)
            if c_b:
                z = z + rng.standard_normal(z.shape) * np.sqrt(c_b)
    return out
