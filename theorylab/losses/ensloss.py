"""EnsLoss: random convex calibrated loss-derivatives for SGD on margins (Dai, ICML 2025, arXiv 2409.00908).

SGD touches a margin loss φ only through φ'(z_i) at the batch margins z_i = y_i f(x_i). EnsLoss draws, for
every batch, a random derivative vector satisfying the convexity-plus-calibration (CC) conditions
(repository ``losses.py``, as read in ``shared/claims/classification-settings.md`` §(c)):

1. ε_j ∼ N(0, 1), g_j = −BC_λ⁻¹(ε_j) (inverse Box–Cox; λ = 0 gives −e^{ε_j});
2. sort g ascending and clip at −1 (g ← max(g, −1): we read "clip at −1" as a lower clip, so every
   derivative lies in [−1, 0) like the hinge and logistic derivatives);
3. the j-th smallest g goes to the j-th smallest margin (so φ' is non-decreasing in z: convex);
4. for z_i > 1, g_i ← g_i/z_i (tail rescale; keeps monotonicity); 5. g ← g − 10⁻⁶ (strictly negative:
   φ'(0) < 0, classification-calibrated by Bartlett–Jordan–McAuliffe 2006, Theorem 6).
"""
from __future__ import annotations

import numpy as np
from scipy import special

from .._validation import (InputError, check_generator, check_in_unit_interval, check_integer,
                           check_positive, check_real, real_namespace)

__all__ = ["ensloss_derivatives", "piecewise_linear_loss", "psi_transform", "sgd_linear"]


def _inverse_boxcox(eps, lam):
    if lam == 0.0:
        return np.exp(eps)
    return np.power(np.maximum(lam * eps + 1.0, 1e-12), 1.0 / lam)


def _check_margins(margins, name="margins"):
    _, (z,) = real_namespace(**{name: margins})
    z = np.asarray(z, dtype=float)
    if z.ndim != 1 or z.size == 0 or not np.all(np.isfinite(z)):
        raise InputError(f"{name} has shape {z.shape} or non-finite values; a non-empty finite 1-D array is allowed")
    return z


def _check_derivatives(derivatives, z):
    g = _check_margins(derivatives, "derivatives")
    if g.shape != z.shape:
        raise InputError(f"derivatives has shape {g.shape} and margins has shape {z.shape}; one derivative per "
                         "margin (equal shapes) is required")
    return g


def ensloss_derivatives(margins, rng: np.random.Generator, boxcox_lambda: float = 0.0, assign: str = "sorted"):
    """One random EnsLoss derivative per margin: the vector g with g_i = φ'(z_i) of a random CC loss.

    Draw ε_j ∼ N(0, 1), g_j = −BC_λ⁻¹(ε_j) (inverse Box–Cox; λ = 0 gives −e^{ε_j}); sort ascending and clip
    below at −1; give the j-th smallest g to the j-th smallest margin (φ' non-decreasing: convex); divide by
    z_i where z_i > 1; subtract 10⁻⁶ (φ'(0) < 0: classification-calibrated).

    Parameters
    ----------
    margins : array (b,)
        Margins z_i = y_i f(x_i) of a batch (y ∈ {−1, +1}); finite, non-empty.
    rng : numpy.random.Generator
        Source of the random derivative draws.
    boxcox_lambda : float, default 0.0
        Box–Cox parameter λ of the derivative law (finite; 0: log-normal −e^ε).
    assign : {"sorted", "random"}, default "sorted"
        "sorted" is EnsLoss; "random" gives the draws to the margins in random order (a deliberately
        non-convex variant, used as a negative control).

    Returns
    -------
    ndarray (b,)
        The derivatives g_i: non-decreasing in z and strictly negative (for ``assign="sorted"``).

    Raises
    ------
    InputError
        For non-finite or non-1-D margins, a non-Generator ``rng``, a non-finite λ or an unknown ``assign``.

    References
    ----------
    B. Dai, "EnsLoss: Stochastic Calibrated Loss Ensembles for Preventing Overfitting in Classification",
    ICML 2025, arXiv:2409.00908 (the CC-condition derivative sampler of its repository's ``losses.py``).
    P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer.
    Statist. Assoc. 101(473), 2006 (convex φ with φ'(0) < 0 is classification-calibrated).
    """
    z = _check_margins(margins)
    rng = check_generator("rng", rng)
    lam = check_real("boxcox_lambda", boxcox_lambda, allow_inf=False, allowed="a finite real number")
    if assign not in ("sorted", "random"):
        raise InputError(f"assign={assign!r} is not allowed; use 'sorted' or 'random'")
    g = -_inverse_boxcox(rng.standard_normal(z.size), lam)
    g = np.maximum(np.sort(g), -1.0)
    out = np.empty_like(z)
    order = np.argsort(z, kind="stable") if assign == "sorted" else rng.permutation(z.size)
    out[order] = g
    big = z > 1
    out[big] /= z[big]
    return out - 1e-6


def piecewise_linear_loss(margins, derivatives):
    """φ(t) = ∫₀ᵗ φ'(s) ds for the step derivative through the realised (z_i, g_i), returned as a callable.

    φ'(s) = g_(j) on [z_(j), z_(j+1)) (margins sorted), g_(1) left of z_(1), g_(b) right of z_(b); φ(0) = 0.
    Convex iff the g_(j) are non-decreasing.

    Parameters
    ----------
    margins : array (b,)
        The margins z_i (finite, non-empty).
    derivatives : array (b,)
        The derivative values g_i at the margins (finite, same shape).

    Returns
    -------
    callable
        ``phi(t)``: the loss at real t (array-like, NaN rejected with :class:`InputError`); ``phi.unchecked`` is
        the same without input checks.

    Raises
    ------
    InputError
        For non-finite or non-1-D inputs or unequal shapes.

    References
    ----------
    B. Dai, "EnsLoss: Stochastic Calibrated Loss Ensembles for Preventing Overfitting in Classification",
    ICML 2025, arXiv:2409.00908 (the loss implied by a sampled derivative vector).
    """
    z = _check_margins(margins)
    g = _check_derivatives(derivatives, z)
    o = np.argsort(z, kind="stable")
    zs, gs = z[o], g[o]

    def integral_from_minus(t):  # ∫ from zs[0] to t of φ', piecewise
        t = np.asarray(t, dtype=float)
        j = np.clip(np.searchsorted(zs, t, side="right"), 0, zs.size)
        base = np.concatenate([[0.0], np.cumsum(gs[:-1] * np.diff(zs))])  # ∫_{zs0}^{zs[j]}
        jj = np.maximum(j - 1, 0)
        return np.where(j == 0, gs[0] * (t - zs[0]), base[jj] + gs[jj] * (t - zs[jj]))

    shift = integral_from_minus(0.0)

    def phi(t):
        _, (t,) = real_namespace(t=t)
        if np.any(np.isnan(np.asarray(t))):
            raise InputError("t contains NaN; real numbers are allowed")
        return integral_from_minus(t) - shift

    phi.unchecked = lambda t: integral_from_minus(t) - shift
    return phi


def psi_transform(margins, derivatives, thetas):
    """BJM ψ̃(θ) = H⁻(η) − H(η), η = (1 + θ)/2, for the realised loss, scores restricted to |α| ≤ A = max|z_i|.

    H(η) = inf_α [ηφ(α) + (1 − η)φ(−α)], H⁻(η) = the same infimum over α ≤ 0 (the wrong sign); for a convex φ
    with φ'(0) < 0, H⁻(η) = φ(0). The conditional risk is piecewise linear in α with kinks at ±z_i, so its
    infimum over [−A, A] is attained at a kink or an end point and is computed exactly there. For a convex φ
    with φ'(0) < 0, ψ(θ) > 0 for θ ∈ (0, 1].

    Parameters
    ----------
    margins : array (b,)
        The margins z_i defining the piecewise-linear loss (finite).
    derivatives : array (b,)
        The derivatives g_i at the margins.
    thetas : float or array-like
        Points θ ∈ [0, 1].

    Returns
    -------
    ndarray (len(thetas),)
        ψ̃(θ) at each θ.

    Raises
    ------
    InputError
        For invalid margins/derivatives or a θ outside [0, 1].

    References
    ----------
    P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer.
    Statist. Assoc. 101(473), 2006 (the ψ-transform; Theorem 2 on convex losses).
    B. Dai, "EnsLoss: Stochastic Calibrated Loss Ensembles for Preventing Overfitting in Classification",
    ICML 2025, arXiv:2409.00908.
    """
    z = _check_margins(margins)
    phi = piecewise_linear_loss(z, derivatives).unchecked
    check_in_unit_interval("thetas", thetas)
    A = np.abs(z).max()
    cand = np.concatenate([z, -z, [0.0, A, -A]])
    cand = cand[np.abs(cand) <= A]
    th = np.atleast_1d(np.asarray(thetas, dtype=float))
    eta = (1 + th)[:, None] / 2
    C = eta * phi(cand)[None, :] + (1 - eta) * phi(-cand)[None, :]
    h_minus = np.where(cand[None, :] <= 0, C, np.inf).min(axis=1)  # H⁻(η): wrong-sign scores only
    return h_minus - C.min(axis=1)


def _derivative(loss: str):
    if loss == "logistic":
        return lambda z, rng: -special.expit(-z)
    if loss == "hinge":
        return lambda z, rng: -(z < 1).astype(float)
    if loss == "ensloss":
        return ensloss_derivatives
    raise InputError(f"loss={loss!r} is not allowed; use 'ensloss', 'logistic' or 'hinge'")


def sgd_linear(X, y, loss: str, rng: np.random.Generator, epochs: int = 10, batch: int = 32, lr: float = 0.1):
    """Mini-batch SGD on a linear margin f(x) = w·x + c with the loss-derivative of ``loss`` at the margins.

    Step: (w, c) ← (w, c) − lr_t·(1/b) Σ_i g_i y_i (x_i, 1), g_i = φ'(z_i) (EnsLoss: a fresh random CC derivative
    vector per batch), lr_t = lr/√(1 + t·b/n); w and c start at 0.

    Parameters
    ----------
    X : array (n, d)
        Features (finite, non-empty).
    y : array (n,)
        Labels in {−1, +1} (numbers, not bools).
    loss : {"ensloss", "logistic", "hinge"}
        Which loss derivative drives the updates.
    rng : numpy.random.Generator
        Shuffles the data each epoch and draws the EnsLoss derivatives.
    epochs : int, default 10
        Number of passes (≥ 0).
    batch : int, default 32
        Batch size b ≥ 1.
    lr : float, default 0.1
        Base step size > 0.

    Returns
    -------
    w : ndarray (d,)
        The weight vector.
    c : float
        The intercept.

    Raises
    ------
    InputError
        For malformed X or y, an unknown loss, or invalid rng/epochs/batch/lr.

    References
    ----------
    B. Dai, "EnsLoss: Stochastic Calibrated Loss Ensembles for Preventing Overfitting in Classification",
    ICML 2025, arXiv:2409.00908 (SGD with an ensemble of calibrated loss-derivatives).
    """
    _, (X,) = real_namespace(X=X)
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0 or not np.all(np.isfinite(X)):
        raise InputError(f"X has shape {X.shape} or non-finite values; a non-empty finite (n, d) array is allowed")
    y_arr = np.asarray(y) if not isinstance(y, (str, bytes)) else np.asarray([y])
    if y_arr.dtype.kind == "b" or y_arr.shape != (X.shape[0],):
        raise InputError(f"y has dtype {y_arr.dtype} and shape {y_arr.shape}; ({X.shape[0]},) labels in "
                         "{-1, +1} (numbers, not bools) are allowed")
    _, (y,) = real_namespace(y=y_arr)
    y = np.asarray(y, dtype=float)
    if not np.all((y == 1) | (y == -1)):
        raise InputError("y has labels other than -1 and +1; binary labels in {-1, +1} are allowed")
    deriv = _derivative(loss)
    rng = check_generator("rng", rng)
    epochs = check_integer("epochs", epochs, minimum=0)
    batch = check_integer("batch", batch)
    lr = check_positive("lr", lr)
    n, d = X.shape
    w, c = np.zeros(d), 0.0
    t = 0
    for _ in range(epochs):
        perm = rng.permutation(n)
        for s in range(0, n, batch):
            idx = perm[s:s + batch]
            xb, yb = X[idx], y[idx]
            z = yb * (xb @ w + c)
            g = deriv(z, rng) * yb
            step = lr / np.sqrt(1.0 + t * batch / n)
            w -= step * (g @ xb) / idx.size
            c -= step * g.mean()
            t += 1
    return w, c
