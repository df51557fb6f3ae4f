"""Three-class Gaussian mixture in ℝ² with exact posteriors, and gradient-descent trajectories of affine
scores on the expected conditional comp-sum loss (claim notes §10, protocol E2).

With equal covariances log p(x, ·) is affine, so s* ∝ p^{1/(2−τ)} is a softmax of affine scores and the
minimizability gaps vanish; unequal covariances give quadratic log-posteriors and positive gaps
(Mao, Mohri, Zhong, ICML 2023, §4–5; claim notes §5). Self-contained sampler (no dependency on
``settings.gaussian_mixture``).
"""
from __future__ import annotations

import dataclasses

import numpy as np

from ..._validation import (InputError, check_generator, check_integer, check_positive, check_probability,
                           real_namespace)
from ...losses.compsum import best_conditional_risk, check_tau


@dataclasses.dataclass
class Mixture3:
    """Equal-prior mixture of N(μ_k, Σ_k), k = 0, 1, 2, means on an equilateral triangle of radius ``radius``.

    Parameters
    ----------
    radius : float, default 1.5
        Distance > 0 of the means from the origin.
    covs : tuple of 3 pairs, default ((1, 1),) * 3
        Diagonal variances (> 0) per class.

    Raises
    ------
    InputError
        For radius ≤ 0 or covs not of shape (3, 2) with positive entries.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023,
    arXiv:2304.07288 (equal covariances: affine log-posteriors and zero minimizability gaps; §4–5, section
    numbers unconfirmed).
    """

    radius: float = 1.5
    covs: tuple = ((1.0, 1.0), (1.0, 1.0), (1.0, 1.0))  # diagonal variances per class

    def __post_init__(self):
        self.radius = check_positive("radius", self.radius)
        _, (v,) = real_namespace(covs=self.covs)
        v = np.asarray(v)
        if v.shape != (3, 2) or not np.all(np.isfinite(v) & (v > 0)):
            raise InputError(f"covs has shape {v.shape} or entries <= 0; three pairs of diagonal variances > 0 "
                             "(shape (3, 2)) are allowed")

    @classmethod
    def equal(cls, radius=1.5):
        """The mixture with identity covariances (zero minimizability gaps for affine scores).

        Parameters
        ----------
        radius : float, default 1.5
            Radius of the means.

        Returns
        -------
        Mixture3
            The mixture.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023,
        arXiv:2304.07288.
        """
        return cls(radius, ((1.0, 1.0),) * 3)

    @classmethod
    def unequal(cls, radius=1.5):
        """The mixture with covariances diag(0.3, 2), diag(2, 0.4), I (quadratic log-posteriors, positive gaps).

        Parameters
        ----------
        radius : float, default 1.5
            Radius of the means.

        Returns
        -------
        Mixture3
            The mixture.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023,
        arXiv:2304.07288.
        """
        return cls(radius, ((0.3, 2.0), (2.0, 0.4), (1.0, 1.0)))

    @property
    def means(self):
        """The class means μ_k = radius·(cos θ_k, sin θ_k), θ_k = π/2 + 2πk/3, shape (3, 2)."""
        ang = np.pi / 2 + 2 * np.pi * np.arange(3) / 3
        return self.radius * np.stack([np.cos(ang), np.sin(ang)], 1)

    def sample_x(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """x ~ mixture (equal priors).

        Parameters
        ----------
        rng : numpy.random.Generator
            Random source.
        size : int
            Number of points ≥ 1.

        Returns
        -------
        ndarray (size, 2)
            The sample.

        Raises
        ------
        InputError
            For invalid rng or size.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023,
        arXiv:2304.07288.
        """
        rng = check_generator("rng", rng)
        size = check_integer("size", size)
        k = rng.integers(0, 3, size)
        sd = np.sqrt(np.asarray(self.covs))[k]
        return self.means[k] + sd * rng.standard_normal((size, 2))

    def posteriors(self, x) -> np.ndarray:
        """Exact p(x, k) ∝ N(x; μ_k, Σ_k) (log-sum-exp normalised).

        Parameters
        ----------
        x : array (m, 2)
            Finite points.

        Returns
        -------
        ndarray (m, 3)
            Posterior class probabilities.

        Raises
        ------
        InputError
            For x not finite of shape (m, 2).

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023,
        arXiv:2304.07288.
        """
        _, (x,) = real_namespace(x=x)
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != 2 or not np.all(np.isfinite(x)):
            raise InputError(f"x has shape {x.shape} or non-finite entries; finite points of shape (m, 2) are allowed")
        v = np.asarray(self.covs)
        d = x[:, None, :] - self.means[None]
        logd = -0.5 * (d**2 / v[None]).sum(-1) - 0.5 * np.log(v).sum(-1)[None]
        logd -= logd.max(1, keepdims=True)
        e = np.exp(logd)
        return e / e.sum(1, keepdims=True)


def _cond_risk_and_grad(theta, X, P, tau):
    W, b = theta[:6].reshape(3, 2), theta[6:]
    h = X @ W.T + b
    logs = h - h.max(1, keepdims=True)
    logs -= np.log(np.exp(logs).sum(1, keepdims=True))
    s = np.exp(logs)
    with np.errstate(over="ignore", invalid="ignore"):
        psi = -logs if tau == 1 else -np.expm1((tau - 1) * logs) / (tau - 1)
        w = np.where(P > 0, P * np.exp((tau - 1) * logs), 0.0)
    cr = np.where(P > 0, P * psi, 0.0).sum(1)
    gh = (s * w.sum(1, keepdims=True) - w) / X.shape[0]
    grad = np.concatenate([(gh.T @ X).ravel(), gh.sum(0)])
    return cr, h, grad


def trajectory(X, P, tau, steps=300, lr=0.5, rng=None, every=1):
    """Normalised gradient descent on the sample mean of C_τ(h, x) for affine h, logging the two regrets.

    u_k = mean C_τ(h_k, x) − mean C*_τ(p(x)) and v_k = mean(1 − p(x, ŷ_k)) − mean(1 − max p(x)), i.e.
    E ΔC_τ and E ΔC_01 under the empirical law of X with exact posteriors (so v_k ≤ Γ_τ(u_k) holds exactly).
    Step: θ ← θ − lr·g/max(‖g‖, 1).

    Parameters
    ----------
    X : array (m, 2)
        Points (finite).
    P : array (m, 3)
        Their exact posteriors.
    tau : float
        τ ≥ 0.
    steps : int, default 300
        Number of steps ≥ 0.
    lr : float, default 0.5
        Step size > 0.
    rng : numpy.random.Generator, optional
        Initialisation θ ~ 0.01·N(0, I) (``default_rng(0)`` when None).
    every : int, default 1
        Log every ``every`` steps (and the last).

    Returns
    -------
    dict
        ``u``, ``v``, ``step`` (arrays) and the final ``theta`` (9,).

    Raises
    ------
    InputError
        For malformed X, P or invalid τ, steps, lr, rng, every.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023,
    arXiv:2304.07288 (H-consistency bounds E ΔC_01 ≤ Γ(E ΔC_ℓ)).
    """
    tau = check_tau(tau)
    _, (X, P) = real_namespace(X=X, P=P)
    X, P = np.asarray(X, dtype=np.float64), np.asarray(P, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2 or P.shape != (X.shape[0], 3) or not np.all(np.isfinite(X)):
        raise InputError(f"X has shape {X.shape} and P has shape {P.shape}; finite (m, 2) points and (m, 3) "
                         "posteriors are required")
    check_probability("P", P, np)
    steps, every = check_integer("steps", steps, minimum=0), check_integer("every", every)
    lr = check_positive("lr", lr)
    rng = check_generator("rng", rng, optional=True)
    rng = np.random.default_rng(0) if rng is None else rng
    theta = 0.01 * rng.standard_normal(9)
    cstar = float(np.mean(best_conditional_risk(P, tau)))
    c01 = float(np.mean(1 - P.max(1)))
    us, vs, ks = [], [], []
    for k in range(steps + 1):
        cr, h, g = _cond_risk_and_grad(theta, X, P, tau)
        if k % every == 0 or k == steps:
            pred = np.argmax(h, 1)
            us.append(float(cr.mean()) - cstar)
            vs.append(float(np.mean(1 - P[np.arange(len(P)), pred])) - c01)
            ks.append(k)
        nrm = np.linalg.norm(g)
        if nrm == 0:
            break
        theta = theta - lr * g / max(nrm, 1.0)
    return {"u": np.array(us), "v": np.array(vs), "step": np.array(ks), "theta": theta}


__all__ = ["Mixture3", "trajectory"]
