"""Sample complexity m*(d) of naive Bayes and logistic regression on Zheng et al.'s Gaussian mixtures.

Zheng, Wu, Bao, Cao, Li, Zhu, "Revisiting Discriminative vs. Generative Classifiers: Theory and Implications",
ICML 2023 (arXiv 2302.02334), simulation protocol (repository ``data/generate_data.py``,
``main_simulation.py``) with the two defects fixed (``shared/claims/classification-settings.md`` §(a)):

* means: class 0 at −𝟙_d, class k ≥ 1 at 2^{k−1}𝟙_d; shared covariance Σ = D^{1/2} R D^{1/2}, D = diag("easy"
  variances: ⌊d/2⌋ entries d, the rest 1), R = (1 − ρ)I + ρ𝟙𝟙ᵀ (ρ = 0: the "easy" mode, NB well specified;
  ρ ≠ 0: a *valid* correlated covariance, NB misspecified, LR still well specified);
* exact closed forms: Bayes = (2/K) Σ_j Φ(−(a_(j+1) − a_(j))√S/2), S = 𝟙ᵀΣ⁻¹𝟙, and NB's asymptotic error
  NB_∞ = (2/K) Σ_j Φ(−(a_(j+1) − a_(j)) S_N/(2σ_N)), S_N = ‖v‖², σ_N² = (1 − ρ)‖v‖² + ρ(𝟙ᵀv)², v = D^{−1/2}𝟙;
* each fit's test error is the *exact* population error of the fitted affine rule
  (:meth:`GaussianMixture.error`, exact here since the means are collinear) instead of a 10⁴-point test set;
* m*(d) = the first m on the geometric grid ⌈2K·1.25^j⌉ whose mean error over the repetitions is below
  ε_∞ + ε (ε_∞ = Bayes for LR, NB_∞ for NB).

Repetitions run in parallel (``jobs`` worker processes); every (repetition, m) fit has its own child seed, and
LR is warm-started along the grid within a repetition (from the fit at the previous size, carried across
chunks), so the numbers do not depend on ``jobs`` or on how the grid is chunked.
"""
from __future__ import annotations

import concurrent.futures as cf

import numpy as np
from scipy import special

from ..._parallel import default_executor, single_blas_thread
from ..._validation import InputError, check_generator, check_integer, check_positive, check_real, real_namespace
from .gaussian_mixture import GaussianMixture
from .learners import fit_logistic, fit_naive_bayes

LEARNERS = ("nb", "lr")


def _check_K_d(K, d):
    try:
        K = check_integer("K", K, minimum=2)
    except InputError:
        raise InputError(f"K={K!r} is not allowed; the number of classes must be an integer >= 2") from None
    try:
        d = check_integer("d", d, minimum=2)
    except InputError:
        raise InputError(f"d={d!r} is not allowed; the dimension must be an integer >= 2") from None
    return K, d


def _check_rho(rho, d):
    rho = check_real("rho", rho, allowed=f"a number in (-1/(d-1), 1) = ({-1.0 / (d - 1):.6g}, 1)")
    if not (-1.0 / (d - 1) < rho < 1.0):
        raise InputError(f"rho={rho!r} is not allowed for d={d}; -1/(d-1) < rho < 1 keeps R positive definite")
    return float(rho)


def zheng_parameters(K: int, d: int, rho: float = 0.0):
    """(a, means, D, Σ) of Zheng et al.'s simulation mixture with a valid covariance.

    a = (−1, 1, 2, 4, …, 2^{K−2}); means a_k𝟙_d; D = diag(⌊d/2⌋ entries d, the rest 1);
    Σ = D^{1/2} R D^{1/2}, R = (1 − ρ)I + ρ𝟙𝟙ᵀ.

    Parameters
    ----------
    K : int
        Number of classes ≥ 2.
    d : int
        Dimension ≥ 2.
    rho : float, default 0.0
        Correlation ρ ∈ (−1/(d−1), 1) (keeps R positive definite).

    Returns
    -------
    a : ndarray (K,)
        Class offsets.
    means : ndarray (K, d)
        Class means.
    D : ndarray (d,)
        The "easy" variances.
    Sigma : ndarray (d, d)
        The shared covariance.

    Raises
    ------
    InputError
        For invalid K, d or ρ.

    References
    ----------
    C. Zheng, G. Wu, F. Bao, Y. Cao, C. Li, J. Zhu, "Revisiting Discriminative vs. Generative Classifiers: Theory and
    Implications", ICML 2023, arXiv:2302.02334 (simulation protocol; the covariance defect fix is this project's, see
    shared/claims/classification-settings.md §(a)).
    """
    K, d = _check_K_d(K, d)
    rho = _check_rho(rho, d)
    a = np.array([-1.0] + [2.0 ** (k - 1) for k in range(1, K)])
    D = np.ones(d)
    D[: d // 2] = d
    sq = np.sqrt(D)
    R = (1.0 - rho) * np.eye(d) + rho
    Sigma = sq[:, None] * R * sq[None, :]
    return a, a[:, None] * np.ones(d), D, Sigma


def zheng_mixture(K: int, d: int, rho: float = 0.0) -> GaussianMixture:
    """The K-class, d-dimensional mixture of Zheng et al.'s simulation with a valid covariance (equal priors).

    Parameters
    ----------
    K : int
        Number of classes ≥ 2.
    d : int
        Dimension ≥ 2.
    rho : float, default 0.0
        Correlation ρ ∈ (−1/(d−1), 1).

    Returns
    -------
    GaussianMixture
        N(a_k𝟙, Σ), k < K, equal priors.

    Raises
    ------
    InputError
        For invalid K, d or ρ.

    References
    ----------
    C. Zheng, G. Wu, F. Bao, Y. Cao, C. Li, J. Zhu, "Revisiting Discriminative vs. Generative Classifiers: Theory and
    Implications", ICML 2023, arXiv:2302.02334.
    """
    _, means, _, Sigma = zheng_parameters(K, d, rho)
    return GaussianMixture(means, Sigma)


def zheng_bayes_error(K: int, d: int, rho: float = 0.0) -> float:
    """Closed-form Bayes error (2/K) Σ_j Φ(−(a_(j+1) − a_(j))√S/2), S = 𝟙ᵀΣ⁻¹𝟙 (equal priors).

    S = vᵀR⁻¹v = [‖v‖² − ρ(𝟙ᵀv)²/(1 − ρ + dρ)]/(1 − ρ), v = D^{−1/2}𝟙 (Sherman–Morrison).

    Parameters
    ----------
    K : int
        Number of classes ≥ 2.
    d : int
        Dimension ≥ 2.
    rho : float, default 0.0
        Correlation ρ ∈ (−1/(d−1), 1).

    Returns
    -------
    float
        The Bayes error.

    Raises
    ------
    InputError
        For invalid K, d or ρ.

    References
    ----------
    C. Zheng, G. Wu, F. Bao, Y. Cao, C. Li, J. Zhu, "Revisiting Discriminative vs. Generative Classifiers: Theory and
    Implications", ICML 2023, arXiv:2302.02334 (mixture); derivation worked out in the project's claim notes
    (shared/claims/classification-settings.md §(a)).
    """
    a, _, D, _ = zheng_parameters(K, d, rho)
    v = 1.0 / np.sqrt(D)
    S = (v @ v - rho * v.sum() ** 2 / (1.0 - rho + d * rho)) / (1.0 - rho)
    gaps = np.diff(np.sort(a)) * np.sqrt(S)
    return float(2.0 / K * special.ndtr(-gaps / 2.0).sum())


def zheng_nb_asymptotic_error(K: int, d: int, rho: float = 0.0) -> float:
    """Closed-form NB_∞ = (2/K) Σ_j Φ(−(a_(j+1) − a_(j)) S_N/(2σ_N)) (NB fitted to the population).

    NB's rule is affine in z = 𝟙ᵀD⁻¹x ∼ N(a_k S_N, σ_N²), S_N = ‖v‖², σ_N² = (1 − ρ)‖v‖² + ρ(𝟙ᵀv)², with
    midpoint thresholds between consecutive a_k S_N; ≥ Bayes with equality iff D⁻¹𝟙 ∥ Σ⁻¹𝟙.

    Parameters
    ----------
    K : int
        Number of classes ≥ 2.
    d : int
        Dimension ≥ 2.
    rho : float, default 0.0
        Correlation ρ ∈ (−1/(d−1), 1).

    Returns
    -------
    float
        NB's asymptotic error.

    Raises
    ------
    InputError
        For invalid K, d or ρ.

    References
    ----------
    C. Zheng, G. Wu, F. Bao, Y. Cao, C. Li, J. Zhu, "Revisiting Discriminative vs. Generative Classifiers: Theory and
    Implications", ICML 2023, arXiv:2302.02334; A. Y. Ng, M. I. Jordan, "On Discriminative vs. Generative Classifiers:
    A comparison of logistic regression and naive Bayes", NIPS 14, 2001 (asymptotic error of naive Bayes).
    """
    a, _, D, _ = zheng_parameters(K, d, rho)
    v = 1.0 / np.sqrt(D)
    SN = v @ v
    sN = np.sqrt((1.0 - rho) * SN + rho * v.sum() ** 2)
    gaps = np.diff(np.sort(a)) * SN / sN
    return float(2.0 / K * special.ndtr(-gaps / 2.0).sum())


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


__all__ = ["LEARNERS", "zheng_parameters", "zheng_mixture", "zheng_bayes_error", "zheng_nb_asymptotic_error",
           "geometric_grid", "LR_TOL", "fit", "learning_curves", "first_below", "sample_complexity",
           "bootstrap_m_star", "fitted_slopes"]
