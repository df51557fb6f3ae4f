"""K-class Gaussian mixtures in d dimensions: exact sampling, Bayes posterior, Bayes error, Bayes and NB rules.

x | y = k ∼ N(μ_k, Σ_k), P(y = k) = π_k. An affine classifier is a score matrix W (K × d) and bias b (K,),
predicting argmax_k (W x + b)_k; for K = 2 it is the sign of the margin f(x) = w·x + c with
w = W_1 − W_0, c = b_1 − b_0 (class 1 is the "+1" label of binary margin losses).

:class:`GaussianMixture` inherits its risk methods from two base classes: the exact one-dimensional binary
risks (zero-one and surrogate) from :class:`.binary_risks.BinaryRisks`, and the zero-one risk of an affine
K-class rule, a sum of Gaussian polyhedron probabilities, from :class:`.gaussian_polyhedron.AffineError`
(exact whenever the polyhedra have rank ≤ 1: two classes, or collinear means with a shared covariance, the
Zheng et al. 2023 protocol). The Bayes error with a shared covariance is the risk of the (affine) Bayes rule;
with class-specific covariances it is E_x[1 − max_k P(k | x)], integrated by randomised QMC with its
standard error.
"""
from __future__ import annotations

import numpy as np
from scipy import special
from scipy.stats import qmc

from ..._validation import (InputError, check_bool, check_generator, check_integer, real_namespace)
from ..stats import mean_se
from .binary_risks import BinaryRisks
from .gaussian_polyhedron import AffineError, _check_rqmc


class GaussianMixture(BinaryRisks, AffineError):
    """A K-class Gaussian mixture: x | y = k ∼ N(μ_k, Σ_k), P(y = k) = π_k.

    Parameters
    ----------
    means : array_like, shape (K, d)
        Class means (finite), K ≥ 2.
    covariances : array_like, shape (d, d) (shared) or (K, d, d)
        Symmetric positive definite.
    priors : array_like, shape (K,), optional
        Class probabilities π_k > 0 summing to 1 (uniform by default).

    Raises
    ------
    InputError
        For malformed means, non-SPD or non-finite covariances, or invalid priors.

    References
    ----------
    P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer. Statist.
    Assoc. 101(473), 2006 (binary margin risks); C. Zheng, G. Wu, F. Bao, Y. Cao, C. Li, J. Zhu, "Revisiting
    Discriminative vs. Generative Classifiers: Theory and Implications", ICML 2023, arXiv:2302.02334 (multi-class
    Gaussian mixtures).
    """

    def __init__(self, means, covariances, priors=None):
        _, (means, covariances) = real_namespace(means=means, covariances=covariances)
        means = np.atleast_2d(np.asarray(means, dtype=float))
        if means.ndim != 2:
            raise InputError(f"means has shape {means.shape}; a (K, d) array is allowed")
        K, d = means.shape
        if K < 2:
            raise InputError(f"means has {K} row(s); a mixture needs K >= 2 classes (means of shape (K, d))")
        cov = np.asarray(covariances, dtype=float)
        if cov.shape == (d, d):
            cov, self.shared = np.broadcast_to(cov, (K, d, d)).copy(), True
        elif cov.shape == (K, d, d):
            self.shared = bool(np.all(cov == cov[0]))
        else:
            raise InputError(f"covariances has shape {cov.shape}; allowed: ({d}, {d}) or ({K}, {d}, {d})")
        if not np.all(np.isfinite(cov)):
            raise InputError("covariances contains NaN or inf; finite symmetric positive definite matrices are allowed")
        for k in range(K):
            if not np.allclose(cov[k], cov[k].T, rtol=0, atol=1e-12 * max(1.0, np.abs(cov[k]).max())):
                raise InputError(f"covariances[{k}] is not symmetric; a symmetric positive definite matrix is allowed")
            lam = float(np.linalg.eigvalsh(cov[k]).min())
            if not lam > 0:
                raise InputError(f"covariances[{k}] is not positive definite (smallest eigenvalue {lam:.3g}); "
                                 "a symmetric positive definite matrix is allowed")
        if priors is None:
            priors = np.full(K, 1.0 / K)
        _, (priors,) = real_namespace(priors=priors)
        priors = np.asarray(priors, dtype=float)
        if priors.shape != (K,) or np.any(~(priors > 0)) or abs(priors.sum() - 1) > 1e-12:
            raise InputError(f"priors={priors.tolist()} is not allowed; {K} positive numbers summing to 1 are")
        if np.any(~np.isfinite(means)):
            raise InputError("means contains NaN or inf; finite numbers are allowed")
        self.means, self.covariances, self.priors = means, cov, priors
        self.n_classes, self.dim = K, d
        self._chol = np.linalg.cholesky(cov)
        self._diag = [bool(np.count_nonzero(c - np.diag(np.diag(c))) == 0) for c in self._chol]

    # -- sampling and posterior -------------------------------------------------------------------------
    def sample(self, m: int, rng: np.random.Generator):
        """Draw m labelled points: returns ``(X, y)`` with X of shape (m, d) and integer labels y in [0, K).

        Parameters
        ----------
        m : int
            Number of points ≥ 1.
        rng : numpy.random.Generator
            Random source.

        Returns
        -------
        X : ndarray (m, d)
            The points, x = μ_y + L_y z with L_y the Cholesky factor of Σ_y.
        y : ndarray (m,)
            The labels, y ∼ π.

        Raises
        ------
        InputError
            For invalid m or rng.

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer. Statist.
        Assoc. 101(473), 2006 (binary margin risks); C. Zheng, G. Wu, F. Bao, Y. Cao, C. Li, J. Zhu, "Revisiting
        Discriminative vs. Generative Classifiers: Theory and Implications", ICML 2023, arXiv:2302.02334 (multi-class
        Gaussian mixtures).
        """
        try:
            m = check_integer("m", m)
        except InputError:
            raise InputError(f"m={m!r} is not allowed; the sample size must be an integer >= 1") from None
        rng = check_generator("rng", rng)
        y = rng.choice(self.n_classes, size=int(m), p=self.priors)
        z = rng.standard_normal((int(m), self.dim))
        X = self.means[y].copy()
        for k in range(self.n_classes):  # class by class: O(m d²) (O(m d) for diagonal Σ), never (m, d, d)
            rows = y == k
            if not rows.any():
                continue
            if self._diag[k]:
                X[rows] += z[rows] * np.diag(self._chol[k])
            else:
                X[rows] += z[rows] @ self._chol[k].T
        return X, y

    def log_joint(self, x) -> np.ndarray:
        """log(π_k N(x; μ_k, Σ_k)) for every row of x and class k, shape (m, K).

        Parameters
        ----------
        x : array_like (m, d) or (d,)
            Points.

        Returns
        -------
        ndarray (m, K)
            log π_k − ½‖L_k⁻¹(x − μ_k)‖² − ½ log det Σ_k − (d/2) log 2π.

        Raises
        ------
        InputError
            For points of the wrong dimension.

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer. Statist.
        Assoc. 101(473), 2006 (binary margin risks); C. Zheng, G. Wu, F. Bao, Y. Cao, C. Li, J. Zhu, "Revisiting
        Discriminative vs. Generative Classifiers: Theory and Implications", ICML 2023, arXiv:2302.02334 (multi-class
        Gaussian mixtures).
        """
        _, (x,) = real_namespace(x=x)
        x = np.atleast_2d(np.asarray(x, dtype=float))
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise InputError(f"x has {x.shape[1]} columns; the mixture lives in d = {self.dim} dimensions")
        out = np.empty((x.shape[0], self.n_classes))
        for k in range(self.n_classes):
            r = np.linalg.solve(self._chol[k], (x - self.means[k]).T)
            logdet = 2 * np.log(np.diag(self._chol[k])).sum()
            out[:, k] = np.log(self.priors[k]) - 0.5 * (r * r).sum(0) - 0.5 * logdet - 0.5 * self.dim * np.log(2 * np.pi)
        return out

    def posterior(self, x) -> np.ndarray:
        """The Bayes posterior P(y = k | x) = softmax_k(log π_k N(x; μ_k, Σ_k)), shape (m, K).

        Parameters
        ----------
        x : array_like (m, d)
            Points.

        Returns
        -------
        ndarray (m, K)
            Posterior probabilities.

        Raises
        ------
        InputError
            For points of the wrong dimension.

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer. Statist.
        Assoc. 101(473), 2006 (binary margin risks); C. Zheng, G. Wu, F. Bao, Y. Cao, C. Li, J. Zhu, "Revisiting
        Discriminative vs. Generative Classifiers: Theory and Implications", ICML 2023, arXiv:2302.02334 (multi-class
        Gaussian mixtures).
        """
        lj = self.log_joint(x)
        return np.exp(lj - special.logsumexp(lj, axis=1, keepdims=True))

    def bayes_error(self, return_error: bool = False, rng: np.random.Generator | None = None,
                    n_points: int = 2 ** 13, n_scrambles: int = 16):
        """The Bayes error R* = 1 − E_x max_k P(y = k | x).

        Two classes, shared covariance: Φ(−Δ/2 ± log(π₁/π₀)/Δ) mixed by the priors (exact normal CDFs).
        K > 2, shared covariance: the risk of the affine Bayes rule W_k = Σ⁻¹μ_k,
        b_k = log π_k − ½ μ_kᵀΣ⁻¹μ_k, computed by :meth:`error` (exact when the means are collinear,
        randomised QMC otherwise). Class-specific covariances: E_x[1 − max_k P(k | x)] by randomised QMC
        (x = μ_k + L_k Φ⁻¹(u) over scrambled Sobol points u, class by class).

        Parameters
        ----------
        return_error : bool, default False
            Also return the integration error: 0 for closed forms, otherwise the standard error over
            ``n_scrambles`` independent scrambles of ``n_points`` Sobol points.
        rng : numpy.random.Generator, optional
            Source of the scrambles (default ``default_rng(0)``: deterministic).
        n_points : int, default 2**13
            Sobol points per scramble (a power of 2).
        n_scrambles : int, default 16
            Independent scrambles (≥ 2).

        Returns
        -------
        float, or (float, float) when ``return_error``
            The Bayes error (and its integration error).

        Raises
        ------
        InputError
            For invalid return_error, rng, n_points or n_scrambles.

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer. Statist.
        Assoc. 101(473), 2006 (binary margin risks); C. Zheng, G. Wu, F. Bao, Y. Cao, C. Li, J. Zhu, "Revisiting
        Discriminative vs. Generative Classifiers: Theory and Implications", ICML 2023, arXiv:2302.02334 (multi-class
        Gaussian mixtures).
        """
        return_error = check_bool("return_error", return_error)
        rng = check_generator("rng", rng, optional=True)
        n_points, n_scrambles = _check_rqmc(n_points, n_scrambles)
        if self.n_classes == 2 and self.shared:
            w, c = self.bayes_direction()
            val, err = float(self.binary_error(w, c)), 0.0
        elif self.shared:
            W, b = self.bayes_affine()
            val, err = self.error(W, b, return_error=True, rng=rng, n_points=n_points, n_scrambles=n_scrambles)
        else:
            val, err = self._bayes_error_rqmc(rng, n_points, n_scrambles)
        return (val, err) if return_error else val

    def bayes_affine(self):
        """(W, b), shapes (K, d) and (K,), of the affine Bayes rule for a shared covariance.

        log π_k N(x; μ_k, Σ) = W_k·x + b_k + (terms common to all classes), W_k = Σ⁻¹μ_k,
        b_k = log π_k − ½ μ_kᵀ Σ⁻¹ μ_k; the posterior is softmax(W x + b).

        Returns
        -------
        W : ndarray (K, d)
            Weights.
        b : ndarray (K,)
            Biases.

        Raises
        ------
        InputError
            When the covariances are not shared.

        References
        ----------
        C. Zheng, G. Wu, F. Bao, Y. Cao, C. Li, J. Zhu, "Revisiting Discriminative vs. Generative Classifiers: Theory
        and Implications", ICML 2023, arXiv:2302.02334 (the Gaussian-mixture simulation setting).
        """
        if not self.shared:
            raise NotImplementedError("bayes_affine needs a shared covariance (the Bayes rule is quadratic "
                                      "otherwise)")
        W = np.linalg.solve(self.covariances[0], self.means.T).T
        b = np.log(self.priors) - 0.5 * np.einsum("kd,kd->k", W, self.means)
        return W, b

    def naive_bayes_affine(self):
        """(W, b) of Gaussian naive Bayes fitted to the population (infinite training set).

        NB with a class-shared per-feature variance estimates the means μ_k, the priors π_k and
        σ_i² = Σ_k π_k (Σ_k)_ii (the prior-weighted within-class variance); its rule is
        argmax_k [log π_k − ½ Σ_i (x_i − μ_ki)²/σ_i²], affine with W_k = μ_k/σ², b_k = log π_k − ½ Σ_i μ_ki²/σ_i².
        Its error is NB's asymptotic error.

        Returns
        -------
        W : ndarray (K, d)
            Weights.
        b : ndarray (K,)
            Biases.

        References
        ----------
        C. Zheng, G. Wu, F. Bao, Y. Cao, C. Li, J. Zhu, "Revisiting Discriminative vs. Generative Classifiers: Theory
        and Implications", ICML 2023, arXiv:2302.02334 (repository ``models/gaussnb.py``); A. Y. Ng, M. I. Jordan, "On
        Discriminative vs. Generative Classifiers: A comparison of logistic regression and naive Bayes", NIPS 14,
        2001.
        """
        var = np.einsum("k,kii->i", self.priors, self.covariances)
        W = self.means / var
        b = np.log(self.priors) - 0.5 * np.einsum("kd,kd->k", W, self.means)
        return W, b

    def _bayes_error_rqmc(self, rng, n_points, n_scrambles):
        rng = np.random.default_rng(0) if rng is None else rng
        n_points, n_scrambles = _check_rqmc(n_points, n_scrambles)
        est = np.zeros(n_scrambles)
        for k in range(self.n_classes):
            for s in range(n_scrambles):
                u = qmc.Sobol(self.dim, scramble=True, seed=rng).random(n_points)
                z = special.ndtri(np.clip(u, 1e-300, 1.0 - 2 ** -53))
                x = self.means[k] + z @ self._chol[k].T
                post = self.posterior(x)
                est[s] += self.priors[k] * float(np.mean(1.0 - post.max(axis=1)))
        return mean_se(est)


def random_mixture(rng: np.random.Generator, separation: float | None = None) -> GaussianMixture:
    """Two Gaussians in ℝ² with a random shared SPD covariance and random priors in [0.2, 0.8].

    Σ = B Bᵀ + 0.3 I with B standard normal; means ±(sep/2)·e for a uniformly random unit direction e and
    sep ∼ U(0.2, 4) unless given; P(y = 1) = p ∼ U(0.2, 0.8). The random binary problems on which Bartlett,
    Jordan, McAuliffe (2006)'s Theorem 1(a) bound is checked against exact risks.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random source (B, the direction, the separation and p, in that order).
    separation : float, optional
        Distance between the two means; random when None.

    Returns
    -------
    GaussianMixture
        The two-class mixture (class 0 at −μ, class 1 at +μ).

    References
    ----------
    P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer. Statist.
    Assoc. 101(473), 2006, Theorem 1(a).
    """
    B = rng.normal(size=(2, 2))
    cov = B @ B.T + 0.3 * np.eye(2)
    direction = rng.normal(size=2)
    direction /= np.linalg.norm(direction)
    sep = rng.uniform(0.2, 4.0) if separation is None else separation
    mu = 0.5 * sep * direction
    p = rng.uniform(0.2, 0.8)
    return GaussianMixture(np.stack([-mu, mu]), cov, [1 - p, p])



__all__ = ["GaussianMixture", "random_mixture"]
