"""The tight error transformation T^true(t) of any Loss: the structured comp-sum search (protocol E3 of the
claim notes), the generic joint search for multi-class losses, the margin search for n = 2.

T(t) = inf { C_τ(h, p) − C*_τ(p) : p ∈ Δ_n, h a score vector predicting a class whose 0-1 conditional
regret max_y p_y − p_pred equals t } over h ∈ ℝⁿ (complete) or h ∈ [−Λ, Λ]ⁿ (box); definition of the error
transformation in Mao, Mohri, Zhong, "H-Consistency Bounds: Characterization and Extensions" (NeurIPS 2023)
as reconstructed in ``shared/claims/surrogate-losses.md`` §1 and E3.

Structured reduction (each step is provably valid):

1. Permutation symmetry: class 0 is predicted, class 1 is the most likely: p = (m − t, m, r_2, …, r_{n−1}),
   r_j ≤ m, Σ p = 1, m ∈ [max(t, (1+t)/n), (1+t)/2].
2. For fixed p the inner infimum over h with h_0 = max h is solved in closed form:
   * τ < 2: Σ p_j Ψ_τ(s_j) is convex in s = softmax(h) and the image of ℝⁿ (or of the box, the polytope
     {s : s_i ≤ e^{2Λ} s_j}) is convex, so the KKT conditions with the constraints s_0 ≥ s_j give a
     pooled solution: the tie set S = {0} ∪ {top k−1 classes}, p̄ = p averaged over S, value C*(p̄)
     (over all k whose pooled vector keeps class 0 maximal).
   * τ ≥ 2: Ψ_τ is concave, the optimum is a vertex: s uniform on S ∋ 0 (box: S at Λ, the rest at −Λ).
3. The outer infimum over p (n − 2 free coordinates) is a global search: structured candidates (edges of
   the p-polytope), random candidates (evaluated in one numba-parallel pass, or, with ``xp=``, in one batched
   array program on any array-API namespace and device), then Nelder–Mead refinement of the best few (SciPy,
   on the host in float64). The result is an upper estimate of T(t) that is exact for n = 2 and, for τ ≥ 2, at
   polytope vertices.

The candidate stage (row maps, the closed-form inner infimum per row: the numba kernels and the array-API
reference :func:`map_rows_xp`, :func:`regret_rows_xp`, :func:`candidate_regrets`) is in :mod:`.candidates`,
the joint search for multi-class losses in :mod:`.multiclass`, the witness checks in :mod:`.witness`; this
module keeps the comp-sum search, the dispatch by the loss's ``tight_search`` and re-exports the names that
moved (their old import path).
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from ..._parallel import numba_threads_for
from ..._validation import InputError, check_generator, check_integer, to_numpy
from ...losses.base import Loss
from ...losses.compsum import CompSumLoss, best_scores, check_bound, check_n, check_tau
from ..margin_transforms import binary_transform_numeric
from .candidates import _check_t, _map_rows_ref, _regret_rows_ref, _structured_candidates
from .candidates import best_candidate, candidate_regrets, map_rows_numpy, regret_rows, regret_rows_numpy
from .candidates import map_rows_xp, regret_rows_xp
from .kernels import map_rows as _map_rows
from .kernels import map_to_p as _map_to_p
from .kernels import order_classes as _order
from .kernels import pooled_value as _pooled_value
from .kernels import regret_one as _regret_one
from .kernels import regret_rows as _regret_rows
from .multiclass import _check_multiclass, forced_scores, multiclass_tight_transform  # noqa: F401 (moved; old path)
from .witness import surrogate_regret, witness_regrets


def _random_raw_rows(rng, n_random, n):
    """The random raw candidates of the search, drawn on the host from ``rng`` (the same on every path)."""
    X = np.empty((n_random, n - 1))
    X[:, 0] = rng.uniform(0.0, 1.0, n_random)
    gamma = rng.uniform(0.3, 4.0, (n_random, 1))
    X[:, 1:] = rng.exponential(1.0, (n_random, n - 2)) ** gamma
    return X


def _search(t, n, tau, lam, rng, n_random, n_refine, array=None):
    """Global search over p (structured + random + Nelder–Mead); returns (value, p, device best or None).

    ``array`` None: the NumPy/numba path. ``array = (xp, device, dtype)``: the candidate stage (map and regret of
    every candidate) runs as one array program on that namespace and device, in that dtype; only the indices of
    the best ``max(1, n_refine)`` candidates come back to the host, where they are re-evaluated in float64 and
    refined (SciPy's Nelder–Mead needs host float64). The third value is the least candidate regret as the device
    computed it (a 0-d array of ``xp`` on ``device`` in ``dtype``), None on the NumPy path.
    """
    device_best = None
    P = _structured_candidates(t, n)
    X = _random_raw_rows(rng, n_random, n) if n > 2 and n_random > 0 else None
    if array is None:
        if X is not None:
            PR = np.empty((n_random, n))
            with numba_threads_for(n_random):
                _map_rows(X, t, n, PR)
            P = np.concatenate([P, PR])
        vals = np.empty(P.shape[0])
        with numba_threads_for(P.shape[0]):
            _regret_rows(np.ascontiguousarray(P), tau, lam, vals)
        i = int(np.argmin(vals))
        best_v, best_p = float(vals[i]), P[i].copy()
        starts = np.argsort(vals)[:n_refine]
    else:
        best_v, best_p, P, starts, device_best = _candidate_stage_xp(P, X, t, n, tau, max(1, n_refine), *array)
        starts = starts[:n_refine]
    if n > 2 and n_refine > 0:
        lo = max(t, (1.0 + t) / n)
        hi = (1.0 + t) / 2.0
        pbar = np.empty(n)
        buf = np.empty(n)

        def f(x):
            _map_to_p(x, t, n, buf)
            return _regret_one(buf, tau, lam, pbar)

        for j in starts:
            p0 = P[j]
            x0 = np.empty(n - 1)
            x0[0] = 0.0 if hi == lo else (p0[1] - lo) / (hi - lo)
            x0[1:] = p0[2:] + 1e-9
            res = minimize(f, x0, method="Nelder-Mead",
                           options={"xatol": 1e-10, "fatol": 1e-13, "maxiter": 300 * (n - 1), "maxfev": 400 * (n - 1)})
            if res.fun < best_v:
                best_v = float(res.fun)
                _map_to_p(res.x, t, n, buf)
                best_p = buf.copy()
    return (max(best_v, 0.0) if best_v > -1e-12 else best_v), best_p, device_best


def _candidate_stage_xp(P, X, t, n, tau, k, xp, device, dtype):
    """The candidate stage on the array API: all candidates on ``device`` in one program, the best k to the host.

    Data moves twice, explicitly: the host candidates (structured rows P, random raw rows X) once to the device;
    the indices of the k smallest regrets once back. The k rows are then rebuilt on the host in float64 (the
    random ones by the float64 map) and re-evaluated there, so the value returned is a float64 regret of a p
    with p_1 − p_0 = t exactly; the device dtype only decides which candidates are kept.

    Returns (best value, its p, the k host float64 rows in increasing order of device regret, their positions,
    the least device regret as a 0-d array on the device).
    """
    Pd = xp.asarray(P, dtype=dtype, device=device)
    if X is not None:
        Pd = xp.concat([Pd, _map_rows_ref(xp.asarray(X, dtype=dtype, device=device), t, n)], axis=0)
    vals = _regret_rows_ref(xp.clip(Pd, 0.0, 1.0), tau)  # rows valid by construction (clipped against rounding)
    k = min(k, vals.shape[0])
    order = xp.argsort(vals, stable=True)[:k]
    idx = to_numpy(order).astype(np.int64)  # the one transfer back: k indices
    host = np.empty((k, n))  # the k rows on the host in float64, in increasing order of device regret
    for r, j in enumerate(int(j) for j in idx):
        if j < P.shape[0]:
            host[r] = P[j]
        else:
            _map_to_p(X[j - P.shape[0]], t, n, host[r])
    hv = np.empty(k)
    _regret_rows(host, tau, -1.0, hv)
    i = int(np.argmin(hv))
    return float(hv[i]), host[i].copy(), host, np.arange(k), vals[order[0]]


def _witness_h(p, tau, lam):
    """Scores attaining the inner infimum for p (class 0 predicted; ties broken towards class 0 by ε)."""
    n = p.shape[0]
    order = _order(p)
    pbar = np.empty(n)
    vals = [_pooled_value(p, order, k, tau, -1.0 if lam is None else lam, pbar) for k in range(1, n + 1)]
    k = int(np.argmin(vals)) + 1
    S = [int(j) for j in order[:k]]
    if tau >= 2:
        h = np.full(n, -np.inf if lam is None else -lam)
        h[S] = 0.0 if lam is None else lam
    else:
        cum = p[order[:k]].sum() / k
        pbar = p.copy()
        pbar[order[:k]] = cum
        h = best_scores(pbar, tau, lam)
    return h, S


def tight_transform(loss, t, n, bound=None, *, rng=None, n_random=20_000, n_refine=4, xp=None, device=None,
                    dtype=None):
    """The tight error transformation T(t) and a minimising (p, h).

    T(t) = inf { C_ℓ(h, p) − C*_ℓ(p) : p ∈ Δ_n, h predicting a class with 0-1 conditional regret
    max_y p_y − p_pred = t }, over h ∈ ℝⁿ (complete) or [−Λ, Λ]ⁿ (box), by the structured global search of
    the module docstring.

    **Array path.** ``xp=`` (an array-API namespace: ``array_api_compat.cupy``, ``array_api_compat.torch``,
    ``jax.numpy``, ``array_api_strict``, ..., e.g. ``ctx.xp``), with optional ``device=`` and ``dtype=``, is the
    one way to run the candidate stage of the comp-sum search off the NumPy/numba path: the random candidates are
    drawn on the host from ``rng`` (the same candidates as the default path), moved once to ``device``, mapped to
    p and evaluated there in ``dtype`` as one batched array program (:func:`~.candidates.map_rows_xp`,
    :func:`~.candidates.regret_rows_xp`); the indices of the ``max(1, n_refine)`` best come back once, and those
    candidates are re-evaluated and refined on the host in float64 (SciPy's Nelder–Mead, a genuinely NumPy step).
    The value and witness are therefore host float64 numbers; ``dtype`` only affects which candidates are kept.
    Complete scores and comp-sum losses only.

    Parameters
    ----------
    loss : Loss or ("comp_sum", τ)
        Any :class:`~theorylab.losses.base.Loss`; its declared ``tight_search`` picks the search: a
        comp-sum loss (``CompSumLoss(τ)``, or the shorthand ``("comp_sum", τ)`` converted once here) the
        structured search; a binary margin loss (n = 2) the one-dimensional search; a multi-class loss
        (e.g. :mod:`theorylab.losses.multiclass`) the generic, slow joint search.
    t : float in [0, 1]
        Zero-one conditional regret.
    n : int ≥ 2
        Number of classes.
    bound : float > 0 or None
        Scores boxed in [−Λ, Λ]ⁿ; None for the complete hypothesis set.
    rng : numpy.random.Generator, optional
        Random candidates (default: ``default_rng(0)``).
    n_random : int, default 20000
        Number of random candidates (≥ 0).
    n_refine : int, default 4
        Number of best candidates refined by Nelder–Mead (≥ 0).
    xp : array namespace, optional
        Run the candidate stage on this array-API namespace (see "Array path"); None: NumPy with the numba fast
        path.
    device : object, optional
        The device of ``xp`` for the candidate stage (None: ``xp``'s default device). Only with ``xp``.
    dtype : dtype of xp, optional
        ``xp.float64`` (default) or ``xp.float32`` for the candidate stage. Only with ``xp``.

    Returns
    -------
    value : float
        Upper estimate of inf{ΔC_ℓ(h, p) : ΔC_01(h, p) = t} (exact at n = 2 and for τ ≥ 2 vertices).
    witness : dict
        ``p`` (class 0 predicted, class 1 most likely), ``h`` (scores; −inf means "→ −∞"), ``tie``
        (classes tied with class 0; perturb h_0 up by ε to predict class 0 strictly); on the array path also
        ``candidate_regret``, the least candidate regret as the candidate stage computed it (a 0-d array of ``xp``
        on ``device`` in ``dtype``: the best candidate's regret before the host refinement, so ≥ ``value`` up to the
        rounding of ``dtype``).

    Raises
    ------
    InputError
        For an unsupported loss, a bound with a multiclass loss, n ≠ 2 with a margin loss, invalid arguments,
        ``device``/``dtype`` without ``xp``, or ``xp`` with a bound or a loss other than comp-sum.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds: Characterization and Extensions", NeurIPS 2023 (definition of
    the error transformation); the search is this project's (protocol E3 of the claim
    notes, shared/claims/surrogate-losses.md).
    """
    n = check_n(n)
    t = _check_t(t)
    lam = check_bound(bound)
    rng = check_generator("rng", rng, optional=True)
    n_random = check_integer("n_random", n_random, minimum=0)
    n_refine = check_integer("n_refine", n_refine, minimum=0)
    rng = np.random.default_rng(0) if rng is None else rng
    loss = as_loss(loss)  # the one conversion: ("comp_sum", τ) → CompSumLoss(τ)
    array = _check_array_path(xp, device, dtype)
    if array is not None and loss.tight_search != "comp_sum":
        raise InputError(f"xp= is not allowed with the {loss.tight_search} search of {loss!r}; the array path "
                         "covers comp-sum losses (use xp=None)")
    return _SEARCHES[loss.tight_search](loss, t, n, bound, lam, rng, n_random, n_refine, array)


def _check_array_path(xp, device, dtype):
    """None (the NumPy/numba path) or the validated ``(xp, device, dtype)`` of the array path."""
    if xp is None:
        if device is not None or dtype is not None:
            raise InputError(f"device={device!r}, dtype={dtype!r} are allowed only with xp= (an array namespace); "
                             "pass xp too, or neither")
        return None
    if not all(hasattr(xp, a) for a in ("asarray", "finfo", "float32", "float64", "cumulative_sum")):
        raise InputError(f"xp={xp!r} is not allowed; an array-API namespace (array_api_compat.cupy, "
                         "array_api_compat.torch, jax.numpy, array_api_strict, ...) is")
    if dtype is None:
        dtype = xp.float64
    elif dtype not in (xp.float32, xp.float64):
        raise InputError(f"dtype={dtype!r} is not allowed; xp.float32 or xp.float64 is")
    return xp, device, dtype


def as_loss(loss) -> Loss:
    """The loss object for ``loss``: a :class:`~theorylab.losses.base.Loss` as is, the shorthand
    ``("comp_sum", τ)`` as ``CompSumLoss(τ)``.

    Parameters
    ----------
    loss : Loss or ("comp_sum", τ)
        The loss.

    Returns
    -------
    Loss
        The loss object.

    Raises
    ------
    InputError
        For anything else, or an invalid τ.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023,
    arXiv:2304.07288 (the comp-sum family ℓ^τ).
    """
    if isinstance(loss, tuple) and len(loss) == 2 and loss[0] == "comp_sum":
        return CompSumLoss(check_tau(loss[1]))
    if isinstance(loss, Loss):
        return loss
    raise InputError(f"loss={loss!r} is not allowed; use ('comp_sum', tau), a margin loss object or a "
                     "multiclass loss object")


def _comp_sum_search(loss, t, n, bound, lam, rng, n_random, n_refine, array=None):
    """The structured comp-sum search (closed-form inner infimum), for a loss declaring it (reads ``tau``)."""
    tau = loss.tau
    if lam is None:
        lam = loss.bound
    if array is not None and lam is not None:
        raise InputError(f"xp= with bound={lam!r} is not allowed; the array path covers complete scores "
                         "(use bound=None, or xp=None for the box)")
    if t == 0.0:
        p = np.full(n, 1.0 / n)
        return 0.0, {"p": p, "h": np.zeros(n), "tie": list(range(n))}
    v, p, device_best = _search(t, n, tau, -1.0 if lam is None else lam, rng, n_random if n > 2 else 0, n_refine,
                                array)
    h, S = _witness_h(p, tau, lam)
    w = {"p": p, "h": h, "tie": S}
    if device_best is not None:
        w["candidate_regret"] = device_best
    return v, w


def _joint_search(loss, t, n, bound, lam, rng, n_random, n_refine, array=None):
    """The generic joint (p, h) search of :func:`multiclass_tight_transform` (complete scores only)."""
    if lam is not None:
        raise InputError(f"bound={bound!r} is not allowed for a multiclass loss object; use bound=None "
                         "(complete scores)")
    return multiclass_tight_transform(loss, t, n, rng=rng, n_random=min(n_random, 4000), n_refine=n_refine)


def _margin_search(loss, t, n, bound, lam, rng, n_random, n_refine, array=None):
    """The one-dimensional margin search of :func:`binary_transform_numeric` (n = 2)."""
    if n != 2:
        raise InputError(f"n={n} is not allowed for a binary margin loss; use n=2")
    v, alpha = binary_transform_numeric(loss, t, bound, return_argmin=True)
    return float(v), {"p": np.array([(1 - t) / 2, (1 + t) / 2]), "h": np.array([alpha / 2, -alpha / 2]),
                      "tie": [0]}


_SEARCHES = {"comp_sum": _comp_sum_search, "joint": _joint_search, "margin": _margin_search}


__all__ = ["tight_transform", "multiclass_tight_transform", "forced_scores", "regret_rows", "regret_rows_numpy",
           "map_rows_numpy", "regret_rows_xp", "map_rows_xp", "candidate_regrets", "surrogate_regret",
           "witness_regrets", "as_loss", "best_candidate"]
