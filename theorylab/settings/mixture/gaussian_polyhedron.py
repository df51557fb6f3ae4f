"""Zero-one risk of affine K-class rules on a Gaussian mixture, by Gaussian polyhedron probabilities.

Given y = k, the K − 1 score differences D_j = (W_k − W_j)·x + b_k − b_j of an affine classifier are jointly
Gaussian, D = m + A u with u ∼ N(0, I_r), r = rank ≤ min(K − 1, d), and the classifier is right iff D > 0.
The last coordinate of u is integrated in closed form (an interval of a standard normal), the other r − 1 by
randomised quasi-Monte Carlo (scrambled Sobol points, independent scrambles give the standard error). So the
risk is exact (normal CDFs) whenever r ≤ 1: two classes, or any K with collinear means and a shared
covariance (the Zheng et al. 2023 protocol). :meth:`AffineError.error` is a method of
:class:`theorylab.settings.mixture.gaussian_mixture.GaussianMixture`, defined here on its base class.
"""
from __future__ import annotations

import numpy as np
from scipy import special
from scipy.stats import qmc

from ..._validation import InputError, check_bool, check_generator, check_integer, real_namespace
from ..stats import mean_se


class AffineError:
    """Base class of :class:`~theorylab.settings.mixture.gaussian_mixture.GaussianMixture`: affine-rule risks.

    Not used on its own: :meth:`error` reads the mixture's ``means``, ``priors``, ``n_classes``, ``dim``, its
    Cholesky factors, and calls its ``binary_error`` for two classes.

    References
    ----------
    C. Zheng, G. Wu, F. Bao, Y. Cao, C. Li, J. Zhu, "Revisiting Discriminative vs. Generative Classifiers: Theory
    and Implications", ICML 2023, arXiv:2302.02334 (the Gaussian-mixture simulation setting).
    """


    def error(self, W, b, return_error: bool = False, rng: np.random.Generator | None = None,
              n_points: int = 2 ** 13, n_scrambles: int = 16):
        """Zero-one risk P(argmax_k (W x + b)_k ≠ y) of an affine classifier.

        Given y = k the score differences D_j = (W_k − W_j)·x + b_k − b_j (j ≠ k) are Gaussian, D = m + A u,
        u ∼ N(0, I_r), r = rank(A); P(correct | k) = P(D > 0). The last coordinate of u is integrated in
        closed form (a normal CDF interval), the remaining r − 1 by randomised QMC. Exact (normal CDFs, error 0)
        when r ≤ 1 for every class: K = 2, or collinear means with a shared covariance.

        Parameters
        ----------
        W : array_like (K, d)
            Weights (finite).
        b : array_like (K,)
            Biases (finite).
        return_error : bool, default False
            Also return the integration error (0 when exact; else the standard error over scrambles).
        rng : numpy.random.Generator, optional
            Scrambles (default ``default_rng(0)``).
        n_points : int, default 2**13
            Sobol points per scramble (a power of 2).
        n_scrambles : int, default 16
            Independent scrambles (≥ 2).

        Returns
        -------
        float, or (float, float) when ``return_error``
            The error (and its integration error).

        Raises
        ------
        InputError
            For malformed W, b or invalid QMC settings.

        References
        ----------
        C. Zheng, G. Wu, F. Bao, Y. Cao, C. Li, J. Zhu, "Revisiting Discriminative vs. Generative Classifiers: Theory
        and Implications", ICML 2023, arXiv:2302.02334 (the Gaussian-mixture simulation setting).
        """
        return_error = check_bool("return_error", return_error)
        rng = check_generator("rng", rng, optional=True)
        _, (W, b) = real_namespace(W=W, b=b)
        W = np.asarray(W, dtype=float)
        b = np.asarray(b, dtype=float)
        if W.shape != (self.n_classes, self.dim) or b.shape != (self.n_classes,):
            raise InputError(f"W, b have shapes {W.shape}, {b.shape}; allowed: ({self.n_classes}, {self.dim}), "
                             f"({self.n_classes},)")
        if np.any(~np.isfinite(W)) or np.any(~np.isfinite(b)):
            raise InputError("W or b contains NaN or inf; finite numbers are allowed")
        n_points, n_scrambles = _check_rqmc(n_points, n_scrambles)
        if self.n_classes == 2:
            val = float(self.binary_error(W[1] - W[0], b[1] - b[0]))
            return (val, 0.0) if return_error else val
        n_points, n_scrambles = _check_rqmc(n_points, n_scrambles)
        rng = np.random.default_rng(0) if rng is None else rng
        total, var = 0.0, 0.0
        for k in range(self.n_classes):
            others = [j for j in range(self.n_classes) if j != k]
            dW = W[k] - W[others]
            m = dW @ self.means[k] + b[k] - b[others]
            A = _reduce_gaussian(dW @ self._chol[k])
            p, se = _polyhedron_probability(m, A, rng, n_points, n_scrambles)
            total += self.priors[k] * (1.0 - p)
            var += (self.priors[k] * se) ** 2
        val, err = float(total), float(np.sqrt(var))
        return (val, err) if return_error else val


# -------------------------------------------------------------------------------------------- helpers


def _check_rqmc(n_points, n_scrambles):
    n_points = check_integer("n_points", n_points, minimum=0)
    n_scrambles = check_integer("n_scrambles", n_scrambles, minimum=0)
    if n_points < 2 or n_points & (n_points - 1):
        raise InputError(f"n_points={n_points} is not allowed; a power of two >= 2 is (Sobol balance)")
    if n_scrambles < 2:
        raise InputError(f"n_scrambles={n_scrambles} is not allowed; at least 2 give a standard error")
    return n_points, n_scrambles


def _reduce_gaussian(B: np.ndarray) -> np.ndarray:
    """A (rows × r) with A Aᵀ = B Bᵀ and r = numerical rank of B: B z and A u have one law (z, u standard)."""
    U, S, _ = np.linalg.svd(B, full_matrices=False)
    keep = S > 1e-12 * max(S.max(initial=0.0), 1e-300)
    return U[:, keep] * S[keep]


def _interval_probability(m, A_last, rest):
    """P(m + rest + A_last·t > 0 for all rows), t ∼ N(0, 1), vectorised over the rows of ``rest`` (n, rows)."""
    c = m + rest  # (n, rows)
    lo = np.full(c.shape[0], -np.inf)
    hi = np.full(c.shape[0], np.inf)
    ok = np.ones(c.shape[0], dtype=bool)
    for j in range(A_last.shape[0]):
        a = A_last[j]
        if a > 0:
            lo = np.maximum(lo, -c[:, j] / a)
        elif a < 0:
            hi = np.minimum(hi, -c[:, j] / a)
        else:
            ok &= c[:, j] > 0
    # Φ(hi) − Φ(lo) computed on the tail that keeps precision
    p = np.where(lo > 0, special.ndtr(-lo) - special.ndtr(-hi), special.ndtr(hi) - special.ndtr(lo))
    return np.where(ok, np.maximum(p, 0.0), 0.0)


def _polyhedron_probability(m, A, rng, n_points, n_scrambles):
    """P(m + A u > 0), u ∼ N(0, I_r): exact for r ≤ 1, else randomised QMC over r − 1 coordinates.

    Returns ``(probability, standard_error)`` (standard error 0 when exact).
    """
    r = A.shape[1]
    if r == 0:
        return float(np.all(m > 0)), 0.0
    if r == 1:
        return float(_interval_probability(m, A[:, 0], np.zeros((1, m.size)))[0]), 0.0
    est = np.empty(n_scrambles)
    for s in range(n_scrambles):
        u = qmc.Sobol(r - 1, scramble=True, seed=rng).random(n_points)
        z = special.ndtri(np.clip(u, 1e-300, 1.0 - 2 ** -53))
        est[s] = _interval_probability(m, A[:, -1], z @ A[:, :-1].T).mean()
    return mean_se(est)


__all__ = ["AffineError"]
