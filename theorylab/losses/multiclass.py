"""Multi-class max, sum and constrained losses built from a binary margin loss Φ: constructors and functions.

Awasthi, Mao, Mohri, Zhong, "Multi-Class H-Consistency Bounds" (NeurIPS 2022) and Mao, Mohri, Zhong,
"H-Consistency Bounds: Characterization and Extensions" (NeurIPS 2023); definitions as reconstructed in
``shared/claims/surrogate-losses.md`` §9 (scores h(x, ·) ∈ ℝⁿ, label y):

    max:          ℓ(h, x, y) = max_{y'≠y} Φ(h_y − h_{y'}),
    sum:          ℓ(h, x, y) = Σ_{y'≠y} Φ(h_y − h_{y'}),
    constrained:  ℓ(h, x, y) = Σ_{y'≠y} Φ(−h_{y'}),   with Σ_y h_y = 0.

Φ is one of the binary margin losses of :mod:`theorylab.losses.margin` (hinge, exponential, squared hinge,
ρ-margin, and any other :class:`~theorylab.losses.margin.MarginLoss`); its ``value``/``derivative`` are
reused, never redefined. Everything is written against the array-API namespace of the scores (NumPy, CuPy,
array-api-strict). No sum of Φ-values is ever formed by subtraction (Σ_all − Φ_y would give inf − inf = NaN
when Φ overflows); the label term is masked out instead, so a large score gives the correctly rounded +inf
(exponential Φ past e^{709}) and never NaN.

Conditional risks C(h, p) = Σ_y p_y ℓ(h, x, y) and the best conditional risk C*(p) in closed form for the
constrained losses (derived in :meth:`MulticlassLoss.best_conditional_risk`) complete the family; the
tight transform that uses them lives in :mod:`theorylab.theory.tight_transform`.

By job: the array forms (kinds, centring, ℓ and ∂ℓ/∂h) are in :mod:`.multiclass_forms`, the
:class:`MulticlassLoss` class in :mod:`.multiclass_base`; this module holds the constructor
:func:`from_margin`, the functional forms (:func:`max_loss`, :func:`sum_loss`, :func:`constrained_loss`),
the attributed constrained transforms, and re-exports the rest.
"""
from __future__ import annotations

import numpy as np

from .._validation import InputError, check_in_unit_interval
from .multiclass_base import MulticlassLoss
from .multiclass_forms import KINDS, _check_kind, _phi, center_scores


def from_margin(kind: str, phi) -> MulticlassLoss:
    """The ``kind`` ∈ {max, sum, constrained} loss built from Φ = ``phi``.

    Parameters
    ----------
    kind : {"max", "sum", "constrained"}
        The multi-class construction.
    phi : str or MarginLoss
        A margin-loss name such as "hinge", "exponential", "squared_hinge", "rho_margin(rho=0.5)", or a
        MarginLoss.

    Returns
    -------
    MulticlassLoss
        The loss object.

    Raises
    ------
    InputError
        For an unknown kind or loss.

    References
    ----------
    P. Awasthi, A. Mao, M. Mohri, Y. Zhong, "Multi-Class H-Consistency Bounds", NeurIPS 2022;
    derivation worked out in the project's claim notes (shared/claims/surrogate-losses.md §9).
    """
    return MulticlassLoss(_check_kind(kind), _phi(phi))


def max_loss(scores, labels, phi):
    """Multi-class max loss ℓ = max_{y'≠y} Φ(h_y − h_{y'}) per row.

    Parameters
    ----------
    scores : array (batch, n)
        Scores h.
    labels : integer array (batch,)
        Class indices in [0, n).
    phi : str or MarginLoss
        The binary margin loss Φ.

    Returns
    -------
    array (batch,)
        The losses.

    Raises
    ------
    InputError
        For malformed scores, labels or an unknown loss.

    References
    ----------
    P. Awasthi, A. Mao, M. Mohri, Y. Zhong, "Multi-Class H-Consistency Bounds", NeurIPS 2022 (max
    losses).
    """
    return from_margin("max", phi).value(scores, labels)


def sum_loss(scores, labels, phi):
    """Multi-class sum loss ℓ = Σ_{y'≠y} Φ(h_y − h_{y'}) per row.

    Parameters
    ----------
    scores : array (batch, n)
        Scores h.
    labels : integer array (batch,)
        Class indices in [0, n).
    phi : str or MarginLoss
        The binary margin loss Φ.

    Returns
    -------
    array (batch,)
        The losses.

    Raises
    ------
    InputError
        For malformed scores, labels or an unknown loss.

    References
    ----------
    P. Awasthi, A. Mao, M. Mohri, Y. Zhong, "Multi-Class H-Consistency Bounds", NeurIPS 2022 (sum
    losses).
    """
    return from_margin("sum", phi).value(scores, labels)


def constrained_loss(scores, labels, phi):
    """Constrained loss ℓ = Σ_{y'≠y} Φ(−h_{y'}) per row, rows of ``scores`` summing to 0.

    Parameters
    ----------
    scores : array (batch, n)
        Scores h with Σ_y h_y = 0 per row (see :func:`center_scores`).
    labels : integer array (batch,)
        Class indices in [0, n).
    phi : str or MarginLoss
        The binary margin loss Φ.

    Returns
    -------
    array (batch,)
        The losses.

    Raises
    ------
    InputError
        For malformed or uncentred scores, labels or an unknown loss.

    References
    ----------
    Y. Lee, Y. Lin, G. Wahba, "Multicategory Support Vector Machines: Theory and Application to the Classification of
    Microarray Data and Satellite Radiance Data", J. Amer. Statist. Assoc. 99(465), 2004 (the constrained form).
    P. Awasthi, A. Mao, M. Mohri, Y. Zhong, "Multi-Class H-Consistency Bounds", NeurIPS 2022
    (constrained losses).
    """
    return from_margin("constrained", phi).value(scores, labels)


def attributed_constrained_transform(phi, t):
    """Constrained-loss H-consistency transforms as attributed to Mao, Mohri, Zhong (NeurIPS 2023).

    hinge and ρ-margin: T(t) = t; exponential: T(t) = 2 − √(4 − t²); squared hinge: T(t) = t²/2 (NumPy).
    [RECONSTRUCTED: the forms could not be confirmed against the paper's text.]

    Parameters
    ----------
    phi : str or MarginLoss
        hinge, exponential, squared_hinge or rho_margin(...).
    t : float or array
        0-1 regret values t ∈ [0, 1].

    Returns
    -------
    float or ndarray
        T(t).

    Raises
    ------
    InputError
        For t outside [0, 1] or a loss without an attributed transform.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds: Characterization and Extensions", NeurIPS 2023 (tight bounds
    for constrained losses); attribution taken from the project's claim notes
    (shared/claims/surrogate-losses.md §9).
    """
    name = _phi(phi).name
    check_in_unit_interval("t", t)
    t = np.asarray(t, dtype=np.float64)
    if name == "hinge" or name.startswith("rho_margin"):
        return t.copy() if t.ndim else float(t)
    if name == "exponential":
        v = t * t / (2.0 + np.sqrt(4.0 - t * t))  # = 2 − √(4 − t²), without cancellation
    elif name == "squared_hinge":
        v = t * t / 2.0
    else:
        raise InputError(f"phi={name!r} has no attributed constrained transform; use hinge, exponential, "
                         "squared_hinge or rho_margin")
    return v if np.ndim(v) else float(v)


__all__ = ["MulticlassLoss", "from_margin", "max_loss", "sum_loss", "constrained_loss", "center_scores",
           "attributed_constrained_transform", "KINDS"]
