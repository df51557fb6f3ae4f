"""Sample complexity m*(d) of naive Bayes and logistic regression on Zheng et al.'s Gaussian mixtures.

Zheng, Wu, Bao, Cao, Li, Zhu, "Revisiting Discriminative vs. Generative Classifiers: Theory and Implications",
ICML 2023 (arXiv 2302.02334), simulation protocol (repository ``data/generate_data.py``,
``main_simulation.py``) with the two defects fixed (``shared/claims/classification-settings.md`` §(a)):

* the mixture and the exact closed forms of its Bayes error and of NB's asymptotic error are in
  :mod:`.zheng_setting` (re-exported here);
* each fit's test error is the *exact* population error of the fitted affine rule
  (:meth:`GaussianMixture.error`, exact here since the means are collinear) instead of a 10⁴-point test set;
* m*(d) = the first m on the geometric grid ⌈2K·1.25^j⌉ whose mean error over the repetitions is below
  ε_∞ + ε (ε_∞ = Bayes for LR, NB_∞ for NB); bootstrap intervals of m* and of its slopes in d and ln d are in
  :mod:`.m_star_bootstrap` (re-exported here).

Repetitions run in parallel (``jobs`` worker processes); every (repetition, m) fit has its own child seed, and
LR is warm-started along the grid within a repetition (from the fit at the previous size, carried across
chunks), so the numbers do not depend on ``jobs`` or on how the grid is chunked.
"""
from __future__ import annotations

import concurrent.futures as cf

import numpy as np

from ..._parallel import default_executor, single_blas_thread
from ..._validation import InputError, check_generator, check_integer, check_positive, check_real
from .gaussian_mixture import GaussianMixture
from .learners import fit_logistic, fit_naive_bayes
from .m_star_bootstrap import bootstrap_m_star, fitted_slopes
from .zheng_setting import (_check_K_d, _check_rho,  # noqa: F401  (old import path of the private checks)
                            zheng_bayes_error, zheng_mixture, zheng_nb_asymptotic_error, zheng_parameters)

LEARNERS = ("nb", "lr")



def geometric_grid(K: int, m_max: int, ratio: float = 1.25) -> np.ndarray:
    """The sizes ⌈2K·ratio^j⌉, j = 0, 1, …, up to m_max (duplicates removed).

    Parameters
    ----------
    K : int
        Number of classes ≥ 2.
    m_max : int
        Largest size ≥ 1.
    ratio : float, default 1.25
        Growth factor > 1.

    Returns
    -------
    ndarray of int
        The grid.

    Raises
    ------
    InputError
        For invalid K, m_max, or ratio ≤ 1.

    References
    ----------
    C. Zheng, G. Wu, F. Bao, Y. Cao, C. Li, J. Zhu, "Revisiting Discriminative vs. Generative Classifiers: Theory and
    Implications", ICML 2023, arXiv:2302.02334 (the simulation's training-size grid).
    """
    K = check_integer("K", K, minimum=2)
    m_max = check_integer("m_max", m_max)
    ratio = check_positive("ratio", ratio)
    if not ratio > 1:
        raise InputError(f"ratio={ratio!r} is not allowed; a geometric grid needs ratio > 1")
    out, j = [], 0
    while True:
        m = int(np.ceil(2 * K * ratio ** j - 1e-9))
        if m > m_max:
            break
        if not out or m != out[-1]:
            out.append(m)
        j += 1
    return np.array(out, dtype=int)


LR_TOL = 1e-6  # L-BFGS gtol of the protocol's LR fits: error within ~1e-4 of the exact optimum's (1e-4: ~6e-3)


def fit(learner: str, X, y, K: int, init=None, tol: float = LR_TOL):
    """Fit ``learner`` ("nb" or "lr", LR with C = 1 as in Zheng et al.) and return ``(W, b)``.

    Parameters
    ----------
    learner : {"nb", "lr"}
        Naive Bayes or logistic regression.
    X : array (m, d)
        Features.
    y : integer array (m,)
        Labels in [0, K).
    K : int
        Number of classes ≥ 2.
    init : (W, b), optional
        Warm start of LR (e.g. from the fit at the previous, smaller training size); NB ignores it.
    tol : float, default LR_TOL
        L-BFGS gradient tolerance of LR.

    Returns
    -------
    W : ndarray (K, d)
        Weights.
    b : ndarray (K,)
        Biases.

    Raises
    ------
    InputError
        For an unknown learner or an invalid training set.

    References
    ----------
    C. Zheng, G. Wu, F. Bao, Y. Cao, C. Li, J. Zhu, "Revisiting Discriminative vs. Generative Classifiers: Theory and
    Implications", ICML 2023, arXiv:2302.02334.
    """
    K = check_integer("K", K, minimum=2)
    if learner == "nb":
        return fit_naive_bayes(X, y, n_classes=K)
    if learner == "lr":
        return fit_logistic(X, y, C=1.0, n_classes=K, init=init, tol=tol)
    raise InputError(f"learner={learner!r} is not allowed; choose one of {', '.join(LEARNERS)}")


def _draw_training_set(mix: GaussianMixture, m: int, rng: np.random.Generator):
    """m i.i.d. points, redrawn while a class is missing (the protocol's rule)."""
    if m < mix.n_classes:
        raise InputError(f"m={m} is not allowed for K={mix.n_classes} classes; m >= K is")
    for _ in range(1000):
        X, y = mix.sample(m, rng)
        if np.unique(y).size == mix.n_classes:
            return X, y
    raise RuntimeError(f"could not draw all {mix.n_classes} classes in 1000 tries at m={m}")


def _curve_task(args):
    """Worker: errors of one repetition at the given grid indices (picklable arguments only).

    LR fits are warm-started along the grid (each from the previous size's fit of the same repetition;
    ``init`` carries it across chunks, so the numbers do not depend on the chunking). Returns
    ``(errors, last_fit)``.
    """
    means, cov, priors, learner, sizes, indices, entropy, rep, init = args
    with single_blas_thread():
        mix = GaussianMixture(means, cov, priors)
        out = np.empty(len(indices))
        for t, (i, m) in enumerate(zip(indices, sizes)):
            rng = np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(rep, int(i))))
            X, y = _draw_training_set(mix, int(m), rng)
            init = fit(learner, X, y, mix.n_classes, init=init)
            out[t] = mix.error(*init)
    return out, init


def learning_curves(mix: GaussianMixture, learner: str, sizes, reps: int, rng: np.random.Generator,
                    jobs: int = 1, executor: cf.Executor | None = None) -> np.ndarray:
    """Exact test errors, shape (reps, len(sizes)): one fresh training set per (repetition, size).

    Repetitions run on ``executor`` (or a pool of ``jobs`` processes; ``jobs = 1`` runs here).

    Parameters
    ----------
    mix : GaussianMixture
        The data distribution.
    learner : {"nb", "lr"}
        The learner.
    sizes : array of int
        Training sizes ≥ K.
    reps : int
        Number of repetitions ≥ 1.
    rng : numpy.random.Generator
        Seeds the per-(repetition, size) child generators.
    jobs : int, default 1
        Worker processes.
    executor : concurrent.futures.Executor, optional
        An executor to use instead of a new pool.

    Returns
    -------
    ndarray (reps, len(sizes))
        Exact population errors of the fits.

    Raises
    ------
    InputError
        For invalid mix, learner, sizes, reps, rng or jobs.

    References
    ----------
    C. Zheng, G. Wu, F. Bao, Y. Cao, C. Li, J. Zhu, "Revisiting Discriminative vs. Generative Classifiers: Theory and
    Implications", ICML 2023, arXiv:2302.02334.
    """
    _check_mix(mix)
    rng = check_generator("rng", rng)
    jobs = check_integer("jobs", jobs)
    sizes = _check_sizes(sizes, mix.n_classes)
    entropy = int(rng.integers(2 ** 63))
    return _run_grid(mix, learner, sizes, np.arange(sizes.size), reps, entropy, jobs, executor)[0]


def _check_mix(mix):
    if not isinstance(mix, GaussianMixture):
        raise InputError(f"mix={type(mix).__name__} is not allowed; a GaussianMixture is")


def _check_sizes(sizes, K):
    arr = np.asarray(sizes)
    if arr.dtype.kind not in "iuf" or arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)) \
            or not np.all(arr == np.round(arr)) or np.any(arr < K):
        raise InputError(f"sizes has dtype {arr.dtype} and shape {arr.shape}; a non-empty 1-D array of integer "
                         f"training sizes >= K={K} is allowed")
    return arr.astype(int)


def _run_grid(mix, learner, sizes, indices, reps, entropy, jobs, executor, inits=None):
    """Errors (reps, len(sizes)) and each repetition's last fit (the warm start of its next chunk)."""
    if learner not in LEARNERS:
        raise InputError(f"learner={learner!r} is not allowed; choose one of {', '.join(LEARNERS)}")
    if isinstance(reps, bool) or int(reps) != reps or reps < 1:
        raise InputError(f"reps={reps!r} is not allowed; an integer >= 1 is")
    inits = [None] * reps if inits is None else inits
    tasks = [(mix.means, mix.covariances, mix.priors, learner, sizes, indices, entropy, r, inits[r])
             for r in range(reps)]
    if executor is None and jobs <= 1:
        res = [_curve_task(t) for t in tasks]
    else:
        own = executor is None
        ex = default_executor(jobs) if own else executor
        try:
            res = list(ex.map(_curve_task, tasks))
        finally:
            if own:
                ex.shutdown()
    return np.stack([e for e, _ in res]), [last for _, last in res]


def first_below(mean_errors, sizes, target):
    """The first size whose mean error is < target, or NaN if none is.

    Parameters
    ----------
    mean_errors : array-like
        Mean errors per size.
    sizes : array-like
        The sizes, same length.
    target : float
        The error level.

    Returns
    -------
    float
        The first size below target, or NaN.

    References
    ----------
    C. Zheng, G. Wu, F. Bao, Y. Cao, C. Li, J. Zhu, "Revisiting Discriminative vs. Generative Classifiers: Theory and
    Implications", ICML 2023, arXiv:2302.02334 (definition of m*).
    """
    hit = np.flatnonzero(np.asarray(mean_errors) < target)
    return float(sizes[hit[0]]) if hit.size else float("nan")


def sample_complexity(mix: GaussianMixture, learner: str, eps_inf: float, rng: np.random.Generator,
                      eps: float = 0.01, reps: int = 5, m_max: int | None = None, extra: int = 3,
                      chunk: int = 4, jobs: int = 1, executor: cf.Executor | None = None) -> dict:
    """m* = first grid size whose mean exact error over ``reps`` fresh training sets is < eps_inf + eps.

    The grid ⌈2K·1.25^j⌉ (up to ``m_max``, default 100·d) is scanned in chunks of ``chunk`` sizes (every
    repetition of a chunk in parallel) and stops ``extra`` sizes after m* is reached (the bootstrap needs a
    little room past it).

    Parameters
    ----------
    mix : GaussianMixture
        The data distribution.
    learner : {"nb", "lr"}
        The learner.
    eps_inf : float
        Asymptotic error ε_∞ (Bayes for LR, NB_∞ for NB), finite.
    rng : numpy.random.Generator
        Seeds the fits.
    eps : float, default 0.01
        Excess error ε > 0.
    reps : int, default 5
        Repetitions ≥ 1.
    m_max : int, optional
        Largest size (default 100·d).
    extra : int, default 3
        Sizes scanned past m* (≥ 0).
    chunk : int, default 4
        Sizes per parallel chunk ≥ 1.
    jobs : int, default 1
        Worker processes.
    executor : concurrent.futures.Executor, optional
        An executor to use instead of a new pool.

    Returns
    -------
    dict
        ``sizes`` (scanned), ``errors`` (reps, len(sizes)), ``target`` and ``m_star`` (NaN if the
        target was not reached by m_max).

    Raises
    ------
    InputError
        For invalid arguments.

    References
    ----------
    C. Zheng, G. Wu, F. Bao, Y. Cao, C. Li, J. Zhu, "Revisiting Discriminative vs. Generative Classifiers: Theory and
    Implications", ICML 2023, arXiv:2302.02334 (sample complexity of NB vs. LR).
    """
    _check_mix(mix)
    check_real("eps_inf", eps_inf, allow_inf=False, allowed="a finite error level in [0, 1]")
    eps = check_positive("eps", eps)
    rng = check_generator("rng", rng)
    reps, extra, chunk, jobs = (check_integer("reps", reps), check_integer("extra", extra, minimum=0),
                                check_integer("chunk", chunk), check_integer("jobs", jobs))
    if m_max is None:
        m_max = 100 * mix.dim
    m_max = check_integer("m_max", m_max)
    grid = geometric_grid(mix.n_classes, int(m_max))
    entropy = int(rng.integers(2 ** 63))
    target = float(eps_inf) + float(eps)
    cols, stop, inits = [], None, None
    own = executor is None and jobs > 1
    ex = default_executor(jobs) if own else executor
    try:
        start = 0
        while start < grid.size and (stop is None or start < stop):
            end = min(grid.size, start + chunk if stop is None else stop)
            idx = np.arange(start, end)
            E, inits = _run_grid(mix, learner, grid[idx], idx, reps, entropy, 1, ex, inits)
            cols.append(E)
            start = end
            if stop is None:
                mean = np.concatenate(cols, axis=1).mean(axis=0)
                hit = np.flatnonzero(mean < target)
                if hit.size:
                    stop = min(grid.size, int(hit[0]) + 1 + extra)
    finally:
        if own:
            ex.shutdown()
    errors = np.concatenate(cols, axis=1)
    if stop is not None:
        errors = errors[:, :stop]
    sizes = grid[: errors.shape[1]]
    return {"sizes": sizes, "errors": errors, "target": target,
            "m_star": first_below(errors.mean(axis=0), sizes, target)}


__all__ = ["LEARNERS", "zheng_parameters", "zheng_mixture", "zheng_bayes_error", "zheng_nb_asymptotic_error",
           "geometric_grid", "LR_TOL", "fit", "learning_curves", "first_below", "sample_complexity",
           "bootstrap_m_star", "fitted_slopes"]
