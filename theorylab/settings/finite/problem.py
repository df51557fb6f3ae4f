"""Finite-X distributions with affine multi-class scores h(x, y) = w_y x + b_y on a line (claim-notes protocol E1).

Exact risks (finite sums), best-in-class risks by optimisation, minimizability gaps
M_ℓ(H) = R*_ℓ(H) − E_x C*_ℓ(H, x) (Mao, Mohri, Zhong, ICML 2023, §4; claim notes §1, §5, §10 E1).
Hypothesis set: affine scores, either complete (free w, b) or box-bounded |w_y| ≤ W, |b_y| ≤ B, whose
per-point score range is [−Λ(x), Λ(x)], Λ(x) = W|x| + B.

Over 400 lines because it is one setting: the :class:`FiniteProblem` dataclass and its ~15 short methods
(risks, best-in-class risks, gaps) all read the same finite distribution (x, P_X, p, W, B), plus two small
helpers on it; about 150 lines are code and the rest numpydoc. Splitting the class's methods across modules
would scatter protocol E1 without giving any piece a job of its own.
"""
from __future__ import annotations

import dataclasses
import itertools

import numpy as np
from scipy.optimize import linprog, minimize

from ..._validation import (InputError, check_generator, check_integer, check_labels, check_positive,
                           check_probability, real_namespace)
from ...losses.compsum import best_conditional_risk, check_tau


@dataclasses.dataclass
class FiniteProblem:
    """A distribution on finitely many points x_i ∈ ℝ with conditional label laws p_i ∈ Δ_n.

    Hypotheses are affine scores h(x, y) = w_y x + b_y, complete or box-bounded (|w_y| ≤ W, |b_y| ≤ B, so
    per-point scores lie in [−Λ(x), Λ(x)], Λ(x) = W|x| + B).

    Parameters
    ----------
    x : array (m,)
        The points (finite, non-empty).
    px : array (m,)
        Marginal probabilities P(x_i) (a probability vector).
    p : array (m, n)
        Conditional label distributions p(x_i, ·), n ≥ 2.
    W : float, optional
        Weight bound W > 0; None (with B None) for the complete affine class.
    B : float, optional
        Bias bound B > 0; given together with W.

    Raises
    ------
    InputError
        For malformed x, px, p, or only one of W and B.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023,
    arXiv:2304.07288 (minimizability gaps of bounded hypothesis sets; the E1 protocol is from the
    project's claim notes, shared/claims/surrogate-losses.md §10).
    """

    x: np.ndarray
    px: np.ndarray
    p: np.ndarray
    W: float | None = None
    B: float | None = None

    def __post_init__(self):
        _, (x, px, p) = real_namespace(x=self.x, px=self.px, p=self.p)
        self.x, self.px, self.p = (np.asarray(a, dtype=np.float64) for a in (x, px, p))
        if self.x.ndim != 1 or self.x.size == 0 or not np.all(np.isfinite(self.x)):
            raise InputError(f"x has shape {self.x.shape} or non-finite entries; a non-empty finite (m,) array is allowed")
        if self.p.ndim != 2 or self.p.shape[0] != self.x.shape[0] or self.p.shape[1] < 2:
            raise InputError(f"p has shape {self.p.shape}; shape (len(x), n) with n >= 2 is required")
        if self.px.shape != self.x.shape:
            raise InputError(f"px has shape {self.px.shape}; shape {self.x.shape} (one probability per point) is required")
        try:
            check_probability("px", self.px, np)
        except InputError as e:
            raise InputError(f"px must be a probability vector: {e}") from None
        check_probability("p", self.p, np)
        if (self.W is None) != (self.B is None):
            raise InputError("give both W and B (box-bounded affine class) or neither (complete)")
        if self.W is not None:
            self.W, self.B = check_positive("W", self.W), check_positive("B", self.B)

    @property
    def n(self) -> int:
        """Number of classes n."""
        return self.p.shape[1]

    @classmethod
    def random(cls, rng: np.random.Generator, m: int = 6, n: int = 3, alpha: float = 0.7,
               W: float | None = None, B: float | None = None, deterministic: bool = False):
        """E1 instance: x ~ U[−1, 1] sorted, P_X ~ Dir(1), p(x, ·) ~ Dir(alpha) (one-hot if deterministic).

        Parameters
        ----------
        rng : numpy.random.Generator
            Random source.
        m : int, default 6
            Number of points ≥ 1.
        n : int, default 3
            Number of classes ≥ 2.
        alpha : float, default 0.7
            Dirichlet concentration > 0 of the conditionals.
        W : float, optional
            Weight bound (None: complete class).
        B : float, optional
            Bias bound (None: complete class).
        deterministic : bool, default False
            One-hot conditionals (deterministic labels).

        Returns
        -------
        FiniteProblem
            The random instance.

        Raises
        ------
        InputError
            For invalid rng, m, n, alpha, W, B.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023,
        arXiv:2304.07288.
        """
        rng = check_generator("rng", rng)
        m, n = check_integer("m", m), check_integer("n", n, minimum=2)
        alpha = check_positive("alpha", alpha)
        x = np.sort(rng.uniform(-1, 1, m))
        px = rng.dirichlet(np.ones(m))
        if deterministic:
            p = np.eye(n)[rng.integers(0, n, m)]
        else:
            p = rng.dirichlet(np.full(n, alpha), m)
        return cls(x, px, p, W, B)

    # ------------------------------------------------------------------ hypotheses and risks
    def scores(self, theta) -> np.ndarray:
        """h(x_i, y) = w_y x_i + b_y for θ = (w_1..w_n, b_1..b_n); a batch (k, 2n) gives (k, m, n).

        Parameters
        ----------
        theta : array (..., 2n)
            Parameters (w_1..w_n, b_1..b_n).

        Returns
        -------
        ndarray (..., m, n)
            The scores.

        Raises
        ------
        InputError
            When theta's last axis is not 2n.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023,
        arXiv:2304.07288.
        """
        _, (th,) = real_namespace(theta=theta)
        th = np.asarray(th, dtype=np.float64)
        n = self.n
        if th.ndim < 1 or th.shape[-1] != 2 * n:
            raise InputError(f"theta has shape {th.shape}; (..., 2n) = (..., {2 * n}) parameters (w_1..w_n, b_1..b_n) "
                             "are required")
        return th[..., None, :n] * self.x[:, None] + th[..., None, n:]

    def bounds(self):
        """Box bounds of θ for L-BFGS-B: [(−W, W)]·n + [(−B, B)]·n, or None for the complete class.

        Returns
        -------
        list of (float, float) or None
            The bounds.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023,
        arXiv:2304.07288.
        """
        if self.W is None:
            return None
        return [(-self.W, self.W)] * self.n + [(-self.B, self.B)] * self.n

    def score_bound(self) -> np.ndarray | None:
        """Λ(x_i) = W|x_i| + B (None for the complete class).

        Returns
        -------
        ndarray (m,) or None
            Per-point score bounds.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023,
        arXiv:2304.07288.
        """
        return None if self.W is None else self.W * np.abs(self.x) + self.B

    def cond_risk_tau(self, theta, tau) -> np.ndarray:
        """C_τ(h, x_i) = Σ_y p_y ℓ^τ(h, x_i, y), shape (..., m).

        Parameters
        ----------
        theta : array (..., 2n)
            Affine parameters.
        tau : float
            τ ≥ 0 of the comp-sum loss.

        Returns
        -------
        ndarray (..., m)
            Conditional risks per point.

        Raises
        ------
        InputError
            For invalid τ or θ.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023,
        arXiv:2304.07288.
        """
        tau = check_tau(tau)
        h = self.scores(theta)
        logs = h - h.max(-1, keepdims=True)
        logs = logs - np.log(np.exp(logs).sum(-1, keepdims=True))
        with np.errstate(over="ignore", invalid="ignore"):
            psi = -logs if tau == 1 else -np.expm1((tau - 1) * logs) / (tau - 1)
            return np.where(self.p > 0, self.p * psi, 0.0).sum(-1)

    def risk_tau(self, theta, tau):
        """R_τ(h) = Σ_i P(x_i) C_τ(h, x_i).

        Parameters
        ----------
        theta : array (..., 2n)
            Affine parameters.
        tau : float
            τ ≥ 0.

        Returns
        -------
        float or ndarray (...)
            The expected comp-sum risk.

        Raises
        ------
        InputError
            For invalid τ or θ.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023,
        arXiv:2304.07288.
        """
        return self.cond_risk_tau(theta, tau) @ self.px

    def cond_risk01(self, theta) -> np.ndarray:
        """1 − p(x, ŷ(x)), ŷ = argmax h (lowest index on ties).

        Parameters
        ----------
        theta : array (..., 2n)
            Affine parameters.

        Returns
        -------
        ndarray (..., m)
            0-1 conditional risks per point.

        Raises
        ------
        InputError
            For invalid θ.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023,
        arXiv:2304.07288.
        """
        h = self.scores(theta)
        pred = np.argmax(h, axis=-1)
        return 1.0 - np.take_along_axis(np.broadcast_to(self.p, h.shape), pred[..., None], -1)[..., 0]

    def risk01(self, theta):
        """R_01(h) = Σ_i P(x_i)(1 − p(x_i, ŷ(x_i))).

        Parameters
        ----------
        theta : array (..., 2n)
            Affine parameters.

        Returns
        -------
        float or ndarray (...)
            The 0-1 risk.

        Raises
        ------
        InputError
            For invalid θ.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023,
        arXiv:2304.07288.
        """
        return self.cond_risk01(theta) @ self.px

    # --------------------------------------------------------------- best-in-class quantities
    def expected_cstar_tau(self, tau) -> float:
        """E_x C*_τ(H, x): closed forms (complete) or per-point box [−Λ(x), Λ(x)] (see compsum).

        Parameters
        ----------
        tau : float
            τ ≥ 0.

        Returns
        -------
        float
            The expected best conditional risk.

        Raises
        ------
        InputError
            For an invalid τ.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023,
        arXiv:2304.07288 (minimizability gaps M = R* − E_x C*).
        """
        lam = self.score_bound()
        if lam is None:
            return float(best_conditional_risk(self.p, tau) @ self.px)
        return float(sum(w * best_conditional_risk(pi, tau, max(li, 1e-300))
                         for w, pi, li in zip(self.px, self.p, lam)))

    def expected_cstar01(self) -> float:
        """E_x C*_01(H, x) = E_x[1 − max_y p(x, y)] (symmetric H predicting every class).

        Returns
        -------
        float
            The expected best 0-1 conditional risk.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023,
        arXiv:2304.07288.
        """
        return float((1 - self.p.max(1)) @ self.px)

    def best_risk_tau(self, tau, rng: np.random.Generator, starts: int = 20, maxiter: int = 3000):
        """R*_τ(H) by multistart L-BFGS-B (analytic gradients).

        Parameters
        ----------
        tau : float
            τ ≥ 0.
        rng : numpy.random.Generator
            Random starts (the first start is θ = 0).
        starts : int, default 20
            Number of starts ≥ 1.
        maxiter : int, default 3000
            L-BFGS-B iteration limit ≥ 1.

        Returns
        -------
        value : float
            The best-in-class risk (an upper estimate).
        theta : ndarray (2n,)
            Its parameters.

        Raises
        ------
        InputError
            For invalid τ, rng, starts or maxiter.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023,
        arXiv:2304.07288.
        """
        tau = check_tau(tau)
        rng = check_generator("rng", rng)
        starts, maxiter = check_integer("starts", starts), check_integer("maxiter", maxiter)
        n = self.n
        xs = self.x

        def fg(th):
            h = self.scores(th)
            # gradient of Σ_i px_i Σ_y p_iy ℓ(h_i, y) w.r.t. h: px_i (s·A − w), w_y = p_y s_y^{τ−1}
            logs = h - h.max(-1, keepdims=True)
            logs = logs - np.log(np.exp(logs).sum(-1, keepdims=True))
            s = np.exp(logs)
            with np.errstate(over="ignore", invalid="ignore"):
                w = np.where(self.p > 0, self.p * np.exp((tau - 1) * logs), 0.0)
                psi = -logs if tau == 1 else -np.expm1((tau - 1) * logs) / (tau - 1)
                val = float(np.where(self.p > 0, self.p * psi, 0.0).sum(-1) @ self.px)
            gh = self.px[:, None] * (s * w.sum(-1, keepdims=True) - w)
            return val, np.concatenate([gh.T @ xs, gh.sum(0)])

        best = (np.inf, None)
        scale = 1.0 if self.W is None else 1.0
        for k in range(starts):
            th0 = rng.normal(0, 2.0 * scale, 2 * n) if k else np.zeros(2 * n)
            if self.W is not None:
                th0 = np.clip(th0, [b[0] for b in self.bounds()], [b[1] for b in self.bounds()])
            r = minimize(fg, th0, jac=True, method="L-BFGS-B", bounds=self.bounds(),
                         options={"maxiter": maxiter, "ftol": 1e-15, "gtol": 1e-11})
            if r.fun < best[0]:
                best = (float(r.fun), r.x)
        return best

    def realizable_labelings(self):
        """All labelings of the points realisable as argmax of affine scores on a line.

        Each class occupies one contiguous block of the sorted points (the upper envelope of lines visits each
        line at most once, in slope order, and any order of any subset of classes is attainable).

        Returns
        -------
        list of ndarray (m,)
            The realisable labelings.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023,
        arXiv:2304.07288.
        """
        order = np.argsort(self.x)
        m, n = self.x.shape[0], self.n
        out = []
        for lab in itertools.product(range(n), repeat=m):
            seq = [lab[i] for i in order]
            blocks = [c for i, c in enumerate(seq) if i == 0 or seq[i - 1] != c]
            if len(blocks) == len(set(blocks)):
                out.append(np.array(lab))
        return out

    def best_risk01(self) -> float:
        """R*_01(H): minimum over realisable labelings of Σ_i px_i (1 − p_i[label_i]).

        Returns
        -------
        float
            The best-in-class 0-1 risk.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023,
        arXiv:2304.07288.
        """
        best = np.inf
        rows = np.arange(self.x.shape[0])
        for lab in self.realizable_labelings():
            best = min(best, float((1 - self.p[rows, lab]) @ self.px))
        return best

    def gaps(self, tau, rng, starts=20):
        """Minimizability gaps of the affine class: M_τ = R*_τ − E C*_τ and M_01 = R*_01 − E C*_01.

        Parameters
        ----------
        tau : float
            τ ≥ 0.
        rng : numpy.random.Generator
            Random starts of :meth:`best_risk_tau`.
        starts : int, default 20
            Number of starts.

        Returns
        -------
        tuple of float
            (M_τ, M_01, R*_τ, R*_01, E C*_τ, E C*_01).

        Raises
        ------
        InputError
            For invalid τ, rng or starts.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023,
        arXiv:2304.07288 (minimizability gaps).
        """
        rt, _ = self.best_risk_tau(tau, rng, starts)
        r01 = self.best_risk01()
        ct, c01 = self.expected_cstar_tau(tau), self.expected_cstar01()
        return rt - ct, r01 - c01, rt, r01, ct, c01


def labeling_realizable_lp(x, labels, n) -> bool:
    """LP check that ``labels`` is realisable with margin 1 by affine scores w_y x + b_y (complete class).

    Feasibility of h_c(x_i) − h_{y_i}(x_i) ≤ −1 for all i and c ≠ y_i (HiGHS).

    Parameters
    ----------
    x : array (m,)
        Points (finite).
    labels : integer array (m,)
        Labels in [0, n).
    n : int
        Number of classes ≥ 2.

    Returns
    -------
    bool
        Whether the LP is feasible.

    Raises
    ------
    InputError
        For invalid x, labels or n.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023,
    arXiv:2304.07288.
    """
    n = check_integer("n", n, minimum=2)
    _, (x,) = real_namespace(x=x)
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or not np.all(np.isfinite(x)):
        raise InputError(f"x has shape {x.shape} or non-finite entries; a finite (m,) array is allowed")
    labels = check_labels("labels", labels, n, length=x.shape[0])
    rows = []
    for i, (xi, yi) in enumerate(zip(x, labels)):
        for c in range(n):
            if c == yi:
                continue
            a = np.zeros(2 * n)
            a[c], a[n + c] = xi, 1.0  # h_c − h_y ≤ −1
            a[yi], a[n + yi] = -xi, -1.0
            rows.append(a)
    res = linprog(np.zeros(2 * n), A_ub=np.array(rows), b_ub=-np.ones(len(rows)), bounds=[(None, None)] * (2 * n),
                  method="highs")
    return res.status == 0


def deterministic_line_problem(rng, m=8, n=3, W=1.0, B=1.0):
    """Toy instance: m points on a line with deterministic labels, box-bounded affine class.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random source.
    m : int, default 8
        Number of points.
    n : int, default 3
        Number of classes.
    W : float, default 1.0
        Weight bound.
    B : float, default 1.0
        Bias bound.

    Returns
    -------
    FiniteProblem
        The instance.

    Raises
    ------
    InputError
        For invalid arguments.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023,
    arXiv:2304.07288 (minimizability gaps with deterministic labels).
    """
    return FiniteProblem.random(rng, m=m, n=n, W=W, B=B, deterministic=True)


__all__ = ["FiniteProblem", "labeling_realizable_lp", "deterministic_line_problem"]
