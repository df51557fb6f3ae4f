"""Label distributionally robust (LDR) losses: the LDRKLLoss class and the LDR-KL / ALDR-KL functions.

Zhu, Ying, Yang, "Label Distributionally Robust Losses for Multi-class Classification: Consistency, Robustness
and Adaptivity", ICML 2023 (arXiv 2112.14869); formulas as reconstructed and verified in
``shared/claims/classification-settings.md`` §(b):

    ψ_λ(f, y) = max_{p ∈ Δ_K} Σ_k p_k δ_k − λ KL(p ‖ unif),   δ_k = f_k − f_y + c·1[k ≠ y]
              = λ log((1/K) Σ_k exp(δ_k/λ)),                 p* = softmax(δ/λ),

with limits λ → 0: max_k δ_k (Crammer–Singer) and λ → ∞: (1/K) Σ_k δ_k (symmetric: Σ_y ψ_∞(f, y) = c(K − 1)).

This module holds :class:`LDRKLLoss` and re-exports the functions, which live by job in :mod:`.ldr_values`
(ψ_λ, the weights p*, ALDR-KL) and :mod:`.ldr_risks` (conditional risks and their minimisers).
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from .._validation import (InputError, array_device, check_no_nan, check_nonnegative, check_probability, on_host,
                           real_namespace)
from .base import Loss
from .ldr_risks import _ldr_risk, ldr_conditional_risk, ldr_risk_minimizer
from .ldr_values import _check_lam, _ldr_core, _ldr_eval, aldr_kl_loss, ldr_kl_loss, ldr_kl_weights


__all__ = ["ldr_kl_loss", "ldr_kl_weights", "aldr_kl_loss", "ldr_conditional_risk", "ldr_risk_minimizer", "LDRKLLoss"]


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

        One evaluation for both (:mod:`.ldr_values`: δ exact, float32 computed in float64); ∂ψ/∂f_y is formed as
        −Σ_{k≠y} p*_k, relatively accurate where p*_y is close to 1.

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
        xp, loss, w, onehot, out_dtype = _ldr_eval(scores, labels, self.lam, self.margin, want_weights=True)
        # ∂ψ/∂f_y = p*_y − 1 = −Σ_{k≠y} p*_k: a sum of non-negative terms (1 − p*_y would cancel when p*_y ≈ 1)
        zero = xp.zeros_like(w)
        off = xp.where(onehot, zero, w)
        grad = xp.where(onehot, -xp.sum(off, axis=1, keepdims=True) + zero, off)
        return xp.astype(loss, out_dtype), xp.astype(grad, out_dtype)

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
        xp, (p, f) = real_namespace(p=p, scores=scores)
        check_no_nan("scores", f, xp)
        if p.ndim < 1 or f.ndim < 1 or p.shape[-1] != f.shape[-1] or p.shape[-1] < 2:
            raise InputError(f"p has shape {tuple(p.shape)} and scores has shape {tuple(f.shape)}; equal numbers "
                             ">= 2 of classes on the last axis are required")
        check_probability("p", p, xp)
        try:
            np.broadcast_shapes(tuple(p.shape), tuple(f.shape))
        except ValueError:
            raise InputError(f"p has shape {tuple(p.shape)} and scores has shape {tuple(f.shape)}; broadcastable "
                             "leading axes are required") from None
        return self.conditional_risk_rows(p, f)

    def conditional_risk_rows(self, P, H):
        """:meth:`conditional_risk` on validated rows of one array-API namespace (no checks).

        Parameters
        ----------
        P : array (..., K)
            Probability rows.
        H : array (..., K)
            Score rows.

        Returns
        -------
        array or float
            The conditional risks, in the namespace, device and dtype of the inputs (NumPy float64 for lists).

        References
        ----------
        D. Zhu, Y. Ying, T. Yang, "Label Distributionally Robust Losses for Multi-class Classification:
        Consistency, Robustness and Adaptivity", ICML 2023, arXiv:2112.14869.
        """
        xp, (P, H) = real_namespace(P=P, H=H)
        P, H = xp.broadcast_arrays(P, H)
        K = H.shape[-1]
        off = self.margin * (1.0 - xp.eye(K, dtype=H.dtype, device=array_device(H)))
        D = H[..., None, :] - H[..., :, None] + off  # D[..., y, k] = f_k − f_y + c·1[k ≠ y]
        per_y = xp.reshape(_ldr_core(xp, xp.reshape(D, (-1, K)), self.lam), H.shape)
        return xp.sum(P * per_y, axis=-1)

    @on_host("p")  # SciPy minimisers: arrays of other libraries move to the host once, the result back once
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
        p = np.asarray(p)  # float32 p is checked at its own precision, then widened
        if p.ndim < 1 or p.shape[-1] < 2:
            raise InputError(f"p has shape {p.shape}; probability vectors (..., K), K >= 2, are allowed")
        check_probability("p", p, np)
        if p.dtype.itemsize < 8:  # float32 p: widened and renormalised (its sum is 1 only to float32 precision)
            p = p.astype(np.float64)
            p = p / p.sum(axis=-1, keepdims=True)
        return self.best_conditional_risk_rows(p.astype(np.float64))

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
