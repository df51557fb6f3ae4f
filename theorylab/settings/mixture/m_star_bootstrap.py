"""Bootstrap replicates of the sample complexity m* and least-squares slopes of m* on d and ln d.

Acts on the results of :func:`theorylab.settings.mixture.sample_complexity.sample_complexity`: the
repetitions are resampled with replacement, m* is recomputed per replicate (censored at 1.25× the last
scanned size when the target is not reached), and the slopes get percentile intervals (Zheng, Wu, Bao, Cao,
Li, Zhu, ICML 2023, arXiv 2302.02334: m* linear in d for LR, logarithmic for NB).
"""
from __future__ import annotations

import numpy as np

from ..._validation import InputError, check_generator, check_integer, check_real, real_namespace



def bootstrap_m_star(result: dict, rng: np.random.Generator, n_boot: int = 1000) -> np.ndarray:
    """Bootstrap replicates of m* (repetitions resampled with replacement); censored at 1.25× the last size.

    Parameters
    ----------
    result : dict
        The output of :func:`sample_complexity`.
    rng : numpy.random.Generator
        Resampling source.
    n_boot : int, default 1000
        Number of replicates ≥ 1.

    Returns
    -------
    ndarray (n_boot,)
        Replicates of m*.

    Raises
    ------
    InputError
        For a malformed result, rng or n_boot.

    References
    ----------
    C. Zheng, G. Wu, F. Bao, Y. Cao, C. Li, J. Zhu, "Revisiting Discriminative vs. Generative Classifiers: Theory and
    Implications", ICML 2023, arXiv:2302.02334.
    """
    if not isinstance(result, dict) or not {"errors", "sizes", "target"} <= set(result):
        raise InputError("result is not allowed; the dict returned by sample_complexity (errors, sizes, target) is")
    rng = check_generator("rng", rng)
    n_boot = check_integer("n_boot", n_boot)
    E, sizes, target = result["errors"], result["sizes"], result["target"]
    reps = E.shape[0]
    idx = rng.integers(reps, size=(n_boot, reps))
    means = E[idx].mean(axis=1)  # (n_boot, n_sizes)
    below = means < target
    first = np.where(below.any(axis=1), below.argmax(axis=1), -1)
    return np.where(first >= 0, sizes[np.maximum(first, 0)], 1.25 * sizes[-1]).astype(float)


def fitted_slopes(dims, results: list[dict], rng: np.random.Generator, n_boot: int = 1000,
                  level: float = 0.95) -> dict:
    """Least-squares slopes of m* on d and on ln d, with percentile bootstrap intervals over repetitions.

    Parameters
    ----------
    dims : array-like
        Dimensions d > 0, one per result (≥ 2).
    results : list of dict
        Outputs of :func:`sample_complexity`.
    rng : numpy.random.Generator
        Bootstrap source.
    n_boot : int, default 1000
        Bootstrap replicates.
    level : float, default 0.95
        Confidence level in (0, 1).

    Returns
    -------
    dict
        ``{"d": (slope, lo, hi, intercept), "log_d": (slope, lo, hi, intercept)}``.

    Raises
    ------
    InputError
        For invalid dims, results or level.

    References
    ----------
    C. Zheng, G. Wu, F. Bao, Y. Cao, C. Li, J. Zhu, "Revisiting Discriminative vs. Generative Classifiers: Theory and
    Implications", ICML 2023, arXiv:2302.02334 (m* linear in d for LR, logarithmic for NB); A. Y. Ng, M. I. Jordan,
    "On Discriminative vs. Generative Classifiers: A comparison of logistic regression and naive Bayes", NIPS 14,
    2001.
    """
    _, (dims,) = real_namespace(dims=dims)
    dims = np.asarray(dims, dtype=float)
    level = check_real("level", level, allowed="a confidence level in (0, 1)")
    if not 0 < level < 1:
        raise InputError(f"level={level!r} is not allowed; a confidence level in (0, 1) is")
    if dims.ndim != 1 or len(results) != dims.size or dims.size < 2 or np.any(~(dims > 0)):
        raise InputError(f"dims has shape {dims.shape} for {len(results)} results; one dimension > 0 per result "
                         "(at least 2) is required")
    point = np.array([r["m_star"] if np.isfinite(r["m_star"]) else 1.25 * r["sizes"][-1] for r in results])
    boots = np.stack([bootstrap_m_star(r, rng, n_boot) for r in results], axis=1)  # (n_boot, n_dims)
    out = {}
    for name, x in (("d", dims), ("log_d", np.log(dims))):
        Xd = np.stack([x, np.ones_like(x)], axis=1)
        coef = np.linalg.lstsq(Xd, point, rcond=None)[0]
        bcoef = np.linalg.lstsq(Xd, boots.T, rcond=None)[0][0]
        lo, hi = np.quantile(bcoef, [(1 - level) / 2, (1 + level) / 2])
        out[name] = (float(coef[0]), float(lo), float(hi), float(coef[1]))
    return out


__all__ = ["bootstrap_m_star", "fitted_slopes"]
