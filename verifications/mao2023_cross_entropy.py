"""Mao, Mohri, Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications" (ICML 2023)
and the growth-rate companion (NeurIPS 2024): comp-sum identities, C*, transforms, tightness, end-to-end
H-consistency bounds, minimizability gaps, growth rates, smooth adversarial inequalities.

Mathematics: ``shared/claims/surrogate-losses.md`` §1–3, 5, 6, 8, 10 (protocols E1–E3).
"""
from __future__ import annotations

import numpy as np
from scipy.integrate import quad
from scipy.optimize import minimize

from theorylab.engine import FigureResult, Source, claim, figure
from theorylab.losses import compsum as cs
from theorylab.settings.finite import FiniteProblem, deterministic_line_problem
from theorylab.settings.mixture3 import Mixture3, trajectory
from theorylab.settings.random_scores import random_tanh_net
from theorylab.theory import hconsistency as hc

SRC = Source("A. Mao, M. Mohri, Y. Zhong", "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
             "ICML 2023, arXiv 2304.07288")
GROW = Source("A. Mao, M. Mohri, Y. Zhong", "A Universal Growth Rate for Learning with Smooth Surrogate Losses",
              "NeurIPS 2024, arXiv 2405.05968")
_U = "; number unconfirmed: only the abstract could be read"

TAUS = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)


def _tight(ctx, tau, t, n, bound=None, n_random=4000):
    """The E3 search T^true_τ(t) and its witness, a shared fixture (claims, controls and figures reuse it).

    Its random candidates come from the fixture's own stream (seeded by the name and the run seed), so the
    value is the same whichever claim asks first; different seeds exercise different candidate sets.
    """
    def make(rng, budget):
        return hc.tight_transform(("comp_sum", tau), t, n, bound=bound, rng=rng, n_random=n_random, n_refine=3)

    return ctx.shared(f"mao2023/tight/{float(tau)!r}/{float(t)!r}/{int(n)}/{bound!r}/{int(n_random)}", make)


# ---------------------------------------------------------------------------------- identities


@claim("mao2023/compsum-integral-identity", title="Φ^τ(u) = ∫₀ᵘ (1+v)^{−τ} dv",
       source=SRC.at("comp-sum loss definition (section number unconfirmed)"),
       statement="Φ^τ(u) = ∫₀ᵘ(1+v)^{−τ}dv for every τ ≥ 0 and u ≥ 0", status="VERIFIED", kind="identity",
       tolerance=1e-10, tolerance_reason="adaptive quadrature to 1e-13 relative; relative error reported",
       negative_control="integrand (1+v)^{−(τ+0.25)}: a wrong exponent")
def integral_identity(ctx):
    tally = ctx.tally()
    k = ctx.pick(quick=40, full=2000)
    taus = np.concatenate([[0, 0.5, 1, 1.5, 2, 3], ctx.rng.uniform(0, 4, k)])
    us = np.concatenate([[0.3, 1, 2, 5, 10, 100], 10 ** ctx.rng.uniform(-3, 2, k)])
    for tau, u in zip(taus, us):
        ex = tau + 0.25 if ctx.control else tau
        ref = quad(lambda v: (1 + v) ** (-ex), 0, u, epsabs=0, epsrel=1e-13)[0]
        val = float(cs.phi_tau(u, tau))
        tally.add(-abs(val - ref) / max(abs(ref), 1e-300), tau=tau, u=u)
    return tally.outcome()


@claim("mao2023/compsum-softmax-form", title="comp-sum = Ψ_τ(softmax)",
       source=SRC.at("comp-sum loss definition (section number unconfirmed)"),
       statement="Φ^τ(Σ_{y'≠y} e^{h_{y'}−h_y}) = Ψ_τ(softmax(h)_y) for random h and τ ∈ [0, 4]",
       status="VERIFIED", kind="identity", tolerance=1e-12, tolerance_reason="relative, double rounding",
       negative_control="exponent sign swapped: Φ^τ(Σ e^{h_y − h_{y'}})")
def softmax_form(ctx):
    tally = ctx.tally()
    m = ctx.pick(quick=300, full=20000)
    n = ctx.rng.integers(2, 8)
    h = ctx.rng.normal(0, 2, (m, n))
    y = ctx.rng.integers(0, n, m)
    for tau in np.concatenate([[0, 1, 2], ctx.rng.uniform(0, 4, 5)]):
        diff = h - h[np.arange(m), y][:, None]
        if ctx.control:
            diff = -diff
        u = np.exp(diff).sum(1) - 1.0  # removes the y'=y term e^0
        a = np.asarray(cs.phi_tau(u, tau))
        b = np.asarray(cs.comp_sum_loss(h, y, tau))
        tally.add(-np.abs(a - b) / np.maximum(np.abs(a), 1e-300), tau=tau)
    return tally.outcome()


@claim("mao2023/compsum-special-cases", title="named comp-sum losses",
       source=SRC.at("special cases named in the abstract: CE, GCE, MAE (table unconfirmed)"),
       statement="Ψ_0 = 1/s − 1 (sum-exp), Ψ_1 = −log s (CE), Ψ_τ = (1−s^{τ−1})/(τ−1) (GCE), Ψ_2 = 1 − s (MAE), "
                 "derived with sympy as limits/simplifications of Φ^τ and matched numerically",
       status="VERIFIED", kind="identity", tolerance=1e-12, tolerance_reason="double rounding",
       negative_control="MAE stated as 1 − s²")
def special_cases(ctx):
    import sympy as sp

    tally = ctx.tally()
    s, tau = sp.symbols("s tau", positive=True)
    general = cs.psi_sympy(s, tau)
    named = {0: 1 / s - 1, 1: -sp.log(s), 2: (1 - s**2) if ctx.control else 1 - s}
    # symbolic: limits of the general form (τ = 1 is a genuine limit)
    for t0, target in named.items():
        derived = sp.limit(general, tau, t0)
        tally.add(-abs(float(sp.simplify(derived - target).subs(s, sp.Rational(3, 7)))), tau=t0, check="symbolic")
    grid = ctx.rng.uniform(1e-3, 1, ctx.pick(quick=200, full=10000))
    for t0, target in named.items():
        f = sp.lambdify(s, target, "numpy")
        tally.add(-np.abs(np.asarray(cs.psi_tau(grid, t0)) - f(grid)), tau=t0, check="numeric")
    q = 0.4  # GCE with q = τ − 1
    tally.add(-np.abs(np.asarray(cs.psi_tau(grid, 1 + q)) - (1 - grid**q) / q), tau=1.4, check="GCE")
    return tally.outcome()


@claim("mao2023/cstar-closed-form", title="best conditional risk C*_τ(p)",
       source=SRC.at("best conditional risk of comp-sum losses (reconstructed; number unconfirmed)"),
       statement="C*_τ(p) = (1−‖p‖_{1/(2−τ)})/(τ−1), entropy at τ=1, (1−max p)/(τ−1) for τ ≥ 2 equals the "
                 "minimum over scores (relative error |min − C*| / max(1, |C*|))", status="VERIFIED", kind="identity",
       tolerance=1e-6,
       tolerance_reason="relative to max(1, |C*|) (C* reaches n − 1 at τ = 0): multistart BFGS to 1e-8; τ ≥ 2 is "
                        "an infimum approached by scores of size ~30",
       negative_control="‖p‖_{2−τ} in place of ‖p‖_{1/(2−τ)}")
def cstar_closed_form(ctx):
    tally = ctx.tally()
    reps = ctx.pick(quick=3, full=30)
    for tau in (0.0, 0.5, 1.0, 1.5, 1.8, 2.0, 3.0):
        for _ in range(reps):
            n = int(ctx.rng.integers(2, 6))
            p = ctx.rng.dirichlet(np.ones(n))
            best = np.inf
            for k in range(4):
                h0 = ctx.rng.normal(0, 1, n)
                if k == 0:
                    h0 = np.log(p) / (2 - tau) if tau < 2 else np.eye(n)[np.argmax(p)] * 30
                r = minimize(_risk_and_grad, h0, args=(p, tau), jac=True, method="BFGS",
                             options={"gtol": 1e-11})
                best = min(best, r.fun)
            if ctx.control and tau < 2 and tau != 1:
                closed = (1 - np.sum(p ** (2 - tau)) ** (1 / (2 - tau))) / (tau - 1)
            else:
                closed = cs.best_conditional_risk(p, tau)
            tally.add(-abs(best - closed) / max(1.0, abs(closed)), measured={"min": best, "closed": closed},
                      tau=tau, n=n, p=p)
    return tally.outcome()


def _risk_and_grad(h, p, tau):
    """C_τ(h, p) and its gradient Σ_y p_y ∇ℓ^τ(h, y) (from comp_sum_loss_and_grad)."""
    n = len(p)
    loss, grad = cs.comp_sum_loss_and_grad(np.tile(h, (n, 1)), np.arange(n), tau, fast=False)
    keep = p > 0
    return float(p[keep] @ loss[keep]), p[keep] @ grad[keep]


# ------------------------------------------------------------------------------------ transforms


def _grid(ctx):
    return ctx.pick(quick=(0.1, 0.5, 0.9), full=tuple(np.round(np.arange(0.05, 0.96, 0.05), 2)))


@claim("mao2023/transform-validity", title="T_τ never exceeds the tight transform",
       source=SRC.at("comp-sum H-consistency bound theorem (form reconstructed" + _U + ")"),
       statement="T^CE_τ(t) ≤ T^true_τ(t) (E3 search) for τ ∈ {0,.5,1,1.5,2,3}, n ∈ {2,3,4,10}",
       status="RECONSTRUCTED", kind="bound", tolerance=1e-8,
       tolerance_reason="the E3 search value is an upper estimate exact to ~1e-12 at its witness",
       negative_control="1.05·T^CE_τ (beaten by the binary-embedding construction where T^CE is tight)")
def transform_validity(ctx):
    tally = ctx.tally()
    for tau in TAUS:
        for n in (2, 3, 4, 10):
            for t in _grid(ctx):
                v, _ = _tight(ctx, tau, t, n)
                ce = float(hc.compsum_transform(t, tau, n)) * (1.05 if ctx.control else 1.0)
                tally.add(v - ce, tau=tau, n=n, t=t)
    return tally.outcome()


@claim("mao2023/transform-tight", title="T_τ is tight for τ ≤ 1 (any n) and n = 2",
       source=SRC.at("abstract: 'our bounds are tight' (scope and theorem unconfirmed)"),
       statement="T^true_τ = T^CE_τ = B_τ for τ ∈ [0,1] at n ∈ {2,3,4,10}, and for τ ∈ [0,2] at n = 2; at the "
                 "reference case τ = 1.5, n = 3 (outside that regime) only T^CE ≤ T^true is asserted",
       status="VERIFIED", kind="tightness", tolerance=1e-6,
       tolerance_reason="E3 search accuracy (T ≤ 1, so the absolute error is also relative to max(1, T))",
       negative_control="T^true = T^CE also at τ = 1.5, n = 3 (a non-tight regime: T^true/T^CE ≈ 1.2 there); "
                        "same cases as the claim")
def transform_tight(ctx):
    tally = ctx.tally()
    cases = [(tau, n) for tau in (0.0, 0.25, 0.5, 0.75, 1.0) for n in (2, 3, 4, 10)]
    cases += [(tau, 2) for tau in (1.25, 1.5, 1.75, 2.0)]
    for tau, n in cases + [(1.5, 3)]:
        for t in _grid(ctx):
            v, _ = _tight(ctx, tau, t, n)
            ce = float(hc.compsum_transform(t, tau, n))
            if (tau, n) == (1.5, 3) and not ctx.control:
                slack = v - ce  # the non-tight reference case: validity only
            else:
                slack = -abs(v - ce)
            tally.add(slack, measured={"T_true": v, "T_CE": ce}, tau=tau, n=n, t=t)
    return tally.outcome()


def _ratio_finding(ctx, cases):
    tally = ctx.tally()
    ratios = []
    for tau, n in cases:
        for t in _grid(ctx):
            v, _ = _tight(ctx, tau, t, n)
            ce = float(hc.compsum_transform(t, tau, n))
            ratios.append((v / ce, tau, n, t))
            tally.add(-abs(v - ce) if ctx.control else v - ce, tau=tau, n=n, t=t)
    r = max(ratios)
    return tally, r


@claim("mao2023/gce-not-tight", title="GCE (τ ∈ (1,2)), n ≥ 3: valid but not tight",
       source=SRC.at("comp-sum bound theorem, reconstructed n^{τ−1} factor" + _U + ")"),
       statement="for τ ∈ {1.25,1.5,1.75} and n ∈ {3,4,10}: T^CE ≤ T^true, with a measured ratio T^true/T^CE > 1",
       status="VERIFIED", kind="finding", tolerance=1e-8, tolerance_reason="E3 search accuracy",
       negative_control="T^true = T^CE (tightness) in this regime")
def gce_not_tight(ctx):
    tally, (r, tau, n, t) = _ratio_finding(ctx, [(tau, n) for tau in (1.25, 1.5, 1.75) for n in (3, 4, 10)])
    return tally.outcome(value=r, message=f"T^true/T^CE up to {r:.4g} (τ={tau}, n={n}, t={t}); the (2/n)^(τ−1) "
                                          "factor is loose; T^true = B_τ for τ ≤ 1.5")


@claim("mao2023/mae-threshold", title="MAE (τ = 2): tight only for t ≤ 1/(n−1)",
       source=SRC.at("comp-sum bound theorem, reconstructed MAE form t/n" + _U + ")"),
       statement="T^CE_2 = t/n ≤ T^true_2 for n ∈ {3,4,10}; the ratio at t beyond 1/(n−1) is reported",
       status="VERIFIED", kind="finding", tolerance=1e-8, tolerance_reason="E3 search accuracy",
       negative_control="T^true_2 = t/n for every t")
def mae_threshold(ctx):
    tally, (r, tau, n, t) = _ratio_finding(ctx, [(2.0, n) for n in (3, 4, 10)])
    return tally.outcome(value=r, message=f"T^true/T^CE up to {r:.4g} at n={n}, t={t} (past t=1/(n−1))")


@claim("mao2023/tau-gt2-loose", title="τ > 2: valid, very loose",
       source=SRC.at("comp-sum bound theorem, reconstructed τ ≥ 2 branch" + _U + ")"),
       statement="T^CE_τ = t/((τ−1)n^{τ−1}) ≤ T^true_τ for τ ∈ {2.5, 3, 4}, n ∈ {2,3,4,10}; ratio reported",
       status="VERIFIED", kind="finding", tolerance=1e-8, tolerance_reason="E3 search (vertex candidates exact)",
       negative_control="T^true_τ = T^CE_τ")
def tau_gt2(ctx):
    tally, (r, tau, n, t) = _ratio_finding(ctx, [(tau, n) for tau in (2.5, 3.0, 4.0) for n in (2, 3, 4, 10)])
    return tally.outcome(value=r, message=f"T^true/T^CE up to {r:.4g} (τ={tau}, n={n}, t={t}); T^true ≈ t/(τ−1) "
                                          "near 0, n-free")


@claim("mao2023/point-mass-tightness", title="point masses attain the bound",
       source=SRC.at("abstract: 'our bounds are tight' (construction reconstructed" + _U + ")"),
       statement="for D = δ_x with the E3 witness (p, h): ΔC_01 = t and Γ_τ(ΔC_τ) = t (equality in (1)) "
                 "for τ ∈ {0, .5, 1} (any n) and n = 2; at the reference case τ = 1.5, n = 3 (non-tight T^CE) "
                 "only ΔC_01 = t ≤ Γ_τ(ΔC_τ) is asserted", status="VERIFIED", kind="tightness", tolerance=1e-6,
       tolerance_reason="ε = 1e−9 tie-breaking perturbation and E3 accuracy (regrets ≤ 1: absolute = relative)",
       negative_control="equality also at τ = 1.5, n = 3 (Γ_τ from the non-tight T^CE); same cases as the claim")
def point_mass(ctx):
    tally = ctx.tally()
    cases = [(0.0, 3), (0.5, 4), (1.0, 10), (1.0, 2), (1.5, 2), (0.0, 2), (1.5, 3)]
    for tau, n in cases:
        for t in _grid(ctx):
            _, w = _tight(ctx, tau, t, n)
            sr, zr = hc.witness_regrets(tau, w)
            g = float(hc.compsum_gamma(max(sr, 0.0), tau, n))
            if (tau, n) == (1.5, 3) and not ctx.control:
                slack = min(-abs(zr - t), g - t)  # the non-tight reference case: the bound holds, not attained
            else:
                slack = -max(abs(zr - t), abs(g - t))
            tally.add(slack, measured={"zero_one_regret": zr, "gamma_of_surrogate_regret": g}, tau=tau, n=n, t=t)
    return tally.outcome()


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
    nh = ctx.pick(quick=300, full=2000)  # per instance and τ: full ≥ 10⁴ hypotheses in total
    for i, inst in enumerate(ctx.shared("mao2023/finite-x-instances", _e1_instances)):
        fp = FiniteProblem(inst["x"], inst["px"], inst["p"])
        r01s, c01 = inst["r01s"], inst["c01"]
        for tau in _E1_TAUS:
            rts, th_hat, ct = inst["taus"][tau]["rts"], inst["taus"][tau]["th_hat"], inst["taus"][tau]["ct"]
            m01, mt = r01s - c01, rts - ct
            # the cases: random h, a quarter near the surrogate minimiser, and ĥ itself (drawn in both runs)
            th = ctx.rng.normal(0, ctx.rng.choice([0.3, 1.0, 3.0]), (nh, 6))
            th[: nh // 4] = th_hat + 0.05 * ctx.rng.normal(size=(nh // 4, 6))
            th[0] = th_hat
            r01, rt = fp.risk01(th), fp.risk_tau(th, tau)
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


def _mixture_runs(rng, budget):
    N = 1500 if budget == "quick" else 20000
    steps = 250 if budget == "quick" else 1500
    out = {}
    for name, mix in (("equal", Mixture3.equal()), ("unequal", Mixture3.unequal())):
        X = mix.sample_x(rng, N)
        P = mix.posteriors(X)
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


# ------------------------------------------------------------------------------------------ growth


@claim("mao2023/growth-rate", title="square-root growth: T(t)/t² → constant",
       source=GROW.at("abstract: square-root growth, binary and comp-sum (theorems" + _U + ")"),
       statement="T^true_τ(t)/t² → 2^{−τ}/(2−τ) (τ ∈ {0,.5,1,1.5}, n=3, sympy-derived) and binary T(t)/t² → "
                 "φ'(0)²/(2φ''(0)) (logistic, exponential, squared hinge)", status="VERIFIED", kind="limit",
       tolerance=1e-12, tolerance_reason="T(t)/t² = c + O(t²) and the E3 search is exact to ~1e−12·t⁻²: relative "
       "error must be ≤ 10t at t = 1e−2, 1e−3, 1e−4 (slack 10t − relative error); the sympy constant and the "
       "series of B_τ agree to double rounding (relative 1e−12)",
       negative_control="the limit is c(1/n) = n^{1−τ}/(2(2−τ)), the s = 1/n end of the two-coordinate reduction "
                        "(the constant the n-dependent T^CE has for τ ∈ (1,2)), in place of c(½)",
       control_threshold=0.1,
       control_threshold_reason="measured against c(1/3), the true limit c(½) is off by |(2/3)^{1−τ} − 1| = 0.33 "
                                "at τ = 0 (0.18–0.23 at τ = .5, 1.5), so the control's worst slack 10t − error is "
                                "≈ −0.32 at t = 1e−3; 0.1 is the width of the 10t band at t = 1e−2")
def growth_rate(ctx):
    import sympy as sp

    tally = ctx.tally()
    ts = (1e-2, 1e-3, 1e-4)
    n = 3
    for tau in (0.0, 0.5, 1.0, 1.5):
        c = float(hc.compsum_growth_constant(tau))
        c2 = float(hc.b_tau_growth_limit(tau))
        tally.add(-abs(c - c2) / abs(c), tau=tau, what="sympy c(1/2) vs series of B_tau")
        if ctx.control:
            f = hc.compsum_growth_function(tau)  # c(s) = Ψ'(s)²/(2Ψ''(s)), sympy (constant at τ = 1)
            c = float(f.subs({sym: sp.Rational(1, n) for sym in f.free_symbols}))
        for t in ts:
            v, _ = _tight(ctx, tau, t, n)
            tally.add(10 * t - abs(v / t**2 - c) / c, measured={"ratio": v / t**2, "limit": c}, tau=tau, t=t)
    for name in ("logistic", "exponential", "squared_hinge"):
        c = float(hc.binary_growth_constant(name))
        for t in ts:
            v = float(hc.binary_transform(name, t, 30.0))
            tally.add(10 * t - abs(v / t**2 - c) / c, measured={"ratio": v / t**2, "limit": c}, loss=name, t=t)
    return tally.outcome()


@claim("mao2023/gamma-slope", title="Γ slopes: ½ for smooth losses, 1 for MAE",
       source=GROW.at("abstract: square-root growth (theorem" + _U + ")"),
       statement="slope of log Γ_τ vs log ε on [1e−6, 1e−3] is ½ (τ ∈ {0,.5,1,1.5,1.9}) and 1 (τ = 2, 3), "
                 "n ∈ {2, 3, 10}",
       status="VERIFIED", kind="limit", tolerance=2e-3,
       tolerance_reason="Γ_τ(ε) = √(ε/c)(1 + O(ε)): on [1e−6, 1e−3] the regression slope moves by O(1e−3) "
                        "(largest, 1.2e−3, at τ = 1.9, n = 10 where the t⁴ term of T_τ is largest); spec C6.2 "
                        "allowed 0.02",
       negative_control="slope ½ asserted for MAE and τ = 3")
def gamma_slope(ctx):
    tally = ctx.tally()
    eps = np.logspace(-6, -3, 25)
    for tau in (0.0, 0.5, 1.0, 1.5, 1.9, 2.0, 3.0):
        for n in (2, 3, 10):
            g = np.asarray(hc.compsum_gamma(eps, tau, n))
            slope = np.polyfit(np.log(eps), np.log(g), 1)[0]
            target = 0.5 if tau < 2 or ctx.control else 1.0
            tally.add(-abs(slope - target), measured={"slope": slope}, tau=tau, n=n)
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


@figure("mao2023/f1-transforms", title="F1: T_τ against the tight transform", source=SRC)
def fig_transforms(ctx):
    rng, budget = ctx.rng, ctx.budget
    from theorylab.engine.plotstyle import new_figure, series_colors

    ts = np.linspace(0.0, 1.0, 41 if budget == "quick" else 101)
    tb = ts[1::4]
    cols = {"series": [], "tau": [], "n": [], "t": [], "T": []}
    fig, axes = new_figure(1, 2, width=10, height=4.2)
    colors = series_colors((0.0, 0.5, 1.0, 1.5, 2.0))  # one colour per τ, shared by its curves and dots
    for tau in (0.0, 0.5, 1.0, 1.5, 2.0):
        for n in ((2,) if tau <= 1 else (2, 10)):
            y = np.asarray(hc.compsum_transform(ts, tau, n))
            ax = axes[0] if tau <= 1 else axes[1]
            color = colors[tau]
            ls = "-" if n == 2 else "--"
            ax.plot(ts, y, ls, color=color,
                    label=rf"$T^{{\mathrm{{CE}}}}_\tau$, $\tau={tau:g}$" + (f", $n={n}$" if tau > 1 else ""))
            cols["series"] += ["T_CE"] * len(ts); cols["tau"] += [tau] * len(ts); cols["n"] += [n] * len(ts)
            cols["t"] += list(ts); cols["T"] += list(y)
            if tau > 1 and n == 10:
                yb = [_tight(ctx, tau, float(t), 10, None, 2000)[0] if t > 0 else 0.0 for t in tb]
                # same colour as the T^CE curve with this τ and n = 10: the dots should lie on it
                ax.plot(tb, yb, "o", ms=5, mfc="none", mew=1.4, color=color,
                        label=rf"$T^{{\mathrm{{true}}}}$ (brute force), $\tau={tau:g}$, $n=10$")
                cols["series"] += ["T_true"] * len(tb); cols["tau"] += [tau] * len(tb)
                cols["n"] += [10] * len(tb); cols["t"] += list(tb); cols["T"] += list(yb)
    for ax, ttl in zip(axes, (r"$\tau \leq 1$: tight and independent of $n$",
                              r"$\tau \in \{1.5, 2\}$: $T^{\mathrm{CE}}_\tau$ against brute force")):
        ax.set_xlabel("0-1 conditional regret $t$")
        ax.set_ylabel("transform $T(t)$")
        ax.set_title(ttl)
        ax.legend(loc="upper left")
    fig.suptitle(r"Comp-sum transforms $T^{\mathrm{CE}}_\tau$ (solid $n=2$, dashed $n=10$) and the tight transform")
    return FigureResult(fig, cols)


@figure("mao2023/f2-gamma-loglog", title="F2: Γ_τ(ε) on log–log axes", source=SRC)
def fig_gamma(ctx):
    rng, budget = ctx.rng, ctx.budget
    from theorylab.engine.plotstyle import new_figure, overlap_styles, series_colors

    eps = np.logspace(-6, 0, 61)
    taus = (0.0, 0.5, 1.0, 1.5, 2.0)
    cols = {"series": [], "eps": [], "gamma": []}
    fig, ax = new_figure(width=6.0, height=4.4)
    colors = series_colors(taus)
    # τ ≤ 1.5 nearly coincide: distinct widths and dashes keep each visible; τ = 2 runs along 3ε
    styles = overlap_styles(len(taus) - 1, widest=4.0) + [dict(linewidth=1.6, linestyle="-", zorder=3)]
    for tau, style in zip(taus, styles):
        g = np.asarray(hc.compsum_gamma(eps, tau, 3))
        ax.loglog(eps, g, color=colors[tau], label=rf"$\tau={tau:g}$", **style)
        cols["series"] += [f"tau={tau:g}"] * len(eps); cols["eps"] += list(eps); cols["gamma"] += list(g)
    for s, c, lab in ((0.5, 1.0, r"reference $\varepsilon^{1/2}$"), (1.0, 3.0, r"reference $3\varepsilon$")):
        ax.loglog(eps, np.minimum(c * eps**s, 1), color="0.6", lw=5.0, alpha=0.45, zorder=1, label=lab,
                  solid_capstyle="butt")
        cols["series"] += [f"slope {s:g}"] * len(eps); cols["eps"] += list(eps)
        cols["gamma"] += list(np.minimum(c * eps**s, 1))
    ax.set_xlabel(r"surrogate regret $\varepsilon$")
    ax.set_ylabel(r"$\Gamma_\tau(\varepsilon)$ (0-1 regret bound)")
    ax.set_title(r"$\Gamma_\tau(\varepsilon)$ for $n=3$: slope $\frac{1}{2}$ for $\tau<2$, slope 1 for $\tau=2$")
    ax.legend(loc="lower right")
    return FigureResult(fig, cols)


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


@figure("mao2023/f7-growth", title="F7: T(t)/t² converging", source=GROW)
def fig_growth(ctx):
    rng, budget = ctx.rng, ctx.budget
    from theorylab.engine.plotstyle import new_figure, overlap_styles, series_colors

    ts = np.logspace(-4, -0.3, 12 if budget == "quick" else 30)
    cols = {"series": [], "t": [], "ratio": []}
    fig, ax = new_figure(width=7.2, height=4.2)
    taus = (0.0, 0.5, 1.0, 1.5)
    binaries = ("exponential", "squared_hinge")
    colors = series_colors(taus + binaries)
    # τ = 0, τ = 1 and binary exponential all tend to ½: the comp-sum curves get distinct widths and dashes,
    # the binary ones open markers, so each stays visible where they coincide
    for tau, style in zip(taus, overlap_styles(len(taus), widest=4.0)):
        r = np.array([_tight(ctx, tau, float(t), 3, None, 1000)[0] / t**2 for t in ts])
        ax.semilogx(ts, r, color=colors[tau], label=rf"comp-sum $\tau={tau:g}$, $n=3$", **style)
        ax.axhline(float(hc.compsum_growth_constant(tau)), color="0.4", lw=0.7, ls=":", zorder=1,
                   label="limits $c(\\tau)$ (theory)" if tau == taus[-1] else None)
        cols["series"] += [f"tau={tau:g}"] * len(ts); cols["t"] += list(ts); cols["ratio"] += list(r)
    for name, mk in zip(binaries, ("o", "s")):
        r = np.asarray(hc.binary_transform(name, ts, 30.0)) / ts**2
        ax.semilogx(ts, r, mk, ls="-", lw=0.8, ms=6, mfc="none", mew=1.3, color=colors[name], zorder=4,
                    label=f"binary {name.replace('_', ' ')}")
        cols["series"] += [name] * len(ts); cols["t"] += list(ts); cols["ratio"] += list(r)
    ax.set_xlabel("0-1 conditional regret $t$")
    ax.set_ylabel(r"$T(t)/t^2$")
    ax.set_title(r"Tight transforms grow quadratically: $T(t)/t^2$ tends to a constant as $t \to 0$")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    return FigureResult(fig, cols)


if __name__ == "__main__":
    import sys

    from theorylab.engine import run_module

    sys.exit(run_module(__name__))
