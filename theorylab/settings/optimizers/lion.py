"""Lion with decoupled weight decay (Chen, Liu, Liang, Liu, ICLR 2024, arXiv:2310.05898).

Update (standard Lion form, Chen et al. 2024, Alg. 1):
``c_t = β1 m_{t-1} + (1-β1) g_t``, ``x_{t+1} = x_t − η (sign(c_t) + λ x_t)``,
``m_t = β2 m_{t-1} + (1-β2) g_t``, ``m_{-1} = 0``. If ``ηλ ≤ 1`` the box ``‖x‖∞ ≤ 1/λ`` is invariant.
"""
from __future__ import annotations

import numpy as np

from ..._validation import InputError

__all__ = ["lion"]


def lion(grad_fn, x0, lr, weight_decay, n_steps, betas=(0.9, 0.99)):
    r"""Run Lion with decoupled weight decay and return all iterates.

    Implements ``c_t = β1 m_{t-1} + (1-β1) g_t``, ``x_{t+1} = x_t − η(sign(c_t) + λ x_t)``,
    ``m_t = β2 m_{t-1} + (1-β2) g_t`` with ``g_t = ∇f(x_t)`` and ``m_{-1} = 0``
    (Chen, Liu, Liang, Liu 2024, "Lion Secretly Solves Constrained Optimization", Alg. 1 / Eq. (2)).

    Parameters
    ----------
    grad_fn : callable
        Gradient ``x -> ∇f(x)``, returning an array of the same shape as ``x``.
    x0 : array_like
        Initial point, a 1-D array of length d.
    lr : float
        Step size η > 0.
    weight_decay : float
        Decoupled weight-decay coefficient λ ≥ 0 (the box radius is 1/λ).
    n_steps : int
        Number of steps, ≥ 0.
    betas : tuple of float
        Momentum parameters (β1, β2), each in [0, 1].

    Returns
    -------
    numpy.ndarray
        Iterates ``x_0, …, x_{n_steps}``, shape (n_steps + 1, d).

    References
    ----------
    L. Chen, B. Liu, K. Liang, Q. Liu, "Lion Secretly Solves Constrained Optimization: As Lyapunov
    Predicts", ICLR 2024, arXiv:2310.05898, Algorithm 1 (Lion-K with K = ℓ1 norm, sign update).
    """
    if not callable(grad_fn):
        raise InputError("grad_fn must be callable")
    x = np.asarray(x0, dtype=float)
    if x.ndim != 1 or x.size == 0 or not np.all(np.isfinite(x)):
        raise InputError("x0 must be a non-empty finite 1-D array")
    try:
        lr = float(lr)
        weight_decay = float(weight_decay)
    except (TypeError, ValueError):
        raise InputError("lr and weight_decay must be numbers") from None
    if not (np.isfinite(lr) and lr > 0):
        raise InputError(f"lr must be a positive finite number, got {lr!r}")
    if not (np.isfinite(weight_decay) and weight_decay >= 0):
        raise InputError(f"weight_decay must be a finite number >= 0, got {weight_decay!r}")
    if isinstance(n_steps, bool) or not isinstance(n_steps, (int, np.integer)) or n_steps < 0:
        raise InputError(f"n_steps must be an integer >= 0, got {n_steps!r}")
    try:
        b1, b2 = (float(b) for b in betas)
    except (TypeError, ValueError):
        raise InputError("betas must be a pair of numbers in [0, 1]") from None
    if not (0 <= b1 <= 1 and 0 <= b2 <= 1):
        raise InputError(f"betas must lie in [0, 1], got {betas!r}")
    out = np.empty((int(n_steps) + 1, x.size))
    out[0] = x
    m = np.zeros_like(x)
    for t in range(int(n_steps)):
        g = np.asarray(grad_fn(x), dtype=float)
        if g.shape != x.shape:
            raise InputError(f"grad_fn must return shape {x.shape}, got {g.shape}")
        c = b1 * m + (1 - b1) * g
        x = x - lr * (np.sign(c) + weight_decay * x)
        m = b2 * m + (1 - b2) * g
        out[t + 1] = x
    return out
