"""LR+GD iterates with a numerically stable sigmoid, the batch perceptron, and separable data."""
from __future__ import annotations

import numpy as np
from scipy.special import expit

from ..._validation import InputError
from ..._validation_scalars import check_integer, check_positive


def _check_ay(A, y):
    A = np.asarray(A, dtype=float)
    y = np.asarray(y, dtype=float)
    if A.ndim != 2 or not np.all(np.isfinite(A)):
        raise InputError(f"A with shape {A.shape} is not allowed; give a finite (n, d) design")
    if y.shape != (A.shape[0],) or not np.all(np.isin(y, (-1.0, 1.0))):
        raise InputError("y is not allowed; give labels in {-1, +1}, one per row of A")
    return A, y


def separable_data(n, d, rng, margin=0.0):
    """Linearly separable data: a_i ~ N(0, I_d), y_i = sign(a_iᵀw*), w* uniform on the sphere.

    Parameters
    ----------
    n : int
        Number of points.
    d : int
        Dimension.
    rng : numpy.random.Generator
        Random stream.
    margin : float, default 0
        Points with |a_iᵀw*| ≤ margin are redrawn (a separating margin).

    Returns
    -------
    A : ndarray (n, d)
        Features.
    y : ndarray (n,)
        Labels in {−1, +1}.
    w_star : ndarray (d,)
        The separating unit vector.

    References
    ----------
    A. Tyurin, arXiv:2412.08424, 2024 (separable setting, Sec. 2).
    """
    n = check_integer("n", n)
    d = check_integer("d", d)
    if not isinstance(rng, np.random.Generator):
        raise InputError(f"rng={rng!r} is not allowed; give a numpy.random.Generator")
    if not (np.isfinite(margin) and margin >= 0):
        raise InputError(f"margin={margin!r} is not allowed; give a finite margin ≥ 0")
    w = rng.standard_normal(d)
    w /= np.linalg.norm(w)
    rows = []
    while sum(len(r) for r in rows) < n:
        a = rng.standard_normal((2 * n, d))
        rows.append(a[np.abs(a @ w) > margin])
    A = np.concatenate(rows)[:n]
    return A, np.sign(A @ w), w


def logistic_gd_rescaled(A, y, gamma, n_steps):
    """Rescaled LR+GD iterates v_t = w_t/γ for w_{t+1} = w_t + (γ/n) Σ_i y_i a_i σ(−y_i a_iᵀw_t), w_0 = 0.

    Iterated as v_{t+1} = v_t + (1/n) Σ_i y_i a_i σ(−γ y_i a_iᵀ v_t) with σ = scipy.special.expit (no overflow
    for any γ).

    Parameters
    ----------
    A : array (n, d)
        Features a_i.
    y : array (n,)
        Labels in {−1, +1}.
    gamma : float
        Step size γ > 0.
    n_steps : int
        Number of steps T.

    Returns
    -------
    ndarray (T + 1, d)
        v_0, …, v_T (multiply by γ for w_t).

    References
    ----------
    A. Tyurin, arXiv:2412.08424, 2024, LR+GD iteration (eq. (2) there: GD on f(w) = (1/n) Σ log(1 + e^{−y_i a_iᵀw})).
    """
    A, y = _check_ay(A, y)
    gamma = check_positive("gamma", gamma)
    T = check_integer("n_steps", n_steps)
    n = A.shape[0]
    Z = y[:, None] * A
    v = np.zeros((T + 1, A.shape[1]))
    for t in range(T):
        v[t + 1] = v[t] + Z.T @ expit(-gamma * (Z @ v[t])) / n
    return v


def batch_perceptron(A, y, n_steps):
    """Batch perceptron u_{t+1} = u_t + (1/n) Σ_i y_i a_i (1[m_i < 0] + ½·1[m_i = 0]), m_i = y_i a_iᵀu_t, u_0 = 0.

    Parameters
    ----------
    A : array (n, d)
        Features a_i.
    y : array (n,)
        Labels in {−1, +1}.
    n_steps : int
        Number of steps T.

    Returns
    -------
    ndarray (T + 1, d)
        u_0, …, u_T. The ½ at m_i = 0 is σ(0): the γ → ∞ limit of σ(−γ m_i).

    References
    ----------
    A. Tyurin, arXiv:2412.08424, 2024 (LR+GD → batch perceptron as γ → ∞); F. Rosenblatt, Psychol. Rev. 65(6),
    1958 (the perceptron).
    """
    A, y = _check_ay(A, y)
    T = check_integer("n_steps", n_steps)
    n = A.shape[0]
    Z = y[:, None] * A
    u = np.zeros((T + 1, A.shape[1]))
    for t in range(T):
        m = Z @ u[t]
        u[t + 1] = u[t] + Z.T @ ((m < 0) + 0.5 * (m == 0)) / n
    return u


def logistic_loss(A, y, w):
    """Logistic loss f(w) = (1/n) Σ_i log(1 + exp(−y_i a_iᵀw)), computed stably.

    Parameters
    ----------
    A : array (n, d)
        Features.
    y : array (n,)
        Labels in {−1, +1}.
    w : array (d,)
        Weights.

    Returns
    -------
    float
        f(w).

    References
    ----------
    A. Tyurin, arXiv:2412.08424, 2024, eq. (1).
    """
    A, y = _check_ay(A, y)
    w = np.asarray(w, dtype=float)
    if w.shape != (A.shape[1],):
        raise InputError(f"w with shape {w.shape} is not allowed; give a vector of length d = {A.shape[1]}")
    m = y * (A @ w)
    return float(np.mean(np.logaddexp(0.0, -m)))
