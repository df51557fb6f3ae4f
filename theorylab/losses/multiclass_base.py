"""The MulticlassLoss class: the Loss protocol for a multi-class max, sum or constrained loss built from Φ.

Over 400 lines because it is one class: its values and gradients, conditional risks (checked and row
versions), closed-form and numeric C* and the free parametrisation of the score space all dispatch on the
same (kind, Φ) pair, and each member carries its numpydoc docstring; the array forms it calls already live
in :mod:`.multiclass_forms`, and splitting the class itself across modules would be artificial.

Awasthi, Mao, Mohri, Zhong, "Multi-Class H-Consistency Bounds" (NeurIPS 2022); Mao, Mohri, Zhong,
"H-Consistency Bounds: Characterization and Extensions" (NeurIPS 2023). Re-exported by
:mod:`theorylab.losses.multiclass`, with the functional forms (``max_loss``, ``sum_loss``, ...).
"""
from __future__ import annotations

import dataclasses

import numpy as np
from scipy.optimize import minimize

from array_api_compat import array_namespace

from .._validation import (InputError, _is_foreign_array, array_device, check_generator, check_integer, check_no_nan,
                           check_probability, like_input, real_namespace, to_numpy)
from .base import Loss
from .compsum_values import _check_scores_labels
from .margin_base import MarginLoss
from .multiclass_forms import _check_centred, _loss_and_grad, _pairwise

__all__ = ["MulticlassLoss"]


_OFF = {}


def _off_diagonal(n):
    """The (n, n) boolean mask j ≠ k, made once per n (read-only: shared by every hot-loop call)."""
    m = _OFF.get(n)
    if m is None:
        m = ~np.eye(n, dtype=bool)
        m.flags.writeable = False
        _OFF[n] = m
    return m


@dataclasses.dataclass(frozen=True)
class MulticlassLoss(Loss):
    """A multi-class max, sum or constrained loss built from the binary margin loss ``phi``.

    max: ℓ(h, x, y) = max_{y'≠y} Φ(h_y − h_{y'}); sum: ℓ = Σ_{y'≠y} Φ(h_y − h_{y'}); constrained:
    ℓ = Σ_{y'≠y} Φ(−h_{y'}) with Σ_y h_y = 0.

    Parameters
    ----------
    kind : {"max", "sum", "constrained"}
        Which multi-class construction.
    phi : MarginLoss
        Φ from :mod:`theorylab.losses.margin`.

    References
    ----------
    P. Awasthi, A. Mao, M. Mohri, Y. Zhong, "Multi-Class H-Consistency Bounds", NeurIPS 2022 (max,
    sum and constrained losses).
    A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds: Characterization and Extensions", NeurIPS 2023.
    """

    kind: str
    phi: MarginLoss

    @property
    def name(self) -> str:
        """The loss name, ``"{kind}-{phi.name}"``."""
        return f"{self.kind}-{self.phi.name}"

    @property
    def constrained(self) -> bool:
        """True when scores live on Σ_y h_y = 0 (the constrained kind).

        Returns
        -------
        bool
            ``kind == "constrained"``.

        References
        ----------
        Y. Lee, Y. Lin, G. Wahba, "Multicategory Support Vector Machines", J. Amer. Statist. Assoc. 99(465),
        2004 (the sum-to-zero constraint).
        """
        return self.kind == "constrained"

    @property
    def convex(self) -> bool:
        """True when Φ is declared convex: sums and maxima of convex Φ of linear maps of h are convex.

        Returns
        -------
        bool
            ``phi.convex``.

        References
        ----------
        P. Awasthi, A. Mao, M. Mohri, Y. Zhong, "Multi-Class H-Consistency Bounds", NeurIPS 2022.
        """
        return bool(self.phi.convex)

    @property
    def bounded(self) -> bool:
        """True when Φ is declared bounded (finite sums and maxima of a bounded Φ).

        Returns
        -------
        bool
            ``phi.bounded``.

        References
        ----------
        P. Awasthi, A. Mao, M. Mohri, Y. Zhong, "Multi-Class H-Consistency Bounds", NeurIPS 2022.
        """
        return bool(self.phi.bounded)

    @property
    def params(self) -> dict:
        """``{"kind": kind, "phi": Φ's name}``.

        Returns
        -------
        dict
            The parameters.

        References
        ----------
        P. Awasthi, A. Mao, M. Mohri, Y. Zhong, "Multi-Class H-Consistency Bounds", NeurIPS 2022.
        """
        return {"kind": self.kind, "phi": self.phi.name}

    @property
    def has_closed_best_risk(self) -> bool:
        """True when C*(p) has a closed form here (see :meth:`best_conditional_risk`).

        Returns
        -------
        bool
            Whether C* is closed-form.

        References
        ----------
        P. Awasthi, A. Mao, M. Mohri, Y. Zhong, "Multi-Class H-Consistency Bounds", NeurIPS 2022.
        """
        return self._closed_cstar is not None

    def _prep(self, scores, labels):
        xp, h, lab = _check_scores_labels(scores, labels)
        if self.constrained:
            _check_centred(xp, h)
        return xp, h, lab

    def value(self, scores, labels):
        """ℓ(h, x, y) per row (batch,), in the namespace and dtype of ``scores`` (see the class formulas).

        Parameters
        ----------
        scores : array (batch, n)
            Scores h (no NaN; rows summing to 0 for constrained losses).
        labels : integer array (batch,)
            Class indices in [0, n).

        Returns
        -------
        array (batch,)
            The losses (+inf where Φ overflows, never NaN).

        Raises
        ------
        InputError
            For malformed scores or labels, or uncentred scores of a constrained loss.

        References
        ----------
        P. Awasthi, A. Mao, M. Mohri, Y. Zhong, "Multi-Class H-Consistency Bounds", NeurIPS 2022.
        """
        xp, h, lab = self._prep(scores, labels)
        with np.errstate(over="ignore", invalid="ignore"):
            return _loss_and_grad(self.kind, self.phi, h, lab, xp, want_grad=False)

    def value_and_grad(self, scores, labels):
        """(ℓ, ∂ℓ/∂h): losses (batch,) and (sub)gradients (batch, n).

        sum: ∂ℓ/∂h_y = Σ_{y'≠y} Φ'(h_y − h_{y'}), ∂ℓ/∂h_{y'} = −Φ'(h_y − h_{y'});
        max: the same for the maximising y' only (a subgradient; first maximiser on ties);
        constrained: ∂ℓ/∂h_{y'} = −Φ'(−h_{y'}) (y' ≠ y), 0 at y — the gradient in ℝⁿ; its projection on
        Σh = 0 is g − mean(g). At kinks Φ' is the right derivative of :mod:`theorylab.losses.margin`.

        Parameters
        ----------
        scores : array (batch, n)
            Scores h.
        labels : integer array (batch,)
            Class indices in [0, n).

        Returns
        -------
        loss : array (batch,)
            The losses.
        grad : array (batch, n)
            The (sub)gradients with respect to h.

        Raises
        ------
        InputError
            For malformed scores or labels, or uncentred scores of a constrained loss.

        References
        ----------
        P. Awasthi, A. Mao, M. Mohri, Y. Zhong, "Multi-Class H-Consistency Bounds", NeurIPS 2022.
        """
        xp, h, lab = self._prep(scores, labels)
        with np.errstate(over="ignore", invalid="ignore"):
            return _loss_and_grad(self.kind, self.phi, h, lab, xp, want_grad=True)

    # ------------------------------------------------------------------------- conditional risks

    def conditional_risk(self, p, h):
        """C(h, p) = Σ_y p_y ℓ(h, x, y), vectorised over the leading axes of p and h (last axis: classes).

        Constrained: C = Σ_j (1 − p_j) Φ(−h_j) (needs Σp = 1 and Σh = 0, the latter not re-checked here);
        sum/max: from the pairwise margins D_{yy'} = h_y − h_{y'}.

        Parameters
        ----------
        p : array (..., n)
            Conditional label probabilities.
        h : array (..., n)
            Scores (no NaN), leading axes broadcastable with p.

        Returns
        -------
        array
            The conditional risks over the broadcast leading axes.

        Raises
        ------
        InputError
            For unequal or < 2 class counts, invalid probabilities, NaN scores or non-broadcastable shapes.

        References
        ----------
        P. Awasthi, A. Mao, M. Mohri, Y. Zhong, "Multi-Class H-Consistency Bounds", NeurIPS 2022
        (conditional risk and calibration gap).
        """
        xp, (p, h) = real_namespace(p=p, h=h)
        check_no_nan("h", h, xp)
        if p.ndim < 1 or h.ndim < 1 or p.shape[-1] != h.shape[-1] or p.shape[-1] < 2:
            raise InputError(f"p has {p.shape[-1] if p.ndim else 0} classes and h has "
                             f"{h.shape[-1] if h.ndim else 0}; equal numbers >= 2 required")
        check_probability("p", p, xp)
        try:
            np.broadcast_shapes(tuple(p.shape), tuple(h.shape))
        except ValueError:
            raise InputError(f"p has shape {tuple(p.shape)} and h has shape {tuple(h.shape)}; broadcastable "
                             "leading axes are required") from None
        return self._conditional_risk_core(xp, p, h)

    def _conditional_risk_core(self, xp, p, h):
        """:meth:`conditional_risk` on validated arrays of namespace ``xp`` (no checks)."""
        with np.errstate(over="ignore", invalid="ignore"):
            if self.constrained:
                return xp.sum((1.0 - p) * self.phi.raw_value(xp, -h), axis=-1)
            n = h.shape[-1]
            v = self.phi.raw_value(xp, _pairwise(xp, h))
            diag = xp.eye(n, dtype=xp.bool, device=array_device(v))
            if self.kind == "sum":
                per_y = xp.sum(xp.where(diag, xp.zeros_like(v), v), axis=-1)
            else:
                per_y = xp.max(xp.where(diag, xp.full_like(v, -float("inf")), v), axis=-1)
            return xp.sum(p * per_y, axis=-1)

    def conditional_risk_rows(self, P, H):
        """:meth:`conditional_risk` for NumPy float64 rows without validation (hot loops of the searches); arrays of
        other libraries go through the array-API core (their namespace, device and dtype).

        Parameters
        ----------
        P : ndarray (..., n)
            Probability rows.
        H : ndarray (..., n)
            Score rows, broadcastable with P.

        Returns
        -------
        ndarray
            The conditional risks.

        References
        ----------
        P. Awasthi, A. Mao, M. Mohri, Y. Zhong, "Multi-Class H-Consistency Bounds", NeurIPS 2022.
        """
        if _is_foreign_array(P) or _is_foreign_array(H):  # other array libraries: the array-API core
            return self._conditional_risk_core(array_namespace(P, H), P, H)
        p, h = P, H
        value = self.phi.raw_value
        if self.constrained:
            return ((1.0 - p) * value(np, -h)).sum(-1)
        v = value(np, h[..., :, None] - h[..., None, :])
        off = _off_diagonal(h.shape[-1])
        per_y = v.sum(-1, where=off) if self.kind == "sum" else v.max(-1, where=off, initial=-np.inf)
        return (p * per_y).sum(-1)

    def best_conditional_risk_rows(self, P):
        """:meth:`best_conditional_risk` for NumPy float64 rows without validation (closed form, else numeric).

        Arrays of other libraries: the closed form runs in their namespace; the numeric search (SciPy) runs on the
        host and its result is moved back once (the input's namespace, device and dtype).

        Parameters
        ----------
        P : ndarray (..., n)
            Probability rows.

        Returns
        -------
        ndarray or float
            C*(p) per row.

        References
        ----------
        P. Awasthi, A. Mao, M. Mohri, Y. Zhong, "Multi-Class H-Consistency Bounds", NeurIPS 2022.
        """
        p = P
        closed = self._closed_cstar
        if closed is None:
            if _is_foreign_array(p):  # the numeric search runs on the host (SciPy); moved once each way
                return like_input(self._numeric_cstar(to_numpy(p).astype(np.float64)), p)
            return self._numeric_cstar(p)
        if _is_foreign_array(p):
            return closed(array_namespace(p), p)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            return closed(np, p)

    def best_conditional_risk(self, p, *, numeric: bool = False, rng=None, starts: int = 6):
        """C*(p) = inf_h C(h, p) (Σh = 0 for constrained losses), vectorised over the leading axes of p.

        Closed forms (constrained losses; w_j = 1 − p_j, scores on Σh = 0), derived from the Lagrange
        conditions w_j Φ'(−h_j)·(−1) = const:

        * exponential: w_j e^{h_j} = λ for all j, Σh = 0 ⇒ C* = n (Π_j w_j)^{1/n};
        * squared hinge: 2w_j(1 + h_j) = λ > 0 for all j (λ = 0 would force every h_j ≤ −1, Σh < 0) ⇒
          C* = n² / Σ_j 1/w_j;
        * hinge: with g = 1 + h, Σg = n, the linear cost Σ w_j (g_j)₊ is least with all mass on the
          smallest w_j ⇒ C* = n (1 − max_j p_j);
        * ρ-margin: Σh = 0 forces some h_j ≥ 0, which costs w_j; h = ((n−1)ρ, −ρ, …) at the most likely
          class attains it ⇒ C* = 1 − max_j p_j.

        Sum-exponential: (Σ_y √p_y)² − 1 (Cauchy–Schwarz on (Σ e^{h})(Σ p e^{−h})). Other losses, or
        ``numeric=True``: multistart Nelder–Mead (an upper estimate; NumPy rows only).

        Parameters
        ----------
        p : array (..., n)
            Conditional label probabilities.
        numeric : bool, default False
            Use the numerical search even where a closed form exists.
        rng : numpy.random.Generator, optional
            Random starts of the numerical search (``default_rng(0)`` when None).
        starts : int, default 6
            Number of Nelder–Mead starts (≥ 1).

        Returns
        -------
        array or float
            C*(p) over the leading axes (a float for one vector on the numerical path).

        Raises
        ------
        InputError
            For invalid probabilities, starts or rng.

        References
        ----------
        P. Awasthi, A. Mao, M. Mohri, Y. Zhong, "Multi-Class H-Consistency Bounds", NeurIPS 2022.
        A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds: Characterization and Extensions", NeurIPS 2023 (the closed
        forms here are derived in this docstring).
        """
        xp, (p,) = real_namespace(p=p)
        check_probability("p", p, xp)
        if numeric or self._closed_cstar is None:
            starts = check_integer("starts", starts)
            rng = check_generator("rng", rng, optional=True)
            return self._numeric_cstar(np.asarray(p), rng=rng, starts=starts)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            return self._closed_cstar(xp, p)

    @property
    def _closed_cstar(self):
        name = self.phi.name
        if self.constrained:
            if name == "exponential":
                return lambda xp, p: p.shape[-1] * xp.exp(xp.mean(xp.log1p(-p), axis=-1))
            if name == "squared_hinge":
                return lambda xp, p: p.shape[-1] ** 2 / xp.sum(1.0 / (1.0 - p), axis=-1)
            if name == "hinge":
                return lambda xp, p: p.shape[-1] * (1.0 - xp.max(p, axis=-1))
            if name.startswith("rho_margin"):
                return lambda xp, p: 1.0 - xp.max(p, axis=-1)
        if self.kind == "sum" and name == "exponential":
            return lambda xp, p: xp.sum(xp.sqrt(p), axis=-1) ** 2 - 1.0
        return None

    def scores_from_free(self, z):
        """Unconstrained parametrisation of the score space z ∈ ℝ^{n−1} ↦ h.

        h = (0, z) for max/sum (shift invariance) or h = (z, −Σz) for constrained losses (Σh = 0). Vectorised over
        leading axes (NumPy).

        Parameters
        ----------
        z : array (..., n − 1)
            Free coordinates, n ≥ 2.

        Returns
        -------
        ndarray (..., n)
            The scores.

        Raises
        ------
        InputError
            When z is not real or has an empty last axis.

        References
        ----------
        P. Awasthi, A. Mao, M. Mohri, Y. Zhong, "Multi-Class H-Consistency Bounds", NeurIPS 2022.
        """
        _, (z,) = real_namespace(z=z)
        z = np.asarray(z, dtype=np.float64)
        if z.ndim < 1 or z.shape[-1] < 1:
            raise InputError(f"z has shape {z.shape}; free coordinates (..., n − 1) with n >= 2 are allowed")
        if self.constrained:
            return np.concatenate([z, -z.sum(-1, keepdims=True)], axis=-1)
        return np.concatenate([np.zeros(z.shape[:-1] + (1,)), z], axis=-1)

    def _free_to_scores(self, z):
        """:meth:`scores_from_free` for one NumPy vector, unchecked (inside Nelder–Mead)."""
        if self.constrained:
            return np.concatenate([z, [-z.sum()]])
        return np.concatenate([[0.0], z])

    def _numeric_cstar(self, p, rng=None, starts=6):
        rng = np.random.default_rng(0) if rng is None else rng
        P = np.asarray(p, dtype=np.float64)
        check_no_nan("p", P)
        flat = P.reshape(-1, P.shape[-1])
        n = flat.shape[1]
        out = np.empty(flat.shape[0])
        for i, row in enumerate(flat):
            f = lambda z, row=row: float(self.conditional_risk_rows(row, self._free_to_scores(z)))  # noqa: E731
            lp = np.log(np.maximum(row, 1e-12))
            guess = lp[:-1] - lp.mean() if self.constrained else lp[1:] - lp[0]
            best = np.inf
            for k in range(starts):
                z0 = guess if k == 0 else rng.normal(0, 2, n - 1)
                with np.errstate(over="ignore", invalid="ignore"):
                    r = minimize(f, z0, method="Nelder-Mead",
                                 options={"xatol": 1e-11, "fatol": 1e-14, "maxiter": 4000 * n, "maxfev": 4000 * n})
                best = min(best, r.fun)
            out[i] = best
        return out.reshape(P.shape[:-1]) if P.ndim > 1 else float(out[0])

    def __repr__(self) -> str:
        return f"MulticlassLoss({self.kind}, {self.phi.name})"
