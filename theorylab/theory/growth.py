"""Growth rates of the error transformations near zero (§6): comp-sum and binary smooth losses.

Mao, Mohri, Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications" (ICML 2023,
arXiv 2304.07288); "H-Consistency Bounds: Characterization and Extensions" (NeurIPS 2023); "A Universal
Growth Rate for Learning with Smooth Surrogate Losses" (NeurIPS 2024, arXiv 2405.05968); Awasthi, Mao,
Mohri, Zhong, "H-Consistency Bounds for Surrogate Loss Minimizers" (ICML 2022, arXiv 2205.08017).
Formulas as reconstructed and verified in ``shared/claims/surrogate-losses.md`` §6.
"""
from __future__ import annotations

import sympy as sp

from .._cache import disk_cached
from ..losses.compsum import check_tau, psi_sympy
from .calibration import growth_constant_from_derivatives


# ------------------------------------------------------------------------- growth rates (§6)


_S, _T = sp.symbols("s t", positive=True)


def compsum_growth_function(tau) -> sp.Expr:
    """c(s) = Ψ_τ'(s)² / (2Ψ_τ''(s)), derived symbolically (simplifies to s^{τ−1}/(2(2−τ))).

    Parameters
    ----------
    tau : float
        τ ≥ 0.

    Returns
    -------
    sympy.Expr
        c(s) in the positive symbol s.

    Raises
    ------
    InputError
        For an invalid τ.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "A Universal Growth Rate for Learning with Smooth Surrogate Losses", NeurIPS 2024,
    arXiv:2405.05968 (square-root growth of smooth comp-sum losses; theorem number unconfirmed).
    """
    return _growth_function(check_tau(tau))


@disk_cached
def _growth_function(tau: float) -> sp.Expr:
    tau = sp.nsimplify(tau)
    psi = psi_sympy(_S, tau)
    return sp.simplify(sp.diff(psi, _S) ** 2 / (2 * sp.diff(psi, _S, 2)))


def compsum_growth_constant(tau) -> sp.Expr:
    """lim_{t→0} T_τ(t)/t² for the tight comp-sum transform: c(½) = 2^{−τ}/(2−τ) for τ < 2, ∞ for τ ≥ 2.

    Derived from Ψ_τ with sympy (τ ≥ 2: linear growth).

    Parameters
    ----------
    tau : float
        τ ≥ 0.

    Returns
    -------
    sympy.Expr
        The constant (exact rational where possible), or oo.

    Raises
    ------
    InputError
        For an invalid τ.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "A Universal Growth Rate for Learning with Smooth Surrogate Losses", NeurIPS 2024,
    arXiv:2405.05968 (universal square-root growth rate; derivation worked out in the project's claim notes
    (shared/claims/surrogate-losses.md §6).
    """
    return _growth_constant(check_tau(tau))


@disk_cached
def _growth_constant(tv: float) -> sp.Expr:
    if tv >= 2:
        return sp.oo
    return sp.nsimplify(sp.simplify(_growth_function(tv).subs(_S, sp.Rational(1, 2))))


def b_tau_growth_limit(tau) -> sp.Expr:
    """lim_{t→0} B_τ(t)/t², by a sympy series of the n-free expression (cross-check of c(½)).

    Parameters
    ----------
    tau : float
        τ ≥ 0.

    Returns
    -------
    sympy.Expr
        The limit (oo for τ ≥ 2).

    Raises
    ------
    InputError
        For an invalid τ.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "A Universal Growth Rate for Learning with Smooth Surrogate Losses", NeurIPS 2024,
    arXiv:2405.05968; A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and
    Applications", ICML 2023, arXiv:2304.07288 (B_τ).
    """
    return _b_tau_growth_limit(check_tau(tau))


@disk_cached
def _b_tau_growth_limit(tau: float) -> sp.Expr:
    tv = sp.nsimplify(tau)
    if tv >= 2:
        return sp.oo
    t = _T
    if tv == 1:
        b = (1 + t) / 2 * sp.log(1 + t) + (1 - t) / 2 * sp.log(1 - t)
    else:
        a = 1 / (2 - tv)
        S = ((1 + t) ** a + (1 - t) ** a) / 2
        b = 2 ** (1 - tv) / (1 - tv) * (1 - S ** (2 - tv))
    return sp.nsimplify(sp.simplify(sp.series(b / t**2, t, 0, 1).removeO()))


def binary_growth_constant(loss) -> sp.Expr:
    """φ'(0)²/(2φ''(0)), the binary growth constant, from :mod:`theorylab.theory.calibration`.

    Parameters
    ----------
    loss : str, MarginLoss or sympy expression
        The margin loss φ.

    Returns
    -------
    sympy.Expr
        φ'(0)²/(2φ''(0)).

    Raises
    ------
    InputError
        For an invalid loss.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "A Universal Growth Rate for Learning with Smooth Surrogate Losses", NeurIPS 2024,
    arXiv:2405.05968 (binary case; theorem number unconfirmed).
    """
    return growth_constant_from_derivatives(loss)


__all__ = ["compsum_growth_function", "compsum_growth_constant", "b_tau_growth_limit", "binary_growth_constant"]
