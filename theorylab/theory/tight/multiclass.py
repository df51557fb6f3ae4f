"""The tight transform of multi-class max, sum and constrained losses: a joint search over (p, h).

No closed-form inner infimum is known for these losses, so the scores are searched with p:
:func:`forced_scores` parametrises scores predicting class 0, and :func:`multiclass_tight_transform` runs
structured and random (p, h) candidates, then multistart Nelder–Mead. It is the ``"joint"`` search that
:func:`~theorylab.theory.tight.search.tight_transform` dispatches to.

A loss without a closed-form C* (``has_closed_best_risk`` False: the sum/max losses of most Φ, user losses
:func:`~theorylab.losses.callable_loss.multiclass_loss`) takes a nested route instead (:func:`nested_tight_transform`):
for each candidate p both inner infima, over the scores predicting class 0 and over all scores, are computed
by :func:`~theorylab.losses.callable_risks.minimize_conditional_risk` (probes for an infimum at infinity,
warm-started L-BFGS-B), and the outer infimum over p is a grid plus bounded Brent (n = 3, where p has one free
coordinate) or Nelder–Mead (n ≥ 4). The scores keep a free common shift unless the loss is constrained or is
found shift invariant on random points (so losses such as one-versus-all or squared losses are searched over
all of ℝⁿ).

References: Awasthi, Mao, Mohri, Zhong, "Multi-Class H-Consistency Bounds", NeurIPS 2022; Mao, Mohri, Zhong,
"H-Consistency Bounds: Characterization and Extensions", NeurIPS 2023.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import minimize, minimize_scalar

from ..._parallel import numba_threads_for, single_blas_thread
from ..._validation import InputError, check_generator, check_integer, real_namespace
from ...losses.base import Loss
from ...losses.callable_risks import minimize_conditional_risk
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
        Number of random candidates (≥ 0; at most 16 on the nested route, used for n ≥ 4 only).
    n_refine : int, default 4
        Number of best candidates refined by Nelder–Mead (≥ 1; at most 2 on the nested route).

    Returns
    -------
    value : float
        Upper estimate of T(t).
    witness : dict
        ``p``, ``h`` and ``tie`` (classes tied with class 0), as :func:`tight_transform` (the nested route adds
        ``h_star``, scores attaining C*(p)).

    Raises
    ------
    InputError
        For a non-multiclass loss or invalid n, t, rng, n_random, n_refine; on the nested route, for a loss
        whose conditional risk is unbounded below.

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
    if not loss.has_closed_best_risk:
        return _nested(loss, t, n, rng, min(n_random, 16), min(n_refine, 2))
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
        raise InputError(f"loss={loss!r} is not allowed; a multiclass loss object (from_margin(kind, phi), "
                         "multiclass_loss(fn), CompSumLoss(tau)) is")


# ------------------------------------------------------------------ losses without a closed-form C*


def shift_invariant(loss, n, rng=None):
    """Whether C(h + c·1, p) = C(h, p) on random (p, h, c) (relative 10⁻¹², three points; True for constrained).

    Parameters
    ----------
    loss : Loss
        A multi-class loss.
    n : int
        Number of classes ≥ 2.
    rng : numpy.random.Generator, optional
        The random points (``default_rng(0)`` when None).

    Returns
    -------
    bool
        The numerical verdict (a loss of the scores' differences only, such as every comp-sum, sum or max loss,
        is shift invariant; one-versus-all and squared losses are not).

    Raises
    ------
    InputError
        For a non-multiclass loss, an invalid n or rng.

    References
    ----------
    A. Tewari, P. L. Bartlett, "On the Consistency of Multiclass Classification Methods", J. Mach. Learn. Res. 8,
    2007 (losses of score differences; the sum-to-zero normalisation).
    """
    _check_multiclass(loss)
    n = check_n(n)
    rng = check_generator("rng", rng, optional=True)
    if loss.constrained:
        return True
    rng = np.random.default_rng(0) if rng is None else rng
    P = rng.dirichlet(np.ones(n), 3)
    H = rng.normal(0.0, 1.0, (3, n))
    with np.errstate(all="ignore"):
        c0 = np.asarray(loss.conditional_risk_rows(P, H), dtype=np.float64)
        c1 = np.asarray(loss.conditional_risk_rows(P, H + np.array([[1.7], [-2.3], [0.6]])), dtype=np.float64)
    return bool(np.all(np.isfinite(c0)) and np.all(np.abs(c1 - c0) <= 1e-12 * (1.0 + np.abs(c0))))


def nested_tight_transform(loss, t, n, *, rng=None, n_random=16, n_refine=2):
    """T(t) for a loss without a closed-form C*: numerical inner infima per p, an outer search over p.

    T(t) = inf_p [A(p) − C*(p)], p = (m − t, m, r_2, …) (class 1 most likely), A(p) = inf {C(h, p) : h_0 = max h},
    C*(p) = inf_h C(h, p), both by :func:`~theorylab.losses.callable_risks.minimize_conditional_risk`
    (probes, L-BFGS-B warm-started from the previous p's minimisers; C*(p) ≤ A(p) enforced). Outer search:
    n = 2 (and t = 1) the one p; n = 3 a 9-point grid in m (inner points jittered by ±1/32 of the range: runs with
    other rngs differ) then bounded Brent (x-tolerance 10⁻⁵) around the ``n_refine`` best local minima of the grid;
    n ≥ 4 the structured candidates (9 values of m) and ``n_random`` random p, then Nelder–Mead (at most 60(n − 1)
    evaluations) from the ``n_refine`` best. Every term is an upper estimate except C*, which a local search
    can only overestimate: the value is an estimate of T(t), an upper one when both inner searches reach their
    infima.

    Parameters
    ----------
    loss : Loss
        A multi-class loss (its ``conditional_risk_rows`` and ``constrained`` are used).
    t : float
        0-1 regret t ∈ [0, 1].
    n : int
        Number of classes ≥ 2.
    rng : numpy.random.Generator, optional
        Random candidates (``default_rng(0)`` when None).
    n_random : int, default 16
        Random p candidates (n ≥ 4).
    n_refine : int, default 2
        Candidates refined (≥ 1).

    Returns
    -------
    value : float
        The estimate of T(t).
    witness : dict
        ``p``, ``h`` (scores predicting class 0 attaining A(p)), ``tie`` (classes tied with class 0) and
        ``h_star`` (scores attaining C*(p)).

    Raises
    ------
    InputError
        For a non-multiclass loss, invalid arguments, or a conditional risk unbounded below.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds: Characterization and Extensions", NeurIPS 2023 (the error
    transformation); A. Tewari, P. L. Bartlett, "On the Consistency of Multiclass Classification Methods", J.
    Mach. Learn. Res. 8, 2007 (inf over scores predicting a given class); R. P. Brent, "Algorithms for
    Minimization without Derivatives", Prentice-Hall, 1973 (ch. 5, the bounded scalar search).
    """
    _check_multiclass(loss)
    n = check_n(n)
    t = _check_t(t)
    rng = check_generator("rng", rng, optional=True)
    n_random = check_integer("n_random", n_random, minimum=0)
    n_refine = check_integer("n_refine", n_refine)
    return _nested(loss, t, n, np.random.default_rng(0) if rng is None else rng, n_random, n_refine)


def _nested(loss, t, n, rng, n_random, n_refine):
    """:func:`nested_tight_transform` on checked arguments (BLAS on one thread: the inner problems are tiny)."""
    with single_blas_thread():
        return _nested_search(loss, t, n, rng, n_random, n_refine)


def _nested_search(loss, t, n, rng, n_random, n_refine):
    if t == 0.0:
        return 0.0, {"p": np.full(n, 1.0 / n), "h": np.zeros(n), "tie": list(range(n)), "h_star": np.zeros(n)}
    risk = loss.conditional_risk_rows
    kw = {"constrained": loss.constrained, "shift_invariant": shift_invariant(loss, n, rng), "n_random": 0,
          "polish": False}
    warm = {"a": None, "c": None}
    best = {"v": np.inf}
    buf = np.empty(n)

    def regret(p):
        a, ha = minimize_conditional_risk(risk, p, predicted=0, starts=[warm["a"]], max_local=2, **kw)
        c, hc = minimize_conditional_risk(risk, p, starts=[ha, warm["c"]], max_local=3, **kw)
        if a == -np.inf or c == -np.inf:
            raise InputError(f"loss {loss.name!r} has a conditional risk unbounded below at p={np.round(p, 4).tolist()}"
                             "; its tight transform is undefined (use a loss bounded below)")
        if c > a:
            c, hc = a, ha
        warm["a"], warm["c"] = ha, hc
        v = a - c if np.isfinite(a) else np.inf
        if v < best["v"]:
            best.update(v=v, p=p.copy(), h=ha, h_star=hc)
        return v

    def at(x):
        _map_to_p(np.asarray(x, dtype=np.float64), t, n, buf)
        return regret(buf.copy())

    lo, hi = max(t, (1.0 + t) / n), (1.0 + t) / 2.0
    if n == 2 or (hi - lo <= 1e-15 and 1.0 + t - 2.0 * hi <= 1e-15):  # one p: n = 2, or t = 1 (p = e_1)
        at(np.zeros(n - 1))
    elif n == 3:
        us = np.linspace(0.0, 1.0, 9)
        us[1:-1] += rng.uniform(-1.0 / 32, 1.0 / 32, 7)  # a jittered grid: independent runs differ
        vals = np.array([at(np.array([u, 1.0])) for u in us])
        done = []
        for j in np.argsort(vals, kind="stable"):
            if len(done) == n_refine:
                break
            if any(abs(j - i) <= 1 for i in done):  # its bracket overlaps a refined one
                continue
            done.append(j)
            lo, hi = us[max(j - 1, 0)], us[min(j + 1, len(us) - 1)]
            minimize_scalar(lambda u: at(np.array([u, 1.0])), bounds=(lo, hi), method="bounded",
                            options={"xatol": 1e-5, "maxiter": 40})
    else:
        P = _structured_candidates(t, n, n_m=9)
        if n_random > 0:
            X = np.empty((n_random, n - 1))
            X[:, 0] = rng.uniform(0.0, 1.0, n_random)
            X[:, 1:] = rng.exponential(1.0, (n_random, n - 2)) ** rng.uniform(0.3, 4.0, (n_random, 1))
            PR = np.empty((n_random, n))
            with numba_threads_for(n_random):
                _map_rows(X, t, n, PR)
            P = np.concatenate([P, PR])
        vals = np.array([regret(p) for p in P])
        for j in np.argsort(vals)[:n_refine]:
            p0 = P[j]
            x0 = np.concatenate([[0.0 if hi == lo else (p0[1] - lo) / (hi - lo)], p0[2:] + 1e-9])
            minimize(at, x0, method="Nelder-Mead", options={"xatol": 1e-8, "fatol": 1e-13, "maxfev": 60 * (n - 1)})
    v, h = best["v"], best["h"]
    tie = [0] + [j for j in range(1, n) if h[0] - h[j] <= 1e-9 * max(1.0, abs(h[0]))]
    v = max(v, 0.0) if v > -1e-12 else v
    return float(v), {"p": best["p"], "h": h, "tie": tie, "h_star": best["h_star"]}


__all__ = ["multiclass_tight_transform", "forced_scores", "nested_tight_transform", "shift_invariant"]
