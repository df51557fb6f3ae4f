"""Checking a tight-transform witness: the comp-sum surrogate regret and 0-1 regret of a (p, h) pair.

:func:`surrogate_regret` is ΔC_τ(h, p) = C_τ(h, p) − C*_τ(p) (complete or box-bounded scores);
:func:`witness_regrets` perturbs the witness of
:func:`~theorylab.theory.tight.search.tight_transform` so that class 0 is strictly predicted and returns
both regrets, the pair the tight bound relates.

References: Mao, Mohri, Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
ICML 2023, arXiv:2304.07288; Mao, Mohri, Zhong, "H-Consistency Bounds: Characterization and Extensions",
NeurIPS 2023.
"""
from __future__ import annotations

import numpy as np

from ..._validation import InputError, check_positive, real_namespace
from ...losses.compsum import best_conditional_risk, check_bound, conditional_risk


def surrogate_regret(tau, p, h, bound=None):
    """ΔC_τ(h, p) = C_τ(h, p) − C*_τ(p) (box-bounded C* when ``bound`` is given: h must lie in the box).

    Parameters
    ----------
    tau : float
        τ ≥ 0.
    p : array (n,)
        Conditional label distribution.
    h : array (n,)
        Scores.
    bound : float, optional
        Score bound Λ > 0; None for complete scores.

    Returns
    -------
    float
        The conditional surrogate regret.

    Raises
    ------
    InputError
        For invalid arguments or scores outside the box.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023,
    arXiv:2304.07288 (conditional regret of comp-sum losses).
    """
    lam = check_bound(bound)
    if lam is not None:
        _, (hh,) = real_namespace(h=h)
        if np.any(np.abs(np.asarray(hh)) > lam * (1 + 1e-12)):
            raise InputError(f"h has scores outside the box [-{lam:g}, {lam:g}] of bound={bound!r}; the regret "
                             "against the box-bounded C* needs scores inside it")
    return float(conditional_risk(p, h, tau) - best_conditional_risk(p, tau, bound))


def witness_regrets(tau, witness, bound=None, eps=1e-9):
    """(surrogate regret, 0-1 regret) of the ε-perturbed witness (class 0 strictly predicted).

    Parameters
    ----------
    tau : float
        τ ≥ 0.
    witness : dict
        The witness of :func:`tight_transform` (keys ``p``, ``h``).
    bound : float, optional
        Score bound Λ > 0; None for complete scores (−inf scores become −10⁶).
    eps : float, default 1e-9
        Perturbation ε > 0 breaking the ties towards class 0.

    Returns
    -------
    surrogate : float
        ΔC_τ(h, p).
    zero_one : float
        max_y p_y − p_pred.

    Raises
    ------
    InputError
        For a malformed witness or invalid ε, τ, Λ.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds: Characterization and Extensions", NeurIPS 2023 (the error
    transformation is attained in the limit by such witnesses).
    """
    if not isinstance(witness, dict) or "p" not in witness or "h" not in witness:
        raise InputError(f"witness={witness!r} is not allowed; the witness dict of tight_transform (keys p, h) is")
    eps = check_positive("eps", eps)
    _, (p, h) = real_namespace(p=witness["p"], h=witness["h"])
    p = np.asarray(p, dtype=np.float64)
    h = np.array(h, dtype=np.float64)
    if p.ndim != 1 or h.shape != p.shape:
        raise InputError(f"witness p has shape {p.shape} and h has shape {h.shape}; equal shapes (n,) are required")
    lam = check_bound(bound)
    h = np.where(np.isneginf(h), -1e6 if lam is None else -lam, h)
    if lam is not None:
        tied = [j for j in range(len(h)) if j != 0 and h[j] >= h[0]]
        h[tied] = h[0] - eps
    else:
        h[0] += eps
    pred = int(np.argmax(h))
    return surrogate_regret(tau, p, h, bound), float(p.max() - p[pred])


__all__ = ["surrogate_regret", "witness_regrets"]
