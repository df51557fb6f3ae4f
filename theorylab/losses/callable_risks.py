"""Numerical infima of a conditional risk over scores: C*(p) of a user loss and the inner infimum of the tight search.

For a conditional risk C(h, p) = Σ_y p_y ℓ(h, y) given only as a vectorised function of score rows (the
protocol's ``conditional_risk_rows``), :func:`minimize_conditional_risk` computes

    inf_h C(h, p)                        (the best conditional risk C*(p)), or
    inf { C(h, p) : h_k = max_j h_j }    (the best risk among scores predicting class k),

by three stages, every evaluated point being an upper bound and the least one kept:

1. probes along rays h = b + s·v, s ∈ {1, 10^{1/2}, …, 10^8}, from the bases b ∈ {0, log p (clipped at
   10^{−12}), log p pooled with the more likely classes (cone)} in the directions v = ±1_S (S a class subset;
   in the cone: −1 off S or +1 on S for S ∋ k, so the ray stays in the cone) and v = log(p + 10^{−3}) − max: an
   infimum at infinity (cross-entropy at a p with zeros: log p on the support, −∞ off it) is reached to
   rounding there, where a gradient method would stall at |h| ≈ log(1/gtol);
2. L-BFGS-B (bounds e ≥ 0 in the cone parametrisation h_k = c, h_j = c − e_j) from the best (by value, distinct)
   of the best probe, the given warm starts, h = 0, log p and random normal starts, with the gradient by
   vectorised central differences
   (steps ε·max(1, |x_i|), ε = eps^{1/3} ≈ 6·10^{−6}: error O(ε²·|C'''| + eps·|C|/ε));
3. optionally a bounded Nelder–Mead polish of the best point (for kinks, where L-BFGS-B stalls).

A risk unbounded below is reported as −inf: some evaluated value is −inf, or along a probe ray the decrease over
the last two decades (10^6 → 10^7 → 10^8) does not decay (the second at least half the first, the first a real
decrease) while the value is already below the moderate-scale ones, or the local search ran below
−10^{12}·(1 + |C(start)|).

References: P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, JASA 101(473), 2006 (the conditional risk and its
infimum, §2); A. Tewari, P. L. Bartlett, "On the Consistency of Multiclass Classification Methods", JMLR 8, 2007
(the infimum over scores predicting a given class); J. Nocedal, S. J. Wright, "Numerical Optimization", 2nd ed.,
Springer 2006 (L-BFGS-B, §9.1 and §17; central differences, eq. (8.7)).
"""
from __future__ import annotations

import itertools

import numpy as np
from scipy.optimize import minimize

from .._parallel import single_blas_thread

__all__ = ["minimize_conditional_risk"]

_EPS_FD = float(np.finfo(np.float64).eps) ** (1.0 / 3.0)
_SCALES = 10.0 ** np.arange(0.0, 8.25, 0.5)
_BIG = 1e150  # stands for +inf / NaN inside L-BFGS-B (which needs finite values)


class _Space:
    """The parametrisation x ↦ h of the searched score set (free scores, or the cone predicting class k)."""

    def __init__(self, n, predicted, constrained, shift_invariant):
        self.n, self.k, self.constrained = n, predicted, bool(constrained)
        self.fixed_shift = bool(constrained or shift_invariant)  # no free common shift c
        if predicted is None:
            self.dim = n - 1 if self.fixed_shift else n
            self.bounds = None
        else:
            self.others = np.array([j for j in range(n) if j != predicted])
            self.dim = n - 1 + (0 if self.fixed_shift else 1)
            self.bounds = [(None, None)] * (self.dim - (n - 1)) + [(0.0, None)] * (n - 1)

    def to_h(self, X):
        """Scores (..., n) of coordinates X (..., dim)."""
        n = self.n
        if self.k is None:
            if self.constrained:
                return np.concatenate([X, -X.sum(-1, keepdims=True)], axis=-1)
            if self.fixed_shift:
                return np.concatenate([np.zeros(X.shape[:-1] + (1,)), X], axis=-1)
            return np.array(X, dtype=np.float64)
        e = X[..., -(n - 1):]
        if not self.fixed_shift:
            c = X[..., :1]
        elif self.constrained:
            c = e.sum(-1, keepdims=True) / n
        else:
            c = np.zeros(X.shape[:-1] + (1,))
        H = np.empty(X.shape[:-1] + (n,))
        H[..., self.k] = c[..., 0]
        H[..., self.others] = c - e
        return H

    def from_h(self, h):
        """Coordinates (..., dim) of scores h (..., n), projected into the space (the predicted class raised to max)."""
        h = np.asarray(h, dtype=np.float64)
        if self.k is None:
            if self.constrained:
                return (h - h.mean(-1, keepdims=True))[..., :-1]
            return h[..., 1:] - h[..., :1] if self.fixed_shift else h.copy()
        c = h.max(-1, keepdims=True)
        e = c - h[..., self.others]
        return e if self.fixed_shift else np.concatenate([c, e], axis=-1)


def _rays(space, p):
    """Probe bases (B, n) and directions (D, n) of stage 1."""
    n, k = space.n, space.k
    logp = np.log(np.clip(p, 1e-12, None))
    logp -= logp.max()
    toward = np.log(p + 1e-3)
    toward -= toward.max()
    bases = [np.zeros(n), logp]
    dirs = []
    subsets = [np.array(S) for r in range(1, n + 1) for S in itertools.combinations(range(n), r)]
    if k is None:
        for S in subsets:
            if len(S) < n or not space.fixed_shift:
                v = np.zeros(n)
                v[S] = 1.0
                dirs += [v, -v]
        dirs.append(toward)
    else:
        cone = logp.copy()
        cone[k] = 0.0
        pooled = logp.copy()
        S = np.flatnonzero(p >= p[k])
        pooled[S] = np.log(max(p[S].mean(), 1e-12)) - np.log(max(p.max(), 1e-12))
        bases = [np.zeros(n), cone, pooled]
        for S in subsets:
            if k not in S:
                continue
            if len(S) < n:
                v = -np.ones(n)
                v[S] = 0.0
                dirs.append(v)
            if not space.fixed_shift or len(S) < n:
                v = np.zeros(n)
                v[S] = 1.0
                dirs.append(v)
        if not space.fixed_shift:
            dirs.append(-np.ones(n))
        d = toward.copy()
        d[k] = 0.0
        dirs.append(d)
    return np.array(bases), np.array(dirs)


def _unbounded_on_rays(V):
    """−inf test on probe values V (..., scales): a non-decaying decrease over the last two decades."""
    if np.any(V == -np.inf):
        return True
    with np.errstate(invalid="ignore"):
        d1 = V[..., -5] - V[..., -3]
        d2 = V[..., -3] - V[..., -1]
        moderate = np.min(V[..., :3], axis=-1)
        hit = (d1 > 1e-8 * (1.0 + np.abs(V[..., -1]))) & (d2 >= 0.5 * d1) & (V[..., -1] < moderate)
    return bool(np.any(hit))


def minimize_conditional_risk(risk_rows, p, *, predicted=None, constrained=False, shift_invariant=False,
                              starts=(), n_random=2, rng=None, polish=True, max_local=None):
    """inf_h C(h, p), or its infimum over scores predicting class ``predicted``: value and minimising scores.

    C(h, p) = Σ_y p_y ℓ(h, y) is given by ``risk_rows(p, H)`` on score rows H (K, n); the infimum runs over
    h ∈ ℝⁿ (Σh = 0 when ``constrained``; h_0 = 0 when ``shift_invariant``), or over the cone h_k = max_j h_j,
    parametrised h_k = c, h_j = c − e_j with e ≥ 0 (c = Σe/n when constrained; c = 0 when shift invariant).
    Probes, L-BFGS-B with central-difference gradients and an optional Nelder–Mead polish (module docstring).
    The value is the least C over every evaluated point: an upper estimate of the infimum (−inf when C is
    detected unbounded below).

    Parameters
    ----------
    risk_rows : callable
        ``risk_rows(p, H)`` → (K,) conditional risks of the rows of H (K, n) at p (n,), unchecked NumPy.
    p : ndarray (n,)
        A probability vector.
    predicted : int or None, default None
        None: the infimum over all scores (C*(p)); k: over the scores predicting class k (ties allowed).
    constrained : bool, default False
        Scores on Σ_y h_y = 0.
    shift_invariant : bool, default False
        The risk is invariant under h ↦ h + c·1 (one coordinate fewer).
    starts : sequence of ndarray (n,), default ()
        Extra starting scores (warm starts), projected into the searched set.
    n_random : int, default 2
        Random normal(0, 2²) starting scores.
    rng : numpy.random.Generator, optional
        For the random starts (``default_rng(0)`` when None).
    polish : bool, default True
        Run the Nelder–Mead polish from the best point.
    max_local : int or None, default None
        At most this many L-BFGS-B runs, from the best distinct starts by value (None: every start).

    Returns
    -------
    value : float
        The least risk found (−inf when unbounded below).
    h : ndarray (n,)
        Scores attaining it (in the searched set; large finite entries stand for an infimum at infinity).

    References
    ----------
    P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer. Statist.
    Assoc. 101(473), 2006 (H(η) = inf_α C_η(α), §2).
    A. Tewari, P. L. Bartlett, "On the Consistency of Multiclass Classification Methods", J. Mach. Learn. Res. 8,
    2007 (the infimum over scores predicting a class outside argmax p, the definition of classification
    calibration).
    J. Nocedal, S. J. Wright, "Numerical Optimization", 2nd ed., Springer, 2006 (L-BFGS-B, §9.1 and §17.4;
    central differences, eq. (8.7); Nelder–Mead, §9.5).
    """
    # tiny L-BFGS-B problems: OpenBLAS threads would spin-wait (6× slower, measured); the risk is evaluated where
    # it overflows or is undefined (NaN counts as +inf), so floating-point warnings are off for the whole search
    with single_blas_thread(), np.errstate(all="ignore"):
        return _minimize(risk_rows, np.asarray(p, dtype=np.float64), predicted, constrained, shift_invariant,
                         starts, n_random, rng, polish, max_local)


def _minimize(risk_rows, p, predicted, constrained, shift_invariant, starts, n_random, rng, polish, max_local):
    """:func:`minimize_conditional_risk` inside the one-BLAS-thread block."""
    n = p.shape[0]
    space = _Space(n, predicted, constrained, shift_invariant)
    rng = np.random.default_rng(0) if rng is None else rng
    best = [np.inf, None]

    def F(X):  # inside the errstate block of minimize_conditional_risk
        V = np.asarray(risk_rows(p, space.to_h(X)), dtype=np.float64).reshape(X.shape[:-1])
        return np.where(np.isnan(V), np.inf, V)

    def note(v, x):
        if v < best[0]:
            best[0], best[1] = float(v), np.array(x, dtype=np.float64)

    # stage 1: probes along rays (one vectorised call)
    bases, dirs = _rays(space, p)
    H = bases[:, None, None, :] + _SCALES[None, None, :, None] * dirs[None, :, None, :]
    Xr = space.from_h(H)
    V = F(Xr)
    Xb = space.from_h(bases)
    Vb = F(Xb)
    if _unbounded_on_rays(V) or np.any(Vb == -np.inf):
        return -np.inf, space.to_h(Xr.reshape(-1, space.dim)[int(np.argmin(V.ravel()))])
    i = int(np.argmin(V.ravel()))
    note(V.ravel()[i], Xr.reshape(-1, space.dim)[i])
    j = int(np.argmin(Vb))
    note(Vb[j], Xb[j])

    # stage 2: L-BFGS-B from the best starts by value: the best probe, the warm starts, 0, log p, random ones
    x_starts = [best[1]] + [space.from_h(h) for h in starts if h is not None and np.all(np.isfinite(h))]
    x_starts += [Xb[0], Xb[1]] + [space.from_h(rng.normal(0.0, 2.0, n)) for _ in range(n_random)]
    X0 = np.array(x_starts)
    V0 = F(X0)
    order = [i for i in np.argsort(V0, kind="stable") if np.isfinite(V0[i])]
    keep = []
    for i in order:  # distinct starts only
        if all(np.max(np.abs(X0[i] - X0[j])) > 1e-9 * (1.0 + np.max(np.abs(X0[j]))) for j in keep):
            keep.append(i)
    x_starts = [X0[i] for i in keep[:max_local]]
    d = space.dim
    eye = np.eye(d)
    es = np.empty((d, d))

    def fg(x):
        step = _EPS_FD * np.maximum(1.0, np.abs(x))
        X = np.empty((2 * d + 1, d))  # rows x, x + step_i e_i, x − step_i e_i: one vectorised call
        X[0] = x
        np.multiply(eye, step, out=es)
        np.add(x, es, out=X[1:d + 1])
        np.subtract(x, es, out=X[d + 1:])
        Vx = F(X)
        f0 = Vx[0]
        if not np.isfinite(f0):
            if f0 == -np.inf:
                raise _Unbounded(x)
            return _BIG, np.zeros(d)
        note(f0, x)
        up, dn = Vx[1:d + 1], Vx[d + 1:]
        g = (up - dn) / (2.0 * step)
        if np.isfinite(g).all():
            return float(f0), g
        one_up, one_dn = (up - f0) / step, (f0 - dn) / step
        one_sided = np.where(np.isfinite(one_up), one_up, np.where(np.isfinite(one_dn), one_dn, 0.0))
        g = np.where(np.isfinite(g), g, one_sided)
        return float(f0), g

    try:
        for x0 in x_starts:
            f_start = float(F(np.asarray(x0)[None])[0])
            r_fun, r_x = _lbfgsb(fg, x0, space.bounds, maxiter=300, ftol=1e-14, gtol=1e-11, maxls=40)
            if r_fun < -1e12 * (1.0 + abs(f_start)):
                return -np.inf, space.to_h(r_x)
        if polish and best[1] is not None:
            def f1(x):
                v = float(F(np.asarray(x)[None])[0])
                if v == -np.inf:
                    raise _Unbounded(x)
                note(v, x)
                return v if np.isfinite(v) else _BIG
            minimize(f1, best[1], method="Nelder-Mead", bounds=space.bounds,
                     options={"xatol": 1e-11, "fatol": 1e-15, "maxfev": 300 * d, "adaptive": d > 4})
    except _Unbounded as stop:
        return -np.inf, space.to_h(stop.x)
    return best[0], space.to_h(best[1])


def _lbfgsb(fg, x0, bounds, *, maxiter, ftol, gtol, maxls, maxcor=10, maxfun=15000):
    """L-BFGS-B on ``fg(x) -> (f, g)``: (final f, final x), the iterates of ``scipy.optimize.minimize(fg, x0,
    jac=True, method="L-BFGS-B", ...)`` without its per-call wrappers (array-API checks, copies, memoisation).

    The loop is SciPy's own driver of its compiled ``setulb`` (scipy/optimize/_lbfgsb_py.py, SciPy ≥ 1.15): the same
    reverse-communication calls, tolerances (factr = ftol/eps) and stopping rules (maxiter iterations, maxfun
    evaluations), so the iterates are identical; where that private routine is missing or has another signature
    (checked once on a quadratic, :func:`_lean_lbfgsb_ok`), ``scipy.optimize.minimize`` runs instead.
    """
    if not _lean_lbfgsb_ok():
        r = minimize(fg, x0, jac=True, method="L-BFGS-B", bounds=bounds,
                     options={"maxiter": maxiter, "ftol": ftol, "gtol": gtol, "maxls": maxls, "maxcor": maxcor,
                              "maxfun": maxfun})
        return float(r.fun), r.x
    x = np.array(x0, dtype=np.float64).ravel()
    d = x.size
    nbd = np.zeros(d, np.int32)
    low = np.zeros(d)
    up = np.zeros(d)
    if bounds is not None:
        for i, (lo_i, hi_i) in enumerate(bounds):
            lo_i = -np.inf if lo_i is None else float(lo_i)
            hi_i = np.inf if hi_i is None else float(hi_i)
            x[i] = min(max(x[i], lo_i), hi_i)
            if np.isfinite(lo_i):
                low[i] = lo_i
            if np.isfinite(hi_i):
                up[i] = hi_i
            nbd[i] = {(False, False): 0, (True, False): 1, (True, True): 2, (False, True): 3}[
                (bool(np.isfinite(lo_i)), bool(np.isfinite(hi_i)))]
    m = maxcor
    f = np.array(0.0)
    g = np.zeros(d)
    wa = np.zeros(2 * m * d + 5 * d + 11 * m * m + 8 * m)
    iwa = np.zeros(3 * d, np.int32)
    task = np.zeros(2, np.int32)
    ln_task = np.zeros(2, np.int32)
    lsave = np.zeros(4, np.int32)
    isave = np.zeros(44, np.int32)
    dsave = np.zeros(29)
    factr = ftol / np.finfo(float).eps
    nit = 0
    f, g = fg(x.copy())  # as SciPy's ScalarFunction: x0 evaluated up front, a request at the last x reuses it
    g = np.asarray(g, dtype=np.float64)
    x_last, nfev = x.copy(), 1
    while True:
        _setulb(m, x, low, up, nbd, f, g, factr, gtol, wa, iwa, task, lsave, isave, dsave, maxls, ln_task)
        if task[0] == 3:
            if not (x == x_last).all():
                x_last = x.copy()
                f, g = fg(x_last.copy())
                g = np.asarray(g, dtype=np.float64)
                nfev += 1
        elif task[0] == 1:
            nit += 1
            if nit >= maxiter:
                task[0], task[1] = 5, 504
            elif nfev > maxfun:
                task[0], task[1] = 5, 502
        else:
            break
    return float(f), x


_LEAN = {}


def _setulb(*args):
    from scipy.optimize import _lbfgsb as lib  # private: checked once by _lean_lbfgsb_ok
    return lib.setulb(*args)


def _lean_lbfgsb_ok():
    """Whether the lean driver reproduces ``scipy.optimize.minimize(method="L-BFGS-B")`` on a bounded test problem
    (once per process)."""
    if "ok" not in _LEAN:
        _LEAN["ok"] = False
        try:
            A = np.array([[3.0, 0.5, 0.0], [0.5, 2.0, 0.3], [0.0, 0.3, 1.0]])
            b = np.array([1.0, -2.0, 0.5])

            def q(x):
                return float(0.5 * x @ A @ x - b @ x + 0.1 * np.sum(x ** 4)), A @ x - b + 0.4 * x ** 3
            bounds = [(None, None), (0.0, None), (-0.2, 0.4)]
            x0 = np.array([2.0, 1.0, 0.3])
            ref = minimize(q, x0, jac=True, method="L-BFGS-B", bounds=bounds,
                           options={"maxiter": 50, "ftol": 1e-14, "gtol": 1e-11, "maxls": 40})
            _LEAN["ok"] = True
            f, x = _lbfgsb(q, x0, bounds, maxiter=50, ftol=1e-14, gtol=1e-11, maxls=40)
            _LEAN["ok"] = bool(f == float(ref.fun) and np.array_equal(x, ref.x))
        except Exception:  # noqa: BLE001 - any failure of the private routine: use scipy.optimize.minimize
            _LEAN["ok"] = False
    return _LEAN["ok"]


class _Unbounded(Exception):
    """Raised inside the local searches when the risk reaches −inf."""

    def __init__(self, x):
        super().__init__("unbounded below")
        self.x = np.array(x)
