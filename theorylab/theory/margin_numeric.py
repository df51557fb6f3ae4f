"""The numerical calibration route for any binary margin loss: H, H⁻ and ψ̃ by global one-dimensional minimisation.

Bartlett, Jordan, McAuliffe, "Convexity, Classification, and Risk Bounds", JASA 2006, §2 and Definition 2:

    C_η(α) = η φ(α) + (1 − η) φ(−α),   H(η) = inf_α C_η(α),   H⁻(η) = inf_{α ≤ 0} C_η(α)  (η ≥ ½),
    ψ̃(θ) = H⁻((1+θ)/2) − H((1+θ)/2),   ψ = ψ̃** (the lower convex envelope on [0, 1]).

The infima are global, whatever the shape of φ (non-convex, piecewise, saturating): C_η is evaluated for every η
at once on a grid α = sinh(u), u uniform, that reaches |α| = 10⁸ (steps ≈ 0.01 near 0, relative steps ≈ 1 % far
out; plus ±10^{−12..−2} for minimisers close to 0), and the three lowest local minima of each row are refined by Chandrupatla's bracketing minimiser
(``scipy.optimize.elementwise.find_minimum``, vectorised over η). An infimum approached as |α| → ∞ (sigmoid,
ρ-margin) is the value at |α| = 10⁸ and its minimiser is reported as ±inf. The terms η φ(α) with η = 0 are
dropped, not multiplied (0·∞), so the end points η = 1 (θ = 1) and η = ½ (θ = 0) are exact, not NaN.

Accuracy: the whole computation is repeated on a second, coarser grid (2401 against 4001 points); the difference
of the two, plus a few ulps of the values, is the reported accuracy of H, H⁻ and ψ̃ at each θ. A minimum that
only the finer grid finds shows up there.
"""
from __future__ import annotations

import dataclasses

import numpy as np
from scipy.optimize import elementwise

__all__ = ["ALPHA_MAX", "conditional_infima", "lower_convex_hull", "NumericPsi", "numeric_psi", "psi_tilde_at",
           "unbounded_below", "one_sided_slopes", "convex_on_grid"]

ALPHA_MAX = 1e8
"""The largest |α| the numerical route evaluates: infima at infinity are the values there."""

_FINE, _COARSE = 4001, 2401
THETA_GRID = np.unique(np.concatenate([[0.0], np.geomspace(1e-4, 1e-1, 31), np.linspace(0.0, 1.0, 201)]))
"""The θ grid of :func:`numeric_psi`: geometric on [10⁻⁴, 0.1] (for the growth near 0), uniform on [0, 1]."""


def _grid(size: int) -> np.ndarray:
    """Symmetric α grid: sinh-spaced to ±10⁸ (``size`` points) plus ±10^{−12..−2} (minimisers near 0), with 0."""
    half = np.sinh(np.linspace(0.0, np.arcsinh(ALPHA_MAX), size // 2 + 1)[1:])
    pos = np.unique(np.concatenate([half, np.geomspace(1e-12, 1e-2, 41)]))
    return np.concatenate([-pos[::-1], [0.0], pos])


def _risk(eta, vp, vm):
    """η φ(α) + (1 − η) φ(−α) with zero weights dropping their term (no 0·∞); NaN → +inf."""
    with np.errstate(all="ignore"):
        c = np.where(eta > 0, eta * vp, 0.0) + np.where(eta < 1, (1 - eta) * vm, 0.0)
    return np.where(np.isnan(c), np.inf, c)


def conditional_infima(phi, eta, *, wrong_sign: bool = False, size: int = _FINE):
    """inf_α C_η(α) (or over α ≤ 0) for each η, with the minimiser: grid search and bracketed refinement.

    C_η(α) = η φ(α) + (1 − η) φ(−α) (Bartlett et al. 2006, §2), minimised over α ∈ [−10⁸, 10⁸] (or
    [−10⁸, 0]) on a sinh-spaced grid of ``size`` points; the three lowest grid-local minima of each row are
    refined by ``scipy.optimize.elementwise.find_minimum``.

    Parameters
    ----------
    phi : callable
        Vectorised φ on NumPy float64 arrays (unchecked inputs).
    eta : ndarray (k,)
        Probabilities η ∈ [0, 1].
    wrong_sign : bool, default False
        Minimise over α ≤ 0 only (H⁻ for η ≥ ½).
    size : int, default 4001
        Grid size (odd).

    Returns
    -------
    value : ndarray (k,)
        The infima.
    argmin : ndarray (k,)
        The minimisers (±inf when the infimum is approached at the end of the grid, |α| = 10⁸).

    References
    ----------
    P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer. Statist.
    Assoc. 101(473), 2006, §2 (H and H⁻).
    """
    g = _grid(size)
    if wrong_sign:
        g = g[g <= 0]
    eta = np.asarray(eta, dtype=np.float64).reshape(-1)
    with np.errstate(all="ignore"):
        vp, vm = np.asarray(phi(g), dtype=np.float64), np.asarray(phi(-g), dtype=np.float64)
    C = _risk(eta[:, None], vp[None, :], vm[None, :])
    rows = np.arange(eta.size)
    j = np.argmin(C, axis=1)
    value, arg = C[rows, j].copy(), g[j].copy()
    inner = C[:, 1:-1]
    local = (inner <= C[:, :-2]) & (inner <= C[:, 2:]) & ((inner < C[:, :-2]) | (inner < C[:, 2:]))
    ranked = np.where(local, inner, np.inf)
    k = min(3, ranked.shape[1])
    top = np.argpartition(ranked, k - 1, axis=1)[:, :k] if ranked.shape[1] > k else np.tile(np.arange(ranked.shape[1]), (eta.size, 1))
    r_idx = np.repeat(rows, top.shape[1])
    c_idx = top.reshape(-1) + 1
    ok = np.isfinite(ranked[r_idx, c_idx - 1])
    r_idx, c_idx = r_idx[ok], c_idx[ok]
    if r_idx.size:
        e = eta[r_idx]

        def f(x, e):
            with np.errstate(all="ignore"):
                return _risk(e, np.asarray(phi(x), dtype=np.float64), np.asarray(phi(-x), dtype=np.float64))

        res = elementwise.find_minimum(f, (g[c_idx - 1], g[c_idx], g[c_idx + 1]), args=(e,),
                                       tolerances={"xatol": 1e-14, "xrtol": 4e-16, "fatol": 0.0, "frtol": 0.0},
                                       maxiter=200)
        fx = np.where(np.isfinite(res.f_x), res.f_x, np.inf)
        for r, v, x in zip(r_idx, fx, res.x):
            if v < value[r]:
                value[r], arg[r] = v, x
    at_end = (arg == g[0]) | (arg == g[-1])
    far = at_end & (np.abs(arg) >= ALPHA_MAX * 0.999)
    arg[far] = np.copysign(np.inf, arg[far])
    return value, arg


def lower_convex_hull(x, y) -> np.ndarray:
    """The lower convex envelope of the points (x_i, y_i), evaluated at the x_i (Andrew's monotone chain).

    Parameters
    ----------
    x : ndarray (k,)
        Increasing abscissae.
    y : ndarray (k,)
        Values.

    Returns
    -------
    ndarray (k,)
        The envelope at x (≤ y; equal at the hull's vertices).

    References
    ----------
    A. M. Andrew, "Another efficient algorithm for convex hulls in two dimensions", Inform. Process. Lett. 9(5),
    1979 (the monotone chain); P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, JASA 2006, Definition 2 (ψ = ψ̃**).
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    hull: list[int] = []
    for k in range(x.size):
        while len(hull) >= 2 and (y[hull[-1]] - y[hull[-2]]) * (x[k] - x[hull[-2]]) >= \
                (y[k] - y[hull[-2]]) * (x[hull[-1]] - x[hull[-2]]):
            hull.pop()
        hull.append(k)
    return np.interp(x, x[hull], y[hull])


def unbounded_below(phi) -> str | None:
    """Whether φ looks unbounded below: the direction and the evidence, or None.

    φ is treated as unbounded below in a direction ±α when φ(±10⁸) is more than 1 below φ(±10⁴), below
    min_{|α| ≤ 10⁴} φ, and still decreasing at 10⁸ (φ(±10⁸) < φ(±10⁷)). A loss such as the unhinged 1 − α
    (van Rooyen et al., NeurIPS 2015) is caught; a loss with a finite limit is not (it changes by less than 1).

    Parameters
    ----------
    phi : callable
        Vectorised φ on NumPy float64 arrays.

    Returns
    -------
    str or None
        E.g. ``"φ(α) → −∞ as α → +∞ (φ(1e8) = -1e+08)"``, or None.

    References
    ----------
    B. van Rooyen, A. K. Menon, R. C. Williamson, "Learning with Symmetric Label Noise: The Importance of Being
    Unhinged", NeurIPS 2015 (the unhinged loss, unbounded below).
    """
    core = np.linspace(-1e4, 1e4, 20001)
    with np.errstate(all="ignore"):
        floor = float(np.min(np.asarray(phi(core), dtype=np.float64)))
        for sign, label in ((1.0, "+∞"), (-1.0, "−∞")):
            v4, v7, v8 = (float(np.asarray(phi(np.array([sign * a])))[0]) for a in (1e4, 1e7, 1e8))
            if v8 < v4 - 1.0 and v8 < floor - 1.0 and v8 < v7:
                return f"φ(α) → −∞ as α → {label} (φ({sign * 1e8:.0e}) = {v8:.6g})"
    return None


def one_sided_slopes(phi, h: float = 1e-5) -> tuple[float, float]:
    """φ'(0⁻) and φ'(0⁺) by one-sided difference quotients with Richardson extrapolation.

    D(h) = (φ(±h) − φ(0))/(±h), returned as 2D(h/2) − D(h) (error O(h²) for φ smooth on each side).

    Parameters
    ----------
    phi : callable
        Vectorised φ on NumPy float64 arrays.
    h : float, default 1e-5
        The step.

    Returns
    -------
    (float, float)
        (left, right) derivative estimates at 0.

    References
    ----------
    L. F. Richardson, "The deferred approach to the limit", Phil. Trans. R. Soc. A 226, 1927.
    """
    x = np.array([0.0, h, h / 2, -h, -h / 2])
    v = np.asarray(phi(x), dtype=np.float64)
    right = 2 * (v[2] - v[0]) / (h / 2) - (v[1] - v[0]) / h
    left = 2 * (v[0] - v[4]) / (h / 2) - (v[0] - v[3]) / h
    return float(left), float(right)


def convex_on_grid(phi, halfwidth: float = 50.0, size: int = 20001) -> bool:
    """Whether φ is convex on a grid of [−w, w]: second differences ≥ −10⁻⁹·(1 + |φ|) (a numerical check).

    Parameters
    ----------
    phi : callable
        Vectorised φ on NumPy float64 arrays.
    halfwidth : float, default 50.0
        w.
    size : int, default 20001
        Grid points.

    Returns
    -------
    bool
        True when no second difference is below the tolerance.

    References
    ----------
    P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, JASA 2006, Theorem 2 (the criterion needs convex φ).
    """
    a = np.linspace(-halfwidth, halfwidth, size)
    with np.errstate(all="ignore"):
        v = np.asarray(phi(a), dtype=np.float64)
    finite = np.isfinite(v[:-2]) & np.isfinite(v[1:-1]) & np.isfinite(v[2:])
    d2 = v[:-2] + v[2:] - 2 * v[1:-1]
    return bool(np.all(d2[finite] >= -1e-9 * (1 + np.abs(v[1:-1][finite]))))


@dataclasses.dataclass(frozen=True)
class NumericPsi:
    """ψ̃ and ψ of a margin loss on a θ grid, by :func:`conditional_infima`, with per-θ accuracy.

    Parameters
    ----------
    theta : ndarray
        The grid (:data:`THETA_GRID`).
    H, H_minus : ndarray
        H(η), H⁻(η) at η = (1+θ)/2.
    argmin, wrong_argmin : ndarray
        Their minimisers (±inf: approached at |α| → ∞).
    psi_tilde : ndarray
        ψ̃(θ) = H⁻ − H (≥ 0 up to the accuracy; clipped at 0 from below).
    psi : ndarray
        The lower convex envelope of ψ̃ (ψ = ψ̃**).
    accuracy : ndarray
        Estimated absolute error of ψ̃ at each θ (fine vs coarse grid, plus ulps).

    References
    ----------
    P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, JASA 2006, Definition 2.
    """

    theta: np.ndarray
    H: np.ndarray
    H_minus: np.ndarray
    argmin: np.ndarray
    wrong_argmin: np.ndarray
    psi_tilde: np.ndarray
    psi: np.ndarray
    accuracy: np.ndarray

    @property
    def psi_tilde_is_convex(self) -> bool:
        """Whether ψ̃ equals its convex envelope on the grid within the accuracy.

        Returns
        -------
        bool
            max |ψ̃ − ψ| ≤ 2·accuracy + 1e-12 at every θ.

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, JASA 2006, Definition 2.
        """
        return bool(np.all(self.psi_tilde - self.psi <= 2 * self.accuracy + 1e-12))


def _psi_parts(phi, theta, size):
    eta = (1.0 + theta) / 2.0
    H, arg = conditional_infima(phi, eta, size=size)
    Hm, warg = conditional_infima(phi, eta, wrong_sign=True, size=size)
    Hm = np.maximum(Hm, H)  # the wrong-sign infimum is over a subset: H⁻ ≥ H exactly
    return H, Hm, arg, warg


def psi_tilde_at(phi, theta, size: int = _FINE):
    """ψ̃(θ) = H⁻((1+θ)/2) − H((1+θ)/2) at the given θ, with the two minimisers.

    Parameters
    ----------
    phi : callable
        Vectorised φ on NumPy float64 arrays.
    theta : array-like
        θ ∈ [0, 1] (not checked).
    size : int, default 4001
        Grid size of :func:`conditional_infima`.

    Returns
    -------
    psi_tilde : ndarray
        ψ̃(θ).
    argmin : ndarray
        argmin_α C_η(α).
    wrong_argmin : ndarray
        argmin_{α ≤ 0} C_η(α).

    References
    ----------
    P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, JASA 2006, Definition 2.
    """
    theta = np.atleast_1d(np.asarray(theta, dtype=np.float64))
    H, Hm, arg, warg = _psi_parts(phi, theta, size)
    return Hm - H, arg, warg


def numeric_psi(phi, theta=None) -> NumericPsi:
    """ψ̃ and its convex envelope ψ on a θ grid, with an accuracy estimate from a second, coarser grid.

    Parameters
    ----------
    phi : callable
        Vectorised φ on NumPy float64 arrays.
    theta : ndarray, optional
        Increasing θ ∈ [0, 1] starting at 0 (default :data:`THETA_GRID`).

    Returns
    -------
    NumericPsi
        The grid, H, H⁻, minimisers, ψ̃, ψ and the accuracy.

    References
    ----------
    P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer. Statist.
    Assoc. 101(473), 2006, §2 and Definition 2.
    """
    theta = THETA_GRID if theta is None else np.asarray(theta, dtype=np.float64)
    H, Hm, arg, warg = _psi_parts(phi, theta, _FINE)
    Hc, Hmc, _, _ = _psi_parts(phi, theta, _COARSE)
    psi_t = Hm - H
    with np.errstate(invalid="ignore"):
        acc = np.abs((Hmc - Hc) - psi_t)
    acc = np.where(np.isfinite(acc), acc, np.inf) + 8 * np.finfo(float).eps * (np.abs(H) + np.abs(Hm))
    psi = lower_convex_hull(theta, np.where(np.isfinite(psi_t), psi_t, np.inf))
    return NumericPsi(theta, H, Hm, arg, warg, psi_t, psi, acc)
