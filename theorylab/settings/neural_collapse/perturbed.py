"""The perturbed UFM: features kept near a given feature matrix ``X`` (Tirer, Huang, Niles-Weed 2023).

``F_X(W, H) = 1/(2N) ‖W H − Y‖² + λ_W/2 ‖W‖² + λ_H/2 ‖H‖² + β/2 ‖H − X‖²`` (a reconstructed normalisation: the
paper's exact constants are not confirmed here; large ``β`` is its small-vicinity regime, ``X = 0`` gives the
plain UFM with feature decay ``λ_H + β``). For fixed ``W`` it is a strictly convex quadratic in ``H``:
``H = (WᵀW + N(λ_H+β) I)^{-1} (WᵀY + NβX)``, so within-class differences contract,
``h_i − h_j = A (x_i − x_j)``, ``A = Nβ (WᵀW + N(λ_H+β) I)^{-1} ⪯ β/(λ_H+β) I``. Near ``β = ∞`` (``λ_H = 0``):
``W* = W_r + O(1/β)`` with the ridge classifier ``W_r = YXᵀ(XXᵀ + NλI)^{-1}``, and
``H* = X + W_rᵀ(Y − W_r X)/(Nβ) + O(β^{-2})``.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from ..._parallel import single_blas_thread
from ..._validation import InputError, check_integer, check_nonnegative, check_positive
from ._checks import labels_array
from .objective import one_hot

__all__ = ["perturbed_objective", "optimal_features", "contraction_matrix", "ridge_classifier",
           "first_order_minimiser", "fit_perturbed"]


def _matrix(name, x):
    arr = np.asarray(x, dtype=float)
    if arr.ndim != 2 or not np.all(np.isfinite(arr)):
        raise InputError(f"{name} of shape {arr.shape} is not allowed; it must be a finite matrix")
    return arr


def perturbed_objective(weights, features, anchor, labels, lam_w, lam_h, beta, gradient=False):
    """``F_X(W, H) = 1/(2N)‖WH − Y‖² + λ_W/2‖W‖² + λ_H/2‖H‖² + β/2‖H − X‖²`` and optionally its gradient.

    Gradient: ``∂W = R Hᵀ + λ_W W``, ``∂H = WᵀR + λ_H H + β(H − X)`` with ``R = (WH − Y)/N``.

    Parameters
    ----------
    weights : numpy.ndarray
        ``W`` (``K × d``).
    features : numpy.ndarray
        ``H`` (``d × N``).
    anchor : numpy.ndarray
        The given features ``X`` (``d × N``).
    labels : array_like of int
        Class of each sample.
    lam_w : float
        Classifier decay (> 0).
    lam_h : float
        Feature decay (≥ 0).
    beta : float
        Strength of the pull towards ``X`` (> 0).
    gradient : bool
        Also return ``(∂W, ∂H)``.

    Returns
    -------
    float or tuple
        ``F_X``, or ``(F_X, ∂W, ∂H)``.

    References
    ----------
    T. Tirer, H. Huang, J. Niles-Weed, "Perturbation Analysis of Neural Collapse", ICML 2023, arXiv 2210.16658,
    Sec. 3 (the model with features near a predefined matrix; normalisation reconstructed).
    """
    w, h, x = _matrix("weights", weights), _matrix("features", features), _matrix("anchor", anchor)
    lam_w, lam_h, beta = check_positive("lam_w", lam_w), check_nonnegative("lam_h", lam_h), check_positive("beta", beta)
    if x.shape != h.shape or w.shape[1] != h.shape[0]:
        raise InputError(f"shapes W {w.shape}, H {h.shape}, X {x.shape} do not match")
    y = one_hot(labels_array(labels, h.shape[1]), w.shape[0])
    n = h.shape[1]
    r = (w @ h - y) / n
    f = (0.5 * n * np.sum(r**2) + 0.5 * lam_w * np.sum(w**2) + 0.5 * lam_h * np.sum(h**2)
         + 0.5 * beta * np.sum((h - x) ** 2))
    if not gradient:
        return float(f)
    return float(f), r @ h.T + lam_w * w, w.T @ r + lam_h * h + beta * (h - x)


def optimal_features(weights, anchor, labels, lam_h, beta):
    """The minimiser in ``H`` for fixed ``W``: ``H = (WᵀW + N(λ_H+β)I)^{-1}(WᵀY + NβX)``.

    Parameters
    ----------
    weights : numpy.ndarray
        ``W`` (``K × d``).
    anchor : numpy.ndarray
        ``X`` (``d × N``).
    labels : array_like of int
        Class of each sample.
    lam_h : float
        Feature decay (≥ 0).
    beta : float
        Pull towards ``X`` (> 0).

    Returns
    -------
    numpy.ndarray
        ``H`` (``d × N``).

    References
    ----------
    T. Tirer, H. Huang, J. Niles-Weed, ICML 2023, arXiv 2210.16658, Sec. 4 (the optimal features given W).
    """
    w, x = _matrix("weights", weights), _matrix("anchor", anchor)
    lam_h, beta = check_nonnegative("lam_h", lam_h), check_positive("beta", beta)
    n = x.shape[1]
    y = one_hot(labels_array(labels, n), w.shape[0])
    m = w.T @ w + n * (lam_h + beta) * np.eye(w.shape[1])
    return np.linalg.solve(m, w.T @ y + n * beta * x)


def contraction_matrix(weights, n_samples, lam_h, beta):
    """``A = Nβ (WᵀW + N(λ_H+β)I)^{-1}``: within-class differences of the optimal ``H`` are ``A`` times those of ``X``.

    ``0 ≺ A ⪯ β/(λ_H+β) I``, strictly below ``I`` in the row space of ``W``.

    Parameters
    ----------
    weights : numpy.ndarray
        ``W`` (``K × d``).
    n_samples : int
        ``N``.
    lam_h : float
        Feature decay (≥ 0).
    beta : float
        Pull towards ``X`` (> 0).

    Returns
    -------
    numpy.ndarray
        ``A`` (``d × d``, symmetric positive definite).

    References
    ----------
    T. Tirer, H. Huang, J. Niles-Weed, ICML 2023, arXiv 2210.16658, Sec. 4 (reduction of within-class
    variability).
    """
    w = _matrix("weights", weights)
    n = check_integer("n_samples", n_samples)
    lam_h, beta = check_nonnegative("lam_h", lam_h), check_positive("beta", beta)
    return n * beta * np.linalg.inv(w.T @ w + n * (lam_h + beta) * np.eye(w.shape[1]))


def ridge_classifier(anchor, labels, lam_w):
    """The ridge classifier on the given features, ``W_r = Y Xᵀ (X Xᵀ + N λ_W I)^{-1}`` (the ``β → ∞`` limit of ``W*``).

    Parameters
    ----------
    anchor : numpy.ndarray
        ``X`` (``d × N``).
    labels : array_like of int
        Class of each sample.
    lam_w : float
        Classifier decay (> 0).

    Returns
    -------
    numpy.ndarray
        ``W_r`` (``K × d``).

    References
    ----------
    T. Tirer, H. Huang, J. Niles-Weed, ICML 2023, arXiv 2210.16658, Sec. 5 (near-collapse / small-vicinity
    analysis).
    """
    x = _matrix("anchor", anchor)
    lam_w = check_positive("lam_w", lam_w)
    n = x.shape[1]
    y = one_hot(labels_array(labels, n))
    return np.linalg.solve(x @ x.T + n * lam_w * np.eye(x.shape[0]), x @ y.T).T


def first_order_minimiser(anchor, labels, lam_w, beta):
    """First-order small-vicinity minimiser (``λ_H = 0``): ``(W_r, X + W_rᵀ(Y − W_r X)/(Nβ))``.

    Parameters
    ----------
    anchor : numpy.ndarray
        ``X`` (``d × N``).
    labels : array_like of int
        Class of each sample.
    lam_w : float
        Classifier decay (> 0).
    beta : float
        Pull towards ``X`` (> 0, large).

    Returns
    -------
    tuple of numpy.ndarray
        ``(W_r, H_1)``; the errors to the minimiser are ``O(1/β)`` and ``O(1/β²)``.

    References
    ----------
    T. Tirer, H. Huang, J. Niles-Weed, ICML 2023, arXiv 2210.16658, Sec. 5 (perturbation expansion of the
    minimiser; form reconstructed).
    """
    x = _matrix("anchor", anchor)
    beta = check_positive("beta", beta)
    w = ridge_classifier(x, labels, lam_w)
    y = one_hot(labels_array(labels, x.shape[1]), w.shape[0])
    return w, x + w.T @ (y - w @ x) / (x.shape[1] * beta)


def fit_perturbed(anchor, labels, lam_w, lam_h, beta, init=None, gtol=1e-13, maxiter=20000):
    """Minimise ``F_X`` over ``(W, H)`` by L-BFGS (analytic gradient) from ``init`` (default: ``(W_r, X)``).

    Parameters
    ----------
    anchor : numpy.ndarray
        ``X`` (``d × N``).
    labels : array_like of int
        Class of each sample.
    lam_w : float
        Classifier decay (> 0).
    lam_h : float
        Feature decay (≥ 0).
    beta : float
        Pull towards ``X`` (> 0).
    init : tuple of numpy.ndarray, optional
        Starting ``(W, H)``.
    gtol : float
        L-BFGS gradient tolerance.
    maxiter : int
        Iteration cap.

    Returns
    -------
    dict
        ``weights`` (``W*``), ``features`` (``H*``), ``objective``, ``grad_norm``.

    References
    ----------
    T. Tirer, H. Huang, J. Niles-Weed, ICML 2023, arXiv 2210.16658, Sec. 6 (numerical minimisation of the model).
    """
    x = _matrix("anchor", anchor)
    y = labels_array(labels, x.shape[1])
    k, d, n = int(y.max()) + 1, x.shape[0], x.shape[1]
    if init is None:
        w0 = ridge_classifier(x, y, lam_w)
        h0 = x
    else:
        w0, h0 = _matrix("init[0]", init[0]), _matrix("init[1]", init[1])
    nw = k * d

    def fun(v):
        f, gw, gh = perturbed_objective(v[:nw].reshape(k, d), v[nw:].reshape(d, n), x, y, lam_w, lam_h, beta, True)
        return f, np.concatenate([gw.ravel(), gh.ravel()])

    with single_blas_thread():
        res = minimize(fun, np.concatenate([w0.ravel(), h0.ravel()]), jac=True, method="L-BFGS-B",
                       options={"maxiter": maxiter, "gtol": gtol, "ftol": 1e-16, "maxcor": 30, "maxfun": 4 * maxiter})
    return {"weights": res.x[:nw].reshape(k, d).copy(), "features": res.x[nw:].reshape(d, n).copy(),
            "objective": float(res.fun), "grad_norm": float(np.max(np.abs(res.jac)))}
