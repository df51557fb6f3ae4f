"""Summary statistics shared by the settings: a Monte Carlo mean with its standard error; a log-log slope."""
from __future__ import annotations

import math

import numpy as np

from .._validation import InputError, real_namespace

__all__ = ["mean_se", "loglog_slope"]


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


def loglog_slope(x, y) -> float:
    """Least-squares slope of log y against log x: the exponent p of a power law y ≈ c·x^p.

    Parameters
    ----------
    x, y : array-like
        Positive values of equal length (at least two).

    Returns
    -------
    float
        The fitted exponent p.

    Raises
    ------
    InputError
        When the inputs are not positive, finite, of equal length, or fewer than two.

    References
    ----------
    Used to read convergence rates off simulations, e.g. the effective-initialisation error of
    S. Pesme, L. Pillaud-Vivien, N. Flammarion, "Implicit Bias of SGD for Diagonal Linear Networks:
    a Provable Benefit of Stochasticity", NeurIPS 2021, and the kernel-to-rich transition of
    B. Woodworth et al., "Kernel and Rich Regimes in Overparametrized Models", COLT 2020.
    """
    _, (xa, ya) = real_namespace(x=x, y=y)
    xa, ya = np.asarray(xa, dtype=np.float64).ravel(), np.asarray(ya, dtype=np.float64).ravel()
    if xa.size != ya.size or xa.size < 2:
        raise InputError(f"x and y have {xa.size} and {ya.size} values; two or more of each, equally many, "
                         "are allowed")
    if not (np.all(np.isfinite(xa)) and np.all(np.isfinite(ya)) and np.all(xa > 0) and np.all(ya > 0)):
        raise InputError("x and y must be finite and > 0 for a log-log slope")
    return float(np.polyfit(np.log(xa), np.log(ya), 1)[0])
