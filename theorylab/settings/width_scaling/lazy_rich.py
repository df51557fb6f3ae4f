"""Lazy-to-rich training of a width-scaled two-layer network (Kumar, Bordelon, Gershman, Pehlevan, ICLR 2024).

Setting. Inputs ``x ~ N(0, I_D/D)``; a direction ``β`` with ``|β|² = D`` (so ``β·x ~ N(0, 1)``); the quadratic target
``y = ½(β·x)²`` or the linear control target ``y = β·x``. The network is

    f(x; W) = α · (1/N) Σ_i φ(w_i·x),   φ(z) = z + (ε/2) z²,   w_i ~ N(0, I_D) at initialisation,

with the readouts frozen at 1, and it is trained through its *centred* output ``f̃ = f − f₀`` (``f₀`` the function at
initialisation, held fixed) on ``L = (1/2P) Σ_μ (f̃(x_μ) − y_μ)²`` by full-batch gradient descent with step
``η = η₀ N/α²``. Since ``∂f/∂w_i = (α/N) φ'(w_i·x) x``, one step changes the function by ``−(η₀/P) K_N(·, X) r``
with the empirical NTK at the current weights

    K_N(x, x') = (1/N) Σ_i φ'(w_i·x) φ'(w_i·x') x·x',

independent of α, while each weight moves by ``O(η₀/α)``: large α is lazy (kernel) training, small α is rich.
As ``N → ∞``, ``E_w[φ'(w·x)φ'(w·x')] = 1 + ε² x·x'`` (``w ~ N(0, I)``), so ``K_∞(x, x') = x·x' + ε²(x·x')²``.
The linearised dynamics (``K_N`` frozen at initialisation) start at ``f̃ = 0`` and converge to ridgeless kernel
regression with ``K_N``; the network's early test error is that of this kernel regression, and it generalises
later only once its features move (Kumar et al.: grokking as the transition from lazy to rich dynamics).

The normalisations (the law of ``w_i``, ``η = η₀N/α²``, the frozen readouts) are this project's reconstruction
from the paper's abstract-level description, not copied from the paper's text.
"""
from __future__ import annotations

import numpy as np

from ..._validation import (InputError, check_choice, check_generator, check_integer, check_nonnegative,
                            check_positive, check_real)

__all__ = ["sample_task", "init_weights", "network_output", "gd_step", "train_gd", "empirical_ntk",
           "infinite_width_ntk", "kernel_regression", "linearised_dynamics", "crossing_time"]

_REF = ("T. Kumar, B. Bordelon, S. J. Gershman, C. Pehlevan, \"Grokking as the Transition from Lazy to Rich "
        "Training Dynamics\", ICLR 2024, arXiv 2310.06110")
TARGETS = ("quadratic", "linear")


def _matrix(name, a, cols=None):
    try:
        arr = np.asarray(a, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a 2-d array of real numbers") from None
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise InputError(f"{name} has shape {arr.shape}; a non-empty 2-d array is allowed")
    if cols is not None and arr.shape[1] != cols:
        raise InputError(f"{name} has {arr.shape[1]} columns; {cols} (the input dimension) are allowed")
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name} contains NaN or inf; finite real numbers are allowed")
    return arr


def _vector(name, a, length):
    try:
        arr = np.asarray(a, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a 1-d array of real numbers") from None
    if arr.ndim != 1 or arr.shape[0] != length:
        raise InputError(f"{name} has shape {arr.shape}; a 1-d array of length {length} is allowed")
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name} contains NaN or inf; finite real numbers are allowed")
    return arr


def _alphas(alphas):
    a = np.atleast_1d(np.asarray(alphas, dtype=float)) if not isinstance(alphas, (str, bytes)) else None
    if a is None or a.ndim != 1 or a.size == 0 or not np.all(np.isfinite(a)) or np.any(a <= 0):
        raise InputError(f"alphas={alphas!r} is not allowed; a positive number or a 1-d array of positive numbers is")
    return a


def _eps(epsilon):
    return check_real("epsilon", epsilon, allow_inf=False, allowed="a finite real number")


def sample_task(n_train, n_test, dim, rng, target="quadratic"):
    """Draw a training set, a test set and the target direction of the lazy-to-rich regression task.

    ``x ~ N(0, I_D/D)``, ``β`` uniform on the sphere of radius ``√D`` (so ``β·x ~ N(0, 1)``), and
    ``y = ½(β·x)²`` (``target="quadratic"``) or ``y = β·x`` (``target="linear"``, the no-delay control).

    Parameters
    ----------
    n_train : int
        Number of training points ``P`` (≥ 1).
    n_test : int
        Number of test points (≥ 1).
    dim : int
        Input dimension ``D`` (≥ 1).
    rng : numpy.random.Generator
        Random stream; ``β`` is drawn first, then the training inputs, then the test inputs.
    target : {"quadratic", "linear"}
        The target function.

    Returns
    -------
    dict
        ``X`` (P, D), ``y`` (P,), ``X_test`` (n_test, D), ``y_test`` (n_test,), ``beta`` (D,).

    References
    ----------
    T. Kumar, B. Bordelon, S. J. Gershman, C. Pehlevan, "Grokking as the Transition from Lazy to Rich Training
    Dynamics", ICLR 2024, arXiv 2310.06110, sec. 5 (polynomial regression with a two-layer network).
    """
    p = check_integer("n_train", n_train)
    q = check_integer("n_test", n_test)
    d = check_integer("dim", dim)
    rng = check_generator("rng", rng)
    check_choice("target", target, TARGETS)
    beta = rng.standard_normal(d)
    beta *= np.sqrt(d) / np.linalg.norm(beta)
    X = rng.standard_normal((p, d)) / np.sqrt(d)
    Xt = rng.standard_normal((q, d)) / np.sqrt(d)

    def f(Z):
        z = Z @ beta
        return 0.5 * z * z if target == "quadratic" else z

    return {"X": X, "y": f(X), "X_test": Xt, "y_test": f(Xt), "beta": beta}


def init_weights(width, dim, rng):
    """First-layer weights at initialisation, ``w_i ~ N(0, I_D)`` for ``i = 1..N`` (so ``w_i·x ~ N(0, |x|²)``).

    Parameters
    ----------
    width : int
        Number of hidden units ``N`` (≥ 1).
    dim : int
        Input dimension ``D`` (≥ 1).
    rng : numpy.random.Generator
        Random stream.

    Returns
    -------
    numpy.ndarray
        Shape ``(N, D)``.

    References
    ----------
    T. Kumar, B. Bordelon, S. J. Gershman, C. Pehlevan, "Grokking as the Transition from Lazy to Rich Training
    Dynamics", ICLR 2024, arXiv 2310.06110, sec. 5 (the initialisation law is this project's choice).
    """
    n = check_integer("width", width)
    d = check_integer("dim", dim)
    return check_generator("rng", rng).standard_normal((n, d))


def network_output(W, X, alpha, epsilon=1.0):
    """The uncentred network ``f(x) = α (1/N) Σ_i φ(w_i·x)``, ``φ(z) = z + (ε/2) z²``, at the rows of ``X``.

    Parameters
    ----------
    W : array_like
        Weights, shape ``(N, D)``.
    X : array_like
        Inputs, shape ``(P, D)``.
    alpha : float
        Output scale α > 0.
    epsilon : float
        Strength ε of the quadratic part of φ.

    Returns
    -------
    numpy.ndarray
        Shape ``(P,)``.

    References
    ----------
    T. Kumar, B. Bordelon, S. J. Gershman, C. Pehlevan, "Grokking as the Transition from Lazy to Rich Training
    Dynamics", ICLR 2024, arXiv 2310.06110, sec. 5 (the network and its output scale α).
    """
    W = _matrix("W", W)
    X = _matrix("X", X, W.shape[1])
    a = check_positive("alpha", alpha)
    e = _eps(epsilon)
    H = X @ W.T
    return a * (H + 0.5 * e * H * H).mean(axis=1)


def gd_step(W, X, y, f0, alpha, eta0, epsilon=1.0):
    """One full-batch gradient step on ``L = (1/2P) Σ_μ (f(x_μ) − f₀(x_μ) − y_μ)²`` with ``η = η₀N/α²``.

    ``∇_{w_i} L = (1/P) Σ_μ r_μ (α/N) φ'(w_i·x_μ) x_μ`` with ``r = f − f₀ − y``, so the update is
    ``w_i ← w_i − (η₀/(αP)) Σ_μ r_μ φ'(w_i·x_μ) x_μ``. This is the single-α reference for :func:`train_gd`.

    Parameters
    ----------
    W : array_like
        Current weights, shape ``(N, D)``.
    X : array_like
        Training inputs, shape ``(P, D)``.
    y : array_like
        Targets, shape ``(P,)``.
    f0 : array_like
        The network at initialisation on ``X`` (:func:`network_output` at the initial weights), shape ``(P,)``.
    alpha : float
        Output scale α > 0.
    eta0 : float
        Base step η₀ > 0 (the function-space step size).
    epsilon : float
        Strength ε of the quadratic part of φ.

    Returns
    -------
    numpy.ndarray
        The new weights, shape ``(N, D)``.

    References
    ----------
    T. Kumar, B. Bordelon, S. J. Gershman, C. Pehlevan, "Grokking as the Transition from Lazy to Rich Training
    Dynamics", ICLR 2024, arXiv 2310.06110, sec. 5 (centred output, vanilla GD, learning rate scaled with α).
    """
    W = _matrix("W", W)
    X = _matrix("X", X, W.shape[1])
    y = _vector("y", y, X.shape[0])
    f0 = _vector("f0", f0, X.shape[0])
    a = check_positive("alpha", alpha)
    eta = check_positive("eta0", eta0)
    e = _eps(epsilon)
    H = X @ W.T
    r = a * (H + 0.5 * e * H * H).mean(axis=1) - f0 - y
    grad = ((1.0 + e * H) * r[:, None]).T @ X          # (N, D): Σ_μ r_μ φ'(h_μi) x_μ
    return W - (eta / (a * X.shape[0])) * grad


def train_gd(X, y, W0, alphas, eta0, steps, epsilon=1.0, X_test=None, y_test=None, log_every=1):
    """Full-batch GD of the centred network from ``W0`` at several output scales α at once (vectorised over α).

    Every α starts from the same ``W0`` and follows :func:`gd_step` (step ``η = η₀N/α²``). Train (and test) MSE
    ``mean (f̃ − y)²`` are recorded at steps ``0, log_every, 2·log_every, …`` up to ``steps``.

    Parameters
    ----------
    X : array_like
        Training inputs, shape ``(P, D)``.
    y : array_like
        Training targets, shape ``(P,)``.
    W0 : array_like
        Initial weights, shape ``(N, D)``.
    alphas : float or array_like
        Output scales α > 0, shape ``(A,)``.
    eta0 : float
        Base step η₀ > 0.
    steps : int
        Number of GD steps (≥ 0).
    epsilon : float
        Strength ε of the quadratic part of φ.
    X_test, y_test : array_like, optional
        Test set, shapes ``(Q, D)`` and ``(Q,)``; both or neither.
    log_every : int
        Record the errors every this many steps (≥ 1).

    Returns
    -------
    dict
        ``steps`` (L,) the logged steps; ``train_mse`` (L, A); ``test_mse`` (L, A) or None; ``W`` (A, N, D) the
        final weights; ``f_train`` (A, P) and ``f_test`` (A, Q) or None, the final centred outputs.

    References
    ----------
    T. Kumar, B. Bordelon, S. J. Gershman, C. Pehlevan, "Grokking as the Transition from Lazy to Rich Training
    Dynamics", ICLR 2024, arXiv 2310.06110, sec. 5 and Fig. 1 (train and test loss vs step for several α).
    """
    W0 = _matrix("W0", W0)
    X = _matrix("X", X, W0.shape[1])
    y = _vector("y", y, X.shape[0])
    al = _alphas(alphas)
    eta = check_positive("eta0", eta0)
    T = check_integer("steps", steps, minimum=0)
    e = _eps(epsilon)
    k = check_integer("log_every", log_every)
    if (X_test is None) != (y_test is None):
        raise InputError("X_test and y_test must be given together (or both omitted)")
    test = X_test is not None
    if test:
        Xt = _matrix("X_test", X_test, W0.shape[1])
        yt = _vector("y_test", y_test, Xt.shape[0])
        XtT = np.ascontiguousarray(Xt.T)
        h0 = Xt @ W0.T
        f0t = (h0 + 0.5 * e * h0 * h0).mean(axis=1)
    P = X.shape[0]
    XT = np.ascontiguousarray(X.T)
    h0 = X @ W0.T
    f0 = (h0 + 0.5 * e * h0 * h0).mean(axis=1)
    W = np.broadcast_to(W0, (al.size,) + W0.shape).copy()
    a = al[:, None]
    c = (eta / (al * P))[:, None, None]
    logged, tr, te = [], [], []

    def test_out(W):
        Ht = W @ XtT
        return a * ((Ht + 0.5 * e * Ht * Ht).mean(axis=1) - f0t)

    for t in range(T + 1):
        H = W @ XT                                       # (A, N, P)
        f = a * ((H + 0.5 * e * H * H).mean(axis=1) - f0)
        r = f - y
        if t % k == 0 or t == T:
            logged.append(t)
            tr.append((r * r).mean(axis=1))
            if test:
                ft = test_out(W)
                te.append(((ft - yt) ** 2).mean(axis=1))
        if t == T:
            break
        H *= e
        H += 1.0
        H *= r[:, None, :]                               # φ'(h) r
        W -= c * (H @ X)
    return {"steps": np.asarray(logged), "train_mse": np.asarray(tr), "test_mse": np.asarray(te) if test else None,
            "W": W, "f_train": f, "f_test": test_out(W) if test else None}


def empirical_ntk(W, X, X2=None, epsilon=1.0):
    """The empirical NTK ``K_N(x, x') = (1/N) Σ_i φ'(w_i·x) φ'(w_i·x') x·x'`` (``φ'(z) = 1 + εz``).

    ``η Σ_i ⟨∂f(x)/∂w_i, ∂f(x')/∂w_i⟩ = η₀ K_N(x, x')`` for ``η = η₀N/α²``: the function-space kernel of one GD
    step, independent of α.

    Parameters
    ----------
    W : array_like
        Weights, shape ``(N, D)`` (at initialisation for the lazy-limit kernel).
    X : array_like
        Inputs, shape ``(P, D)``.
    X2 : array_like, optional
        Second inputs, shape ``(Q, D)``; default ``X``.
    epsilon : float
        Strength ε of the quadratic part of φ.

    Returns
    -------
    numpy.ndarray
        Shape ``(P, Q)``.

    References
    ----------
    T. Kumar, B. Bordelon, S. J. Gershman, C. Pehlevan, "Grokking as the Transition from Lazy to Rich Training
    Dynamics", ICLR 2024, arXiv 2310.06110, sec. 3-5 (the NTK at initialisation and kernel regression with it).
    """
    W = _matrix("W", W)
    X = _matrix("X", X, W.shape[1])
    X2 = X if X2 is None else _matrix("X2", X2, W.shape[1])
    e = _eps(epsilon)
    G1 = 1.0 + e * (X @ W.T)
    G2 = 1.0 + e * (X2 @ W.T)
    return (X @ X2.T) * (G1 @ G2.T) / W.shape[0]


def infinite_width_ntk(X, X2=None, epsilon=1.0):
    """The infinite-width NTK ``K_∞(x, x') = x·x' + ε²(x·x')²`` for ``w ~ N(0, I_D)``.

    ``E_w[φ'(w·x)φ'(w·x')] = E[(1 + ε w·x)(1 + ε w·x')] = 1 + ε² x·x'``; times ``x·x'`` this is ``K_∞``: linear
    plus quadratic features, ``D + D(D+1)/2`` of them.

    Parameters
    ----------
    X : array_like
        Inputs, shape ``(P, D)``.
    X2 : array_like, optional
        Second inputs, shape ``(Q, D)``; default ``X``.
    epsilon : float
        Strength ε of the quadratic part of φ.

    Returns
    -------
    numpy.ndarray
        Shape ``(P, Q)``.

    References
    ----------
    T. Kumar, B. Bordelon, S. J. Gershman, C. Pehlevan, "Grokking as the Transition from Lazy to Rich Training
    Dynamics", ICLR 2024, arXiv 2310.06110, sec. 5 (the initial kernel is misaligned with the quadratic target).
    """
    X = _matrix("X", X)
    X2 = X if X2 is None else _matrix("X2", X2, X.shape[1])
    e = _eps(epsilon)
    G = X @ X2.T
    return G + e * e * G * G


def kernel_regression(K_train, K_test_train, y, ridge=0.0):
    """Kernel regression predictions ``K(X_test, X) (K(X, X) + λI)⁻¹ y`` (ridgeless for ``λ = 0``).

    Solved in the eigenbasis of ``K(X, X)``; for ``λ = 0`` eigenvalues below ``1e-12·λ_max`` are dropped
    (the minimum-norm interpolant), which is also the ``t → ∞`` limit of :func:`linearised_dynamics`.

    Parameters
    ----------
    K_train : array_like
        Train kernel ``K(X, X)``, shape ``(P, P)``, symmetric positive semi-definite.
    K_test_train : array_like
        ``K(X_test, X)``, shape ``(Q, P)``.
    y : array_like
        Training targets, shape ``(P,)``.
    ridge : float
        Ridge λ ≥ 0.

    Returns
    -------
    numpy.ndarray
        Predictions at the test points, shape ``(Q,)``.

    References
    ----------
    T. Kumar, B. Bordelon, S. J. Gershman, C. Pehlevan, "Grokking as the Transition from Lazy to Rich Training
    Dynamics", ICLR 2024, arXiv 2310.06110, Fig. 1 (the kernel-regression level with the initial NTK).
    """
    K = _matrix("K_train", K_train)
    if K.shape[0] != K.shape[1]:
        raise InputError(f"K_train has shape {K.shape}; a square (P, P) matrix is allowed")
    Kt = _matrix("K_test_train", K_test_train, K.shape[0])
    y = _vector("y", y, K.shape[0])
    lam = check_nonnegative("ridge", ridge)
    s, V = np.linalg.eigh(0.5 * (K + K.T))
    inv = np.zeros_like(s)
    keep = (s + lam > 1e-12 * max(s.max(), 0.0)) & (s + lam > 0)
    inv[keep] = 1.0 / (s[keep] + lam)
    return Kt @ (V @ (inv * (V.T @ y)))


def linearised_dynamics(K_train, K_test_train, y, eta0, steps):
    """Closed form of GD on the model linearised at initialisation, started at ``f̃ = 0``.

    ``f̃(t+1) = f̃(t) − (η₀/P) K(·, X)(f̃(X, t) − y)``. With ``K(X, X) = V diag(λ) Vᵀ`` and ``g_t(λ) =
    (1 − (1 − η₀λ/P)^t)/λ`` (``= tη₀/P`` at ``λ = 0``): ``f̃(X, t) = V diag(λ g_t) Vᵀ y`` and
    ``f̃(X_test, t) = K(X_test, X) V diag(g_t) Vᵀ y``; as ``t → ∞`` (``η₀λ_max/P < 2``) this is ridgeless kernel
    regression (:func:`kernel_regression`).

    Parameters
    ----------
    K_train : array_like
        ``K(X, X)``, shape ``(P, P)``, symmetric positive semi-definite (the NTK at initialisation).
    K_test_train : array_like
        ``K(X_test, X)``, shape ``(Q, P)``.
    y : array_like
        Training targets, shape ``(P,)``.
    eta0 : float
        Base step η₀ > 0 (the same as in :func:`train_gd`).
    steps : int or array_like of int
        Step(s) ``t ≥ 0`` at which to evaluate.

    Returns
    -------
    f_train, f_test : numpy.ndarray
        Shapes ``(T, P)`` and ``(T, Q)`` for ``T`` requested steps (``(P,)`` and ``(Q,)`` for a single step).

    References
    ----------
    T. Kumar, B. Bordelon, S. J. Gershman, C. Pehlevan, "Grokking as the Transition from Lazy to Rich Training
    Dynamics", ICLR 2024, arXiv 2310.06110, sec. 3 (lazy training follows the linearised model).
    """
    K = _matrix("K_train", K_train)
    if K.shape[0] != K.shape[1]:
        raise InputError(f"K_train has shape {K.shape}; a square (P, P) matrix is allowed")
    Kt = _matrix("K_test_train", K_test_train, K.shape[0])
    y = _vector("y", y, K.shape[0])
    eta = check_positive("eta0", eta0)
    scalar = np.ndim(steps) == 0
    ts = np.atleast_1d(steps)
    if ts.ndim != 1 or not all(isinstance(t, (int, np.integer)) and t >= 0 for t in ts.tolist()):
        raise InputError(f"steps={steps!r} is not allowed; a non-negative integer or a 1-d array of them is")
    P = K.shape[0]
    s, V = np.linalg.eigh(0.5 * (K + K.T))
    s = np.clip(s, 0.0, None)
    if eta * s.max() / P >= 2.0:
        raise InputError(f"eta0={eta0!r} is not allowed; GD on the linearised model diverges (need eta0·λ_max/P < 2)")
    c = V.T @ y
    a = eta * s / P                                   # in [0, 2)
    t = ts[:, None].astype(float)
    pos = s > 0
    g = np.empty((ts.size, s.size))
    g[:, ~pos] = t * eta / P
    lo = pos & (a < 1.0)                              # 1 − (1 − a)^t without cancellation
    g[:, lo] = -np.expm1(t * np.log1p(-a[lo])) / s[lo]
    hi = pos & (a >= 1.0)
    g[:, hi] = (1.0 - np.power(1.0 - a[hi], t)) / s[hi]
    f_train = (g * s * c) @ V.T
    f_test = (g * c) @ V.T @ Kt.T
    return (f_train[0], f_test[0]) if scalar else (f_train, f_test)


def crossing_time(steps, curve, level):
    """The first logged step at which ``curve ≤ level`` (``inf`` when it never does).

    Parameters
    ----------
    steps : array_like
        Logged steps, shape ``(L,)``, increasing.
    curve : array_like
        Values at those steps, shape ``(L,)`` or ``(L, A)`` (one column per α).
    level : float or array_like
        Threshold(s); broadcast against the columns.

    Returns
    -------
    float or numpy.ndarray
        The crossing step, per column.

    References
    ----------
    T. Kumar, B. Bordelon, S. J. Gershman, C. Pehlevan, "Grokking as the Transition from Lazy to Rich Training
    Dynamics", ICLR 2024, arXiv 2310.06110, sec. 5 (the delay between train and test improvement).
    """
    ts = np.asarray(steps, dtype=float)
    if ts.ndim != 1 or ts.size == 0:
        raise InputError(f"steps has shape {ts.shape}; a non-empty 1-d array is allowed")
    c = np.asarray(curve, dtype=float)
    if c.shape[0] != ts.size or c.ndim not in (1, 2):
        raise InputError(f"curve has shape {c.shape}; (len(steps),) or (len(steps), A) is allowed")
    below = c <= np.asarray(level, dtype=float)
    first = np.argmax(below, axis=0)
    out = np.where(below.any(axis=0), ts[first], np.inf)
    return float(out) if c.ndim == 1 else out
