"""The tight transform of multi-class max, sum and constrained losses: a joint search over (p, h).

No closed-form inner infimum is known for these losses, so the scores are searched with p:
:func:`forced_scores` parametrises scores predicting class 0, and :func:`multiclass_tight_transform` runs
structured and random (p, h) candidates, then multistart Nelder–Mead. It is the ``"joint"`` search that
:func:`~theorylab.theory.tight.search.tight_transform` dispatches to.

References: Awasthi, Mao, Mohri, Zhong, "Multi-Class H-Consistency Bounds", NeurIPS 2022; Mao, Mohri, Zhong,
"H-Consistency Bounds: Characterization and Extensions", NeurIPS 2023.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from ..._validation import InputError, check_generator, check_integer, real_namespace
from ...losses.base import Loss
from ...losses.compsum import check_n
from .candidates import _check_t, _structured_candidates
from .kernels import map_rows as _map_rows
from .kernels import map_to_p as _map_to_p


def forced_scores(loss, D):
    """Scores predicting class 0 from free coordinates d ∈ ℝ^{n−1} (vectorised over leading axes).

    h_j = h_0 − d_j² (so h_0 = max h; d_j = 0 is a tie), with h_0 = 0 (max/sum losses, shift invariant) or
    h_0 = Σ_j d_j²/n (constrained losses: Σ_y h_y = 0).

    Parameters
    ----------
    loss : Loss
        A multi-class loss (its ``constrained`` decides the constraint).
    D : array (..., n − 1)
        Free coordinates.

    Returns
    -------
    ndarray (..., n)
        The scores.

    Raises
    ------
    InputError
        When loss is not a multi-class Loss or D is not real with a non-empty last axis.

    References
    ----------
    P. Awasthi, A. Mao, M. Mohri, Y. Zhong, "Multi-Class H-Consistency Bounds", NeurIPS 2022.
    """
    _check_multiclass(loss)
    _, (D,) = real_namespace(D=D)
    D = np.asarray(D, dtype=np.float64)
    if D.ndim < 1 or D.shape[-1] < 1:
        raise InputError(f"D has shape {D.shape}; free coordinates (..., n - 1) with n >= 2 are allowed")
    sq = D * D
    h0 = sq.sum(-1, keepdims=True) / (sq.shape[-1] + 1) if loss.constrained else np.zeros(sq.shape[:-1] + (1,))
    return np.concatenate([h0, h0 - sq], axis=-1)


def _multiclass_candidates(t, n, rng, n_random):
    """Joint (p, d) candidates: structured and random p (as for comp-sum), each with a random tie pattern
    (class 0 tied with the k−1 most likely other classes, d = 0 there) and random d elsewhere on
    log-uniform scales 10^{−2..1}."""
    P = _structured_candidates(t, n)
    if n > 2 and n_random > 0:
        X = np.empty((n_random, n - 1))
        X[:, 0] = rng.uniform(0.0, 1.0, n_random)
        X[:, 1:] = rng.exponential(1.0, (n_random, n - 2)) ** rng.uniform(0.3, 4.0, (n_random, 1))
        PR = np.empty((n_random, n))
        _map_rows(X, t, n, PR)
        P = np.concatenate([P, PR])
    reps = max(1, (n_random or 200) // max(len(P), 1)) if n == 2 else 4
    P = np.repeat(P, reps, axis=0)
    N = len(P)
    D = rng.exponential(1.0, (N, n - 1)) * 10.0 ** rng.uniform(-2, 1, (N, 1))
    k = rng.integers(1, n + 1, N)  # tie-set size (class 0 included)
    rank = np.argsort(np.argsort(-P[:, 1:], axis=1), axis=1)  # 0 = most likely of classes 1..n−1
    D[rank < (k - 1)[:, None]] = 0.0
    return P, D


def multiclass_tight_transform(loss, t, n, *, rng=None, n_random=2000, n_refine=4):
    """Brute-force tight transform of a multi-class max/sum/constrained loss.

    T(t) = inf { C(h, p) − C*(p) : p = (m − t, m, r_2, …), r_j ≤ m, h_0 = max h } (class 0 predicted,
    class 1 most likely; constrained losses: Σh = 0). Joint search over (p, h) with h from
    :func:`forced_scores`: structured + random candidates evaluated in one vectorised pass, then multistart
    Nelder–Mead in the joint coordinates from the ``n_refine`` best. C*(p) is the loss's closed form
    (:meth:`MulticlassLoss.best_conditional_risk`); for losses without one it is a multistart minimisation
    per candidate (slow; few candidates). The value is an upper estimate of T(t).

    Parameters
    ----------
    loss : Loss
        A multi-class loss (a :class:`~theorylab.losses.base.Loss` that is not a margin loss): the search uses
        only its protocol methods ``conditional_risk_rows``, ``best_conditional_risk_rows``,
        ``has_closed_best_risk`` and ``constrained``.
    t : float
        0-1 regret t ∈ [0, 1].
    n : int
        Number of classes ≥ 2.
    rng : numpy.random.Generator, optional
        Random candidates (``default_rng(0)`` when None).
    n_random : int, default 2000
        Number of random candidates (≥ 0; at most 50 without a closed-form C*).
    n_refine : int, default 4
        Number of best candidates refined by Nelder–Mead (≥ 1).

    Returns
    -------
    value : float
        Upper estimate of T(t).
    witness : dict
        ``p``, ``h`` and ``tie`` (classes tied with class 0), as :func:`tight_transform`.

    Raises
    ------
    InputError
        For a non-multiclass loss or invalid n, t, rng, n_random, n_refine.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds: Characterization and Extensions", NeurIPS 2023 (tight bounds
    for constrained losses, the error transformation); P. Awasthi, A. Mao, M. Mohri, Y. Zhong, "Multi-Class
    H-Consistency Bounds", NeurIPS 2022 (max and sum losses).
    """
    _check_multiclass(loss)
    n = check_n(n)
    t = _check_t(t)
    rng = check_generator("rng", rng, optional=True)
    n_random = check_integer("n_random", n_random, minimum=0)
    n_refine = check_integer("n_refine", n_refine)
    rng = np.random.default_rng(0) if rng is None else rng
    if t == 0.0:
        return 0.0, {"p": np.full(n, 1.0 / n), "h": np.zeros(n), "tie": list(range(n))}
    closed = loss.has_closed_best_risk
    if not closed:
        n_random = min(n_random, 50)
    P, D = _multiclass_candidates(t, n, rng, n_random if n > 2 else 0)
    with np.errstate(over="ignore", invalid="ignore"):
        vals = loss.conditional_risk_rows(P, forced_scores(loss, D)) - loss.best_conditional_risk_rows(P)
    vals = np.where(np.isnan(vals), np.inf, vals)
    buf = np.empty(n)
    h = np.empty(n)

    def f(z):
        _map_to_p(z[: n - 1], t, n, buf)
        sq = z[n - 1:] ** 2
        h[0] = sq.sum() / n if loss.constrained else 0.0
        h[1:] = h[0] - sq
        with np.errstate(over="ignore", invalid="ignore"):
            v = float(loss.conditional_risk_rows(buf, h) - loss.best_conditional_risk_rows(buf))
        return v if v == v else np.inf

    best_v, best_z = np.inf, None
    for j in np.argsort(vals)[:n_refine]:
        p0 = P[j]
        lo, hi = max(t, (1.0 + t) / n), (1.0 + t) / 2.0
        z = np.concatenate([[0.0 if hi == lo else (p0[1] - lo) / (hi - lo)], p0[2:] + 1e-9, D[j]])
        fz = f(z)
        for _ in range(3):  # Nelder–Mead restarts from its own optimum (fresh simplex)
            r = minimize(f, z, method="Nelder-Mead",
                         options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 400 * len(z), "maxfev": 500 * len(z),
                                  "adaptive": len(z) > 4})
            if r.fun >= fz - 1e-15:
                break
            z, fz = r.x, float(r.fun)
        if fz < best_v:
            best_v, best_z = fz, z
    p = np.empty(n)
    _map_to_p(best_z[: n - 1], t, n, p)
    d = best_z[n - 1:]
    h = forced_scores(loss, d)
    tie = [0] + [j + 1 for j in range(n - 1) if d[j] * d[j] < 1e-9]
    return best_v, {"p": p, "h": h, "tie": tie}


def _check_multiclass(loss):
    """A multi-class Loss (not a margin loss), for the joint search."""
    if not isinstance(loss, Loss) or loss.is_margin:
        raise InputError(f"loss={loss!r} is not allowed; a multiclass loss object (multiclass_loss(kind, phi)) is")


__all__ = ["multiclass_tight_transform", "forced_scores"]
