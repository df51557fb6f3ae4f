"""Woodworth et al., "Kernel and Rich Regimes in Overparametrized Models" (COLT 2020).

Claims: the dual-Newton solver returns argmin Q_α; gradient flow (ODE solver) and small-step GD converge to
argmin_{Xβ=y} Q_α; the kernel (α → ∞, min-ℓ2) and rich (α → 0, min-ℓ1) limits. Figure: distance of the
limit to the ℓ1 and ℓ2 interpolators against α.
"""
from __future__ import annotations

import numpy as np

from theorylab.engine import FigureResult, Source, claim, figure
from theorylab.settings import diagonal_net as dn
from theorylab.settings.stats import loglog_slope

SRC = Source("B. Woodworth, S. Gunasekar, J. D. Lee, E. Moroshko, P. Savarese, I. Golan, D. Soudry, N. Srebro",
             "Kernel and Rich Regimes in Overparametrized Models", "COLT 2020, arXiv 2002.09277")
GAMMAS = (0.04, 0.02, 0.01, 0.005)


def _recovery_instance(rng, n=20, d=40, s=3):
    """Sparse instance whose basis-pursuit solution is unique and equals β* (redrawn until it does)."""
    for _ in range(20):
        X, y, bstar, _, _ = dn.sparse_regression(n, d, s, rng)
        l1 = dn.min_l1_interpolator(X, y)
        if np.max(np.abs(l1 - bstar)) < 1e-8:
            return X, y, l1
    raise RuntimeError("no instance with exact sparse recovery in 20 draws")


def _slsqp(X, y, alpha):
    from scipy.optimize import minimize

    a2 = alpha * alpha
    b0 = dn.min_l2_interpolator(X, y)
    res = minimize(lambda b: dn.Q_alpha(b, alpha), b0, jac=lambda b: np.arcsinh(b / (2 * a2)),
                   constraints=[{"type": "eq", "fun": lambda b: X @ b - y, "jac": lambda b: X}],
                   method="SLSQP", options={"ftol": 1e-15, "maxiter": 1000})
    return res.x


@claim("woodworth2020/dual-newton-argmin", title="dual damped Newton returns argmin Q_α over interpolators",
       source=SRC.at("Thm 1, eq. (10): the potential Q_α"),
       statement="the dual-Newton β is feasible (‖Xβ−y‖ ≤ 1e-10(1+‖y‖)) and Q_α(β) ≤ Q_α(SLSQP primal)",
       status="VERIFIED", kind="identity", tolerance=1e-9,
       tolerance_reason="SLSQP primal optimum is accurate to ~1e-10 relative; slacks are relative to max(1, Q)",
       negative_control="the min-ℓ2 interpolator X⁺y used in place of the dual-Newton solution")
def dual_newton_argmin(ctx):
    tally = ctx.tally()
    for _ in range(ctx.pick(quick=4, full=20)):
        n = int(ctx.rng.integers(3, 7))
        d = int(ctx.rng.integers(n + 2, 13))
        X = ctx.rng.standard_normal((n, d))
        bstar = np.zeros(d)
        bstar[:2] = ctx.rng.standard_normal(2)
        y = X @ bstar
        for alpha in (1e-3, 1e-2, 0.1, 1.0, 3.0):
            beta = dn.min_l2_interpolator(X, y) if ctx.control else dn.implicit_bias_solution(X, y, alpha)
            ref = _slsqp(X, y, alpha)
            q_ref = dn.Q_alpha(ref, alpha)
            scale = max(1.0, abs(q_ref))
            feas = np.linalg.norm(X @ beta - y) / (1 + np.linalg.norm(y))
            tally.add((q_ref - dn.Q_alpha(beta, alpha)) / scale, alpha=alpha, n=n, d=d, check="Q vs SLSQP")
            tally.add(1e-10 - feas, alpha=alpha, n=n, d=d, check="feasibility")
    return tally.outcome()


def _make_gradient_flow(rng, budget: str) -> dict:
    """Instance and gradient-flow endpoints (shared "woodworth2020/gradient-flow"): the statement and its
    control evaluate the same flows."""
    X, y, _, _, _ = dn.sparse_regression(12, 30, 3, rng)
    alphas = (0.3,) if budget == "quick" else (0.03, 0.1, 0.3, 1.0, 3.0)
    return {"X": X, "y": y, "alphas": alphas,
            "beta": [dn.gradient_flow(X, y, alpha, t_end=300.0)[0] for alpha in alphas]}


@claim("woodworth2020/gradient-flow-limit", title="gradient flow converges to argmin Q_α",
       source=SRC.at("Thm 1"),
       statement="gradient flow on β = u⊙u − v⊙v from α𝟏 (Radau ODE solve) ends at argmin_{Xβ=y} Q_α(β)",
       status="RECONSTRUCTED", kind="identity", tolerance=1e-7,
       tolerance_reason="ODE solver rtol 1e-11 and finite horizon; relative error ‖β_GF − β_Q‖/‖β_Q‖",
       negative_control="argmin Q_{2α} in place of argmin Q_α")
def gradient_flow_limit(ctx):
    tally = ctx.tally()
    gf = ctx.shared("woodworth2020/gradient-flow", _make_gradient_flow)
    X, y = gf["X"], gf["y"]
    for alpha, beta in zip(gf["alphas"], gf["beta"]):
        target = dn.implicit_bias_solution(X, y, 2 * alpha if ctx.control else alpha)
        tally.add(-np.linalg.norm(beta - target) / np.linalg.norm(target), alpha=alpha)
    return tally.outcome()


def _gd_sweep(ctx, alphas):
    """One instance and the GD limits for every (α, γ ∈ GAMMAS) from α𝟏 at horizon Σγ = 400: one batched
    :func:`~theorylab.settings.diagonal_net.run_dynamics_batched` call on ``ctx.xp``; β returned on the host,
    shape (len(alphas), len(GAMMAS), d)."""
    X, y, _, _, _ = dn.sparse_regression(12, 30, 3, ctx.rng)
    a = np.repeat(np.asarray(alphas, dtype=float), len(GAMMAS))
    g = np.tile(np.asarray(GAMMAS), len(alphas))
    u0 = ctx.asarray(np.repeat(a[:, None], X.shape[1], axis=1))
    tr = dn.run_dynamics_batched(ctx.asarray(X), ctx.asarray(y), u0, u0, step=g,
                                 n_steps=[int(round(400.0 / s)) for s in g])
    return X, y, ctx.to_numpy(tr.beta).astype(np.float64).reshape(len(alphas), len(GAMMAS), X.shape[1])


@claim("woodworth2020/gd-implicit-bias", title="GD from α converges to argmin Q_α as the step goes to 0",
       source=SRC.at("Thm 1 (gradient flow); discrete GD error at least first order in the step"),
       statement="‖β_GD(γ) − argmin Q_α‖ → 0 as γ → 0: log-log slope in [0.85, 1.15] for α ≤ 0.3 and ≥ 0.85 at "
                 "α = 1, over γ ∈ {0.04,…,0.005} at fixed horizon; ≤ 1e-2‖β‖ at γ = 0.005",
       status="VERIFIED", kind="limit", tolerance=0.0,
       tolerance_reason="slack = 0.15 − |slope − 1| (α ≤ 0.3), slope − 0.85 (α = 1) and 1e-2 − relative error "
                        "(relative to ‖argmin Q_α‖), exact pass/fail margins on deterministic runs. The slope is "
                        "≈ 1 for α ≤ 0.3 and ≈ 2 at α = 1, where argmin Q_α is insensitive to the O(γ) shift of the "
                        "effective initialisation and the direct O(γ²) discretisation error dominates",
       negative_control="argmin Q_{2α} as the target (the error stalls at ‖argmin Q_α − argmin Q_{2α}‖ instead of "
                        "vanishing with γ)",
       control_threshold=0.3,
       control_threshold_reason="slope units: the control's slope must be ≥ 0.3 outside the accepted band (3 × the "
                                "slack of the worst seed's statement)",
       backends=("numpy", "array-api-strict", "torch", "cupy", "jax"))
def gd_implicit_bias(ctx):
    # the GD runs of each instance (every α × γ, horizons 400/γ) are one batched sweep on ctx.xp (NumPy: the numba
    # kernels run by run); argmin Q_α is SciPy's dual Newton on the host, so the final β come back once to compare
    tally = ctx.tally()
    alphas = ctx.pick(quick=(0.1, 0.3), full=(0.05, 0.1, 0.3, 1.0))
    for X, y, betas in ctx.cases("gd", lambda: [_gd_sweep(ctx, alphas) for _ in range(ctx.pick(quick=1, full=5))]):
        for i, alpha in enumerate(alphas):
            target = dn.implicit_bias_solution(X, y, 2 * alpha if ctx.control else alpha)
            errs = [np.linalg.norm(beta - target) / np.linalg.norm(target) for beta in betas[i]]
            s = loglog_slope(GAMMAS, errs)
            if alpha <= 0.3:  # first order: the O(γ) shift of the effective initialisation dominates
                tally.add(0.15 - abs(s - 1.0), measured={"slope": s}, alpha=alpha, check="slope ≈ 1")
            else:  # α = 1: argmin Q_α barely moves with α, the O(γ²) discretisation error dominates
                tally.add(s - 0.85, measured={"slope": s}, alpha=alpha, check="slope ≥ 0.85")
            tally.add(1e-2 - errs[-1], measured={"rel_error": errs[-1]}, alpha=alpha, check="error at γ=0.005")
    return tally.outcome()


ALPHAS_LIMIT = (1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0)


def _limit_distances(rng):
    """Relative distances of argmin Q_α to the ℓ1 and ℓ2 interpolators over ALPHAS_LIMIT, and the certificate
    ratio ρ = max_{j∉S}|η_j| / max_{i∈S}|η_i| of η = arcsinh(β_α/2α²) = Xᵀν at the smallest α."""
    X, y, l1 = _recovery_instance(rng)
    l2 = dn.min_l2_interpolator(X, y)
    d1, d2 = [], []
    for a in ALPHAS_LIMIT:
        b = dn.implicit_bias_solution(X, y, a)
        d1.append(np.linalg.norm(b - l1) / np.linalg.norm(l1))
        d2.append(np.linalg.norm(b - l2) / np.linalg.norm(l2))
        if a == ALPHAS_LIMIT[0]:
            eta = np.abs(np.arcsinh(b / (2 * a * a)))
            on = np.abs(l1) > 1e-9 * np.max(np.abs(l1))
            rho = float(np.max(eta[~on]) / np.max(eta[on]))
    return np.array(d1), np.array(d2), rho


@claim("woodworth2020/rich-limit-l1", title="rich limit α → 0: argmin Q_α → min-ℓ1 interpolator",
       source=SRC.at("Thm 2 / abstract (rich regime)"),
       statement="the relative distance of argmin Q_α to the (unique) basis-pursuit solution decreases as "
                 "α ↓ over α ∈ [1e-6, 1e2] and vanishes as a power of α in the rich tail: its log-log slope between "
                 "α = 1e-5 and 1e-6 is ≥ 2(1 − ρ) − 0.1, ρ = max_{j∉S}|η_j| / max_{i∈S}|η_i| < 1 the off-support "
                 "ratio of the dual certificate η = arcsinh(β_α/2α²) = Xᵀν at α = 1e-6 (off-support β_j ≈ "
                 "α^{2(1−|η_j|)}|β_S|^{|η_j|})",
       status="VERIFIED", kind="limit", tolerance=0.0,
       tolerance_reason="exact pass/fail margins on deterministic solves: relative monotonicity differences and "
                        "slope − (2(1 − ρ) − 0.1) (measured slopes exceed 2(1 − ρ) by 0.04-0.08 over 40 instances). "
                        "The former fixed bound 'distance ≤ 1e-3 at α = 1e-6' is false on instances with ρ ≳ 0.75 "
                        "(seed 8: distance 4.8e-3; the rate α^{2(1−ρ)} is instance-dependent)",
       negative_control="the swapped limit: argmin Q_α → the min-ℓ2 interpolator as α ↓ (distance to it decreasing "
                        "and vanishing at the same rate)",
       control_threshold=0.1,
       control_threshold_reason="relative differences and slope units: the control must miss by ≥ 0.1 (the slope "
                                "allowance), i.e. the ℓ2 distance grows as α ↓ or stalls")
def rich_limit(ctx):
    tally = ctx.tally()
    for _ in range(ctx.pick(quick=2, full=10)):
        d1, d2, rho = _limit_distances(ctx.rng)
        dist = d2 if ctx.control else d1
        tally.add(np.diff(dist) / dist[1:], alpha=np.array(ALPHAS_LIMIT[:-1]), check="decreasing as α ↓")
        slope = float(np.log(dist[1] / dist[0]) / np.log(ALPHAS_LIMIT[1] / ALPHAS_LIMIT[0]))
        tally.add(slope - (2 * (1 - rho) - 0.1), measured={"slope": slope, "rho": rho, "distance": dist[0]},
                  alpha=ALPHAS_LIMIT[0], check="power-law rate")
    return tally.outcome()


@claim("woodworth2020/kernel-limit-l2", title="kernel limit α → ∞: argmin Q_α → min-ℓ2 interpolator",
       source=SRC.at("Thm 2 / abstract (kernel regime)"),
       statement="the relative distance of argmin Q_α to X⁺y decreases as α ↑ over α ∈ [1e-6, 1e2] and is "
                 "≤ 1e-6 at α = 1e2",
       status="VERIFIED", kind="limit", tolerance=0.0,
       tolerance_reason="exact pass/fail margins on deterministic solves (relative monotonicity differences and "
                        "1e-6 − relative distance)",
       negative_control="the swapped limit: the distance to the min-ℓ1 interpolator is ≤ 1e-6 at α = 1e2",
       control_threshold=0.1,
       control_threshold_reason="relative units: the control's distance must exceed 0.1 (10⁵ × the bound) or "
                                "grow by ≥ 10% per α step")
def kernel_limit(ctx):
    tally = ctx.tally()
    for _ in range(ctx.pick(quick=2, full=10)):
        d1, d2, _ = _limit_distances(ctx.rng)
        dist = d1 if ctx.control else d2
        # decreasing as α grows, over the range where the statement's distance is above rounding level (the same
        # α's for the control)
        keep = d2[:-1] > 1e-12
        tally.add((-np.diff(dist) / dist[:-1])[keep], alpha=np.array(ALPHAS_LIMIT[1:])[keep],
                  check="decreasing as α ↑")
        tally.add(1e-6 - dist[-1], measured={"distance": dist[-1]}, alpha=ALPHAS_LIMIT[-1], check="close at α=1e2")
    return tally.outcome()


@figure("woodworth2020/fig-distance-vs-alpha", title="Distance of the GD limit to the ℓ1 / ℓ2 interpolators vs α",
        source=SRC.at("Fig. 1 (kernel and rich regimes); --budget paper: its size d = 1000, N = 100, r* = 5"))
def fig_distance(ctx):
    # paper budget: the sparse-regression size of Woodworth et al. 2020 Fig. 1 (d = 1000, N = 100, r* = 5, as
    # reproduced by Azulay et al. 2021 Sec. 9), noiseless here (the figure needs the exact basis-pursuit solution)
    rng = ctx.rng
    X, y, l1 = _recovery_instance(rng, *ctx.pick(quick=(20, 40, 3), full=(20, 40, 3), paper=(100, 1000, 5)))
    l2 = dn.min_l2_interpolator(X, y)
    alphas = np.geomspace(1e-6, 1e2, ctx.pick(quick=25, full=60))
    gd_alphas = np.geomspace(1e-3, 3, ctx.pick(quick=5, full=9))
    cols = {"series": [], "alpha": [], "value": []}

    def put(series, a, v):
        cols["series"].append(series)
        cols["alpha"].append(float(a))
        cols["value"].append(float(v))

    for a in alphas:
        b = dn.implicit_bias_solution(X, y, a)
        put("dual: dist to l1", a, np.linalg.norm(b - l1))
        put("dual: dist to l2", a, np.linalg.norm(b - l2))
        put("dual: l1 norm", a, np.abs(b).sum())
    # small-step GD; the dynamics on β run 4α² times faster, so the step shrinks with α², and the horizon is long
    # enough for the slow rich regime. One batched sweep over α (NumPy: the numba kernels run by run)
    scales = np.maximum(1.0, 4 * gd_alphas**2)
    steps = 0.01 / scales
    u0 = np.repeat(gd_alphas[:, None], X.shape[1], axis=1)
    sweep = dn.run_dynamics_batched(X, y, u0, u0, step=steps,
                                    n_steps=[int((2000 if a < 0.01 else 400) / (s * c))
                                             for a, s, c in zip(gd_alphas, steps, scales)])
    for a, b in zip(gd_alphas, sweep.beta):
        put("GD: dist to l1", a, np.linalg.norm(b - l1))
        put("GD: dist to l2", a, np.linalg.norm(b - l2))
    from theorylab.engine.plotstyle import new_figure

    fig, (ax, ax2) = new_figure(1, 2, width=10, height=4.3)
    s = np.array(cols["series"])
    al = np.array(cols["alpha"])
    v = np.array(cols["value"])
    for name, style in (("dual: dist to l1", dict(color="C0", ls="-")), ("dual: dist to l2", dict(color="C1", ls="-")),
                        ("GD: dist to l1", dict(color="C0", ls="", marker="o", ms=7, mfc="none", mew=1.5)),
                        ("GD: dist to l2", dict(color="C1", ls="", marker="s", ms=7, mfc="none", mew=1.5))):
        m = s == name
        ax.loglog(al[m], np.maximum(v[m], 1e-16), label=name.replace("l1", r"$\ell_1$").replace("l2", r"$\ell_2$")
                  .replace("dual:", r"$\arg\min Q_\alpha$:").replace("GD:", "GD limit:"), **style)
    ax.set_xlabel(r"initialisation scale $\alpha$")
    ax.set_ylabel(r"$\|\beta_\alpha - \beta_{\ell_p}\|_2$ (distance to the min-$\ell_p$ interpolator)")
    ax.set_title(r"distance to the min-$\ell_1$ and min-$\ell_2$ interpolators")
    ax.legend(loc="lower left")
    m = s == "dual: l1 norm"
    ax2.semilogx(al[m], v[m], "k-", label=r"$\|\beta_\alpha\|_1$")
    ax2.axhline(np.abs(l1).sum(), color="C0", ls="--", label=r"$\|\beta_{\ell_1}\|_1$ (min-$\ell_1$)")
    ax2.axhline(np.abs(l2).sum(), color="C1", ls="--", label=r"$\|\beta_{\ell_2}\|_1$ (min-$\ell_2$)")
    ax2.set_xlabel(r"initialisation scale $\alpha$")
    ax2.set_ylabel(r"$\ell_1$ norm")
    ax2.set_title(r"$\ell_1$ norm of $\arg\min Q_\alpha$")
    ax2.legend(loc="center right")
    fig.suptitle(r"$\arg\min Q_\alpha$ interpolates between min-$\ell_1$ ($\alpha\to0$) and "
                 r"min-$\ell_2$ ($\alpha\to\infty$)")
    return FigureResult(fig, cols)


if __name__ == "__main__":
    import sys

    from theorylab.engine import run_module

    sys.exit(run_module(__name__))
