"""Exact binary risks of affine classifiers on a two-class Gaussian mixture, by one-dimensional reductions.

For two classes everything a binary check needs is one-dimensional: given the class, f(x) = w·x + c ∼
N(w·μ_k + c, wᵀΣ_k w) and, with a shared covariance, the Bayes log-odds L(x) = log η(x)/(1 − η(x)) is affine
in x with L | y = k ∼ N(m_k, Δ²) (Δ the Mahalanobis distance of the means). So the zero-one risk of any
affine f is exact (normal CDFs), and surrogate risks are one-dimensional Gaussian expectations. These are
methods of :class:`theorylab.settings.mixture.gaussian_mixture.GaussianMixture`, defined here on its base
class :class:`BinaryRisks`.
"""
from __future__ import annotations

import numpy as np
from scipy import special

from ..._validation import InputError, real_namespace


class BinaryRisks:
    """Base class of :class:`~theorylab.settings.mixture.gaussian_mixture.GaussianMixture`: its binary risks.

    Not used on its own: the methods read the mixture's ``means``, ``covariances``, ``priors``, ``shared``,
    ``n_classes``, ``dim`` and call its ``bayes_error``.

    References
    ----------
    P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer. Statist.
    Assoc. 101(473), 2006 (the binary risks).
    """


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


__all__ = ["BinaryRisks"]
