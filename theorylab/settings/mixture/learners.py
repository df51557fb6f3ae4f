"""The generative–discriminative pair of Ng & Jordan (2001) and Zheng et al. (ICML 2023), as affine maps.

Both learners take NumPy arrays ``X`` (m, d) and integer labels ``y`` (m,) in [0, K) and return the fitted
classifier as ``(W, b)`` with shapes (K, d) and (K,): it predicts argmax_k (W x + b)_k.

* :func:`fit_naive_bayes`: Gaussian naive Bayes with a class-shared per-feature variance (Zheng et al. 2023,
  repository ``models/gaussnb.py``): π̂_k = m_k/m, μ̂_k the class means, σ̂_i² = Σ_k π̂_k v̂_ki + 10⁻⁹ with
  v̂_ki the (maximum-likelihood) within-class variances. Its rule argmax_k [log π̂_k − ½ Σ_i (x_i − μ̂_ki)²/σ̂_i²]
  is affine: W_k = μ̂_k/σ̂², b_k = log π̂_k − ½ Σ_i μ̂_ki²/σ̂_i².
* :func:`fit_logistic`: L2-regularised multinomial logistic regression (scikit-learn's convention:
  ½‖W‖² + C Σ_i CE(W x_i + b, y_i), bias not penalised), minimised by SciPy L-BFGS-B on the equivalent
  objective divided by C Σ_i w_i, in standardised feature coordinates, and for K = 2 as the equivalent
  binary problem with 2C (both exact reformulations, see :func:`fit_logistic`). Loss and gradient come from a fused numba kernel (log-sum-exp, loss and the
  residual softmax − one-hot in one pass over the scores; the two matrix products use BLAS).
"""
from __future__ import annotations

import math

import numpy as np
from scipy import optimize

from ..._validation import InputError, check_integer, check_nonnegative, check_positive, check_real, real_namespace
from ..._parallel import single_blas_thread
from ...losses.compsum import fused_loss_and_grad


def check_training_set(X, y, n_classes=None):
    """Validate a training set; return ``(X float64 (m, d), y int64 (m,), K)``.

    Parameters
    ----------
    X : array (m, d)
        Features (finite, non-empty).
    y : array (m,)
        Integer labels in [0, K) (integral floats accepted).
    n_classes : int, optional
        K (≥ 2); ``max(y) + 1`` when None.

    Returns
    -------
    X : ndarray (m, d)
        float64 features.
    y : ndarray (m,)
        int64 labels.
    K : int
        Number of classes.

    Raises
    ------
    InputError
        For a non-2-D or non-finite X, labels of the wrong shape or outside [0, K), m < K, or an empty class.

    References
    ----------
    C. Zheng, G. Wu, F. Bao, Y. Cao, C. Li, J. Zhu, "Revisiting Discriminative vs. Generative Classifiers: Theory and
    Implications", ICML 2023, arXiv:2302.02334.
    """
    _, (X,) = real_namespace(X=X)
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise InputError(f"X has shape {X.shape}; a non-empty (m, d) array is allowed")
    if not np.all(np.isfinite(X)):
        raise InputError("X contains NaN or inf; finite numbers are allowed")
    y_arr = np.asarray(y)
    if y_arr.dtype.kind not in "iuf":
        raise InputError(f"y has dtype {y_arr.dtype}; integer class labels in [0, K) are allowed (bool, complex "
                         "and non-numeric labels are rejected)")
    if y_arr.shape != (X.shape[0],):
        raise InputError(f"y has shape {y_arr.shape}; shape ({X.shape[0]},) is allowed (one label per row of X)")
    if y_arr.size and not (np.all(np.isfinite(y_arr)) and np.all(np.equal(np.mod(y_arr, 1), 0))):
        raise InputError("y contains non-integer labels; integers in [0, K) are allowed")
    y_arr = y_arr.astype(np.int64)
    if n_classes is None:
        K = int(y_arr.max()) + 1
    else:
        try:
            K = check_integer("n_classes", n_classes, minimum=2)
        except InputError:
            raise InputError(f"n_classes={n_classes!r} is not allowed; an integer >= 2 is") from None
    if K < 2:
        raise InputError(f"y has the single class {K - 1}; at least 2 classes are needed")
    if y_arr.min() < 0 or y_arr.max() >= K:
        raise InputError(f"y has labels in [{y_arr.min()}, {y_arr.max()}]; labels in [0, {K - 1}] are allowed")
    m = X.shape[0]
    if m < K:
        raise InputError(f"m={m} training points is not allowed for K={K} classes; m >= K is")
    counts = np.bincount(y_arr, minlength=K)
    if np.any(counts == 0):
        missing = int(np.flatnonzero(counts == 0)[0])
        raise InputError(f"class {missing} has no samples in y; every class 0..{K - 1} needs at least one")
    return X, y_arr, K


def fit_naive_bayes(X, y, n_classes=None, var_smoothing: float = 1e-9):
    """Gaussian naive Bayes with a class-shared per-feature variance, as an affine map ``(W, b)``.

    σ̂_i² = Σ_k π̂_k v̂_ki + ``var_smoothing`` (prior-weighted within-class variances); W_k = μ̂_k/σ̂²,
    b_k = log π̂_k − ½ Σ_i μ̂_ki²/σ̂_i² (the terms common to every class are dropped, so argmax and the softmax
    posterior are unchanged).

    Parameters
    ----------
    X : array (m, d)
        Features.
    y : integer array (m,)
        Labels.
    n_classes : int, optional
        K (default max(y) + 1).
    var_smoothing : float, default 1e-9
        Variance added to every feature (≥ 0).

    Returns
    -------
    W : ndarray (K, d)
        Weights.
    b : ndarray (K,)
        Biases.

    Raises
    ------
    InputError
        For an invalid training set or var_smoothing.

    References
    ----------
    C. Zheng, G. Wu, F. Bao, Y. Cao, C. Li, J. Zhu, "Revisiting Discriminative vs. Generative Classifiers: Theory and
    Implications", ICML 2023, arXiv:2302.02334 (repository ``models/gaussnb.py``); A. Y. Ng, M. I. Jordan, "On
    Discriminative vs. Generative Classifiers: A comparison of logistic regression and naive Bayes", NIPS 14, 2001.
    """
    X, y, K = check_training_set(X, y, n_classes)
    var_smoothing = check_nonnegative("var_smoothing", var_smoothing)
    m, d = X.shape
    counts = np.bincount(y, minlength=K).astype(float)
    pri = counts / m
    onehot = np.zeros((m, K))
    onehot[np.arange(m), y] = 1.0
    mu = (onehot.T @ X) / counts[:, None]  # class means by one BLAS product (np.add.at is ~10× slower)
    resid = X - mu[y]
    var = (resid * resid).sum(axis=0) / m + var_smoothing  # = Σ_k π̂_k v̂_k (ML within-class variances)
    W = mu / var
    b = np.log(pri) - 0.5 * np.einsum("kd,kd->k", W, mu)
    return W, b


def logistic_objective(theta, X, y, w, K, reg, pen=None, binary=False):
    """Objective and gradient of (1/Σw)[Σ_i w_i CE(W x_i + b, y_i)] + (reg/2) Σ_kj pen_j W_kj², θ = (W.ravel(), b).

    ``reg`` = 1/(C Σ_i w_i) (scikit-learn's ½‖W‖² + C Σ CE divided by C Σ w). ``binary=True`` (K = 2):
    θ = (w, c) holds one row, the scores are (0, w·x + c) and the penalty is (reg/2) Σ_j pen_j w_j². Inputs are
    not validated (called inside L-BFGS).

    Parameters
    ----------
    theta : ndarray
        Parameters (K·d + K, or d + 1 when binary).
    X : ndarray (m, d)
        Features.
    y : ndarray (m,)
        Labels in [0, K).
    w : ndarray (m,)
        Sample weights.
    K : int
        Number of classes.
    reg : float
        Penalty strength ≥ 0.
    pen : ndarray (d,), optional
        Per-feature penalty weights (default 1).
    binary : bool, default False
        The one-row binary form.

    Returns
    -------
    f : float
        The objective.
    grad : ndarray
        Its gradient with respect to θ.

    References
    ----------
    C. Zheng, G. Wu, F. Bao, Y. Cao, C. Li, J. Zhu, "Revisiting Discriminative vs. Generative Classifiers: Theory and
    Implications", ICML 2023, arXiv:2302.02334; A. Y. Ng, M. I. Jordan, "On Discriminative vs. Generative Classifiers:
    A comparison of logistic regression and naive Bayes", NIPS 14, 2001 (logistic regression as the discriminative
    learner).
    """
    d = X.shape[1]
    rows = 1 if binary else K
    W = theta[:rows * d].reshape(rows, d)
    b = theta[rows * d:]
    if binary:
        S = np.zeros((X.shape[0], 2))
        S[:, 1] = X @ W[0] + b[0]
    else:
        S = X @ W.T + b
    loss, R = np.empty(S.shape[0]), np.empty_like(S)
    # softmax cross-entropy (comp-sum τ = 1) and its gradient; inputs were validated by the caller
    fused_loss_and_grad(S, np.ascontiguousarray(y, dtype=np.int64), 1.0, loss, R)
    if binary:
        R = R[:, 1:]  # ∂CE/∂(w·x + c) = σ(w·x + c) − 1[y = 1]
    sw = w.sum()
    total = float(w @ loss)
    R *= w[:, None]
    PW = W if pen is None else W * pen
    f = total / sw + 0.5 * reg * float(np.vdot(PW, W))
    gW = (R.T @ X) / sw + reg * PW
    gb = R.sum(axis=0) / sw
    return f, np.concatenate([gW.ravel(), gb])


def fit_logistic(X, y, C: float = 1.0, n_classes=None, sample_weight=None, max_iter: int = 1000,
                 tol: float = 1e-4, init=None):
    """L2-regularised multinomial logistic regression by L-BFGS, as an affine map ``(W, b)``.

    Minimises ½‖W‖² + C Σ_i w_i CE(W x_i + b, y_i), CE(s, y) = logsumexp(s) − s_y (scikit-learn's multinomial
    ``LogisticRegression(C=C)`` convention, used by Zheng et al. 2023 with C = 1), through the same
    objective divided by C Σ_i w_i. ``C = inf`` drops the penalty. Two exact reformulations make it fast:

    * preconditioning: L-BFGS runs on x̃ = (x − μ)/s (weighted feature means μ and standard deviations s),
      W̃ = W·diag(s), b̃ = b + Wμ, so W x + b = W̃ x̃ + b̃ and the penalty becomes ½ Σ_kj W̃_kj²/s_j²;
    * K = 2: the cross-entropy depends on w = W₁ − W₀, c = b₁ − b₀ only, and stationarity gives W₁ = −W₀,
      so ½(‖W₀‖² + ‖W₁‖²) = ¼‖w‖²: binary logistic regression ½‖w‖² + 2C Σ_i w_i CE, returned as
      W = (−w/2, w/2), b = (−c/2, c/2).

    Parameters
    ----------
    X : array (m, d)
        Features.
    y : integer array (m,)
        Labels.
    C : float, default 1.0
        Inverse regularisation strength > 0 (or inf).
    n_classes : int, optional
        K (default max(y) + 1); every class must occur.
    sample_weight : array (m,), optional
        Non-negative weights w_i with a positive sum (default 1).
    max_iter : int, default 1000
        L-BFGS iteration cap.
    tol : float, default 1e-4
        Projected-gradient tolerance (``gtol``, preconditioned coordinates; as scikit-learn).
    init : (W, b), optional
        Starting point (default zeros), e.g. the fit at the previous training size (warm start).

    Returns
    -------
    W : ndarray (K, d)
        Weights.
    b : ndarray (K,)
        Biases.

    Raises
    ------
    InputError
        For an invalid training set, C, max_iter, tol, sample_weight or init.

    References
    ----------
    C. Zheng, G. Wu, F. Bao, Y. Cao, C. Li, J. Zhu, "Revisiting Discriminative vs. Generative Classifiers: Theory and
    Implications", ICML 2023, arXiv:2302.02334; A. Y. Ng, M. I. Jordan, "On Discriminative vs. Generative Classifiers:
    A comparison of logistic regression and naive Bayes", NIPS 14, 2001.
    """
    X, y, K = check_training_set(X, y, n_classes)
    Cf = check_real("C", C, allow_nan=True, allowed="a number > 0 (or inf)")
    max_iter = check_integer("max_iter", max_iter)
    tol = check_positive("tol", tol)
    if not Cf > 0:
        raise InputError(f"C={C!r} is not allowed; a number > 0 (or inf) is")
    m, d = X.shape
    if sample_weight is None:
        w = np.ones(m)
    else:
        _, (w,) = real_namespace(sample_weight=sample_weight)
        w = np.asarray(w, dtype=float)
        if w.shape != (m,) or np.any(~np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
            raise InputError(f"sample_weight has shape {w.shape} or bad values; ({m},) finite non-negative "
                             "weights with a positive sum are allowed")
    reg = 0.0 if math.isinf(Cf) else 1.0 / (Cf * w.sum())
    mu = (w @ X) / w.sum()
    Xs = X - mu
    s = np.sqrt((w @ (Xs * Xs)) / w.sum())
    s[~(s > 1e-12 * max(1.0, float(np.abs(mu).max(initial=0.0))))] = 1.0  # constant features: no scaling
    Xs /= s
    binary = K == 2
    if init is not None:
        if not isinstance(init, (tuple, list)) or len(init) != 2:
            raise InputError(f"init={type(init).__name__} is not allowed; a pair (W, b) is")
        _, (W0, b0) = real_namespace(init_W=init[0], init_b=init[1])
        W0, b0 = np.asarray(W0, float), np.asarray(b0, float)
        if W0.shape != (K, d) or b0.shape != (K,):
            raise InputError(f"init has shapes {W0.shape}, {b0.shape}; ({K}, {d}), ({K},) are allowed")
        if not (np.all(np.isfinite(W0)) and np.all(np.isfinite(b0))):
            raise InputError("init contains NaN or inf; finite starting values are allowed")
        if binary:
            W0, b0 = (W0[1] - W0[0])[None, :], np.array([b0[1] - b0[0]])
        theta0 = np.concatenate([(W0 * s).ravel(), b0 + W0 @ mu])
    else:
        theta0 = np.zeros((1 if binary else K) * (d + 1))
    args = (Xs, y, w, K, reg / 2 if binary else reg, 1.0 / (s * s), binary)
    with single_blas_thread():
        res = optimize.minimize(logistic_objective, theta0, args=args, jac=True, method="L-BFGS-B",
                                options={"maxiter": int(max_iter), "gtol": float(tol),
                                         "ftol": 64 * np.finfo(float).eps})
    rows = 1 if binary else K
    W = res.x[:rows * d].reshape(rows, d) / s
    b = res.x[rows * d:] - W @ mu
    if binary:
        return np.stack([-W[0] / 2, W[0] / 2]), np.array([-b[0] / 2, b[0] / 2])
    return W, b

__all__ = ["check_training_set", "fit_naive_bayes", "fit_logistic", "logistic_objective"]
