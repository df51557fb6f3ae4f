"""Three-class Gaussian mixture in ℝ² (a :class:`GaussianMixture`), and gradient-descent trajectories of
affine scores on the expected conditional comp-sum loss (claim notes §10, protocol E2).

With equal covariances log p(x, ·) is affine, so s* ∝ p^{1/(2−τ)} is a softmax of affine scores and the
minimizability gaps vanish; unequal covariances give quadratic log-posteriors and positive gaps
(Mao, Mohri, Zhong, ICML 2023, §4–5; claim notes §5). Sampling and exact posteriors are
:class:`GaussianMixture`'s ``sample(m, rng)`` and ``posterior(x)``.
"""
from __future__ import annotations

import numpy as np

from ..._validation import (InputError, check_generator, check_integer, check_positive, check_probability,
                           real_namespace)
from ...losses.compsum import best_conditional_risk, check_tau
from .gaussian_mixture import GaussianMixture


class Mixture3(GaussianMixture):
    """Equal-prior mixture of N(μ_k, Σ_k), k = 0, 1, 2, means on an equilateral triangle of radius ``radius``.

    A :class:`GaussianMixture` with means μ_k = radius·(cos θ_k, sin θ_k), θ_k = π/2 + 2πk/3, diagonal
    covariances Σ_k = diag(covs[k]) and priors 1/3; draw with ``sample(m, rng)``, posteriors by ``posterior(x)``.

    Parameters
    ----------
    radius : float, default 1.5
        Distance > 0 of the means from the origin.
    covs : tuple of 3 pairs, default ((1, 1),) * 3
        Diagonal variances (> 0) per class.

    Attributes
    ----------
    radius : float
        The radius.
    covs : tuple
        The diagonal variances as given.

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

    def __init__(self, radius: float = 1.5, covs: tuple = ((1.0, 1.0), (1.0, 1.0), (1.0, 1.0))):
        radius = check_positive("radius", radius)
        _, (v,) = real_namespace(covs=covs)
        v = np.asarray(v)
        if v.shape != (3, 2) or not np.all(np.isfinite(v) & (v > 0)):
            raise InputError(f"covs has shape {v.shape} or entries <= 0; three pairs of diagonal variances > 0 "
                             "(shape (3, 2)) are allowed")
        ang = np.pi / 2 + 2 * np.pi * np.arange(3) / 3
        means = radius * np.stack([np.cos(ang), np.sin(ang)], 1)
        super().__init__(means, np.stack([np.diag(c) for c in v.astype(np.float64)]))
        self.radius, self.covs = radius, covs

    def __repr__(self) -> str:
        return f"Mixture3(radius={self.radius!r}, covs={self.covs!r})"

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
