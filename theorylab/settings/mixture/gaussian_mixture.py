"""K-class Gaussian mixtures in d dimensions: exact sampling, Bayes posterior, exact binary risks.

x | y = k ∼ N(μ_k, Σ_k), P(y = k) = π_k. An affine classifier is a score matrix W (K × d) and bias b (K,),
predicting argmax_k (W x + b)_k; for K = 2 it is the sign of the margin f(x) = w·x + c with
w = W_1 − W_0, c = b_1 − b_0 (class 1 is the "+1" label of binary margin losses).

For two classes everything a binary check needs is one-dimensional: given the class, f(x) ∼ N(w·μ_k + c,
wᵀΣ_k w) and, with a shared covariance, the Bayes log-odds L(x) = log η(x)/(1 − η(x)) is affine in x with
L | y = k ∼ N(m_k, Δ²) (Δ the Mahalanobis distance of the means). So the zero-one risk of any affine f is
exact (normal CDFs), and surrogate risks are one-dimensional Gaussian expectations.

For K > 2 classes the zero-one risk of an affine classifier is still a sum of Gaussian polyhedron
probabilities: given y = k, the K − 1 score differences D_j = (W_k − W_j)·x + b_k − b_j are jointly Gaussian,
D = m + A u with u ∼ N(0, I_r), r = rank ≤ min(K − 1, d), and the classifier is right iff D > 0. The last
coordinate of u is integrated in closed form (an interval of a standard normal), the other r − 1 by randomised
quasi-Monte Carlo (scrambled Sobol points, independent scrambles give the standard error). So the risk is exact
(normal CDFs) whenever r ≤ 1: two classes, or any K with collinear means and a shared covariance (the
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


class GaussianMixture:
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

    # -- binary, shared covariance: exact one-dimensional reductions ---------------------------------------
    def _require_binary_shared(self, what: str) -> None:
        if self.n_classes != 2 or not self.shared:
            raise NotImplementedError(f"{what} is exact for two classes with a shared covariance only")

    def bayes_direction(self):
        """(w*, c*) with L(x) = w*·x + c* the Bayes log-odds log P(y=1|x)/P(y=0|x) (two classes, shared Σ).

        w* = Σ⁻¹(μ_1 − μ_0), c* = −½(μ_1ᵀΣ⁻¹μ_1 − μ_0ᵀΣ⁻¹μ_0) + log(π_1/π_0).

        Returns
        -------
        w : ndarray (d,)
            The direction.
        c : float
            The offset.

        Raises
        ------
        InputError
            Unless K = 2 with a shared covariance.

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer. Statist.
        Assoc. 101(473), 2006 (the binary risks these quantities enter).
        """
        self._require_binary_shared("bayes_direction")
        S = self.covariances[0]
        w = np.linalg.solve(S, self.means[1] - self.means[0])
        c = -0.5 * (self.means[1] @ np.linalg.solve(S, self.means[1]) - self.means[0] @ np.linalg.solve(S, self.means[0])) \
            + np.log(self.priors[1] / self.priors[0])
        return w, float(c)

    def margin_moments(self, w, c):
        """Mean and std of f(x) = w·x + c given each class: arrays of shape (..., 2) for w of shape (..., d).

        f | y = k ∼ N(w·μ_k + c, wᵀΣ_k w).

        Parameters
        ----------
        w : array_like (..., d)
            Directions (no NaN).
        c : array_like (...)
            Offsets, broadcastable with w's leading axes.

        Returns
        -------
        mean : ndarray (..., K)
            Conditional means of f.
        std : ndarray (..., K)
            Conditional standard deviations of f.

        Raises
        ------
        InputError
            For wrong shapes or NaN.

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer. Statist.
        Assoc. 101(473), 2006 (the binary risks these quantities enter).
        """
        _, (w, c) = real_namespace(w=w, c=c)
        w, c = np.asarray(w, dtype=float), np.asarray(c, dtype=float)
        if w.ndim < 1 or w.shape[-1] != self.dim:
            raise InputError(f"w has shape {w.shape}; (..., d) with d = {self.dim} is required")
        try:
            np.broadcast_shapes(w.shape[:-1], c.shape)
        except ValueError:
            raise InputError(f"c has shape {c.shape}, not broadcastable with w's leading shape {w.shape[:-1]}") from None
        if np.any(np.isnan(w)) or np.any(np.isnan(c)):
            raise InputError("w or c contains NaN; real numbers are allowed")
        mean = np.einsum("...d,kd->...k", w, self.means) + c[..., None]
        var = np.einsum("...i,kij,...j->...k", w, self.covariances, w)
        return mean, np.sqrt(var)

    def binary_error(self, w, c):
        """Exact zero-one risk of sign(w·x + c) (class 1 ⇔ f > 0), two classes, any covariances.

        R(f) = π_0 Φ(m_0/s_0) + π_1 Φ(−m_1/s_1) with (m_k, s_k) from :meth:`margin_moments`.

        Parameters
        ----------
        w : array_like (..., d)
            Directions.
        c : array_like (...)
            Offsets.

        Returns
        -------
        ndarray or float
            The zero-one risk.

        Raises
        ------
        InputError
            Unless K = 2, or for malformed w, c.

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer. Statist.
        Assoc. 101(473), 2006 (the binary risks these quantities enter).
        """
        if self.n_classes != 2:
            raise NotImplementedError("binary_error needs two classes")
        mean, std = self.margin_moments(w, c)
        with np.errstate(divide="ignore", invalid="ignore"):  # std = 0 (w = 0): f is the constant c, a step
            e0 = np.where(std[..., 0] > 0, special.ndtr(mean[..., 0] / std[..., 0]), (mean[..., 0] > 0) * 1.0)
            e1 = np.where(std[..., 1] > 0, special.ndtr(-mean[..., 1] / std[..., 1]), (mean[..., 1] <= 0) * 1.0)
        return self.priors[0] * e0 + self.priors[1] * e1

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

    def binary_surrogate_risk(self, phi, w, c):
        """R_φ(f) = π_1 E[φ(f) | y=1] + π_0 E[φ(−f) | y=0] for f = w·x + c (two classes).

        ``phi`` is a margin loss object (its closed-form Gaussian mean is used when it has one) or a vectorised
        NumPy function, integrated by adaptive quadrature.

        Parameters
        ----------
        phi : MarginLoss or callable
            The margin loss φ.
        w : array_like (..., d)
            Directions.
        c : array_like (...)
            Offsets.

        Returns
        -------
        risk : ndarray or float
            R_φ(f).
        abserr : float
            The quadrature's error estimate (0 for closed forms).

        Raises
        ------
        InputError
            Unless K = 2, or for an invalid phi, w, c.

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer. Statist.
        Assoc. 101(473), 2006 (the binary risks these quantities enter).
        """
        from .gaussian_quadrature import gaussian_expectation

        if not (callable(phi) or hasattr(phi, "value")):
            raise InputError(f"phi={phi!r} is not allowed; a margin loss object or a vectorised callable is")
        if self.n_classes != 2:
            raise InputError(f"binary_surrogate_risk needs two classes; this mixture has K={self.n_classes}")
        mean, std = self.margin_moments(w, c)
        closed = getattr(phi, "_gauss", None)  # the closed form, called on the moments computed here
        if closed is not None:
            # −f | y=0 ∼ N(−mean, std²)
            return self.priors[1] * closed(mean[..., 1], std[..., 1]) + \
                self.priors[0] * closed(-mean[..., 0], std[..., 0]), 0.0
        f = getattr(phi, "value", phi)
        e1, err1 = gaussian_expectation(f, mean[..., 1], std[..., 1])
        e0, err0 = gaussian_expectation(lambda z: f(-z), mean[..., 0], std[..., 0])
        return self.priors[1] * e1 + self.priors[0] * e0, err1 + err0

    def bayes_surrogate_risk(self, H_pq):
        """R_φ* = E_x H(η(x)) over all measurable f (two classes, shared covariance), by quadrature.

        The Bayes log-odds L(x) is Gaussian given the class, so R_φ* = Σ_k π_k E[H(σ(L)) | y = k], one 1-D
        quadrature per class with a breakpoint at L = 0.

        Parameters
        ----------
        H_pq : callable
            ``H_pq(p, q)``, the optimal conditional φ-risk with p = max(η, 1 − η) and q = 1 − p passed
            separately (see :meth:`theorylab.theory.calibration.Calibration.H_numeric`).

        Returns
        -------
        risk : float
            R_φ*.
        abserr : float
            Summed quadrature error estimate.

        Raises
        ------
        InputError
            When H_pq is not callable, or unless K = 2 with a shared covariance.

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer. Statist.
        Assoc. 101(473), 2006 (the binary risks these quantities enter).
        """
        from .gaussian_quadrature import gaussian_expectation

        if not callable(H_pq):
            raise InputError(f"H_pq={H_pq!r} is not allowed; a callable H(p, q) (Calibration.H_numeric()) is")
        w, c = self.bayes_direction()
        mean, std = self.margin_moments(w, c)

        def h_of_logodds(L):
            a = np.minimum(np.abs(L), 700.0)
            return H_pq(special.expit(a), special.expit(-a))

        parts = [gaussian_expectation(h_of_logodds, mean[k], std[k], kinks=[0.0]) for k in range(2)]
        e = np.array([float(v) for v, _ in parts])
        return float(self.priors @ e), sum(err for _, err in parts)

    def binary_excess_risks(self, loss, w, c):
        """Excess risks of f = w·x + c for a margin loss (two classes, shared covariance).

        The two sides of ψ(R(f) − R*) ≤ R_φ(f) − R_φ*: the zero-one excess is exact (normal CDFs); R_φ is a
        closed form or quadrature, and R_φ* = E H(η(x)) uses H derived by :func:`theorylab.theory.calibration.derive`.

        Parameters
        ----------
        loss : str or MarginLoss
            The margin loss φ.
        w : array_like (d,)
            Direction.
        c : float
            Offset.

        Returns
        -------
        excess01 : float
            R(f) − R*.
        excess_phi : float
            R_φ(f) − R_φ*.
        abserr : float
            Summed quadrature error estimate.

        Raises
        ------
        InputError
            For an invalid loss, w or c, or unless K = 2 with a shared covariance.

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer. Statist.
        Assoc. 101(473), 2006, Theorem 1(a).
        """
        from ...losses.margin import get_loss
        from ...theory.calibration import derive

        loss = get_loss(loss)
        excess01 = self.binary_error(w, c) - self.bayes_error()
        r_phi, err1 = self.binary_surrogate_risk(loss, w, c)
        r_star, err2 = self.bayes_surrogate_risk(derive(loss.name).H_numeric())
        return excess01, r_phi - r_star, err1 + err2


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
