"""Multi-class max, sum and constrained forms on arrays: kinds, Φ lookup, score centring, ℓ and ∂ℓ/∂h.

Awasthi, Mao, Mohri, Zhong, "Multi-Class H-Consistency Bounds" (NeurIPS 2022); Lee, Lin, Wahba, JASA 2004
(the sum-to-zero constraint). With scores h(x, ·) ∈ ℝⁿ and label y:

    max:          ℓ(h, x, y) = max_{y'≠y} Φ(h_y − h_{y'}),
    sum:          ℓ(h, x, y) = Σ_{y'≠y} Φ(h_y − h_{y'}),
    constrained:  ℓ(h, x, y) = Σ_{y'≠y} Φ(−h_{y'}),   with Σ_y h_y = 0.

The loss-and-gradient routine here works on validated arrays of any array-API namespace; the label term
is masked out, never subtracted, so an overflowing Φ gives +inf and never NaN. The class built on it is
:class:`~theorylab.losses.multiclass_base.MulticlassLoss`; everything public is re-exported by
:mod:`theorylab.losses.multiclass`.
"""
from __future__ import annotations

from .._validation import InputError, array_device, check_no_nan, is_traced, real_namespace
from .margin import get_loss
from .margin_base import MarginLoss

__all__ = ["KINDS", "center_scores"]


KINDS = ("max", "sum", "constrained")


# ------------------------------------------------------------------------------------------------ helpers


def _phi(phi) -> MarginLoss:
    if isinstance(phi, MarginLoss):
        return phi
    if not isinstance(phi, str):
        raise InputError(f"phi={phi!r} is not allowed; give a margin-loss name (hinge, exponential, "
                         "squared_hinge, rho_margin(rho=R), ...) or a MarginLoss object")
    return get_loss(phi)


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise InputError(f"kind={kind!r} is not allowed; use one of {', '.join(KINDS)}")
    return kind


def _onehot(xp, lab, n):
    return xp.reshape(lab, (-1, 1)) == xp.reshape(xp.arange(n, dtype=lab.dtype, device=array_device(lab)), (1, -1))


def _check_centred(xp, h):
    """Raise :class:`InputError` unless every row of ``h`` sums to 0 (to √eps·n·(1 + max|h|))."""
    if h.shape[-1] == 0:
        return
    eps = float(xp.finfo(h.dtype).eps)
    s = xp.abs(xp.sum(h, axis=-1))
    scale = eps ** 0.5 * h.shape[-1] * (1.0 + xp.max(xp.abs(h), axis=-1))
    if is_traced(h):
        return
    if bool(xp.any(s > scale)):
        worst = float(xp.max(s))
        raise InputError(f"scores rows must sum to 0 for a constrained loss (largest |row sum| = {worst:.3g}); "
                         "centre them with center_scores(scores)")


def center_scores(scores):
    """h − mean(h) row-wise: the projection onto Σ_y h_y = 0 required by constrained losses.

    Parameters
    ----------
    scores : array (..., n)
        Scores h, n ≥ 2 classes on the last axis, no NaN.

    Returns
    -------
    array (..., n)
        The centred scores, in the namespace of ``scores``.

    Raises
    ------
    InputError
        For fewer than 2 classes, non-real scores or NaN.

    References
    ----------
    Y. Lee, Y. Lin, G. Wahba, "Multicategory Support Vector Machines: Theory and Application to the Classification of
    Microarray Data and Satellite Radiance Data", J. Amer. Statist. Assoc. 99(465), 2004 (the sum-to-zero constraint).
    """
    xp, (h,) = real_namespace(scores=scores)
    if h.ndim < 1 or h.shape[-1] < 2:
        raise InputError(f"scores has shape {tuple(h.shape)}; an array with n_classes >= 2 (last axis) is allowed")
    check_no_nan("scores", h, xp)
    return h - xp.mean(h, axis=-1, keepdims=True)


def _pairwise(xp, h):
    """D[..., y, y'] = h_y − h_{y'}."""
    return xp.expand_dims(h, axis=-1) - xp.expand_dims(h, axis=-2)


# ----------------------------------------------------------------------------------- losses and gradients


def _loss_and_grad(kind, phi, h, lab, xp, want_grad):
    n = h.shape[1]
    onehot = _onehot(xp, lab, n)
    zero = xp.zeros_like(h)
    if kind == "constrained":
        v = phi.value(-h)
        loss = xp.sum(xp.where(onehot, zero, v), axis=-1)
        if not want_grad:
            return loss
        # ∂/∂h_{y'} Φ(−h_{y'}) = −Φ'(−h_{y'}) for y' ≠ y; 0 at y (gradient in ℝⁿ, before projecting on Σh = 0)
        return loss, xp.where(onehot, zero, -phi.derivative(-h))
    hy = xp.sum(xp.where(onehot, h, zero), axis=-1, keepdims=True)
    d = hy - h  # d[:, y'] = h_y − h_{y'}
    v = xp.where(onehot, zero, phi.value(d))  # Φ ≥ 0, so 0 on the label entry never wins the max
    if kind == "sum":
        loss = xp.sum(v, axis=-1)
        if not want_grad:
            return loss
        g_off = xp.where(onehot, zero, phi.derivative(d))  # ∂Φ(h_y − h_{y'})/∂h_y = Φ'(d_{y'})
        gy = xp.sum(g_off, axis=-1, keepdims=True)
        return loss, xp.where(onehot, gy, -g_off)
    # max: −inf on the label entry so that the argmax is a y' ≠ y (first one on ties)
    vm = xp.where(onehot, xp.full_like(h, -float("inf")), v)
    loss = xp.max(vm, axis=-1)
    if not want_grad:
        return loss
    star = xp.argmax(vm, axis=-1)
    sel = _onehot(xp, xp.astype(star, lab.dtype), n)
    dstar = xp.sum(xp.where(sel, d, zero), axis=-1, keepdims=True)
    gstar = phi.derivative(dstar)  # a subgradient: Φ' at the maximising pair
    return loss, xp.where(onehot, gstar, xp.where(sel, -gstar, zero))
