"""Comp-sum losses ℓ^τ (sum-exponential, cross-entropy, GCE, MAE, τ > 2): the CompSumLoss class and the family's API.

Mao, Mohri, Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023
(arXiv 2304.07288), §3 (the comp-sum family) — formulas as reconstructed in
``shared/claims/surrogate-losses.md`` §2:

    ℓ^τ(h, x, y) = Φ^τ(Σ_{y'≠y} e^{h(x,y') − h(x,y)}),
    Φ^τ(u) = ((1+u)^{1−τ} − 1)/(1 − τ)   (τ ≠ 1),   Φ^1(u) = log(1 + u),
    ℓ^τ = Ψ_τ(softmax(h)_y),   Ψ_τ(s) = (1 − s^{τ−1})/(τ − 1),   Ψ_1(s) = −log s.

This module holds :class:`CompSumLoss` and re-exports the functions of the family, which live by job in
:mod:`.compsum_forms` (checks of τ, n, Λ; Φ^τ, Ψ_τ and their sympy forms; names), :mod:`.compsum_values`
(log-softmax, values and gradients — numerics described there) and :mod:`.compsum_risks` (conditional
risks, C*, minimisers). ``comp_sum_loss_and_grad(scores, labels, tau)`` stays importable from here.
"""
from __future__ import annotations

import dataclasses

import sympy as sp

from .base import Loss
from .compsum_forms import check_bound, check_n, check_tau, loss_name, phi_sympy, phi_tau, psi_sympy, psi_tau
from .compsum_kernels import fused_loss_and_grad
from .compsum_risks import best_conditional_risk, best_scores, conditional_risk, deterministic_risk
from .compsum_values import comp_sum_loss, comp_sum_loss_and_grad, log_softmax


# -------------------------------------------------------------------------------------- the Loss protocol


@dataclasses.dataclass(frozen=True)
class CompSumLoss(Loss):
    """The comp-sum loss ℓ^τ(h, x, y) = Φ^τ(Σ_{y'≠y} e^{h_{y'} − h_y}) = Ψ_τ(softmax(h)_y) as a Loss.

    Wraps the functions of this module: values and gradients (:func:`comp_sum_loss`,
    :func:`comp_sum_loss_and_grad`), conditional risks (:func:`conditional_risk`) and C*
    (:func:`best_conditional_risk`, complete or box-bounded). Scores (batch, n), integer labels (batch,).

    Parameters
    ----------
    tau : float
        τ ≥ 0 (0 sum-exponential, 1 cross-entropy, (1, 2) GCE, 2 MAE).
    bound : float or None, default None
        Score bound Λ of the hypothesis set {|h| ≤ Λ}; None for complete (unbounded) scores.

    Raises
    ------
    InputError
        For an invalid τ or Λ.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
    ICML 2023, arXiv:2304.07288 (the comp-sum family, §3).
    """

    tau: float
    bound: float | None = None

    def __post_init__(self):
        object.__setattr__(self, "tau", check_tau(self.tau))
        object.__setattr__(self, "bound", check_bound(self.bound))

    @property
    def name(self) -> str:
        """``"comp_sum(tau=τ)"``, with the bound when there is one.

        Returns
        -------
        str
            The loss name.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
        ICML 2023, arXiv:2304.07288.
        """
        return f"comp_sum(tau={self.tau:g})" + ("" if self.bound is None else f"[bound={self.bound:g}]")

    @property
    def convex(self) -> bool:
        """True for τ ≤ 1: ℓ^τ = (e^{(1−τ)(−log s_y)} − 1)/(1 − τ) is convex increasing of the convex −log s_y.

        Returns
        -------
        bool
            τ ≤ 1.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
        ICML 2023, arXiv:2304.07288 (sum-exponential and cross-entropy are convex; GCE and MAE are not).
        """
        return self.tau <= 1.0

    @property
    def bounded(self) -> bool:
        """True for τ > 1 (ℓ^τ ≤ Ψ_τ(0) = 1/(τ − 1)) or box-bounded scores.

        Returns
        -------
        bool
            Whether the loss is bounded.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
        ICML 2023, arXiv:2304.07288.
        """
        return self.tau > 1.0 or self.bound is not None

    @property
    def params(self) -> dict:
        """``{"tau": τ, "bound": Λ or None}``.

        Returns
        -------
        dict
            The parameters.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
        ICML 2023, arXiv:2304.07288.
        """
        return {"tau": self.tau, "bound": self.bound}

    @property
    def tight_search(self) -> str:
        """"comp_sum": the structured search with the closed-form inner infimum (it reads ``tau``).

        Returns
        -------
        str
            "comp_sum".

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds: Characterization and Extensions", NeurIPS 2023.
        """
        return "comp_sum"

    def value(self, scores, labels):
        """ℓ^τ per example: :func:`comp_sum_loss`.

        Parameters
        ----------
        scores : array (batch, n)
            Scores h (no NaN).
        labels : integer array (batch,)
            Class indices in [0, n).

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
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
        ICML 2023, arXiv:2304.07288.
        """
        return comp_sum_loss(scores, labels, self.tau)

    def value_and_grad(self, scores, labels, *, fast=None):
        """(ℓ^τ, ∂ℓ^τ/∂h): :func:`comp_sum_loss_and_grad`.

        Parameters
        ----------
        scores : array (batch, n)
            Scores h (no NaN).
        labels : integer array (batch,)
            Class indices in [0, n).
        fast : bool or None, default None
            The fast-path switch (see :func:`comp_sum_loss_and_grad`).

        Returns
        -------
        loss : array (batch,)
            The losses.
        grad : array (batch, n)
            Their gradients.

        Raises
        ------
        InputError
            For malformed scores, labels or fast.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
        ICML 2023, arXiv:2304.07288.
        """
        return comp_sum_loss_and_grad(scores, labels, self.tau, fast=fast)

    def conditional_risk(self, p, scores):
        """C_τ(h, p) = Σ_y p_y Ψ_τ(softmax(h)_y): :func:`conditional_risk` (the box is not checked).

        Parameters
        ----------
        p : array (..., n)
            Probability vectors.
        scores : array (..., n)
            Scores (finite or −inf).

        Returns
        -------
        ndarray or float
            The conditional risks.

        Raises
        ------
        InputError
            For invalid p or scores.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
        ICML 2023, arXiv:2304.07288.
        """
        return conditional_risk(p, scores, self.tau)

    def best_conditional_risk(self, p):
        """C*_τ(p), complete or over the box [−Λ, Λ]ⁿ: :func:`best_conditional_risk`.

        Parameters
        ----------
        p : array (n,) or (m, n)
            Probability vector(s).

        Returns
        -------
        float or ndarray (m,)
            C*_τ(p).

        Raises
        ------
        InputError
            For invalid p.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
        ICML 2023, arXiv:2304.07288.
        """
        return best_conditional_risk(p, self.tau, self.bound)

    def best_scores(self, p):
        """A minimiser of C_τ(·, p): :func:`best_scores`.

        Parameters
        ----------
        p : array (n,)
            One probability vector.

        Returns
        -------
        ndarray (n,)
            The scores.

        Raises
        ------
        InputError
            For invalid p.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
        ICML 2023, arXiv:2304.07288.
        """
        return best_scores(p, self.tau, self.bound)

    def sympy_form(self) -> sp.Expr:
        """Ψ_τ(s) in the positive symbol ``s`` = softmax(h)_y: :func:`psi_sympy`.

        Returns
        -------
        sympy.Expr
            Ψ_τ(s).

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
        ICML 2023, arXiv:2304.07288.
        """
        return psi_sympy(sp.Symbol("s", positive=True), self.tau)

    def __repr__(self) -> str:
        return f"CompSumLoss(tau={self.tau:g}, bound={self.bound!r})"


__all__ = ["phi_tau", "psi_tau", "phi_sympy", "psi_sympy", "comp_sum_loss", "comp_sum_loss_and_grad",
           "log_softmax", "best_conditional_risk", "best_scores", "conditional_risk", "deterministic_risk",
           "check_tau", "check_n", "check_bound", "loss_name", "fused_loss_and_grad", "CompSumLoss"]
