"""Prieto, Barsbey, Mediano, Birdal, "Grokking at the Edge of Numerical Stability" (ICLR 2025): training runs.

Claims: (NLM demo) a bias-free linear softmax on separable data (K = 3, d = 20, 300 Gaussian points, linear
teacher), full-batch Adam with ε = 1e-25 in float32, fits every point and then keeps scaling W: ‖W‖ grows by a
large factor, −∇L stays well aligned with W, and a majority of the training samples reach Softmax Collapse
(fl(Σ_j e^{z_j − max z}) = 1 in float32); the same run with ⊥Grad never collapses a sample and ‖W‖ only creeps
(Adam breaks exact orthogonality), while the raw gradient is almost parallel to W. (Grokking) FINDING: on
modular addition with a bias-free ReLU MLP, AdamW without weight decay, float32 softmax CE, the ⊥Grad run's
test accuracy after a fixed short budget versus the baseline's, with the numbers of every seed. Figure: grokking
curves (train/test accuracy, collapse fraction and ‖θ‖ vs step), baseline vs ⊥Grad (and StableMax in full).

The runs are deterministic given the seed; thresholds are set from the spread over seeds 0..9 with a margin
stated in each claim (there is no standard error to speak of: one run per draw, and the effects are large).
BLAS threads are limited to one inside the runs (small matrices; threads only contend on a loaded machine).
"""
from __future__ import annotations

import numpy as np

from theorylab.engine import FigureResult, Source, claim, figure
from theorylab.settings import modular_arithmetic as ma

SRC = Source("L. Prieto, M. Barsbey, P. Mediano, T. Birdal", "Grokking at the Edge of Numerical Stability",
             "ICLR 2025, arXiv 2501.04697")

NLM_LR = 3e-2
COLLAPSE_MIN = 0.3        # baseline: final collapsed fraction ≥ 0.3 (measured 0.47-0.58 at 1000 steps)
GROWTH_MIN = 10.0         # baseline: ‖W_T‖/‖W_0‖ ≥ 10 (measured 36-45)
COS_MIN = 0.3             # baseline: final cos(−∇L, W) ≥ 0.3 (measured 0.70-0.86)
CREEP_MAX = 5.0           # ⊥Grad: ‖W_T‖/‖W_0‖ ≤ 5 (measured 3.1-3.7)
PARALLEL_MIN = 0.9        # ⊥Grad: the raw gradient's final cos(−∇L, W) ≥ 0.9 (measured ≥ 0.999)


def _one_thread():
    try:
        from threadpoolctl import threadpool_limits
        return threadpool_limits(1)
    except ImportError:  # pragma: no cover - threadpoolctl ships with scikit-learn/scipy stacks
        import contextlib
        return contextlib.nullcontext()


def _nlm_runs(rng, n_draws, steps):
    runs = []
    with _one_thread():
        for _ in range(n_draws):
            X, y = ma.nlm_demo_data(rng)
            seed = int(rng.integers(2**32))
            base = ma.train_bias_free_mlp(X, y, steps, np.random.default_rng(seed), lr=NLM_LR, record_every=25)
            orth = ma.train_bias_free_mlp(X, y, steps, np.random.default_rng(seed), lr=NLM_LR, orthograd=True,
                                          record_every=25)
            runs.append((base, orth))
    return runs


def _summ(h):
    return dict(collapsed_final=float(h["collapsed"][-1]), collapsed_max=float(h["collapsed"].max()),
                growth=float(h["weight_norm"][-1] / h["weight_norm"][0]), cos_final=float(h["cos_nlm"][-1]),
                train_acc=float(h["train_acc"][-1]), zero_grad_final=float(h["zero_grad"][-1]))


@claim("prieto2025/nlm-demo-collapse",
       title="NLM demo: Adam (ε = 1e-25, fp32) scales a linear softmax into Softmax Collapse; ⊥Grad does not",
       source=SRC.at("Sec. 3-5 (NLM drives weights to grow and samples to collapse; ⊥Grad removes the NLM "
                     "direction); demo sizes from classification-settings.md §(e)"),
       statement="bias-free linear softmax z = Wx, K = 3, d = 20, 300 points x ~ N(0, I) labelled by a Gaussian "
                 "linear teacher; PyTorch-default init; full-batch Adam (β = (0.9, 0.99), ε = 1e-25, lr 3e-2, "
                 "1000 steps; 1 draw quick, 5 full), float32 weights and softmax CE. Baseline: 100% train accuracy, "
                 "final collapsed fraction ≥ 0.3, ‖W_T‖/‖W_0‖ ≥ 10, final cos(−∇L, W) ≥ 0.3. ⊥Grad from the "
                 "same init: no training sample ever collapsed (fraction exactly 0 at every 25th step), "
                 "‖W_T‖/‖W_0‖ ≤ 5, and the raw gradient stays parallel to W: cos(−∇L, W) ≥ 0.9",
       status="VERIFIED", kind="finding", tolerance=0.0,
       tolerance_reason="deterministic runs; slack = measured − threshold for the lower bounds (fractions and "
                        "cosines), 1 − threshold/ratio (growth) or 1 − ratio/threshold (creep), −max collapsed "
                        "fraction for 'never collapses'. Thresholds vs seeds 0..9 (quick): collapsed 0.47-0.58 (floor 0.3), "
                        "growth 36-45 (floor 10), cosine 0.70-0.86 (floor 0.3); ⊥Grad: collapsed 0, growth 3.1-3.7 "
                        "(cap 5), raw cosine ≥ 0.999 (floor 0.9). Baseline train accuracy is exactly 1 (slack 0, the "
                        "reported worst); ⊥Grad's is 0.96-0.98 and is not asserted",
       negative_control="the ⊥Grad statement (no collapse, ‖W_T‖/‖W_0‖ ≤ 5, raw cosine ≥ 0.9) asserted of the "
                        "baseline run",
       control_threshold=0.25,
       control_threshold_reason="the baseline has ~60% of samples collapsed (slack ≈ −0.6) and grows ≥ 40×; "
                                "a quarter of the training set collapsed is a decisive miss")
def nlm_demo_collapse(ctx):
    tally = ctx.tally()
    n_draws = ctx.pick(quick=1, full=5)
    steps = 1000  # fixed: the ⊥Grad creep grows with lr × steps (≈ 5 at 3000 steps); full adds draws
    runs = ctx.cases("nlm-runs", lambda: _nlm_runs(ctx.rng, n_draws, steps))
    for k, (base, orth) in enumerate(runs):
        b, o = _summ(base), _summ(orth)
        tally.add([b["train_acc"] - 1.0, b["collapsed_final"] - COLLAPSE_MIN, 1 - GROWTH_MIN / b["growth"],
                   b["cos_final"] - COS_MIN],
                  measured={"baseline": b}, draw=k,
                  check=["baseline fits", "baseline collapses", "baseline grows", "baseline NLM cosine"])
        r = b if ctx.control else o  # the control asserts the ⊥Grad statement of the baseline run
        tally.add([-r["collapsed_max"], 1 - r["growth"] / CREEP_MAX, r["cos_final"] - PARALLEL_MIN],
                  measured={"orthograd": o, "baseline": b}, draw=k,
                  check=["orthograd no collapse", "orthograd creep", "raw gradient parallel"])
    return tally.outcome()


# grokking run (quick): modular addition mod 23, 60% of the pairs for training, bias-free MLP [64, 64]
GROK = dict(p=23, widths=(64, 64), train_fraction=0.6, lr=1e-2, eps=1e-25)
GROK_FULL = dict(p=59, widths=(200, 200), train_fraction=0.4, lr=1e-2, eps=1e-25)
GROK_STEPS = 300
STALL_MAX = 0.1           # baseline test accuracy ≤ 0.1 (measured 0.00; chance 1/23 ≈ 0.043)
GROK_MIN = 0.5            # ⊥Grad test accuracy ≥ 0.5 (measured 0.64-0.94 on seeds 0..9)
GROK_MARGIN = 0.4         # ⊥Grad − baseline test accuracy ≥ 0.4


def _grok_pair(rng, cfg, steps, record_every, losses=(("softmax", False), ("softmax", True))):
    seed = int(rng.integers(2**32))
    out = {}
    with _one_thread():
        for loss, og in losses:
            name = "orthograd" if og else ("stablemax" if loss == "stablemax" else "baseline")
            out[name] = ma.modular_grokking_run(cfg["p"], steps, np.random.default_rng(seed), widths=cfg["widths"],
                                                train_fraction=cfg["train_fraction"], loss=loss, orthograd=og,
                                                lr=cfg["lr"], eps=cfg["eps"], record_every=record_every)
    return out


def _grok_summ(h):
    return dict(train_acc=float(h["train_acc"][-1]), test_acc=float(h["test_acc"][-1]),
                collapsed_max=float(h["collapsed"].max()), weight_norm=float(h["weight_norm"][-1]),
                cos_final=float(h["cos_nlm"][-1]))


@claim("prieto2025/grokking-orthograd-vs-baseline",
       title="Without weight decay ⊥Grad generalises on modular addition within 300 steps; the fp32 baseline stalls",
       source=SRC.at("Sec. 5, Fig. 1 and 6 (⊥Grad groks without regularisation; the baseline does not); fork "
                     "run_main_experiments.sh (lr 0.01, β₂ = 0.99, ⊥Grad 300 epochs)"),
       statement="(a + b) mod 23, 60% of the 529 pairs for training, one-hot [e_a, e_b] inputs, bias-free ReLU MLP "
                 "[64, 64] with PyTorch-default init, full-batch AdamW (lr 1e-2, β = (0.9, 0.99), ε = 1e-25, no "
                 "weight decay), float32 weights and softmax CE, 300 steps, same split and init for both runs. "
                 "Baseline: 100% train accuracy, test accuracy ≤ 0.1. ⊥Grad: 100% train accuracy, test accuracy "
                 "≥ 0.5 and ≥ baseline + 0.4",
       status="RECONSTRUCTED", kind="finding", tolerance=0.0,
       tolerance_reason="deterministic runs (one split and init per seed); slack = measured − threshold (or "
                        "threshold − measured). Thresholds from seeds 0..9 with margins: baseline test accuracy "
                        "0.000 at every seed vs the 0.1 cap; ⊥Grad test accuracy 0.64-0.94 vs the 0.5 floor "
                        "(margin check: ≥ 0.64 vs 0.4); train accuracies exactly 1 (slack 0, the reported worst). Not "
                        "asserted: that the baseline's stall is Softmax Collapse — at this budget its collapsed "
                        "fraction is still 0 (recorded in measured), and a float64 baseline stalls identically "
                        "(test 0.000 at 300 and 1500 steps, seeds 0-1; fp32 collapse starts near step 1500 at "
                        "2-5%), so the stall here is the NLM phase before collapse, not float32 rounding",
       negative_control="the roles swapped: the baseline claimed to generalise and ⊥Grad to stall, same runs",
       control_threshold=0.25,
       control_threshold_reason="the swapped claim misses by ≥ 0.5 test accuracy (baseline ~0 vs floor 0.5, "
                                "⊥Grad ≥ 0.64 vs cap 0.1); a quarter of the test set is a decisive miss")
def grokking_orthograd_vs_baseline(ctx):
    tally = ctx.tally()
    n_draws = ctx.pick(quick=1, full=3)
    steps = ctx.pick(quick=GROK_STEPS, full=500)

    def make():
        return [_grok_pair(ctx.rng, GROK, steps, 50) for _ in range(n_draws)]

    runs = ctx.cases("grok-runs", make)
    for k, pair in enumerate(runs):
        b, o = _grok_summ(pair["baseline"]), _grok_summ(pair["orthograd"])
        stall, gen = (o, b) if ctx.control else (b, o)
        tally.add([stall["train_acc"] - 1.0, STALL_MAX - stall["test_acc"], gen["train_acc"] - 1.0,
                   gen["test_acc"] - GROK_MIN, gen["test_acc"] - stall["test_acc"] - GROK_MARGIN],
                  measured={"baseline": b, "orthograd": o}, draw=k, steps=steps,
                  check=["baseline fits", "baseline stalls", "orthograd fits", "orthograd generalises",
                         "margin"])
    return tally.outcome()


@figure("prieto2025/fig-grokking", title="Grokking without weight decay: fp32 softmax baseline vs ⊥Grad vs StableMax",
        source=SRC.at("Fig. 1 (baseline vs StableMax / ⊥Grad)"))
def fig_grokking(ctx):
    from theorylab.engine.plotstyle import new_figure

    cfg = ctx.pick(quick=GROK, full=GROK_FULL)
    steps = ctx.pick(quick=GROK_STEPS, full=400)
    runs = _grok_pair(ctx.rng, cfg, steps, 5, losses=(("softmax", False), ("softmax", True), ("stablemax", False)))
    style = {"baseline": ("C0", "softmax CE fp32 (baseline)"), "orthograd": ("C1", r"$\perp$Grad + softmax CE fp32"),
             "stablemax": ("C2", "StableMax CE")}
    cols = {"run": [], "step": [], "train_acc": [], "test_acc": [], "collapsed": [], "weight_norm": [],
            "cos_nlm": []}
    fig, axs = new_figure(2, 2, width=12, height=8.2)
    ax_acc, ax_col, ax_norm, ax_cos = axs.ravel()
    for name, h in runs.items():
        c, lab = style[name]
        lw = 3.6 if name == "baseline" else 1.6  # the thick baseline stays visible under curves at 0
        ax_acc.plot(h["step"], h["train_acc"], color=c, ls="--", lw=lw * 0.7)
        ax_acc.plot(h["step"], h["test_acc"], color=c, lw=lw)
        ax_col.plot(h["step"], h["collapsed"], color=c, lw=lw, label=lab)
        ax_norm.plot(h["step"], h["weight_norm"], color=c, lw=lw)
        ax_cos.plot(h["step"], h["cos_nlm"], color=c, lw=lw)
        for i in range(h["step"].size):
            cols["run"].append(name)
            for key in ("step", "train_acc", "test_acc", "collapsed", "weight_norm", "cos_nlm"):
                cols[key].append(float(h[key][i]))
    ax_acc.plot([], [], color="k", ls="--", label="train")
    ax_acc.plot([], [], color="k", label="test")
    ax_acc.set(xlabel="full-batch step", ylabel="accuracy",
               title=f"$(a+b)$ mod {cfg['p']}, train fraction {cfg['train_fraction']}, MLP {list(cfg['widths'])}")
    ax_acc.legend(fontsize=8, loc="center right")
    ax_col.set(xlabel="full-batch step", ylabel="fraction of training samples",
               title=r"softmax-collapse predicate fl$_{32}(\sum_j e^{z_j-\max z})=1$ of the logits", ylim=(-0.03, 1.03))
    ax_col.legend(fontsize=8, loc="center right")
    ax_norm.set(xlabel="full-batch step", ylabel=r"$\|\theta\|$", title="weight norm (no weight decay)")
    ax_cos.set(xlabel="full-batch step", ylabel=r"$\cos(-\nabla L, \theta)$",
               title="NLM alignment of the raw gradient")
    ax_cos.axhline(0, color="0.6", lw=0.8)
    fig.suptitle("AdamW, lr $10^{-2}$, $\\beta=(0.9, 0.99)$, $\\epsilon=10^{-25}$, no weight decay, float32 weights. "
                 "StableMax trains with its own loss (float64), so the softmax predicate does not stop it;\n"
                 "the paper's StableMax run takes $8\\cdot10^4$ steps with $\\beta_2=0.999$ (p = 113), far beyond this budget",
                 fontsize=9)
    return FigureResult(fig, cols)
