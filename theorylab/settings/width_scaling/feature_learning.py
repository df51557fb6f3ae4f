"""Feature change after one SGD step of a two-layer tanh network under NTK, μP and standard parameterisations.

Setting (Yang & Hu 2021, the two-layer case of their abc-parametrisations): ``f(x) = m_n Σ_{i=1}^n v_i tanh(h_i)``
with preactivations ``h_i = w_i·x``, ``w_i ~ N(0, I_d/d)``, trained on the *centred* output ``f̃ = f − f_0``
(``f_0`` the function at initialisation, frozen), loss ``½(f̃(x) − y)²`` on one example, one SGD step on both
layers. At initialisation ``f̃ = 0``, so the loss derivative is ``χ = −y``. The three parameterisations:

=============  ==========  ===============  =======================
name           ``m_n``     ``v_i``          learning rate (both)
=============  ==========  ===============  =======================
``"ntk"``      n^{-1/2}    N(0, 1)          η
``"mup"``      n^{-1}      N(0, 1)          η n   (μP = mean field)
``"sp"``       1           N(0, 1/n)        η
=============  ==========  ===============  =======================

Because ``h_i`` is linear in ``w_i`` the change of the preactivations after one step is exactly the first-order
formula ``Δh_i(x') = −lr·m_n·v_i·tanh'(h_i(x))·(x·x')·χ`` (no higher-order term), of size ``η n^{-1/2}``
(NTK, SP: ``m_n v_i`` has the same law ``N(0, 1/n)`` in both, so their ``Δh`` coincide) against ``η`` (μP). The
output change ``Δf`` is ``Θ(1)`` under NTK and μP and ``Θ(n)`` under SP (the readout step ``Δv_i = η tanh(h_i)``
is ``Θ(1)`` per unit and adds up coherently over n units).
"""
from __future__ import annotations

import math

import numpy as np

from ..._validation import (InputError, check_bool, check_choice, check_generator, check_integer, check_positive,
                            check_real)

__all__ = ["PARAMETERISATIONS", "parameterisation_scales", "first_order_feature_change", "one_sgd_step",
           "simulate_feature_change", "loglog_slope_fit"]

PARAMETERISATIONS = ("ntk", "mup", "sp")


def parameterisation_scales(parameterisation, width, eta=0.05):
    """Output multiplier, readout init scale and learning rate of a width-``n`` two-layer network.

    ``"ntk"``: ``(n^{-1/2}, 1, η)``; ``"mup"``: ``(n^{-1}, 1, η n)``; ``"sp"``: ``(1, n^{-1/2}, η)``, for
    ``f(x) = m_n Σ_i v_i tanh(w_i·x)``, ``v_i ~ N(0, v_std²)``, ``w_i ~ N(0, I_d/d)`` in every case.

    Parameters
    ----------
    parameterisation : {"ntk", "mup", "sp"}
        Neural-tangent, maximal-update (mean-field) or standard parameterisation.
    width : int
        Hidden width n ≥ 1.
    eta : float, default 0.05
        Base learning rate η > 0.

    Returns
    -------
    multiplier : float
        ``m_n``.
    v_std : float
        Standard deviation of the readout weights ``v_i`` at initialisation.
    lr : float
        The SGD learning rate used for both layers.

    Raises
    ------
    InputError
        For an unknown parameterisation, a non-integer or non-positive width, or η ≤ 0.

    References
    ----------
    G. Yang, E. J. Hu, "Tensor Programs IV: Feature Learning in Infinite-Width Neural Networks", ICML 2021,
    arXiv:2011.14522, the abc-parametrisation table (NTK, μP, standard) specialised to one hidden layer.
    """
    p = check_choice("parameterisation", parameterisation, PARAMETERISATIONS)
    n = check_integer("width", width)
    eta = check_positive("eta", eta)
    if p == "ntk":
        return 1.0 / math.sqrt(n), 1.0, eta
    if p == "mup":
        return 1.0 / n, 1.0, eta * n
    return 1.0, 1.0 / math.sqrt(n), eta


def _array(name, a, min_ndim=1):
    try:
        arr = np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be an array of real numbers") from None
    if arr.ndim < min_ndim:
        raise InputError(f"{name} has {arr.ndim} dimension(s); at least {min_ndim} are required")
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name} contains NaN or inf; finite numbers are allowed")
    return arr


def first_order_feature_change(v, h, x_dot, *, multiplier, lr, chi=-1.0):
    """First-order change of the preactivations after one SGD step: ``Δh_i = −lr·m_n·v_i·tanh'(h_i)·(x·x')·χ``.

    The first-layer gradient of ``½(f̃ − y)²`` at the training input ``x`` is ``χ m_n v_i tanh'(h_i) x``, so the
    step moves ``w_i`` by ``−lr χ m_n v_i tanh'(h_i) x`` and the preactivation on any input ``x'`` by the formula
    above. Since ``h_i(x') = w_i·x'`` is linear in ``w_i``, this is the exact one-step change, not only its
    first order (both layers are updated from the gradient at the same point).

    Parameters
    ----------
    v : array-like, shape (..., n)
        Readout weights at initialisation.
    h : array-like, shape (..., n)
        Preactivations ``w_i·x`` on the *training* input at initialisation.
    x_dot : float or array-like, shape (...) or (..., 1)
        ``x·x'``: ``‖x‖²`` for the change on the training input, ``x·x'`` on another input ``x'``.
    multiplier : float
        Output multiplier ``m_n``.
    lr : float
        Learning rate (> 0).
    chi : float, default -1.0
        Loss derivative ``χ = f̃(x) − y`` (−1 for target 1 on the centred output).

    Returns
    -------
    numpy.ndarray, shape (..., n)
        ``Δh_i``.

    Raises
    ------
    InputError
        For non-finite inputs, mismatched shapes, lr ≤ 0 or a non-finite multiplier or χ.

    References
    ----------
    G. Yang, E. J. Hu, "Tensor Programs IV: Feature Learning in Infinite-Width Neural Networks", ICML 2021,
    arXiv:2011.14522 (abstract: the NTK limit does not learn features, μP does; one hidden layer here).
    """
    v = _array("v", v)
    h = _array("h", h)
    if v.shape != h.shape:
        raise InputError(f"v has shape {v.shape} and h has shape {h.shape}; they must be equal")
    xd = _array("x_dot", x_dot, min_ndim=0)
    if xd.ndim == v.ndim - 1:
        xd = xd[..., None]
    m = check_real("multiplier", multiplier, allow_inf=False)
    lr = check_positive("lr", lr)
    chi = check_real("chi", chi, allow_inf=False)
    try:
        return -lr * m * v * (1.0 - np.tanh(h) ** 2) * xd * chi
    except ValueError:
        raise InputError(f"x_dot has shape {xd.shape}, which does not broadcast against v {v.shape}") from None


def one_sgd_step(W, v, x, *, multiplier, lr, target=1.0, x_test=None):
    """One SGD step on one example ``(x, y)`` of ``f = m_n Σ v_i tanh(w_i·x)`` trained on the centred output.

    Loss ``½(f̃(x) − y)²`` with ``f̃ = f − f_0`` (zero at initialisation, so ``χ = −y``); gradients
    ``∂L/∂v_i = χ m_n tanh(h_i)``, ``∂L/∂w_i = χ m_n v_i tanh'(h_i) x``; both layers step by ``−lr·∂L/∂θ``.
    The preactivation change is computed from the weight update, ``Δw_i·x' = (w_i + Δw_i)·x' − w_i·x'``, and
    ``Δf = m_n Σ [Δv_i tanh(h_i') + v_i (tanh h_i' − tanh h_i)]`` with ``tanh a − tanh b =
    tanh(a − b)(1 − tanh a tanh b)`` (no cancellation for small steps). Leading axes of all arguments are batch
    axes (seeds), broadcast together.

    Parameters
    ----------
    W : array-like, shape (..., n, d)
        First-layer weights ``w_i`` (rows).
    v : array-like, shape (..., n)
        Readout weights.
    x : array-like, shape (..., d)
        The training input.
    multiplier : float
        Output multiplier ``m_n``.
    lr : float
        Learning rate of both layers (> 0).
    target : float, default 1.0
        The target ``y`` of the centred output.
    x_test : array-like, shape (..., d), optional
        A second input on which the preactivation and output changes are also reported.

    Returns
    -------
    dict
        ``"chi"`` (float), ``"h"`` (..., n) preactivations on ``x`` at initialisation, ``"dW"`` (..., n, d),
        ``"dv"`` (..., n), ``"dh"`` (..., n) change of the preactivations on ``x``, ``Δw_i·x`` (from the weight
        update, not from the formula),
        ``"df"`` (...) change of the output on ``x``; with ``x_test`` also ``"dh_test"`` and ``"df_test"``.

    Raises
    ------
    InputError
        For non-finite inputs, inconsistent shapes, lr ≤ 0 or a non-finite multiplier or target.

    References
    ----------
    G. Yang, E. J. Hu, "Tensor Programs IV: Feature Learning in Infinite-Width Neural Networks", ICML 2021,
    arXiv:2011.14522 (abc-parametrisations: NTK, μP and standard, here with one hidden layer).
    """
    W = _array("W", W, min_ndim=2)
    v = _array("v", v)
    x = _array("x", x)
    m = check_real("multiplier", multiplier, allow_inf=False)
    lr = check_positive("lr", lr)
    y = check_real("target", target, allow_inf=False)
    n, d = W.shape[-2:]
    if v.shape[-1] != n or x.shape[-1] != d:
        raise InputError(f"W has shape {W.shape}, v {v.shape}, x {x.shape}; need W (..., n, d), v (..., n), "
                         "x (..., d)")
    xs = [x] if x_test is None else [x, _array("x_test", x_test)]
    if x_test is not None and xs[1].shape[-1] != d:
        raise InputError(f"x_test has shape {xs[1].shape}; its last axis must have length d={d}")
    try:
        np.broadcast_shapes(W.shape[:-2], v.shape[:-1], *(z.shape[:-1] for z in xs))
    except ValueError:
        raise InputError(f"W {W.shape}, v {v.shape}, x {x.shape}: the batch axes do not broadcast") from None
    return _step(W, v, xs, m, lr, y)


def _step(W, v, xs, m, lr, y):
    """:func:`one_sgd_step` on validated arrays (``xs`` = [x] or [x, x_test])."""
    h = [np.matmul(W, z[..., None])[..., 0] for z in xs]
    v = np.broadcast_to(v, h[0].shape)
    chi = -y
    t0 = [np.tanh(hk) for hk in h]
    g = chi * m * v * (1.0 - t0[0] ** 2)            # ∂L/∂w_i = g_i x
    dW = (-lr * g)[..., None] * xs[0][..., None, :]
    dv = -lr * chi * m * t0[0]
    out = {"chi": chi, "h": h[0], "dW": dW, "dv": dv}
    for k, (z, hk, tk) in enumerate(zip(xs, h, t0)):
        dh = np.matmul(dW, z[..., None])[..., 0]       # (w_i + Δw_i)·z − w_i·z
        t1 = np.tanh(hk + dh)
        dtanh = np.tanh(dh) * (1.0 - t1 * tk)
        df = m * np.sum(dv * t1 + v * dtanh, axis=-1)
        suffix = "" if k == 0 else "_test"
        out["dh" + suffix], out["df" + suffix] = dh, df
    return out


def simulate_feature_change(widths, n_seeds, rng, *, parameterisations=PARAMETERISATIONS, d=20, eta=0.05,
                            target=1.0, max_block=1 << 22):
    """RMS preactivation change and output change after one SGD step, over widths and independent networks.

    For each of ``n_seeds`` replicates one training input ``x ~ N(0, I_d)`` and one test input ``x'`` are drawn
    (shared by all widths, so that their randomness cancels from slopes over widths); for each width, standard
    normal ``Z`` (n × d) and ``g`` (n) give ``w_i = Z_i/√d`` and ``v_i = v_std·g_i`` for every parameterisation
    (common random numbers). Reports ``RMS_i Δh_i`` on ``x`` and ``x'`` and ``Δf`` on ``x`` and ``x'``. Works
    per width in blocks of replicates of at most ``max_block`` weight entries (peak memory a few times
    8·max_block bytes).

    Parameters
    ----------
    widths : sequence of int
        Hidden widths (each ≥ 1).
    n_seeds : int
        Number of independent networks (replicates) per width (≥ 1).
    rng : numpy.random.Generator
        Random stream.
    parameterisations : sequence of {"ntk", "mup", "sp"}, default all three
        Which to simulate.
    d : int, default 20
        Input dimension.
    eta : float, default 0.05
        Base learning rate (see :func:`parameterisation_scales`).
    target : float, default 1.0
        Target of the centred output (χ = −target).
    max_block : int, default 2**22
        Largest number of weight entries (replicates × n × d) held at once.

    Returns
    -------
    dict
        ``"widths"`` (array of int); for each parameterisation ``p`` a dict with arrays of shape
        ``(len(widths), n_seeds)``: ``"rms_dh"``, ``"rms_dh_test"``, ``"df"``, ``"df_test"``, and
        ``"rms_dh_first_order"`` (the formula of :func:`first_order_feature_change`, for comparison).

    Raises
    ------
    InputError
        For bad widths, counts, parameterisation names, η ≤ 0, or a non-generator ``rng``.

    References
    ----------
    G. Yang, E. J. Hu, "Tensor Programs IV: Feature Learning in Infinite-Width Neural Networks", ICML 2021,
    arXiv:2011.14522 (features freeze under NTK, Θ(n^{-1/2}); move by Θ(1) under μP).
    """
    try:
        ws = [check_integer("widths", w) for w in widths]
    except TypeError:
        raise InputError(f"widths={widths!r} is not allowed; pass a sequence of positive integers") from None
    if not ws:
        raise InputError("widths is empty; at least one width is required")
    S = check_integer("n_seeds", n_seeds)
    rng = check_generator("rng", rng)
    if isinstance(parameterisations, str):
        parameterisations = (parameterisations,)
    ps = [check_choice("parameterisations", p, PARAMETERISATIONS) for p in parameterisations]
    if not ps:
        raise InputError("parameterisations is empty; name at least one of ntk, mup, sp")
    d = check_integer("d", d)
    eta = check_positive("eta", eta)
    y = check_real("target", target, allow_inf=False)
    max_block = check_integer("max_block", max_block)
    x = rng.standard_normal((S, d))
    xt = rng.standard_normal((S, d))
    keys = ("rms_dh", "rms_dh_test", "df", "df_test", "rms_dh_first_order")
    out = {"widths": np.array(ws)}
    out.update({p: {k: np.empty((len(ws), S)) for k in keys} for p in ps})
    x2 = np.sum(x * x, axis=1)
    for iw, n in enumerate(ws):
        block = max(1, min(S, max_block // (n * d)))
        for s0 in range(0, S, block):
            sl = slice(s0, min(S, s0 + block))
            Z = rng.standard_normal((sl.stop - sl.start, n, d))
            g = rng.standard_normal((sl.stop - sl.start, n))
            W = Z
            W *= 1.0 / math.sqrt(d)
            for p in ps:
                m, v_std, lr = parameterisation_scales(p, n, eta)
                r = _step(W, v_std * g, [x[sl], xt[sl]], m, lr, y)
                fo = first_order_feature_change(v_std * g, r["h"], x2[sl], multiplier=m, lr=lr, chi=r["chi"])
                res = out[p]
                res["rms_dh"][iw, sl] = np.sqrt(np.mean(r["dh"] ** 2, axis=-1))
                res["rms_dh_test"][iw, sl] = np.sqrt(np.mean(r["dh_test"] ** 2, axis=-1))
                res["df"][iw, sl] = r["df"]
                res["df_test"][iw, sl] = r["df_test"]
                res["rms_dh_first_order"][iw, sl] = np.sqrt(np.mean(fo ** 2, axis=-1))
    return out


def loglog_slope_fit(widths, values, *, correction=True, z=5.0):
    """Log–log slope over widths with a standard error from the spread over independent replicates.

    Each replicate (column of ``values``) is fitted by least squares, ``log y = a + s log n`` or, with
    ``correction``, ``log y = a + s log n + c/n`` (the leading finite-width correction: a ``1/n`` term in the
    expected log, from the bias of a log of an average of n terms and from O(1) corrections to O(n) sums).
    The slope is the mean of the per-replicate slopes (equal to the fit of the mean log), its standard error
    ``sd/√S``; the interval is ``slope ± z·SE``. Replicates must be independent; widths within a replicate may be
    dependent (the SE is computed from whole replicates).

    Parameters
    ----------
    widths : array-like, shape (W,)
        Distinct positive widths (at least 2, or 3 with ``correction``).
    values : array-like, shape (W, S)
        Positive finite values, S ≥ 2 replicates (a 1-d array is refused: it has no standard error).
    correction : bool, default True
        Include the ``c/n`` term.
    z : float, default 5.0
        Half-width of the reported interval in standard errors.

    Returns
    -------
    dict
        ``"slope"``, ``"se"``, ``"interval"`` (lo, hi), ``"intercept"`` (mean a), ``"correction"`` (mean c, 0
        without correction), ``"per_replicate"`` (array of S slopes).

    Raises
    ------
    InputError
        For non-positive or non-finite values, too few widths or replicates, repeated widths, mismatched shapes.

    References
    ----------
    Least squares with a leading correction-to-scaling term, as in finite-size scaling, e.g. K. Binder,
    D. W. Heermann, "Monte Carlo Simulation in Statistical Physics", Springer (finite-size scaling); applied to
    the width exponents of G. Yang, E. J. Hu, ICML 2021, arXiv:2011.14522. The plain fit's point estimate equals
    :func:`theorylab.settings.stats.loglog_slope` of the geometric-mean values.
    """
    n = _array("widths", widths)
    y = _array("values", values, min_ndim=2)
    if n.ndim != 1 or y.ndim != 2 or y.shape[0] != n.size:
        raise InputError(f"widths has shape {n.shape} and values {y.shape}; need (W,) and (W, S)")
    k = 3 if check_bool("correction", correction) else 2
    if n.size < k:
        raise InputError(f"widths has {n.size} values; at least {k} are needed for this fit")
    if y.shape[1] < 2:
        raise InputError(f"values has {y.shape[1]} replicate(s); at least 2 are needed for a standard error")
    if np.any(n <= 0) or np.unique(n).size != n.size:
        raise InputError("widths must be positive and distinct")
    if np.any(y <= 0):
        raise InputError("values must be > 0 for a log-log slope")
    z = check_positive("z", z)
    cols = [np.ones_like(n), np.log(n)] + ([1.0 / n] if k == 3 else [])
    A = np.column_stack(cols)
    coef = np.linalg.lstsq(A, np.log(y), rcond=None)[0]      # (k, S)
    s = coef[1]
    slope, se = float(s.mean()), float(s.std(ddof=1) / math.sqrt(s.size))
    return {"slope": slope, "se": se, "interval": (slope - z * se, slope + z * se),
            "intercept": float(coef[0].mean()), "correction": float(coef[2].mean()) if k == 3 else 0.0,
            "per_replicate": s}

