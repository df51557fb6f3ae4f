"""Argument checks and small numeric helpers shared by the H-consistency transform modules of this layer."""
from __future__ import annotations

import math

import numpy as np

from .._validation import InputError, as_real_array, check_in_unit_interval, short_repr

__all__ = ["as_regret"]


def as_regret(t, name="t"):
    """The 0-1 regrets ``t`` checked in [0, 1], as a float64 array.

    Parameters
    ----------
    t : float or array
        Values in [0, 1].
    name : str, default "t"
        The argument's name in error messages.

    Returns
    -------
    ndarray
        ``t`` as float64.

    Raises
    ------
    InputError
        For values outside [0, 1].

    References
    ----------
    P. Awasthi, A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds for Surrogate Loss Minimizers", ICML 2022,
    arXiv:2205.08017 (the transform's argument, a 0-1 conditional regret).
    """
    check_in_unit_interval(name, t)
    return np.asarray(t, dtype=np.float64)


_as_t = as_regret


def _as_u(u, name="eps"):
    arr = np.asarray(as_real_array(name, u), dtype=np.float64)
    if np.any(np.isnan(arr)) or np.any(arr < 0):
        raise InputError(f"{name} must be >= 0 (a surrogate regret); got {short_repr(u)}")
    return arr


def _log_cosh(x: float) -> float:
    """log cosh x = |x| + log1p(e^{−2|x|}) − log 2 (no overflow)."""
    x = abs(x)
    return x + math.log1p(math.exp(-2 * x)) - math.log(2.0)


def _out(x, like):
    return float(x) if np.ndim(like) == 0 else x
