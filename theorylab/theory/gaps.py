"""Minimizability gaps of comp-sum losses over bounded hypothesis sets (§5).

Mao, Mohri, Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications" (ICML 2023,
arXiv 2304.07288); "H-Consistency Bounds: Characterization and Extensions" (NeurIPS 2023); "A Universal
Growth Rate for Learning with Smooth Surrogate Losses" (NeurIPS 2024, arXiv 2405.05968); Awasthi, Mao,
Mohri, Zhong, "H-Consistency Bounds for Surrogate Loss Minimizers" (ICML 2022, arXiv 2205.08017).
Formulas as reconstructed and verified in ``shared/claims/surrogate-losses.md`` §5.
"""
from __future__ import annotations

from ..losses.compsum import deterministic_risk


# ----------------------------------------------------------------------------- gaps (§5)


def deterministic_conditional_risk(tau, n, bound):
    """Per-point infimum for a deterministic label with scores in [−Λ, Λ]ⁿ: Φ^τ((n−1)e^{−2Λ}) = Ψ_τ(s_max).

    s_max = 1/(1 + (n−1)e^{−2Λ}); 0 for ``bound=None``. The public name of
    :func:`theorylab.losses.compsum.deterministic_risk`.

    Parameters
    ----------
    tau : float
        τ ≥ 0.
    n : int
        Number of classes ≥ 2.
    bound : float or None
        Score bound Λ > 0, None for unbounded scores.

    Returns
    -------
    float
        The best conditional risk at a deterministic point.

    Raises
    ------
    InputError
        For invalid τ, n or Λ.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023,
    arXiv:2304.07288 (minimizability gaps; section number unconfirmed).
    """
    return deterministic_risk(tau, n, bound)


__all__ = ["deterministic_conditional_risk"]
