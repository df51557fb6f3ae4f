"""Tyurin, "From Logistic Regression to the Perceptron Algorithm" (arXiv:2412.08424, 2024): large-step LR+GD.

Claims: the rescaled LR+GD iterates w_t/γ converge to the batch-perceptron iterates u_t as γ → ∞, with a gap
controlled by e^{−γμ} (μ the smallest perceptron margin along the run); the exact first step; identical predictions
and the loss growing linearly in γ once γμ is large. Figure: max_t ‖w_t/γ − u_t‖ against γ.
"""
from __future__ import annotations

import numpy as np

from theorylab.engine import FigureResult, Source, claim, figure
from theorylab.settings import large_step_logistic as ls

SRC = Source("A. Tyurin", "From Logistic Regression to the Perceptron Algorithm: Exploring Gradient Descent with "
             "Large Step Sizes", "arXiv:2412.08424, 2024")
GAMMAS = (1e2, 1e4, 1e6, 1e8)
N, D, T = 200, 10, 30


def _runs(rng, budget):
    """Separable instances, their perceptron runs and the rescaled LR+GD runs at every γ in GAMMAS and γ = 1."""
    out = []
    for _ in range(2 if budget == "quick" else 10):
        A, y, _ = ls.separable_data(N, D, rng)
        u = ls.batch_perceptron(A, y, T)
        Z = y[:, None] * A
        mu = np.array([np.min(np.abs(Z @ u[s])) for s in range(1, T)])  # margins of u_1 … u_{T−1}
        v = {g: ls.logistic_gd_rescaled(A, y, g, T) for g in GAMMAS + (1.0,)}
        out.append({"A": A, "y": y, "u": u, "mu": mu, "v": v})
    return out


@claim("tyurin2024/rescaled-iterates", title="large-step LR+GD: w_t/γ → batch-perceptron iterate u_t",
       source=SRC.at("abstract and Sec. 3 (LR+GD reduces to a batch perceptron as γ → ∞)"),
       statement="max_{t≤30} ‖w_t/γ − u_t‖ ≤ 2·max_i‖a_i‖·Σ_{1≤s<30} e^{−γμ_s} (μ_s = min_i |y_i a_iᵀu_s|), "
                 "for γ ∈ {1e2, 1e4, 1e6, 1e8}; hence → 0 as γ → ∞ when no perceptron margin is 0",
       status="RECONSTRUCTED", kind="limit", tolerance=1e-12,
       tolerance_reason="relative to max_t ‖u_t‖: rounding of 30 sums of n = 200 terms (~1e-15); the bound is "
                        "the first-order per-step error |σ(−γm) − 1[m<0]| ≤ e^{−γ|m|} summed over steps, with a "
                        "factor 2 for its propagation (our derivation, not the paper's statement)",
       negative_control="the same bound asserted for the LR+GD run at γ = 1 (the gap stays ≈ 3 ‖u‖-scale)",
       control_threshold=0.1,
       control_threshold_reason="relative units: the control must exceed the bound by ≥ 10% of max‖u_t‖")
def rescaled_iterates(ctx):
    tally = ctx.tally()
    for r in ctx.shared("tyurin2024/runs", _runs):
        u, A = r["u"], r["A"]
        scale = np.max(np.linalg.norm(u, axis=1))
        amax = np.max(np.linalg.norm(A, axis=1))
        for g in GAMMAS:
            v = r["v"][1.0 if ctx.control else g]
            gap = np.max(np.linalg.norm(v - u, axis=1))
            bound = 2 * amax * np.sum(np.exp(-g * r["mu"]))
            tally.add((bound - gap) / scale, measured={"gap": float(gap), "bound": float(bound),
                                                       "mu_min": float(r["mu"].min())}, gamma=g)
    return tally.outcome()


@claim("tyurin2024/perceptron-predictions", title="large-step LR+GD: exact first step, perceptron predictions, "
                                                   "loss linear in γ",
       source=SRC.at("abstract and Sec. 3 (batch perceptron limit; larger steps give larger logistic losses)"),
       statement="(i) w_1 = (γ/2n)Σ y_i a_i for every γ; (ii) for every γ ∈ {1e2,…,1e8} with γμ ≥ 40 (μ the "
                 "smallest perceptron margin along the run), the signs of all y_i a_iᵀw_t equal those of "
                 "y_i a_iᵀu_t for 1 ≤ t ≤ 30; (iii) there |max_t f(w_t)/γ − max_t (1/n)Σ_i(−y_i a_iᵀu_t)_+| ≤ "
                 "log 2/γ + max_i‖a_i‖·max_t‖w_t/γ − u_t‖",
       status="VERIFIED", kind="classification", tolerance=1e-9,
       tolerance_reason="(i) and (iii) relative to their size, rounding only; (ii) counts mismatched predictions "
                        "(exact, 0 allowed). (iii): 0 ≤ log(1+e^{−x}) − (−x)_+ ≤ log 2 and the hinge is "
                        "max‖a_i‖-Lipschitz in v",
       negative_control="identical predictions (and the same loss limit) asserted for the LR+GD run at γ = 1",
       control_threshold=0.5,
       control_threshold_reason="the mismatch count is an integer: the control must show ≥ 1 mismatched "
                                "prediction (or a loss error ≥ 0.5 relative)")
def perceptron_predictions(ctx):
    tally = ctx.tally()
    for r in ctx.shared("tyurin2024/runs", _runs):
        A, y, u = r["A"], r["y"], r["u"]
        Z = y[:, None] * A
        first = Z.sum(axis=0) / (2 * N)
        for g in GAMMAS:
            gg = 1.0 if ctx.control else g
            v = r["v"][gg]
            tally.add(-np.linalg.norm(v[1] - first) / np.linalg.norm(first), measured={"gamma_run": gg},
                      gamma=g, check="first step")
            if g * r["mu"].min() < 40:
                continue
            mism = int(np.sum(np.sign(Z @ v[1:].T) != np.sign(Z @ u[1:].T)))
            tally.add(-float(mism), measured={"mismatches": mism, "gamma_run": gg}, gamma=g, check="predictions")
            loss = max(ls.logistic_loss(A, y, gg * v[t]) for t in range(T + 1)) / gg
            hinge = max(np.mean(np.maximum(-(Z @ u[t]), 0.0)) for t in range(T + 1))
            allow = np.log(2) / g + np.max(np.linalg.norm(A, axis=1)) * np.max(np.linalg.norm(v - u, axis=1))
            tally.add((allow - abs(loss - hinge)) / hinge, measured={"loss_over_gamma": loss, "hinge": hinge},
                      gamma=g, check="loss ~ γ·hinge")
    return tally.outcome()


@figure("tyurin2024/fig-gap-vs-gamma", title="Distance of rescaled LR+GD iterates to the batch perceptron vs γ",
        source=SRC.at("Sec. 3 (γ → ∞ limit)"))
def fig_gap(ctx):
    from theorylab.engine.plotstyle import new_figure

    gammas = np.geomspace(1, 1e8, 33)
    fig, ax = new_figure(1, 1, width=7, height=4.8)
    cols = {"series": [], "instance": [], "gamma": [], "value": []}
    for k in range(3):
        A, y, _ = ls.separable_data(N, D, ctx.rng)
        u = ls.batch_perceptron(A, y, T)
        Z = y[:, None] * A
        mu = np.array([np.min(np.abs(Z @ u[s])) for s in range(1, T)])
        amax = np.max(np.linalg.norm(A, axis=1))
        gaps = [np.max(np.linalg.norm(ls.logistic_gd_rescaled(A, y, g, T) - u, axis=1)) for g in gammas]
        bnd = [2 * amax * np.sum(np.exp(-g * mu)) for g in gammas]
        floor = 1e-17
        ax.loglog(gammas, np.maximum(gaps, floor), color=f"C{k}", marker="o", ms=4,
                  label=rf"instance {k + 1}: $\max_t\|w_t/\gamma-u_t\|$ ($\mu={mu.min():.1e}$)")
        ax.loglog(gammas, np.maximum(bnd, floor), color=f"C{k}", ls="--", lw=1,
                  label=rf"instance {k + 1}: bound $2\max_i\|a_i\|\sum_s e^{{-\gamma\mu_s}}$")
        for series, vals in (("gap", gaps), ("bound", bnd)):
            for g, val in zip(gammas, vals):
                cols["series"].append(series); cols["instance"].append(k); cols["gamma"].append(float(g))
                cols["value"].append(float(val))
    ax.set_ylim(1e-17, 1e3)
    ax.set_xlabel(r"step size $\gamma$")
    ax.set_ylabel(r"$\max_{t\leq 30}\|w_t/\gamma-u_t\|$ (0 drawn at $10^{-17}$)")
    ax.set_title(rf"LR+GD $\to$ batch perceptron ($n={N}$, $d={D}$, 30 steps)")
    ax.legend(fontsize=7, loc="lower left")
    return FigureResult(fig, cols)


if __name__ == "__main__":
    import sys

    from theorylab.engine import run_module

    sys.exit(run_module(__name__))
