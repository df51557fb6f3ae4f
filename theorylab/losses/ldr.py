"""Label distributionally robust (LDR) losses: LDR-KL in closed form, its limits, ALDR-KL, conditional risks.

Zhu, Ying, Yang, "Label Distributionally Robust Losses for Multi-class Classification: Consistency, Robustness
and Adaptivity", ICML 2023 (arXiv 2112.14869); formulas as reconstructed and verified in
``shared/claims/classification-settings.md`` §(b):

    ψ_λ(f, y) = max_{p ∈ Δ_K} Σ_k p_k δ_k − λ KL(p ‖ unif),   δ_k = f_k − f_y + c·1[k ≠ y]
              = λ log((1/K) Σ_k exp(δ_k/λ)),                 p* = softmax(δ/λ),

with limits λ → 0: max_k δ_k (Crammer–Singer) and λ → ∞: (1/K) Σ_k δ_k (symmetric: Σ_y ψ_∞(f, y) = c(K − 1)).
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np
from scipy import optimize

from .._validation import (InputError, check_choice, check_generator, check_integer, check_labels, check_no_nan,
                           check_nonnegative, check_probability, check_real, real_namespace)
from .base import Loss

__all__ = ["ldr_kl_loss", "ldr_kl_weights", "aldr_kl_loss", "ldr_conditional_risk", "ldr_risk_minimizer", "LDRKLLoss"]


def _check_lam(lam, name="lam") -> float:
    v = check_real(name, lam, allow_nan=True, allowed=f"{name} >= 0 (0: Crammer-Singer, inf: mean)")
    if math.isnan(v) or v < 0:
        raise InputError(f"{name}={lam!r} is not allowed; {name} >= 0 (0: Crammer-Singer limit, inf: mean limit) is")
    return v


def _deltas(scores, labels, margin):
    """(xp, δ) with δ_ik = f_ik − f_{i,y_i} + c·1[k ≠ y_i], in the namespace of ``scores``."""
    xp, (f,) = real_namespace(scores=scores)
    if f.ndim != 2 or f.shape[1] < 2:
        raise InputError(f"scores has shape {tuple(f.shape)}; a (batch, K) array with K >= 2 is allowed")
    check_no_nan("scores", f, xp)
    K = f.shape[1]
    lab = check_labels("labels", labels, K, length=f.shape[0], xp=xp)
    c = check_nonnegative("margin", margin)
    return xp, _deltas_core(xp, f, lab, c)


def _deltas_core(xp, f, lab, c):
    K = f.shape[1]
    onehot = xp.arange(K)[None, :] == xp.astype(lab, xp.int64)[:, None]
    fy = xp.sum(xp.where(onehot, f, xp.zeros_like(f)), axis=1)
    return f - fy[:, None] + xp.where(onehot, xp.zeros_like(f), xp.full_like(f, c))


def _ldr_core(xp, delta, lam):
    K = delta.shape[1]
    if lam == 0.0:
        return xp.max(delta, axis=1)
    if math.isinf(lam):
        return xp.mean(delta, axis=1)
    m = xp.max(delta, axis=1)
    return m + lam * (xp.log(xp.sum(xp.exp((delta - m[:, None]) / lam), axis=1)) - math.log(K))


def ldr_kl_loss(scores, labels, lam, margin):
    """LDR-KL loss ψ_λ(f, y) = λ log((1/K) Σ_k exp((f_k − f_y + c·1[k≠y])/λ)) per example.

    ψ_λ(f, y) = max_{p ∈ Δ_K} Σ_k p_k δ_k − λ KL(p ‖ unif), δ_k = f_k − f_y + c·1[k ≠ y]. ``lam = 0`` gives the
    Crammer–Singer loss max_k δ_k, ``lam = inf`` the mean (1/K) Σ_k δ_k.

    Parameters
    ----------
    scores : array (batch, K)
        Scores f, any array-API namespace, K ≥ 2, no NaN.
    labels : integer array (batch,)
        Class indices in [0, K).
    lam : float
        Temperature λ ≥ 0, or inf.
    margin : float
        Margin c ≥ 0.

    Returns
    -------
    array (batch,)
        ψ_λ(f_i, y_i), in the namespace of ``scores``.

    Raises
    ------
    InputError
        For a negative or NaN λ, a negative margin, malformed scores or labels.

    References
    ----------
    D. Zhu, Y. Ying, T. Yang, "Label Distributionally Robust Losses for Multi-class Classification:
    Consistency, Robustness and Adaptivity", ICML 2023, arXiv:2112.14869 (the LDR-KL loss).
    """
    lam = _check_lam(lam)
    xp, delta = _deltas(scores, labels, margin)
    return _ldr_core(xp, delta, lam)


def ldr_kl_weights(scores, labels, lam, margin):
    """The maximising label weights p* = softmax(δ/λ), shape (batch, K) (λ > 0 finite).

    Parameters
    ----------
    scores : array (batch, K)
        Scores f (no NaN).
    labels : integer array (batch,)
        Class indices in [0, K).
    lam : float
        Temperature λ, finite and > 0.
    margin : float
        Margin c ≥ 0.

    Returns
    -------
    array (batch, K)
        p*_ik = exp(δ_ik/λ)/Σ_j exp(δ_ij/λ).

    Raises
    ------
    InputError
        For λ = 0 or inf (no unique softmax form), or invalid scores/labels/margin.

    References
    ----------
    D. Zhu, Y. Ying, T. Yang, "Label Distributionally Robust Losses for Multi-class Classification:
    Consistency, Robustness and Adaptivity", ICML 2023, arXiv:2112.14869 (closed form of the inner maximiser).
    """
    lam = _check_lam(lam)
    if lam == 0.0 or math.isinf(lam):
        raise InputError(f"lam={lam!r} is not allowed here; a finite lam > 0 is")
    xp, delta = _deltas(scores, labels, margin)
    z = delta / lam
    z = z - xp.max(z, axis=1)[:, None]
    e = xp.exp(z)
    return e / xp.sum(e, axis=1)[:, None]


def aldr_kl_loss(scores, labels, lam0=10.0, alpha=2.0, margin=0.1, lam_prev=None):
    """Adaptive LDR-KL: per-example temperatures and the loss.

    λ_i = λ₀ − λ₀ KL(p̂_i ‖ unif)/(α log K), p̂_i = renormalised softmax(f_i/λ_i^prev) + 10⁻⁵ (no margin), the
    maximiser over λ of −λ KL(p̂_i‖unif) − (α log K/(2λ₀))(λ − λ₀)²; it lies in [λ₀(1 − 1/α), λ₀]. The loss is
    λ_i log((1/K) Σ_k e^{δ_ik/λ_i}) − (α log K/(2λ₀))(λ_i − λ₀)² (no gradient through λ_i).

    Parameters
    ----------
    scores : array (batch, K)
        Scores f.
    labels : integer array (batch,)
        Class indices in [0, K).
    lam0 : float, default 10.0
        Base temperature λ₀, finite and > 0.
    alpha : float, default 2.0
        Regularisation strength α > 1 (finite).
    margin : float, default 0.1
        Margin c ≥ 0.
    lam_prev : array (batch,), optional
        Previous temperatures λ_i^prev (finite, > 0); λ₀ for every example when None.

    Returns
    -------
    loss : ndarray (batch,)
        The ALDR-KL losses.
    lam : ndarray (batch,)
        The temperatures λ_i.

    Raises
    ------
    InputError
        For invalid λ₀, α, lam_prev, scores, labels or margin.

    References
    ----------
    D. Zhu, Y. Ying, T. Yang, "Label Distributionally Robust Losses for Multi-class Classification:
    Consistency, Robustness and Adaptivity", ICML 2023, arXiv:2112.14869 (ALDR-KL, as in its repository code).
    """
    lam0 = _check_lam(lam0)
    if not (0 < lam0 < math.inf):
        raise InputError(f"lam0={lam0!r} is not allowed; a finite lam0 > 0 is")
    alpha = check_real("alpha", alpha, allowed="a finite number > 1")
    if not (1 < alpha < math.inf):
        raise InputError(f"alpha={alpha!r} is not allowed; a finite alpha > 1 keeps the temperatures positive")
    _, (f,) = real_namespace(scores=scores)
    f = np.asarray(f, dtype=float)
    _, delta = _deltas(f, labels, margin)
    B, K = f.shape
    if lam_prev is None:
        lp = np.full(B, lam0)
    else:
        _, (lp,) = real_namespace(lam_prev=lam_prev)
        lp = np.asarray(lp, dtype=float)
        if lp.shape != (B,) or not np.all(np.isfinite(lp) & (lp > 0)):
            raise InputError(f"lam_prev has shape {lp.shape} or entries <= 0 / not finite; ({B},) finite "
                             "temperatures > 0 are allowed")
    z = f / lp[:, None]
    z -= z.max(1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(1, keepdims=True)
    p = p + 1e-5
    p /= p.sum(1, keepdims=True)
    kl = np.sum(p * np.log(K * p), axis=1)
    lam = lam0 - lam0 * kl / (alpha * math.log(K))
    m = delta.max(1)
    base = m + lam * (np.log(np.exp((delta - m[:, None]) / lam[:, None]).sum(1)) - math.log(K))
    return base - alpha * math.log(K) / (2 * lam0) * (lam - lam0) ** 2, lam


def ldr_conditional_risk(f, eta, lam, margin):
    """C(f; η) = Σ_y η_y ψ_λ(f, y) for one score vector f (K,) and class probabilities η (K,).

    Parameters
    ----------
    f : array (K,)
        Scores (no NaN).
    eta : array (K,)
        Class probabilities η (a probability vector).
    lam : float
        Temperature λ ≥ 0 or inf.
    margin : float
        Margin c ≥ 0.

    Returns
    -------
    float
        The conditional risk.

    Raises
    ------
    InputError
        For invalid λ, margin, η, or f not of shape (K,).

    References
    ----------
    D. Zhu, Y. Ying, T. Yang, "Label Distributionally Robust Losses for Multi-class Classification:
    Consistency, Robustness and Adaptivity", ICML 2023, arXiv:2112.14869 (consistency analysis of LDR losses).
    """
    f, eta, lam, margin = _check_risk_args(f, eta, lam, margin)
    return _ldr_risk(f, eta, lam, margin)


def _check_risk_args(f, eta, lam, margin):
    lam = _check_lam(lam)
    margin = check_nonnegative("margin", margin)
    _, (eta,) = real_namespace(eta=eta)
    eta = np.asarray(eta, dtype=float)
    if eta.ndim != 1:
        raise InputError(f"eta has shape {eta.shape}; one probability vector (K,) is allowed")
    check_probability("eta", eta, np)
    if f is not None:
        _, (f,) = real_namespace(f=f)
        f = np.asarray(f, dtype=float)
        if f.shape != eta.shape:
            raise InputError(f"f has shape {f.shape} and eta has shape {eta.shape}; one score per class "
                             "(equal shapes (K,)) is required")
        check_no_nan("f", f, np)
    return f, eta, lam, margin


def _ldr_risk(f, eta, lam, margin):
    """:func:`ldr_conditional_risk` on validated NumPy arguments (inside the optimisers: no checks)."""
    K = f.size
    delta = _deltas_core(np, np.broadcast_to(f, (K, K)), np.arange(K), margin)
    return float(np.dot(eta, _ldr_core(np, delta, lam)))


def ldr_risk_minimizer(eta, lam, margin, domain="unconstrained", starts=3, rng=None):
    """argmin_f Σ_y η_y ψ_λ(f, y) over ``domain``.

    "unconstrained": f ∈ ℝ^K (the risk is shift-invariant, f_0 is fixed at 0; BFGS; the result is centred).
    "simplex": the scaled simplex {f ≥ 0, Σ f = K} of the repository's score normalisation (SLSQP, ``starts``
    random starts, best kept). The risk is convex in f, so multistart only guards against solver stalls.

    Parameters
    ----------
    eta : array (K,)
        Class probabilities η.
    lam : float
        Temperature λ ≥ 0 or inf.
    margin : float
        Margin c ≥ 0.
    domain : {"unconstrained", "simplex"}, default "unconstrained"
        The score domain.
    starts : int, default 3
        Number of SLSQP starts (≥ 1; "simplex" only).
    rng : numpy.random.Generator, optional
        Draws the random starts; ``default_rng(0)`` when None.

    Returns
    -------
    ndarray (K,)
        A minimising score vector f*.

    Raises
    ------
    InputError
        For invalid η, λ, margin, domain, starts or rng.

    References
    ----------
    D. Zhu, Y. Ying, T. Yang, "Label Distributionally Robust Losses for Multi-class Classification:
    Consistency, Robustness and Adaptivity", ICML 2023, arXiv:2112.14869 (rank-preserving risk minimisers).
    """
    _, eta, lam, margin = _check_risk_args(None, eta, lam, margin)
    check_choice("domain", domain, ("unconstrained", "simplex"))
    starts = check_integer("starts", starts)
    rng = check_generator("rng", rng, optional=True)
    K = eta.size
    rng = np.random.default_rng(0) if rng is None else rng
    risk = lambda f: _ldr_risk(f, eta, lam, margin)  # noqa: E731
    if domain == "unconstrained":
        res = optimize.minimize(lambda g: risk(np.concatenate([[0.0], g])), np.zeros(K - 1), method="BFGS",
                                options={"gtol": 1e-11, "maxiter": 10_000})
        f = np.concatenate([[0.0], res.x])
        return f - f.mean()
    best = None
    for s in range(starts):
        x0 = np.ones(K) if s == 0 else rng.dirichlet(np.ones(K)) * K
        res = optimize.minimize(risk, x0, method="SLSQP", bounds=[(0, K)] * K,
                                constraints=[{"type": "eq", "fun": lambda f: f.sum() - K}],
                                options={"ftol": 1e-15, "maxiter": 1000})
        if best is None or res.fun < best.fun:
            best = res
    return best.x


@dataclasses.dataclass(frozen=True)
class LDRKLLoss(Loss):
    """The LDR-KL loss ψ_λ(f, y) = λ log((1/K) Σ_k exp(δ_k/λ)), δ_k = f_k − f_y + c·1[k ≠ y], as a Loss.

    Wraps :func:`ldr_kl_loss`, :func:`ldr_kl_weights` (the gradient ∂ψ/∂f_j = p*_j − 1[j = y]),
    :func:`ldr_conditional_risk` and :func:`ldr_risk_minimizer` (C* numerically, BFGS). Scores (batch, K),
    integer labels (batch,). λ = 0 is the Crammer–Singer limit max_k δ_k (subgradient: p* the first
    maximiser), λ = ∞ the mean (p* uniform).

    Parameters
    ----------
    lam : float
        Temperature λ ≥ 0 or inf.
    margin : float
        Margin c ≥ 0.

    Raises
    ------
    InputError
        For an invalid λ or margin.

    References
    ----------
    D. Zhu, Y. Ying, T. Yang, "Label Distributionally Robust Losses for Multi-class Classification:
    Consistency, Robustness and Adaptivity", ICML 2023, arXiv:2112.14869 (the LDR-KL loss, its closed form).
    """

    lam: float
    margin: float

    def __post_init__(self):
        object.__setattr__(self, "lam", _check_lam(self.lam))
        object.__setattr__(self, "margin", check_nonnegative("margin", self.margin))

    @property
    def name(self) -> str:
        """``"ldr_kl(lam=λ, margin=c)"``.

        Returns
        -------
        str
            The loss name.

        References
        ----------
        D. Zhu, Y. Ying, T. Yang, "Label Distributionally Robust Losses for Multi-class Classification:
        Consistency, Robustness and Adaptivity", ICML 2023, arXiv:2112.14869.
        """
        return f"ldr_kl(lam={self.lam:g}, margin={self.margin:g})"

    @property
    def convex(self) -> bool:
        """True: a log-sum-exp (λ > 0), maximum (λ = 0) or mean (λ = ∞) of affine functions of f.

        Returns
        -------
        bool
            True.

        References
        ----------
        D. Zhu, Y. Ying, T. Yang, "Label Distributionally Robust Losses for Multi-class Classification:
        Consistency, Robustness and Adaptivity", ICML 2023, arXiv:2112.14869 (convexity of the LDR losses).
        """
        return True

    @property
    def bounded(self) -> bool:
        """False: ψ_λ grows linearly in the score gaps.

        Returns
        -------
        bool
            False.

        References
        ----------
        D. Zhu, Y. Ying, T. Yang, "Label Distributionally Robust Losses for Multi-class Classification:
        Consistency, Robustness and Adaptivity", ICML 2023, arXiv:2112.14869.
        """
        return False

    @property
    def params(self) -> dict:
        """``{"lam": λ, "margin": c}``.

        Returns
        -------
        dict
            The parameters.

        References
        ----------
        D. Zhu, Y. Ying, T. Yang, "Label Distributionally Robust Losses for Multi-class Classification:
        Consistency, Robustness and Adaptivity", ICML 2023, arXiv:2112.14869.
        """
        return {"lam": self.lam, "margin": self.margin}

    @property
    def has_closed_best_risk(self) -> bool:
        """False: C* is a numerical minimisation (:func:`ldr_risk_minimizer`).

        Returns
        -------
        bool
            False.

        References
        ----------
        D. Zhu, Y. Ying, T. Yang, "Label Distributionally Robust Losses for Multi-class Classification:
        Consistency, Robustness and Adaptivity", ICML 2023, arXiv:2112.14869.
        """
        return False

    def value(self, scores, labels):
        """ψ_λ(f, y) per row: :func:`ldr_kl_loss`.

        Parameters
        ----------
        scores : array (batch, K)
            Scores f (no NaN).
        labels : integer array (batch,)
            Class indices in [0, K).

        Returns
        -------
        array (batch,)
            The losses.

        Raises
        ------
        InputError
            For malformed scores or labels.

        References
        ----------
        D. Zhu, Y. Ying, T. Yang, "Label Distributionally Robust Losses for Multi-class Classification:
        Consistency, Robustness and Adaptivity", ICML 2023, arXiv:2112.14869.
        """
        return ldr_kl_loss(scores, labels, self.lam, self.margin)

    def value_and_grad(self, scores, labels):
        """(ψ_λ, ∂ψ_λ/∂f): ∂ψ/∂f_j = p*_j − 1[j = y] with p* = softmax(δ/λ) (:func:`ldr_kl_weights`).

        Parameters
        ----------
        scores : array (batch, K)
            Scores f (no NaN).
        labels : integer array (batch,)
            Class indices in [0, K).

        Returns
        -------
        loss : array (batch,)
            The losses.
        grad : array (batch, K)
            The (sub)gradients (λ = 0: p* one-hot at the first maximiser of δ; λ = ∞: p* uniform).

        Raises
        ------
        InputError
            For malformed scores or labels.

        References
        ----------
        D. Zhu, Y. Ying, T. Yang, "Label Distributionally Robust Losses for Multi-class Classification:
        Consistency, Robustness and Adaptivity", ICML 2023, arXiv:2112.14869 (the inner maximiser p*).
        """
        loss = self.value(scores, labels)
        xp, delta = _deltas(scores, labels, self.margin)
        K = delta.shape[1]
        cols = xp.reshape(xp.arange(K), (1, -1))
        if self.lam == 0.0:
            star = xp.reshape(xp.argmax(delta, axis=1), (-1, 1))
            w = xp.astype(cols == star, delta.dtype)
        elif math.isinf(self.lam):
            w = xp.full_like(delta, 1.0 / K)
        else:
            w = ldr_kl_weights(scores, labels, self.lam, self.margin)
        lab = check_labels("labels", labels, K, length=delta.shape[0], xp=xp)
        onehot = cols == xp.reshape(xp.astype(lab, xp.int64), (-1, 1))
        return loss, w - xp.astype(onehot, delta.dtype)

    def conditional_risk(self, p, scores):
        """C(f, p) = Σ_y p_y ψ_λ(f, y), vectorised over the leading axes of p and f (NumPy).

        Parameters
        ----------
        p : array (..., K)
            Class probabilities.
        scores : array (..., K)
            Scores f (no NaN), broadcastable with p.

        Returns
        -------
        ndarray or float
            The conditional risks.

        Raises
        ------
        InputError
            For invalid probabilities, NaN scores or incompatible shapes.

        References
        ----------
        D. Zhu, Y. Ying, T. Yang, "Label Distributionally Robust Losses for Multi-class Classification:
        Consistency, Robustness and Adaptivity", ICML 2023, arXiv:2112.14869 (the conditional risk).
        """
        _, (p, f) = real_namespace(p=p, scores=scores)
        p, f = np.asarray(p, dtype=np.float64), np.asarray(f, dtype=np.float64)
        check_no_nan("scores", f, np)
        if p.ndim < 1 or f.ndim < 1 or p.shape[-1] != f.shape[-1] or p.shape[-1] < 2:
            raise InputError(f"p has shape {p.shape} and scores has shape {f.shape}; equal numbers >= 2 of "
                             "classes on the last axis are required")
        check_probability("p", p, np)
        try:
            np.broadcast_shapes(p.shape, f.shape)
        except ValueError:
            raise InputError(f"p has shape {p.shape} and scores has shape {f.shape}; broadcastable leading "
                             "axes are required") from None
        return self.conditional_risk_rows(p, f)

    def conditional_risk_rows(self, P, H):
        """:meth:`conditional_risk` on validated NumPy float64 rows (no checks).

        Parameters
        ----------
        P : ndarray (..., K)
            Probability rows.
        H : ndarray (..., K)
            Score rows.

        Returns
        -------
        ndarray or float
            The conditional risks.

        References
        ----------
        D. Zhu, Y. Ying, T. Yang, "Label Distributionally Robust Losses for Multi-class Classification:
        Consistency, Robustness and Adaptivity", ICML 2023, arXiv:2112.14869.
        """
        P, H = np.broadcast_arrays(np.asarray(P, dtype=np.float64), np.asarray(H, dtype=np.float64))
        K = H.shape[-1]
        off = self.margin * (1.0 - np.eye(K))
        D = H[..., None, :] - H[..., :, None] + off  # D[..., y, k] = f_k − f_y + c·1[k ≠ y]
        per_y = _ldr_core(np, D.reshape(-1, K), self.lam).reshape(H.shape)
        return (P * per_y).sum(-1)

    def best_conditional_risk(self, p):
        """C*(p) = min_f C(f, p), numerically: the risk at :func:`ldr_risk_minimizer` (BFGS), per row.

        λ = ∞ (the mean limit) makes C linear in f: C* = c(K − 1)/K for uniform p and −∞ otherwise.

        Parameters
        ----------
        p : array (K,) or (..., K)
            Class probabilities.

        Returns
        -------
        float or ndarray
            C*(p) (a float for one vector).

        Raises
        ------
        InputError
            For invalid probabilities.

        References
        ----------
        D. Zhu, Y. Ying, T. Yang, "Label Distributionally Robust Losses for Multi-class Classification:
        Consistency, Robustness and Adaptivity", ICML 2023, arXiv:2112.14869 (risk minimisers).
        """
        _, (p,) = real_namespace(p=p)
        p = np.asarray(p, dtype=np.float64)
        if p.ndim < 1 or p.shape[-1] < 2:
            raise InputError(f"p has shape {p.shape}; probability vectors (..., K), K >= 2, are allowed")
        check_probability("p", p, np)
        return self.best_conditional_risk_rows(p)

    def best_conditional_risk_rows(self, P):
        """:meth:`best_conditional_risk` on validated NumPy rows (a BFGS minimisation per row).

        Parameters
        ----------
        P : ndarray (..., K)
            Probability rows.

        Returns
        -------
        float or ndarray
            C*(p) per row.

        References
        ----------
        D. Zhu, Y. Ying, T. Yang, "Label Distributionally Robust Losses for Multi-class Classification:
        Consistency, Robustness and Adaptivity", ICML 2023, arXiv:2112.14869.
        """
        P = np.asarray(P, dtype=np.float64)
        if math.isinf(self.lam):  # the mean limit is linear in f: C* = c(K − 1)/K at uniform p, −∞ otherwise
            K = P.shape[-1]
            out = np.where(np.all(P == P[..., :1], axis=-1), self.margin * (K - 1) / K, -np.inf)
            return out if P.ndim > 1 else float(out)
        flat = P.reshape(-1, P.shape[-1])
        out = np.array([_ldr_risk(ldr_risk_minimizer(row, self.lam, self.margin), row, self.lam, self.margin)
                        for row in flat])
        return out.reshape(P.shape[:-1]) if P.ndim > 1 else float(out[0])

    def best_scores(self, p):
        """A minimiser of C(·, p): :func:`ldr_risk_minimizer` (unconstrained, centred).

        Parameters
        ----------
        p : array (K,)
            One probability vector.

        Returns
        -------
        ndarray (K,)
            The scores.

        Raises
        ------
        InputError
            For invalid probabilities.

        References
        ----------
        D. Zhu, Y. Ying, T. Yang, "Label Distributionally Robust Losses for Multi-class Classification:
        Consistency, Robustness and Adaptivity", ICML 2023, arXiv:2112.14869.
        """
        return ldr_risk_minimizer(p, self.lam, self.margin)

