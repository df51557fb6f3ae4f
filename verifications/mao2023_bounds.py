"""Mao, Mohri, Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications" (ICML 2023),
part 2 of 2: end-to-end H-consistency bounds on finite-X distributions (E1) and along training on a 3-class
Gaussian mixture (E2), minimizability gaps, smooth adversarial comp-sum inequalities, and figures F5, F6.
Identities, transforms and growth rates are in ``mao2023_transforms``; shared helpers in ``_mao2023_common``.

Mathematics: ``shared/claims/surrogate-losses.md`` §5, 8 (protocols E1, E2).
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from theorylab.engine import FigureResult, claim, figure
from theorylab.losses import compsum as cs
from theorylab.settings.finite import FiniteProblem, deterministic_line_problem
from theorylab.settings.mixture import Mixture3, trajectory
from theorylab.settings.random_scores import random_tanh_net
from theorylab.theory import hconsistency as hc

from verifications._mao2023_common import _U, SRC, TAUS, _tight


# --------------------------------------------------------------------------- end to end (E1, E2)


_E1_TAUS = (0.0, 0.5, 1.0, 1.5, 2.0)


def _e1_instances(rng, budget):
    """E1 fixture: random 6-point distributions with R*_01, E C*_01 and, per τ, R*_τ, its minimiser, E C*_τ."""
    out = []
    for _ in range(6 if budget == "quick" else 12):
        fp = FiniteProblem.random(rng)
        taus = {}
        for tau in _E1_TAUS:
            rts, th_hat = fp.best_risk_tau(tau, rng, starts=4 if budget == "quick" else 40,
                                           maxiter=400 if budget == "quick" else 3000)
            taus[tau] = {"rts": rts, "th_hat": np.array(th_hat), "ct": fp.expected_cstar_tau(tau)}
        out.append({"x": fp.x, "px": fp.px, "p": fp.p, "r01s": fp.best_risk01(), "c01": fp.expected_cstar01(),
                    "taus": taus})
    return out


@claim("mao2023/finite-x-bound", title="H-consistency bound on finite-X distributions (E1)",
       source=SRC.at("abstract: bounds with minimizability gaps (theorem" + _U + ")"),
       statement="R_01(h)−R*_01(H)+M_01 ≤ Γ_τ(R_τ(h)−R*_τ(H)+M_τ) for affine h on 6-point distributions, "
                 "τ ∈ {0,.5,1,1.5,2}; both forms agree to 1e-9 relative (|difference| / max(1, R_τ(h)))",
       status="VERIFIED", kind="bound", tolerance=1e-9,
       tolerance_reason="exact finite sums: the two forms differ by rounding only, relative to max(1, R_τ(h)) "
                        "(R_τ reaches ~10⁵ at τ = 0 for the widest random h); Γ by bisection; the bound side "
                        "compares numbers in [0, 1]",
       negative_control="the gap-free bound R_01(h)−R*_01 ≤ Γ(R_τ(h)−R*_τ) on the same h (it fails near the "
                        "surrogate minimiser ĥ whenever ĥ is not 0-1 optimal in H)",
       control_threshold=1e-3,
       control_threshold_reason="the control must exceed Γ by a 0-1 excess risk ≥ 1e-3 (10⁶ × the tolerance). "
                                "On 150 simulated instances the gap-free bound failed by more than 1e-3 at some τ "
                                "on 89%; with 6 instances per run it misses with probability ≈ 0.11⁶ ≈ 2e-6 "
                                "(≤ 1e-4 per run)")
def finite_x_bound(ctx):
    tally = ctx.tally()
    bound_slack, ratio = np.inf, 0.0
    instances = ctx.shared("mao2023/finite-x-instances", _e1_instances)
    for (i, tau), (r01, rt) in ctx.cases("risks", lambda: _e1_risks(ctx, instances)).items():
        inst = instances[i]
        r01s, c01 = inst["r01s"], inst["c01"]
        rts, ct = inst["taus"][tau]["rts"], inst["taus"][tau]["ct"]
        m01, mt = r01s - c01, rts - ct
        form1_l, form1_r = r01 - r01s + m01, rt - rts + mt
        form2_l, form2_r = r01 - c01, rt - ct
        agree = np.maximum(np.abs(form1_l - form2_l), np.abs(form1_r - form2_r)) / np.maximum(1.0, np.abs(rt))
        tally.add(-agree, instance=i, tau=tau, form="agreement")
        if ctx.control:
            lhs, rhs = r01 - r01s, np.asarray(hc.compsum_gamma(np.maximum(rt - rts, 0.0), tau, 3))
        else:
            lhs, rhs = form2_l, np.asarray(hc.compsum_gamma(np.maximum(form2_r, 0), tau, 3))
            bound_slack = min(bound_slack, float(np.min(rhs - lhs)))
            ratio = max(ratio, float(np.max(lhs / np.maximum(rhs, 1e-300))))
        tally.add(rhs - lhs, measured={"lhs": lhs, "rhs": rhs}, instance=i, tau=tau, form="bound")
    if ctx.control:
        return tally.outcome()
    return tally.outcome(value=ratio, message=f"bound slack ≥ {bound_slack:.3g}; largest E ΔC_01 / Γ_τ(E ΔC_τ) = "
                                              f"{ratio:.3f} (the bound is valid with room, not tight, on random h)")


def _e1_risks(ctx, instances):
    """Per (instance, τ): R_01(h) and R_τ(h) of the cases, random affine h, a quarter near the surrogate
    minimiser ĥ, and ĥ itself."""
    out = {}
    nh = ctx.pick(quick=300, full=2000)  # per instance and τ: full ≥ 10⁴ hypotheses in total
    for i, inst in enumerate(instances):
        fp = FiniteProblem(inst["x"], inst["px"], inst["p"])
        for tau in _E1_TAUS:
            th_hat = inst["taus"][tau]["th_hat"]
            th = ctx.rng.normal(0, ctx.rng.choice([0.3, 1.0, 3.0]), (nh, 6))
            th[: nh // 4] = th_hat + 0.05 * ctx.rng.normal(size=(nh // 4, 6))
            th[0] = th_hat
            out[i, tau] = (fp.risk01(th), fp.risk_tau(th, tau))
    return out


def _mixture_runs(rng, budget):
    N = 1500 if budget == "quick" else 20000
    steps = 250 if budget == "quick" else 1500
    out = {}
    for name, mix in (("equal", Mixture3.equal()), ("unequal", Mixture3.unequal())):
        X, _ = mix.sample(N, rng)
        P = mix.posterior(X)
        for tau in (0.5, 1.0, 1.5):
            out[name, tau] = trajectory(X, P, tau, steps=steps, lr=2.0, rng=rng)
    return out


def _mixture(ctx):
    """The E2 training runs, a shared fixture of the two mixture claims (seeded by its name, not by a claim)."""
    return ctx.shared("mao2023/mixture-runs", _mixture_runs)


@claim("mao2023/mixture-trajectory-bound", title="bound along training on a 3-class Gaussian mixture (E2)",
       source=SRC.at("abstract: bounds with minimizability gaps (theorem" + _U + ")"),
       statement="v_k ≤ Γ_τ(u_k) along gradient descent of affine scores, τ ∈ {.5,1,1.5}, equal and unequal "
                 "covariances (exact posteriors on a fixed sample: no Monte Carlo slack)",
       status="VERIFIED", kind="bound", tolerance=1e-9, tolerance_reason="exact: Jensen on the empirical law of X",
       negative_control="gap-free: v_k ≤ Γ_τ(u_k − min_j u_j) (pretends the minimizability gap is 0)")
def mixture_bound(ctx):
    tally = ctx.tally()
    live_slack, ratio, trivial, live = np.inf, 0.0, 0, 0
    for (name, tau), tr in _mixture(ctx).items():
        u = np.maximum(tr["u"], 0.0)  # u ≥ 0 exactly; rounding gives |u| ≲ 1e−16 at the optimum
        if ctx.control:
            u = u - u.min()
        g = np.asarray(hc.compsum_gamma(u, tau, 3))
        tally.add(g - tr["v"], cov=name, tau=tau, step=tr["step"])
        # steps at the surrogate optimum (u ~ 0, v = 0) satisfy 0 ≤ 0 trivially: report the others on their own
        nz = tr["u"] > 1e-12
        trivial += int((~nz).sum())
        live += int(nz.sum())
        if nz.any():
            live_slack = min(live_slack, float(np.min((g - tr["v"])[nz])))
            ratio = max(ratio, float(np.max(tr["v"][nz] / g[nz])))
    if not ctx.control and live == 0:
        tally.add(-1.0, what="no step with positive surrogate regret: the check would be vacuous")
    return tally.outcome(value=ratio, message=f"{live} steps with E ΔC_τ > 1e−12: min slack {live_slack:.3g}, "
                                              f"largest v/Γ_τ(u) = {ratio:.3f}; {trivial} steps at the optimum "
                                              "(u ≈ 0, v = 0)")


@claim("mao2023/mixture-gap-plateau", title="gaps vanish for equal covariances, plateau otherwise (E2)",
       source=SRC.at("abstract: analysis of minimizability gaps (section" + _U + ")"),
       statement="final E ΔC_τ: ≤ 1e−3 with equal covariances; ≥ 10× larger with unequal covariances",
       status="VERIFIED", kind="finding", tolerance=0.0,
       tolerance_reason="margins of 10x: exact posteriors on a fixed sample, so the regrets carry no Monte Carlo "
                        "error; the equal-covariance regret is GD optimisation error (~1e−4 after 250 steps)",
       negative_control="the unequal-covariance plateau is as small as the equal-covariance one (≤ 1e−3)",
       control_threshold=1e-2,
       control_threshold_reason="the control must miss the 1e−3 level by ≥ 1e−2, i.e. the unequal plateau must "
                                "be ≥ 11× the level the claim allows for a vanished gap")
def mixture_plateau(ctx):
    tally = ctx.tally()
    runs = _mixture(ctx)
    ratios = []
    for tau in (0.5, 1.0, 1.5):
        ue, uu = runs["equal", tau]["u"][-1], runs["unequal", tau]["u"][-1]
        ratios.append(uu)
        tally.add(1e-3 - ue, measured={"regret": ue}, tau=tau, which="equal")
        unequal = 1e-3 - uu if ctx.control else uu - 10 * max(ue, 1e-12)
        tally.add(unequal, measured={"regret": uu, "equal_regret": ue}, tau=tau, which="unequal")
    return tally.outcome(value=float(min(ratios)),
                         message=f"unequal-covariance plateau of E ΔC_τ: {', '.join(f'{r:.4f}' for r in ratios)} "
                                 "(τ = .5, 1, 1.5); equal covariances converge to ~0")


# -------------------------------------------------------------------------------------------- gaps


@claim("mao2023/gap-deterministic", title="deterministic-label best conditional risk",
       source=SRC.at("minimizability gaps, deterministic case (reconstructed; section" + _U + ")"),
       statement="inf over h ∈ [−Λ,Λ]ⁿ of ℓ^τ(h, x, y) = Φ^τ((n−1)e^{−2Λ}) (relative error "
                 "|min − Φ^τ| / max(1, Φ^τ))", status="VERIFIED", kind="identity",
       tolerance=1e-9, tolerance_reason="box-constrained L-BFGS-B to 1e-12 (the minimiser is a box vertex); "
                                        "relative to max(1, Φ^τ) (Φ^τ reaches ~2.4 at τ = 0)",
       negative_control="e^{−Λ} in place of e^{−2Λ}")
def gap_deterministic(ctx):
    tally = ctx.tally()
    for tau in TAUS:
        for n in (2, 3, 5):
            for lam in (0.25, 1.0, 3.0):
                best = _box_min_deterministic(ctx, tau, n, lam)
                if ctx.control:
                    closed = float(cs.phi_tau((n - 1) * np.exp(-lam), tau))
                else:
                    closed = hc.deterministic_conditional_risk(tau, n, lam)
                tally.add(-abs(best - closed) / max(1.0, abs(closed)), measured={"min": best, "closed": closed},
                          tau=tau, n=n, bound=lam)
    return tally.outcome()


def _box_min_deterministic(ctx, tau, n, lam):
    """Two-start L-BFGS-B minimum of ℓ^τ(·, y = 0) over [−Λ, Λ]ⁿ (a shared fixture: claim and control reuse it)."""
    def make(rng, budget):
        p = np.eye(n)[0]
        return min(minimize(lambda h: cs.conditional_risk(p, h, tau), rng.uniform(-lam, lam, n),
                            method="L-BFGS-B", bounds=[(-lam, lam)] * n,
                            options={"ftol": 1e-15, "gtol": 1e-12}).fun for _ in range(2))

    return ctx.shared(f"mao2023/box-min-deterministic/{float(tau)!r}/{int(n)}/{float(lam)!r}", make)


def _gaps_rows(rng, budget, taus=(0.0, 0.5, 1.0, 1.5, 2.0, 3.0)):
    """Minimizability gaps M_τ and best-in-class risks R*_τ on random deterministic-label line problems."""
    gaps, risks = [], []
    for _ in range(2 if budget == "quick" else 6):
        fp = deterministic_line_problem(rng, m=6, n=3, W=1.0, B=0.5)
        r = [fp.best_risk_tau(tau, rng, starts=6 if budget == "quick" else 40)[0] for tau in taus]
        risks.append(r)
        gaps.append([ri - fp.expected_cstar_tau(tau) for ri, tau in zip(r, taus)])
    return {"M": np.array(gaps), "R": np.array(risks)}


def _gaps_tau(ctx):
    return ctx.shared("mao2023/gaps-tau", _gaps_rows)


@claim("mao2023/gap-monotone-tau", title="minimizability gaps are non-increasing in τ (deterministic labels)",
       source=SRC.at("minimizability gaps against τ (reconstructed; section" + _U + ")"),
       statement="M_{ℓ^τ}(H) non-increasing in τ ∈ {0,.5,1,1.5,2,3} for box-bounded affine H, deterministic labels "
                 "(differences and M itself relative to max(1, R*_τ, R*_τ'))",
       status="VERIFIED", kind="bound", tolerance=1e-6,
       tolerance_reason="multistart L-BFGS-B accuracy of R*_τ, relative to max(1, R*_τ) (R*_0 is of order 1–3)",
       negative_control="M non-decreasing in τ")
def gap_monotone(ctx):
    tally = ctx.tally()
    fx = _gaps_tau(ctx)
    M, R = fx["M"], fx["R"]
    scale = np.maximum(1.0, np.maximum(np.abs(R[:, :-1]), np.abs(R[:, 1:])))
    d = (M[:, :-1] - M[:, 1:]) / scale
    tally.add((-d if ctx.control else d).ravel(), measured={"M": M[:, :-1].ravel(), "M_next": M[:, 1:].ravel()},
              what="M_tau - M_next_tau")
    tally.add((M / np.maximum(1.0, np.abs(R))).ravel(), what="M_tau >= 0")
    return tally.outcome()


# ------------------------------------------------------------------------------------ adversarial


@claim("mao2023/adversarial-inequalities", title="smooth adversarial comp-sum inequalities",
       source=SRC.at("abstract: smooth adversarial comp-sum losses (inequalities reconstructed, spec §8" + _U + ")"),
       statement="(A) 1{ρ_h(x',y) ≤ 0} ≤ Φ^τ(ΣΦ_ρ(h_y−h_{y'}))/Φ^τ(1); (B) Φ^τ(ΣΦ_ρ(ū(x'))) ≤ ℓ^τ(h/ρ,x,y) + "
                 "‖ū(x)−ū(x')‖₁/ρ, random tanh nets, ℓ∞ perturbations", status="VERIFIED", kind="bound",
       tolerance=1e-12, tolerance_reason="double rounding; (B) relative to max(1, |rhs|) (ℓ^τ(h/ρ) reaches ~10³)",
       negative_control="both wrong: (A) normalised by Φ^τ(n−1) (the largest value of the sum) and (B) without "
                        "the regulariser ‖ū(x)−ū(x')‖₁/ρ; the control fails only if each of the two fails (each "
                        "case's control slack is max(its own wrong slack, the other inequality's worst wrong "
                        "slack), so the control's worst slack is max(worst (A), worst (B)) on the claim's cases)")
def adversarial(ctx):
    tally = ctx.tally()
    nets = ctx.pick(quick=10, full=200)
    worst = {"A": np.inf, "B": np.inf}
    active_a, worst_active_a = 0, np.inf
    batches = []
    for _ in range(nets):
        d, n = 3, int(ctx.rng.integers(2, 6))
        f = random_tanh_net(ctx.rng, d, n)
        tau = float(ctx.rng.uniform(0, 2))
        rho = float(ctx.rng.choice([0.5, 1.0, 2.0]))
        m, k = 40, 20
        X = ctx.rng.normal(0, 1, (m, d))
        y = ctx.rng.integers(0, n, m)
        Xp = X[:, None, :] + ctx.rng.uniform(-0.3, 0.3, (m, k, d))
        h, hp = f(X), f(Xp)
        ub = h[np.arange(m), y][:, None] - h  # ū_h(x, y) (with the zero y'=y entry)
        ubp = np.take_along_axis(hp, y[:, None, None].repeat(k, 1), 2) - hp  # ū_h(x', y), shape (m, k, n)
        mask = np.ones((m, n), bool)
        mask[np.arange(m), y] = False
        phr = np.clip(1 - ubp / rho, 0, 1) * mask[:, None, :]
        lhs_adv = np.asarray(cs.phi_tau(phr.sum(-1), tau))
        # (A): the indicator is 1 exactly when the margin is ≤ 0; both sides are 0 when every ū ≥ ρ
        margin = np.where(mask[:, None, :], ubp, np.inf).min(-1)
        norm = float(cs.phi_tau(float(n - 1) if ctx.control else 1.0, tau))
        sa = (lhs_adv / norm - (margin <= 0)).ravel()
        on = (margin <= 0).ravel()
        active_a += int(on.sum())
        if on.any():
            worst_active_a = min(worst_active_a, float(sa[on].min()))
        # (B)
        base = np.asarray(cs.comp_sum_loss(h / rho, y, tau))[:, None]
        reg = np.abs(ub[:, None, :] - ubp).sum(-1) / rho
        rhs_b = base + (0.0 if ctx.control else reg)
        sb = ((rhs_b - lhs_adv) / np.maximum(1.0, np.abs(rhs_b))).ravel()
        worst["A"], worst["B"] = min(worst["A"], float(sa.min())), min(worst["B"], float(sb.min()))
        batches.append((sa, sb, tau, rho, n))
    for sa, sb, tau, rho, n in batches:
        if ctx.control:  # the control fails only if both wrong statements fail on these cases
            sa, sb = np.maximum(sa, worst["B"]), np.maximum(sb, worst["A"])
        tally.add(sa, ineq="A", tau=tau, rho=rho, n=n)
        tally.add(sb, ineq="B", tau=tau, rho=rho, n=n)
    if active_a == 0:
        tally.add(-1.0, what="no perturbed point with margin ≤ 0: (A) would be checked vacuously")
    if ctx.control:
        return tally.outcome()
    return tally.outcome(value=worst_active_a,
                         message=f"(A) on the {active_a} perturbed points with margin ≤ 0: worst slack "
                                 f"{worst_active_a:.3g} (equality when one competitor has ū ≤ 0 and the others "
                                 f"ū ≥ ρ, e.g. n = 2); (B) worst slack {worst['B']:.3g}")


# ----------------------------------------------------------------------------------------- figures


@figure("mao2023/f5-gaps-vs-tau", title="F5: minimizability gaps against τ", source=SRC)
def fig_gaps(ctx):
    rng, budget = ctx.rng, ctx.budget
    from theorylab.engine.plotstyle import new_figure, series_colors

    taus = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 3.0])
    fp = deterministic_line_problem(rng, m=8, n=3, W=1.0, B=0.5)
    rows = {"M": [], "R*": [], "E C*": []}
    for tau in taus:
        r, _ = fp.best_risk_tau(tau, rng, starts=10 if budget == "quick" else 40)
        c = fp.expected_cstar_tau(tau)
        rows["M"].append(r - c); rows["R*"].append(r); rows["E C*"].append(c)
    labels = {"M": r"minimizability gap $\mathcal{M}_\tau = R^*_\tau - \mathbb{E}[C^*_\tau]$",
              "R*": r"best-in-class risk $R^*_\tau$",
              "E C*": r"$\mathbb{E}[C^*_\tau]$ (pointwise best)"}
    fig, ax = new_figure(width=6.0, height=4.2)
    colors = series_colors(rows)
    cols = {"series": [], "tau": [], "value": []}
    for k, v in rows.items():
        ax.plot(taus, v, "o-", color=colors[k], label=labels[k])
        cols["series"] += [k] * len(taus); cols["tau"] += list(taus); cols["value"] += list(v)
    ax.set_xlabel(r"comp-sum parameter $\tau$")
    ax.set_ylabel(r"risk under $\ell_\tau$")
    ax.set_title("Deterministic labels, box-bounded affine hypotheses ($n=3$)")
    ax.legend(loc="upper right")
    return FigureResult(fig, cols)


@figure("mao2023/f6-regret-scatter", title="F6: (E ΔC_τ, E ΔC_01) under v = Γ_τ(u)", source=SRC)
def fig_scatter(ctx):
    rng, budget = ctx.rng, ctx.budget
    from theorylab.engine.plotstyle import new_figure, series_colors

    tau = 1.0
    fp = FiniteProblem.random(rng)
    th = rng.normal(0, 1.5, (400 if budget == "quick" else 4000, 6))
    u = fp.risk_tau(th, tau) - fp.expected_cstar_tau(tau)
    v = fp.risk01(th) - fp.expected_cstar01()
    uu = np.logspace(-4, np.log10(max(u.max(), 1e-3)), 100)
    g = np.asarray(hc.compsum_gamma(uu, tau, 3))
    tp = np.array([0.1, 0.3, 0.5, 0.7, 0.9])
    pm = np.array([hc.witness_regrets(tau, _tight(ctx, tau, float(t), 3)[1])[0] for t in tp])
    colors = series_colors(("random", "gamma", "point_mass"))
    fig, ax = new_figure(width=6.0, height=4.4)
    ax.scatter(u, v, s=6, alpha=0.5, color=colors["random"], label="random affine $h$")
    ax.plot(uu, g, "k", label=r"bound $\Gamma_1$ (cross-entropy, $\tau=1$)")
    ax.plot(pm, tp, "*", color=colors["point_mass"], ms=10, mec="k", mew=0.5, zorder=4,
            label="point masses (tight)")
    ax.set_xscale("log")
    ax.set_xlabel(r"surrogate regret $\mathbb{E}[\Delta\mathcal{C}_\tau]$ ($\tau=1$)")
    ax.set_ylabel(r"0-1 regret $\mathbb{E}[\Delta\mathcal{C}_{01}]$")
    ax.set_title(r"Every point lies below $v = \Gamma_\tau(u)$; point masses attain it ($n=3$)")
    ax.legend(loc="upper left")
    cols = {"series": ["random"] * len(u) + ["gamma"] * len(uu) + ["point_mass"] * len(tp),
            "u": list(u) + list(uu) + list(pm), "v": list(v) + list(g) + list(tp)}
    return FigureResult(fig, cols)


if __name__ == "__main__":
    import sys

    from theorylab.engine import run_module

    sys.exit(run_module(__name__))
