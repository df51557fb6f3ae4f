"""Two different "z-losses": the spherical Z-loss (de Brébisson & Vincent, 2016) and the log²Z penalty (PaLM).

**Spherical Z-loss** (:func:`spherical_z_loss`). Outputs o ∈ ℝ^D, μ = mean(o), σ = population standard deviation,
z = (o − μ)/σ, and

    L_Z(o, c) = (1/a)·softplus(a(b − z_c)),   a > 0, b ∈ ℝ.

It depends on o only through (Σ_k o_k, Σ_k o_k², o_c) (the spherical family; :func:`spherical_z_loss_from_stats`
evaluates it from these three numbers), and L_Z(s·o + t·1, c) = L_Z(o, c) for s > 0 (positive scaling only: s < 0
flips z). Gradient, with g = −sigmoid(a(b − z_c)) = ∂L/∂z_c:

    ∇_o L_Z = (g/σ)·(e_c − 1/D − z_c·z/D),

orthogonal to 1 and to o (Euler's relation for the shift and scale invariances). At σ = 0 (all outputs equal)
z is undefined; every class is then given the least standardised value z_c := −√(D − 1), i.e. the loss's
supremum softplus(a(b + √(D − 1)))/a, with gradient 0. (The tempting z := 0 would undercut the infimum over
genuine score vectors: by Jensen, Σ_c p_c φ(0) ≤ Σ_c p_c φ(z_c) on the sphere for near-uniform p, so the
degenerate point would become a spurious conditional minimiser.)
|z_c| ≤ √(D − 1), so the loss is bounded: L_Z ≤ softplus(a(b + √(D − 1)))/a (``bounded`` True).

**log²Z penalty** (:func:`logz_penalty`, :func:`ce_logz_loss`). Z = Σ_k e^{z_k}; the auxiliary loss of PaLM,
used by Wortsman et al. against output-logit divergence, c·log²Z, added to cross-entropy:

    ℓ(z, y) = −log softmax(z)_y + c·(log Z)²,   ∇_z ℓ = p − e_y + 2c·log Z·p,   1ᵀ∇_z ℓ = 2c·log Z.

Its conditional risk is minimised exactly at z* = log η for every c > 0 (CE is minimised on the line
log η + t·1, where log Z = t, and the penalty vanishes at t = 0), so C*(η) = H(η): proper and calibrated,
inherited from cross-entropy. The catalogue entry's C* is left to the generic numerical search (the joint search
with a closed C* pins the top score at 0, which would fix log Z > 0 and overestimate the wrong-class infimum).

References: A. de Brébisson, P. Vincent, "The Z-loss: a shift and scale invariant classification loss belonging
to the Spherical Family", arXiv:1604.08859, 2016 (definition RECONSTRUCTED from secondary descriptions);
M. Wortsman et al., "Small-scale proxies for large-scale Transformer training instabilities", ICLR 2024,
arXiv:2309.14322 (z-loss, coefficient 1e−4); A. Chowdhery et al., "PaLM: Scaling Language Modeling with
Pathways", JMLR 24, 2023 (the auxiliary loss 10⁻⁴·log²Z).
"""
from __future__ import annotations

import math

import numpy as np

from .._validation import InputError, check_positive, check_real, real_namespace
from .analytic_loss import AnalyticLoss
from .compsum_values import _check_scores_labels

__all__ = [
    "DEFAULT_LOGZ_COEF",
    "CELogZLoss",
    "SphericalZLoss",
    "ce_logz_loss",
    "ce_logz_loss_and_grad",
    "logz_penalty",
    "spherical_z_loss",
    "spherical_z_loss_and_grad",
    "spherical_z_loss_from_stats",
    "standardize",
]

DEFAULT_LOGZ_COEF = 1e-4
"""c of the PaLM / Wortsman et al. auxiliary loss c·log²Z (RECONSTRUCTED: the value quoted for both)."""


def _check_ab(a, b):
    a = check_positive("a", a)
    b = check_real("b", b, allow_inf=False)
    return a, float(b)


def _standardize_np(o):
    D = o.shape[-1]
    mu = o.mean(-1, keepdims=True)
    c = o - mu
    M = np.abs(c).max(-1, keepdims=True)  # scaled first: no overflow of c² for |o| up to the float range
    Ms = np.where(M > 0, M, 1.0)
    r = np.sqrt(((c / Ms) ** 2).sum(-1, keepdims=True) / D)
    sig = M * r
    safe = np.where(M > 0, r, 1.0)
    return np.where(M > 0, (c / Ms) / safe, 0.0), sig


def _z_loss_input(o):
    """z for the loss: the standardised o, with every entry −√(D − 1) on rows where σ = 0 (module docstring)."""
    z, sig = _standardize_np(o)
    return np.where(sig > 0, z, -np.sqrt(o.shape[-1] - 1.0)), sig


def standardize(o):
    """z = (o − mean(o))/σ(o) along the last axis, σ the population standard deviation (z := 0 where σ = 0;
    the loss itself uses −√(D − 1) there, module docstring).

    Parameters
    ----------
    o : array (..., D)
        Outputs (no NaN).

    Returns
    -------
    ndarray (..., D)
        The standardised outputs (Σ z = 0, Σ z² = D where σ > 0).

    Raises
    ------
    InputError
        For non-real input or no class axis.

    References
    ----------
    A. de Brébisson, P. Vincent, arXiv:1604.08859, 2016 (the Z-normalisation of the Z-loss).
    """
    _, (o,) = real_namespace(o=o)
    o = np.asarray(o, dtype=np.float64)
    if o.ndim < 1 or o.shape[-1] < 2:
        raise InputError(f"o has shape {o.shape}; an array (..., D) with D >= 2 is required")
    return _standardize_np(o)[0]


def _softplus(x):
    return np.logaddexp(0.0, x)


def _sph_values(h, y, a, b):
    z, _ = _z_loss_input(h)
    zc = z[np.arange(h.shape[0]), y]
    return _softplus(a * (b - zc)) / a


def _sph_values_and_grad(h, y, a, b):
    z, sig = _z_loss_input(h)
    rows = np.arange(h.shape[0])
    zc = z[rows, y]
    D = h.shape[1]
    g = -np.exp(-np.logaddexp(0.0, -a * (b - zc)))  # −sigmoid(a(b − z_c)), no early underflow
    G = -(zc[:, None] * z) / D - 1.0 / D
    G[rows, y] += 1.0
    safe = np.where(sig[:, 0] > 0, sig[:, 0], 1.0)
    grad = np.where(sig > 0, (g / safe)[:, None] * G, 0.0)
    return _softplus(a * (b - zc)) / a, grad


def spherical_z_loss(scores, labels, a=1.0, b=1.0):
    """L_Z(o, c) = softplus(a(b − z_c))/a, z = (o − mean o)/σ(o) (module docstring).

    Parameters
    ----------
    scores : array (m, D)
        Outputs o (no NaN).
    labels : integer array (m,)
        Target classes c.
    a : float, default 1.0
        Sharpness a > 0 (a → ∞: the hinge max(0, b − z_c)).
    b : float, default 1.0
        Location b (finite).

    Returns
    -------
    ndarray (m,)
        The losses.

    Raises
    ------
    InputError
        For malformed scores or labels, a ≤ 0 or a non-finite b.

    References
    ----------
    A. de Brébisson, P. Vincent, "The Z-loss: a shift and scale invariant classification loss belonging to the
    Spherical Family", arXiv:1604.08859, 2016.
    """
    a, b = _check_ab(a, b)
    _, h, lab = _check_scores_labels(scores, labels)
    return _sph_values(np.asarray(h, dtype=np.float64), np.asarray(lab), a, b)


def spherical_z_loss_and_grad(scores, labels, a=1.0, b=1.0):
    """(L_Z, ∇_o L_Z) with ∇_o L_Z = (g/σ)(e_c − 1/D − z_c z/D), g = −sigmoid(a(b − z_c)); 0 where σ = 0.

    Parameters
    ----------
    scores : array (m, D)
        Outputs o (no NaN).
    labels : integer array (m,)
        Target classes.
    a, b : float
        As in :func:`spherical_z_loss`.

    Returns
    -------
    loss : ndarray (m,)
        The losses.
    grad : ndarray (m, D)
        The gradients (⊥ 1 and ⊥ o).

    Raises
    ------
    InputError
        For malformed scores or labels or bad a, b.

    References
    ----------
    A. de Brébisson, P. Vincent, arXiv:1604.08859, 2016.
    """
    a, b = _check_ab(a, b)
    _, h, lab = _check_scores_labels(scores, labels)
    return _sph_values_and_grad(np.asarray(h, dtype=np.float64), np.asarray(lab), a, b)


def spherical_z_loss_from_stats(sum_o, sum_o2, o_c, D, a=1.0, b=1.0):
    """L_Z from the three spherical statistics: μ = S/D, σ² = Q/D − μ², z_c = (o_c − μ)/σ.

    Parameters
    ----------
    sum_o : array
        S = Σ_k o_k.
    sum_o2 : array
        Q = Σ_k o_k².
    o_c : array
        The target output o_c.
    D : int
        The number of outputs (≥ 2).
    a, b : float
        As in :func:`spherical_z_loss`.

    Returns
    -------
    ndarray
        The losses (z_c := −√(D − 1) where σ = 0). Note the cancellation in Q/D − μ² when |μ| ≫ σ: the direct form is
        the accurate one there.

    Raises
    ------
    InputError
        For bad D, a or b.

    References
    ----------
    A. de Brébisson, P. Vincent, arXiv:1604.08859, 2016 (the spherical family: losses of (Σo, Σo², o_c)).
    """
    from .._validation import check_integer
    D = check_integer("D", D, minimum=2)
    a, b = _check_ab(a, b)
    S, Q, oc = (np.asarray(v, dtype=np.float64) for v in (sum_o, sum_o2, o_c))
    mu = S / D
    var = np.maximum(Q / D - mu * mu, 0.0)
    sig = np.sqrt(var)
    zc = np.where(sig > 0, (oc - mu) / np.where(sig > 0, sig, 1.0), -np.sqrt(D - 1.0))
    return _softplus(a * (b - zc)) / a


_CIRCLE_GRID = 2048
_V1 = np.array([1.0, -1.0, 0.0]) / np.sqrt(2.0)
_V2 = np.array([1.0, 1.0, -2.0]) / np.sqrt(6.0)


def _circle_z(theta):
    """The standardised 3-vectors: √3·(cos θ·v₁ + sin θ·v₂), v₁, v₂ an orthonormal basis of {Σz = 0}."""
    return np.sqrt(3.0) * (np.cos(theta)[..., None] * _V1 + np.sin(theta)[..., None] * _V2)


def _circle_best(P, a, b):
    """C*(p) for D = 3: min over θ of Σ_c p_c φ(z_c(θ)), φ(t) = softplus(a(b − t))/a — a grid of 2048 angles,
    then 60 golden-section steps on the bracketing cell (C is smooth and periodic in θ)."""
    P = np.asarray(P, dtype=np.float64)
    shape = P.shape[:-1]
    Pf = P.reshape(-1, 3)
    grid = np.linspace(0.0, 2.0 * np.pi, _CIRCLE_GRID, endpoint=False)
    phi = _softplus(a * (b - _circle_z(grid))) / a  # (G, 3)
    C = Pf @ phi.T
    i = np.argmin(C, -1)
    step = 2.0 * np.pi / _CIRCLE_GRID
    lo, hi = grid[i] - step, grid[i] + step

    def risk(t):
        return np.einsum("mc,mc->m", Pf, _softplus(a * (b - _circle_z(t))) / a)

    r = 0.5 * (np.sqrt(5.0) - 1.0)
    x1, x2 = hi - r * (hi - lo), lo + r * (hi - lo)
    f1, f2 = risk(x1), risk(x2)
    for _ in range(60):
        left = f1 < f2
        hi = np.where(left, x2, hi)
        lo = np.where(left, lo, x1)
        x2n = np.where(left, x1, lo + r * (hi - lo))
        x1n = np.where(left, hi - r * (hi - lo), x2)
        f1n = np.where(left, risk(x1n), f2)
        f2n = np.where(left, f1, risk(x2n))
        x1, x2, f1, f2 = x1n, x2n, f1n, f2n
    out = np.minimum(np.minimum(f1, f2), C.min(-1))
    return out.reshape(shape)


class SphericalZLoss(AnalyticLoss):
    """The spherical Z-loss as a Loss: values, closed-form gradient, C(h, p); C*(p) exactly for D = 3 (a
    one-dimensional minimisation over the circle of standardised vectors), numerically otherwise.

    The loss is shift and scale invariant, so C* is an infimum over standardised score vectors (Σz = 0,
    Σz² = D); for D = 3 these form a circle of radius √3 and C* is a smooth periodic function of one angle
    (grid of 2048 angles and golden-section refinement, accurate to rounding). The generic numerical search
    of CallableLoss is unreliable here: its start h = 0 has σ = 0 (zero gradient) and the loss is flat
    along the rays of every score vector.

    Parameters
    ----------
    a : float, default 1.0
        Sharpness > 0.
    b : float, default 1.0
        Location.

    References
    ----------
    A. de Brébisson, P. Vincent, arXiv:1604.08859, 2016.
    """

    def __init__(self, a=1.0, b=1.0):
        a, b = _check_ab(a, b)
        self.a, self.b = a, b
        super().__init__(lambda h, y: _sph_values(h, y, a, b), lambda h, y: _sph_values_and_grad(h, y, a, b),
                         f"spherical_z_loss(a={a:g},b={b:g})", False, True, {"a": a, "b": b},
                         best_fn=self._best,
                         risk_fn=lambda P, H: (P * _softplus(a * (b - _z_loss_input(H)[0]))).sum(-1) / a,
                         risk1_fn=self._risk1, best1_fn=self._best1)
        self._phi_grid = None

    def _best1(self, p):
        """C* for one row: :func:`_circle_best` for D = 3 with a cached grid and a pure-Python golden section."""
        if len(p) != 3:
            return float(self._best(np.asarray(p, dtype=np.float64)))
        if self._phi_grid is None:
            grid = np.linspace(0.0, 2.0 * np.pi, _CIRCLE_GRID, endpoint=False)
            self._phi_grid = (grid, _softplus(self.a * (self.b - _circle_z(grid))) / self.a)
        grid, phi = self._phi_grid
        C = phi @ np.asarray(p, dtype=np.float64)
        i = int(np.argmin(C))
        a, b, r3 = self.a, self.b, math.sqrt(3.0)
        v1, v2 = _V1.tolist(), _V2.tolist()

        def risk(t):
            ct, st = math.cos(t), math.sin(t)
            out = 0.0
            for pk, u, w in zip(p, v1, v2):
                x = a * (b - r3 * (ct * u + st * w))
                out += pk * (max(x, 0.0) + math.log1p(math.exp(-abs(x))))
            return out / a

        step = 2.0 * math.pi / _CIRCLE_GRID
        lo, hi = float(grid[i]) - step, float(grid[i]) + step
        g = 0.5 * (math.sqrt(5.0) - 1.0)
        x1, x2 = hi - g * (hi - lo), lo + g * (hi - lo)
        f1, f2 = risk(x1), risk(x2)
        for _ in range(60):
            if f1 < f2:
                hi, x2, f2 = x2, x1, f1
                x1 = hi - g * (hi - lo)
                f1 = risk(x1)
            else:
                lo, x1, f1 = x1, x2, f2
                x2 = lo + g * (hi - lo)
                f2 = risk(x2)
        return min(f1, f2, float(C[i]))

    def _risk1(self, p, h):
        D = len(h)
        mu = sum(h) / D
        M = max(abs(v - mu) for v in h)
        r = math.sqrt(sum(((v - mu) / M) ** 2 for v in h) / D) if M > 0 else 0.0
        a, b = self.a, self.b
        out = 0.0
        for pk, v in zip(p, h):
            x = a * (b - ((v - mu) / M / r if M > 0 else -math.sqrt(D - 1.0)))
            out += pk * (max(x, 0.0) + math.log1p(math.exp(-abs(x))))
        return out / a

    def _best(self, P):
        if P.shape[-1] == 3:
            return _circle_best(P, self.a, self.b)
        flat = P.reshape(-1, P.shape[-1])
        out = np.array([self._minimize(row, np.random.default_rng(0), 2)[0] for row in flat])
        return out.reshape(P.shape[:-1])


# ----------------------------------------------------------------------------------------- log²Z penalty


def _logz_np(h):
    m = h.max(-1, keepdims=True)
    return (m + np.log(np.exp(h - m).sum(-1, keepdims=True)))[..., 0]


def logz_penalty(scores, coef=DEFAULT_LOGZ_COEF):
    """c·(log Z)², Z = Σ_k e^{z_k}, per row (log Z by log-sum-exp).

    Parameters
    ----------
    scores : array (..., n)
        Logits (no NaN).
    coef : float, default 1e-4
        c > 0.

    Returns
    -------
    ndarray (...)
        The penalties.

    Raises
    ------
    InputError
        For non-real or NaN scores, no class axis, or c ≤ 0.

    References
    ----------
    A. Chowdhery et al., "PaLM: Scaling Language Modeling with Pathways", JMLR 24, 2023 (auxiliary z-loss);
    M. Wortsman et al., ICLR 2024, arXiv:2309.14322.
    """
    c = check_positive("coef", coef)
    _, (h,) = real_namespace(scores=scores)
    h = np.asarray(h, dtype=np.float64)
    if h.ndim < 1 or h.shape[-1] < 1 or np.isnan(h).any():
        raise InputError(f"scores has shape {h.shape} or NaN entries; an array (..., n) without NaN is required")
    return c * _logz_np(h) ** 2


def _ce_logz_values(h, y, c):
    lz = _logz_np(h)
    return lz - h[np.arange(h.shape[0]), y] + c * lz * lz


def _ce_logz_values_and_grad(h, y, c):
    lz = _logz_np(h)
    p = np.exp(h - lz[:, None])
    rows = np.arange(h.shape[0])
    g = (1.0 + 2.0 * c * lz)[:, None] * p
    g[rows, y] -= 1.0
    return lz - h[rows, y] + c * lz * lz, g


def ce_logz_loss(scores, labels, coef=DEFAULT_LOGZ_COEF):
    """ℓ(z, y) = −log softmax(z)_y + c·(log Z)² (cross-entropy plus the PaLM auxiliary z-loss).

    Parameters
    ----------
    scores : array (m, n)
        Logits (no NaN).
    labels : integer array (m,)
        Classes.
    coef : float, default 1e-4
        c > 0.

    Returns
    -------
    ndarray (m,)
        The losses.

    Raises
    ------
    InputError
        For malformed scores or labels, or c ≤ 0.

    References
    ----------
    M. Wortsman et al., "Small-scale proxies for large-scale Transformer training instabilities", ICLR 2024,
    arXiv:2309.14322; A. Chowdhery et al., "PaLM", JMLR 24, 2023.
    """
    c = check_positive("coef", coef)
    _, h, lab = _check_scores_labels(scores, labels)
    return _ce_logz_values(np.asarray(h, dtype=np.float64), np.asarray(lab), c)


def ce_logz_loss_and_grad(scores, labels, coef=DEFAULT_LOGZ_COEF):
    """(ℓ, ∇_z ℓ) with ∇_z ℓ = p − e_y + 2c·log Z·p.

    Parameters
    ----------
    scores : array (m, n)
        Logits (no NaN).
    labels : integer array (m,)
        Classes.
    coef : float, default 1e-4
        c > 0.

    Returns
    -------
    loss : ndarray (m,)
        The losses.
    grad : ndarray (m, n)
        The gradients.

    Raises
    ------
    InputError
        For malformed input or c ≤ 0.

    References
    ----------
    M. Wortsman et al., ICLR 2024, arXiv:2309.14322.
    """
    c = check_positive("coef", coef)
    _, h, lab = _check_scores_labels(scores, labels)
    return _ce_logz_values_and_grad(np.asarray(h, dtype=np.float64), np.asarray(lab), c)


class CELogZLoss(AnalyticLoss):
    """Cross-entropy + c·log²Z as a Loss: values, closed-form gradient, C(h, p); C* by the numerical search
    (equal to H(p), module docstring).

    Parameters
    ----------
    coef : float, default 1e-4
        c > 0.

    References
    ----------
    M. Wortsman et al., ICLR 2024, arXiv:2309.14322; A. Chowdhery et al., "PaLM", JMLR 24, 2023.
    """

    def __init__(self, coef=DEFAULT_LOGZ_COEF):
        c = check_positive("coef", coef)
        self.coef = c
        super().__init__(lambda h, y: _ce_logz_values(h, y, c), lambda h, y: _ce_logz_values_and_grad(h, y, c),
                         f"ce_logz(c={c:g})", False, False, {"coef": c}, risk_fn=self._risk, risk1_fn=self._risk1)

    def _risk1(self, p, h):
        m = max(h)
        lz = m + math.log(sum(math.exp(v - m) for v in h))
        return sum(pk * (lz - v) for pk, v in zip(p, h) if pk > 0) + sum(p) * self.coef * lz * lz

    def _risk(self, P, H):
        lz = _logz_np(H)
        with np.errstate(invalid="ignore", over="ignore"):
            ce = np.where(P > 0, P * (lz[..., None] - H), 0.0).sum(-1)
        return ce + P.sum(-1) * self.coef * lz * lz
