"""Closed-form global minimisers of the unconstrained-features model (UFM) with a deep linear head.

Objective (bias-free; ``M`` linear layers ``W_1, ..., W_M``, one decay ``λ_W`` for every layer)::

    F = 1/(2N) ‖W_M⋯W_1 H − Y‖² + Σ_l λ_W/2 ‖W_l‖² + λ_H/2 ‖H‖² .

Every critical point in ``H`` has collapsed features (NC1), so ``F`` depends on the class means ``H̄`` through
``Z = P H̄ D^{1/2}`` (``P = W_M⋯W_1``, ``D = diag(n_k)``). The minimal penalty of ``M + 1`` factors with product
``Z`` is ``(M+1)/2 (λ_H λ_W^M)^{1/(M+1)} Σ_i σ_i(Z)^{2/(M+1)}``; by von Neumann's trace inequality ``Z`` shares
singular vectors with the target ``D^{1/2}`` and the problem splits into one scalar problem per class::

    s_k = argmin_{s ≥ 0} g_k(s),   g_k(s) = (s − √n_k)²/(2N) + c s^q,   q = 2/(M+1),
    c = (M+1)/2 (λ_H λ_W^M)^{1/(M+1)},   (P H̄)_kk = s_k/√n_k,   F* = Σ_k g_k(s_k).

``M = 1``: soft threshold ``s_k = (√n_k − N√(λ_W λ_H))_+``. ``M ≥ 2`` (``q < 1``, concave penalty): ``s = 0`` is
always a local minimiser and the global minimiser jumps from ``s_*`` to 0 at
``n_thr = (M/(M−1))² [N(M−1)]^{(M+1)/M} (λ_H λ_W^M)^{1/M}``. With an unregularised bias the target becomes
``T_b = (I − π1ᵀ) D^{1/2}`` and the scalar problem is applied to its singular values; a width ``r < K`` keeps the
``r`` largest.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import brentq

from ..._validation import InputError, check_integer
from ._checks import class_sizes_array, depth_int, positive

__all__ = ["scalar_constants", "scalar_objective", "scalar_minimiser", "collapse_threshold",
           "closed_form_minimiser", "bias_product", "optimal_objective", "dang_stationarity_solution",
           "stationarity_window"]

_REFS = ("H. Dang, T. Tran, S. Osher, H. Tran-The, N. Ho, T. Nguyen, \"Neural Collapse in Deep Linear Networks: "
         "From Balanced to Imbalanced Data\", ICML 2023, arXiv 2301.00437")


def scalar_constants(lam_w, lam_h, depth=1):
    """Exponent ``q`` and weight ``c`` of the per-class scalar problem.

    ``q = 2/(M+1)`` and ``c = (M+1)/2 (λ_H λ_W^M)^{1/(M+1)}`` (the balanced-factorisation identity for the
    ``M + 1`` factors ``W_M, ..., W_1, H̄D^{1/2}``).

    Parameters
    ----------
    lam_w : float
        Weight decay of every layer (> 0).
    lam_h : float
        Feature decay (> 0).
    depth : int
        Number of linear layers ``M`` (≥ 1).

    Returns
    -------
    tuple of float
        ``(q, c)``.

    References
    ----------
    H. Dang et al., "Neural Collapse in Deep Linear Networks: From Balanced to Imbalanced Data", ICML 2023,
    arXiv 2301.00437, Sec. 4 (imbalanced MSE, bias-free); derivation in ``shared/claims/neural-collapse.md`` §2.
    """
    lam_w, lam_h, m = positive("lam_w", lam_w), positive("lam_h", lam_h), depth_int(depth)
    q = 2.0 / (m + 1)
    c = 0.5 * (m + 1) * np.exp((np.log(lam_h) + m * np.log(lam_w)) / (m + 1))
    return q, float(c)


def scalar_objective(s, sigma, n_total, lam_w, lam_h, depth=1):
    """The scalar objective ``g(s) = (s − σ)²/(2N) + c s^q``.

    Parameters
    ----------
    s : float or array_like
        Singular value of ``Z = P H̄ D^{1/2}`` (≥ 0).
    sigma : float or array_like
        The matching singular value of the target (``√n_k`` bias-free).
    n_total : int
        Number of samples ``N``.
    lam_w, lam_h : float
        Weight and feature decays (> 0).
    depth : int
        Number of linear layers ``M``.

    Returns
    -------
    numpy.ndarray or float
        ``g(s)``.

    References
    ----------
    H. Dang et al., "Neural Collapse in Deep Linear Networks: From Balanced to Imbalanced Data", ICML 2023,
    arXiv 2301.00437, Sec. 4 (imbalanced MSE, bias-free).
    Derivation: ``shared/claims/neural-collapse.md`` §2.
    """
    n_total = check_integer("n_total", n_total)
    q, c = scalar_constants(lam_w, lam_h, depth)
    s = np.asarray(s, dtype=float)
    if np.any(s < 0):
        raise InputError("s is not allowed; it must be >= 0")
    return (s - np.asarray(sigma, dtype=float)) ** 2 / (2 * n_total) + c * s**q


def _scalar_min_one(sigma, n_total, q, c):
    """Global minimiser of ``(s − σ)²/(2N) + c s^q`` over ``s ≥ 0`` for one σ ≥ 0 (ties go to 0)."""
    if q == 1.0:
        return max(sigma - n_total * c, 0.0)
    k = n_total * c * q
    s_m = (k * (1 - q)) ** (1 / (2 - q))          # minimum of φ(s) = s + k s^{q−1}

    def phi(s):
        return s + k * s ** (q - 1) - sigma

    if sigma <= 0 or phi(s_m) >= 0 or s_m >= sigma:
        return 0.0
    root = brentq(phi, s_m, sigma, xtol=1e-300, rtol=4 * np.finfo(float).eps, maxiter=500)
    g_root = (root - sigma) ** 2 / (2 * n_total) + c * root**q
    return root if g_root < sigma**2 / (2 * n_total) else 0.0


def scalar_minimiser(sigma, n_total, lam_w, lam_h, depth=1):
    """Global minimiser ``s`` of the scalar problem, elementwise in ``sigma``.

    ``M = 1``: ``s = (σ − N√(λ_W λ_H))_+``. ``M ≥ 2``: the larger root of ``g'(s) = 0`` (i.e. of
    ``s + N c q s^{q−1} = σ``) when its value beats ``g(0) = σ²/(2N)``, else 0 (a tie collapses).

    Parameters
    ----------
    sigma : float or array_like
        Target singular values (≥ 0).
    n_total : int
        Number of samples ``N``.
    lam_w, lam_h : float
        Weight and feature decays (> 0).
    depth : int
        Number of linear layers ``M``.

    Returns
    -------
    numpy.ndarray
        The minimisers, shaped like ``sigma``.

    References
    ----------
    H. Dang et al., ICML 2023, arXiv 2301.00437, Sec. 4 (the per-class equation; the global condition
    derived in ``shared/claims/neural-collapse.md`` §4).
    """
    n_total = check_integer("n_total", n_total)
    q, c = scalar_constants(lam_w, lam_h, depth)
    sig = np.asarray(sigma, dtype=float)
    if np.any(~np.isfinite(sig)) or np.any(sig < 0):
        raise InputError("sigma is not allowed; it must be finite and >= 0")
    out = np.array([_scalar_min_one(float(v), n_total, q, c) for v in sig.ravel()])
    return out.reshape(sig.shape)


def collapse_threshold(class_sizes, lam_w, lam_h, depth=1):
    """The class size at or below which a class collapses (``w_k = 0``, ``h̄_k = 0``) at the global minimiser.

    Bias-free, widths ≥ K, one decay ``λ_W`` for every layer::

        M = 1:  n_thr = N² λ_W λ_H                      (soft threshold, continuous)
        M ≥ 2:  n_thr = (M/(M−1))² [N(M−1)]^{(M+1)/M} (λ_H λ_W^M)^{1/M}   (jump of (P H̄)_kk from (M−1)/M to 0)

    The ``M ≥ 2`` formula is the global condition ``min_s g_k(s) ≥ g_k(0)`` and tends to the ``M = 1`` one as
    ``M → 1``. It is *not* the existence condition of a positive stationary root (the authors' code rule, see
    :func:`dang_stationarity_solution`), which holds already for smaller ``n_k``.

    Parameters
    ----------
    class_sizes : sequence of int
        Samples per class ``n_k`` (only ``N = Σ n_k`` enters).
    lam_w, lam_h : float
        Weight and feature decays (> 0).
    depth : int
        Number of linear layers ``M`` (≥ 1).

    Returns
    -------
    float
        ``n_thr``; class ``k`` collapses iff ``n_k ≤ n_thr``.

    References
    ----------
    H. Dang et al., "Neural Collapse in Deep Linear Networks: From Balanced to Imbalanced Data", ICML 2023,
    arXiv 2301.00437, Thm. (imbalanced MSE, bias-free; minority collapse); derivation and the discrepancy with
    the authors' stationarity rule in ``shared/claims/neural-collapse.md`` §3–4.
    """
    n = class_sizes_array(class_sizes)
    lam_w, lam_h, m = positive("lam_w", lam_w), positive("lam_h", lam_h), depth_int(depth)
    big_n = float(n.sum())
    if m == 1:
        return big_n**2 * lam_w * lam_h
    log_thr = (2 * np.log(m / (m - 1)) + (m + 1) / m * np.log(big_n * (m - 1))
               + (np.log(lam_h) + m * np.log(lam_w)) / m)
    return float(np.exp(log_thr))


def closed_form_minimiser(class_sizes, lam_w, lam_h, depth=1, rank=None):
    """The bias-free global minimiser in the class basis: ``s_k``, ``P H̄``, per-layer singular values, norms.

    With ``t_k`` the common singular value of the weight layers (balanced factorisation, equal ``λ_W``):
    ``s_k = t_k^{M+1} √(λ_W/λ_H)``, ``P Pᵀ = diag(t_k^{2M})`` (orthogonal frame), ``P H̄ = diag(s_k/√n_k)``,
    ``H̄ᵀH̄ = diag(t_k² λ_W/(λ_H n_k))`` and ``‖H‖² = Σ_k t_k² λ_W/λ_H``. For ``M = 1``: ``‖w_k‖² = √(λ_H/λ_W) a_k``,
    ``‖h̄_k‖² = √(λ_W/λ_H) a_k/n_k`` with ``a_k = (√n_k − N√(λ_W λ_H))_+``. A width ``rank < K`` keeps the
    ``rank`` classes with the largest ``n_k`` (the gain ``g_k(0) − min g_k`` increases with ``n_k``).

    Parameters
    ----------
    class_sizes : sequence of int
        Samples per class ``n_k``.
    lam_w, lam_h : float
        Weight and feature decays (> 0).
    depth : int
        Number of linear layers ``M``.
    rank : int, optional
        Smallest width of the head and features (``None``: at least ``K``).

    Returns
    -------
    dict
        ``s`` (per class), ``product_diag`` (``(P H̄)_kk``), ``layer_sv`` (``t_k``), ``classifier_norm_sq``
        (``‖row_k P‖² = t_k^{2M}``), ``feature_norm_sq`` (``‖h̄_k‖²``), ``collapsed`` (bool per class),
        ``objective`` (``F*``).

    References
    ----------
    H. Dang et al., ICML 2023, arXiv 2301.00437, Sec. 4 (general orthogonal frame); ``neural-collapse.md`` §2–4, §6.
    """
    n = class_sizes_array(class_sizes)
    lam_w, lam_h, m = positive("lam_w", lam_w), positive("lam_h", lam_h), depth_int(depth)
    big_n = int(n.sum())
    sigma = np.sqrt(n.astype(float))
    s = scalar_minimiser(sigma, big_n, lam_w, lam_h, m)
    if rank is not None:
        r = check_integer("rank", rank)
        if r < n.size:
            order = np.argsort(-sigma, kind="stable")
            s[order[r:]] = 0.0
    objective = float(np.sum(scalar_objective(s, sigma, big_n, lam_w, lam_h, m)))
    t = (s * np.sqrt(lam_h / lam_w)) ** (1.0 / (m + 1))
    return {"s": s, "product_diag": s / sigma, "layer_sv": t, "classifier_norm_sq": t ** (2 * m),
            "feature_norm_sq": t**2 * lam_w / (lam_h * n), "collapsed": s == 0, "objective": objective}


def bias_product(class_sizes, lam_w, lam_h, depth=1):
    """With an unregularised last-layer bias: the optimal ``Z = P H̄ D^{1/2}``, bias and value.

    Minimising over ``b`` gives ``b = π − P h_G``; the penalty forces ``h_G = 0``, so ``b = π`` (class priors)
    and the problem is the bias-free one with target ``T_b = (I − π1ᵀ) D^{1/2}``: ``Z = U diag(s_i) Vᵀ`` with
    ``T_b = U diag(σ_i) Vᵀ`` and ``s_i`` the scalar minimiser at ``σ_i`` (``M = 1``: singular-value soft
    threshold at ``N√(λ_W λ_H)``). Balanced classes: ``P H̄ = (1 − N√(λ_W λ_H/n))_+ (I − 11ᵀ/K)``, simplex ETF.

    Parameters
    ----------
    class_sizes : sequence of int
        Samples per class ``n_k``.
    lam_w, lam_h : float
        Weight and feature decays (> 0).
    depth : int
        Number of linear layers ``M``.

    Returns
    -------
    dict
        ``product`` (``Z``, K×K), ``product_means`` (``P H̄ = Z D^{-1/2}``), ``bias`` (``π``), ``target``
        (``T_b``), ``target_sv``, ``s``, ``objective`` (``F*``).

    References
    ----------
    H. Dang et al., ICML 2023, arXiv 2301.00437, Sec. 3 (balanced, with bias: simplex ETF); the imbalanced
    bias case is derived in ``shared/claims/neural-collapse.md`` §5.
    """
    n = class_sizes_array(class_sizes)
    lam_w, lam_h, m = positive("lam_w", lam_w), positive("lam_h", lam_h), depth_int(depth)
    big_n = int(n.sum())
    pi = n / big_n
    sq = np.sqrt(n.astype(float))
    target = (np.eye(n.size) - np.outer(pi, np.ones(n.size))) * sq[None, :]
    u, sig, vt = np.linalg.svd(target)
    sig = np.where(sig < 1e-12 * sig.max(), 0.0, sig)
    s = scalar_minimiser(sig, big_n, lam_w, lam_h, m)
    z = (u * s) @ vt
    objective = float(np.sum(scalar_objective(s, sig, big_n, lam_w, lam_h, m)))
    return {"product": z, "product_means": z / sq[None, :], "bias": pi, "target": target, "target_sv": sig,
            "s": s, "objective": objective}


def optimal_objective(class_sizes, lam_w, lam_h, depth=1, bias=False):
    """The global minimum ``F*`` of the regularised UFM objective with ``depth`` linear layers.

    ``F = 1/(2N) ‖W_M⋯W_1 H (+ b1ᵀ) − Y‖² + Σ_l λ_W/2 ‖W_l‖² + λ_H/2 ‖H‖²`` (widths ≥ K, bias unregularised).
    Bias-free: ``F* = Σ_k g_k(s_k)`` with ``g_k(s) = (s − √n_k)²/(2N) + c s^{2/(M+1)}``; with bias: the same
    scalar problem at the singular values of ``(I − π1ᵀ) D^{1/2}``.

    Parameters
    ----------
    class_sizes : sequence of int
        Samples per class ``n_k``.
    lam_w : float
        Weight decay of every layer (> 0).
    lam_h : float
        Feature decay (> 0).
    depth : int
        Number of linear layers ``M`` (≥ 1).
    bias : bool
        Whether the last layer has an unregularised bias.

    Returns
    -------
    float
        ``F*``.

    References
    ----------
    H. Dang et al., "Neural Collapse in Deep Linear Networks: From Balanced to Imbalanced Data", ICML 2023,
    arXiv 2301.00437, Secs. 3–4; reduction in ``shared/claims/neural-collapse.md`` §2, §5.
    """
    if not isinstance(bias, (bool, np.bool_)):
        raise InputError(f"bias={bias!r} is not allowed; it must be True or False")
    if bias:
        return bias_product(class_sizes, lam_w, lam_h, depth)["objective"]
    return closed_form_minimiser(class_sizes, lam_w, lam_h, depth)["objective"]


def dang_stationarity_solution(class_sizes, lam_w, lam_h, depth=2):
    """The authors' code rule for deep heads: the largest real root of the stationarity equation, as ``s_k``.

    DANG's ``compute_x`` solves ``b/n_k = M x^{M−1}/(x^M + 1)²`` with ``b = M N (N λ_W^M λ_H)^{1/M}`` for its
    largest positive root ``x_k`` (0 if none), ``x_k^M = t_k^{2M}/(N λ_H)``; converted here to
    ``s_k = t_k^{M+1} √(λ_W/λ_H)``. This is ``g_k'(s) = 0``; it agrees with the global minimiser above
    :func:`collapse_threshold` but predicts a non-collapsed class in the window
    ``b/g_max ≤ n_k < n_thr`` where that root is only a local minimiser.

    Parameters
    ----------
    class_sizes : sequence of int
        Samples per class.
    lam_w, lam_h : float
        Decays (> 0).
    depth : int
        Number of linear layers ``M`` (≥ 2).

    Returns
    -------
    dict
        ``x`` (the authors' root per class), ``s`` and ``product_diag`` (``s_k/√n_k``), ``b``.

    References
    ----------
    H. Dang et al., ICML 2023, arXiv 2301.00437; code Fsoft-AIC/Neural-Collapse-in-Deep-Linear-Networks,
    ``synthetic_experiment_imbalanced.py`` (``compute_x``).
    """
    n = class_sizes_array(class_sizes)
    lam_w, lam_h = positive("lam_w", lam_w), positive("lam_h", lam_h)
    m = check_integer("depth", depth, minimum=2)
    big_n = float(n.sum())
    b = m * big_n * (big_n * lam_w**m * lam_h) ** (1.0 / m)
    xs = np.zeros(n.size)
    for k, nk in enumerate(n):
        # b (x^M + 1)^2 − n_k M x^{M−1} = 0 as a polynomial in x
        poly = np.zeros(2 * m + 1)
        poly[0] += b                       # x^{2M}
        poly[m] += 2 * b                   # x^M
        poly[2 * m] += b                   # 1
        poly[m + 1] -= nk * m              # x^{M−1}
        roots = np.roots(poly)
        real = roots[np.abs(roots.imag) < 1e-9 * np.maximum(1, np.abs(roots))].real
        xs[k] = max(real.max(), 0.0) if real.size else 0.0
    t = (xs**m * big_n * lam_h) ** (1.0 / (2 * m))
    s = t ** (m + 1) * np.sqrt(lam_w / lam_h)
    return {"x": xs, "s": s, "product_diag": s / np.sqrt(n), "b": b}


def stationarity_window(class_sizes, lam_w, lam_h, depth=2):
    """The range ``[b/g_max, n_thr)`` of class sizes where the authors' rule and the global minimiser disagree.

    ``g_max = (M+1)²/(4M) ((M−1)/(M+1))^{(M−1)/M}`` is the maximum of ``M x^{M−1}/(x^M+1)²``; positive roots
    exist for ``n_k ≥ b/g_max`` while the global minimiser is non-collapsed only for ``n_k > n_thr``.

    Parameters
    ----------
    class_sizes : sequence of int
        Samples per class (only ``N`` enters).
    lam_w, lam_h : float
        Decays (> 0).
    depth : int
        Number of linear layers ``M`` (≥ 2).

    Returns
    -------
    tuple of float
        ``(b/g_max, n_thr)``.

    References
    ----------
    H. Dang et al., "Neural Collapse in Deep Linear Networks: From Balanced to Imbalanced Data", ICML 2023,
    arXiv 2301.00437, and its code (``synthetic_experiment_imbalanced.py``, ``compute_x``).
    Window derived in ``shared/claims/neural-collapse.md`` §4.
    """
    n = class_sizes_array(class_sizes)
    lam_w, lam_h = positive("lam_w", lam_w), positive("lam_h", lam_h)
    m = check_integer("depth", depth, minimum=2)
    big_n = float(n.sum())
    b = m * big_n * (big_n * lam_w**m * lam_h) ** (1.0 / m)
    g_max = (m + 1) ** 2 / (4 * m) * ((m - 1) / (m + 1)) ** ((m - 1) / m)
    return b / g_max, collapse_threshold(n, lam_w, lam_h, m)
