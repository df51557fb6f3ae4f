"""Summary statistics shared by the settings: a Monte Carlo mean with its standard error."""
from __future__ import annotations

import math

import numpy as np

from .._validation import InputError, real_namespace

__all__ = ["mean_se"]


def mean_se(values) -> tuple[float, float]:
    """(mean, sd/√B) of a sample (at least two finite values: one value has no standard error).

    Parameters
    ----------
    values : array-like
        At least two finite values.

    Returns
    -------
    mean : float
        Sample mean.
    se : float
        sd/√B.

    Raises
    ------
    InputError
        For fewer than two or non-finite values.

    References
    ----------
    A. Mahankali, T. B. Hashimoto, T. Ma, "One Step of Gradient Descent is Provably the Optimal In-Context Learner
    with One Layer of Linear Self-Attention", ICLR 2024, arXiv:2307.03576.
    Derivation worked out in the project's claim notes (shared/claims/in-context-regression.md).
    """
    _, (v,) = real_namespace(values=values)
    v = np.asarray(v, dtype=np.float64).ravel()
    if v.size < 2:
        raise InputError(f"values has {v.size} element(s); at least 2 are needed for a standard error")
    if np.any(np.isnan(v)):
        raise InputError("values contains NaN; real numbers are allowed")
    return float(v.mean()), float(v.std(ddof=1) / math.sqrt(v.size))
