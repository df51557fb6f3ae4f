"""Lion with decoupled weight decay (Chen, Liu, Liang, Liu, ICLR 2024, arXiv:2310.05898).

Update (standard Lion form, Chen et al. 2024, Alg. 1):
``c_t = β1 m_{t-1} + (1-β1) g_t``, ``x_{t+1} = x_t − η (sign(c_t) + λ x_t)``,
``m_t = β2 m_{t-1} + (1-β2) g_t``, ``m_{-1} = 0``. If ``ηλ ≤ 1`` the box ``‖x‖∞ ≤ 1/λ`` is invariant.
The step size may follow a schedule ``η_t`` (a callable ``t ↦ η_t`` or an array of length ``n_steps``).
"""
from __future__ import annotations

import numpy as np

from ..._validation import InputError

__all__ = ["lion"]


def lion(grad_fn, x0, lr, weight_decay, n_steps, betas=(0.9, 0.99)):
    r"""Run Lion with decoupled weight decay and return all iterates.

    Implements ``c_t = β1 m_{t-1} + (1-β1) g_t``, ``x_{t+1} = x_t − η_t(sign(c_t) + λ x_t)``,
    ``m_t = β2 m_{t-1} + (1-β2) g_t`` with ``g_t = ∇f(x_t)`` and ``m_{-1} = 0``
    (Chen, Liu, Liang, Liu 2024, "Lion Secretly Solves Constrained Optimization", Alg. 1 / Eq. (2)).
    With a constant ``lr`` every step uses ``η_t = lr``; with a schedule, step ``t`` (``t = 0, …,
    n_steps − 1``, the step from ``x_t`` to ``x_{t+1}``) uses ``η_t``. The box ``‖x‖∞ ≤ 1/λ`` stays
    invariant whenever every ``η_t λ ≤ 1``.

    Parameters
    ----------
    grad_fn : callable
        Gradient ``x -> ∇f(x)``, returning an array of the same shape as ``x``.
    x0 : array_like
        Initial point, a 1-D array of length d.
    lr : float, callable or array_like
        Step size: a number η > 0 (every step), a callable ``t -> η_t`` called once for each
        ``t = 0, …, n_steps − 1`` before the run (e.g. ``lambda t: 1e-2 / (1 + t / 500)``), or a 1-D
        array of length ``n_steps`` holding ``η_0, …, η_{n_steps−1}``. Every η_t must be finite and > 0.
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
        weight_decay = float(weight_decay)
    except (TypeError, ValueError):
        raise InputError("weight_decay must be a number") from None
    if not (np.isfinite(weight_decay) and weight_decay >= 0):
        raise InputError(f"weight_decay must be a finite number >= 0, got {weight_decay!r}")
    if isinstance(n_steps, bool) or not isinstance(n_steps, (int, np.integer)) or n_steps < 0:
        raise InputError(f"n_steps must be an integer >= 0, got {n_steps!r}")
    etas = _step_sizes(lr, int(n_steps))
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
        x = x - etas[t] * (np.sign(c) + weight_decay * x)
        m = b2 * m + (1 - b2) * g
        out[t + 1] = x
    return out


def _step_sizes(lr, n_steps):
    """The step sizes η_0, …, η_{n_steps−1} (a list of floats) from a number, a callable or an array."""
    if isinstance(lr, bool):
        raise InputError(f"lr must be a positive number, a callable t -> η_t or an array of length n_steps, got {lr!r}")
    if callable(lr):
        etas = []
        for t in range(n_steps):
            try:
                e = float(lr(t))
            except (TypeError, ValueError):
                raise InputError(f"lr(t) must return a number, failed at t={t}") from None
            if not (np.isfinite(e) and e > 0):
                raise InputError(f"lr(t) must be a positive finite number, got {e!r} at t={t}")
            etas.append(e)
        return etas
    if np.ndim(lr) == 0:
        try:
            e = float(lr)
        except (TypeError, ValueError):
            raise InputError(f"lr must be a positive number, a callable t -> η_t or an array of length n_steps, "
                             f"got {lr!r}") from None
        if not (np.isfinite(e) and e > 0):
            raise InputError(f"lr must be a positive finite number, got {lr!r}")
        return [e] * n_steps
    try:
        arr = np.asarray(lr, dtype=float)
    except (TypeError, ValueError):
        raise InputError("lr as an array must hold numbers") from None
    if arr.ndim != 1 or arr.size != n_steps:
        raise InputError(f"lr as an array must be 1-D of length n_steps={n_steps}, got shape {arr.shape}")
    if not np.all(np.isfinite(arr) & (arr > 0)):
        raise InputError("lr as an array must hold positive finite step sizes")
    return arr.tolist()
