"""The full UFM objective over every factor, its analytic gradient, and multi-start L-BFGS.

``F(W_1, ..., W_M, H, b) = 1/(2N) ‖W_M⋯W_1 H + b1ᵀ − Y‖² + Σ_l λ_W/2 ‖W_l‖² + λ_H/2 ‖H‖²`` with one-hot ``Y``
(``K × N``), free features ``H`` (``d × N``), ``W_1`` (``w × d``), hidden widths ``w`` and ``W_M`` (``K × w``);
the bias (optional) is unregularised. This is the independent numerical side of every closed form in
:mod:`.closed_form`: it optimises all factors, not the reduced problem.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from ..._parallel import single_blas_thread
from ..._validation import InputError, check_generator, check_integer
from ._checks import class_sizes_array, depth_int, positive

__all__ = ["one_hot", "labels_from_sizes", "ufm_objective", "fit_ufm"]


def labels_from_sizes(class_sizes):
    """Labels ``0, ..., 0, 1, ..., K−1`` with ``n_k`` copies of ``k``.

    Parameters
    ----------
    class_sizes : sequence of int
        Samples per class.

    Returns
    -------
    numpy.ndarray
        The ``N`` labels (``int64``).

    References
    ----------
    D. Mixon, H. Parshall, J. Pi, "Neural collapse with unconstrained features", arXiv 2011.11619 (the UFM);
    H. Dang et al., ICML 2023, arXiv 2301.00437, Sec. 2.
    """
    n = class_sizes_array(class_sizes)
    return np.repeat(np.arange(n.size), n)


def one_hot(labels, n_classes=None):
    """The one-hot label matrix ``Y`` (``K × N``).

    Parameters
    ----------
    labels : array_like of int
        Class of each sample, ``0..K−1``.
    n_classes : int, optional
        ``K`` (default: ``max(labels) + 1``).

    Returns
    -------
    numpy.ndarray
        ``Y`` with ``Y[y_i, i] = 1``.

    References
    ----------
    H. Dang et al., ICML 2023, arXiv 2301.00437, Sec. 2 (MSE loss with one-hot targets).
    """
    y = np.asarray(labels)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer) or y.size == 0 or y.min() < 0:
        raise InputError("labels are not allowed; they must be a non-empty 1-D array of integers >= 0")
    k = int(y.max()) + 1 if n_classes is None else check_integer("n_classes", n_classes)
    if y.max() >= k:
        raise InputError(f"n_classes={n_classes!r} is not allowed; it must exceed every label")
    out = np.zeros((k, y.size))
    out[y, np.arange(y.size)] = 1.0
    return out


def ufm_objective(weights, features, labels, lam_w, lam_h, bias=None, gradient=False):
    """The regularised UFM objective with a deep linear head, and optionally its gradient.

    ``F = 1/(2N) ‖W_M⋯W_1 H + b1ᵀ − Y‖² + Σ_l λ_W/2 ‖W_l‖² + λ_H/2 ‖H‖²``; gradient by back-propagation:
    ``R = (A_M + b1ᵀ − Y)/N``, ``∂W_l = δ_l A_{l−1}ᵀ + λ_W W_l``, ``δ_{l−1} = W_lᵀ δ_l``, ``∂H = δ_0 + λ_H H``,
    ``∂b = R1`` (``A_0 = H``, ``A_l = W_l A_{l−1}``, ``δ_M = R``).

    Parameters
    ----------
    weights : sequence of numpy.ndarray
        ``W_1, ..., W_M`` (``W_1`` acts first).
    features : numpy.ndarray
        ``H`` (``d × N``).
    labels : array_like of int
        Class of each sample (``K = W_M.shape[0]`` classes).
    lam_w, lam_h : float
        Weight and feature decays (> 0).
    bias : numpy.ndarray, optional
        Last-layer bias ``b`` (``K``), unregularised; ``None`` for the bias-free model.
    gradient : bool
        Also return the gradients.

    Returns
    -------
    float or tuple
        ``F``; with ``gradient=True``: ``(F, [∂W_1, ..., ∂W_M], ∂H, ∂b or None)``.

    References
    ----------
    H. Dang et al., "Neural Collapse in Deep Linear Networks: From Balanced to Imbalanced Data", ICML 2023,
    arXiv 2301.00437, eq. (the deep linear UFM with MSE loss); code ``synthetic_experiment_imbalanced.py``.
    """
    lam_w, lam_h = positive("lam_w", lam_w), positive("lam_h", lam_h)
    ws = [np.asarray(w, dtype=float) for w in weights]
    if not ws:
        raise InputError("weights is not allowed; it must hold at least one matrix")
    h = np.asarray(features, dtype=float)
    if h.ndim != 2:
        raise InputError(f"features of shape {h.shape} are not allowed; it must be d × N")
    y = one_hot(labels, ws[-1].shape[0])
    if y.shape[1] != h.shape[1]:
        raise InputError(f"labels has {y.shape[1]} entries; it must have one per feature column ({h.shape[1]})")
    acts = [h]
    for w in ws:
        if w.ndim != 2 or w.shape[1] != acts[-1].shape[0]:
            raise InputError(f"a weight of shape {w.shape} does not match its input of height {acts[-1].shape[0]}")
        acts.append(w @ acts[-1])
    n = h.shape[1]
    out = acts[-1] if bias is None else acts[-1] + np.asarray(bias, dtype=float)[:, None]
    res = out - y
    f = 0.5 * np.sum(res**2) / n + 0.5 * lam_w * sum(np.sum(w**2) for w in ws) + 0.5 * lam_h * np.sum(h**2)
    if not gradient:
        return float(f)
    delta = res / n
    gb = None if bias is None else delta.sum(axis=1)
    gws = [None] * len(ws)
    for ell in range(len(ws) - 1, -1, -1):
        gws[ell] = delta @ acts[ell].T + lam_w * ws[ell]
        delta = ws[ell].T @ delta
    gh = delta + lam_h * h
    return float(f), gws, gh, gb


def _shapes(k, d, width, depth, n):
    shapes, prev = [], d
    for ell in range(depth):
        rows = k if ell == depth - 1 else width
        shapes.append((rows, prev))
        prev = rows
    return shapes + [(d, n)]


def fit_ufm(class_sizes, lam_w, lam_h, depth=1, bias=False, dim=6, width=None, starts=4, init_scale=0.7,
            rng=None, gtol=1e-12, maxiter=20000, stop_below=None):
    """Minimise the full UFM objective over all factors by L-BFGS from several random starts; keep the best.

    Entries of every factor start i.i.d. ``N(0, init_scale²)``. With ``M + 1 ≥ 3`` factors the origin is a local
    minimum (``F = 1/2``), so deep heads need ``init_scale ≳ 0.5`` and several starts; compare ``F`` with
    :func:`~.closed_form.optimal_objective`.

    Parameters
    ----------
    class_sizes : sequence of int
        Samples per class ``n_k``.
    lam_w, lam_h : float
        Weight and feature decays (> 0).
    depth : int
        Number of linear layers ``M``.
    bias : bool
        Fit an unregularised last-layer bias.
    dim : int
        Feature dimension ``d``.
    width : int, optional
        Hidden width of the head (default ``dim``).
    starts : int
        Number of random starts.
    init_scale : float
        Standard deviation of the initial entries.
    rng : numpy.random.Generator
        Random stream for the starts.
    gtol : float
        L-BFGS gradient tolerance (``ftol`` is set to machine precision).
    maxiter : int
        Iteration cap per start.
    stop_below : float, optional
        Stop starting new runs once a start reaches ``F ≤ stop_below`` (e.g. the closed-form ``F*`` plus a
        relative tolerance); every start that was run is reported in ``objectives``.

    Returns
    -------
    dict
        ``objective`` (best ``F``), ``weights`` (list), ``features`` (``H``), ``bias`` (or None), ``labels``,
        ``objectives`` (``F`` of every start), ``initial_features`` (``H`` at the best start's initialisation),
        ``grad_norm`` (sup norm of the gradient at the best point).

    References
    ----------
    H. Dang et al., ICML 2023, arXiv 2301.00437, Sec. 6 (gradient training of the deep linear UFM); J. Nocedal,
    "Updating quasi-Newton matrices with limited storage", Math. Comp. 35 (1980) (L-BFGS).
    """
    n = class_sizes_array(class_sizes)
    lam_w, lam_h, m = positive("lam_w", lam_w), positive("lam_h", lam_h), depth_int(depth)
    dim = check_integer("dim", dim)
    width = dim if width is None else check_integer("width", width)
    starts = check_integer("starts", starts)
    init_scale = positive("init_scale", init_scale)
    rng = check_generator("rng", rng) if rng is not None else np.random.default_rng(0)
    labels = labels_from_sizes(n)
    k, big_n = n.size, int(n.sum())
    shapes = _shapes(k, dim, width, m, big_n)
    sizes = [a * b for a, b in shapes]
    n_par = sum(sizes) + (k if bias else 0)

    def unpack(v):
        mats, i = [], 0
        for (a, b), s in zip(shapes, sizes):
            mats.append(v[i:i + s].reshape(a, b))
            i += s
        return mats[:-1], mats[-1], (v[i:] if bias else None)

    def fun(v):
        ws, h, b = unpack(v)
        f, gws, gh, gb = ufm_objective(ws, h, labels, lam_w, lam_h, bias=b, gradient=True)
        parts = [g.ravel() for g in gws] + [gh.ravel()] + ([gb] if bias else [])
        return f, np.concatenate(parts)

    best, objectives = None, []
    with single_blas_thread():  # tiny kernels: BLAS threads only spin-wait
        for _ in range(starts):
            v0 = init_scale * rng.standard_normal(n_par)
            res = minimize(fun, v0, jac=True, method="L-BFGS-B",
                           options={"maxiter": maxiter, "gtol": gtol, "ftol": 1e-16, "maxcor": 30,
                                    "maxfun": 4 * maxiter})
            objectives.append(float(res.fun))
            if best is None or res.fun < best[0].fun:
                best = (res, v0)
            if stop_below is not None and res.fun <= stop_below:
                break
    res, v0 = best
    ws, h, b = unpack(res.x)
    _, h0, _ = unpack(v0)
    return {"objective": float(res.fun), "weights": [w.copy() for w in ws], "features": h.copy(),
            "bias": None if b is None else b.copy(), "labels": labels, "objectives": np.array(objectives),
            "initial_features": h0.copy(), "grad_norm": float(np.max(np.abs(res.jac)))}
