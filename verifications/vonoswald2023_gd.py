"""von Oswald et al. (ICML 2023): transformers learn in context by gradient descent.

The Prop. 1 construction is an exact identity; the uniform-input optimum and the alignment of a
trained LSA with one GD step are checked by Monte Carlo (spec §8). Every claim computes on ``ctx.xp`` under the
backends it declares (prompts drawn on the host from the claim's stream and moved once; training and the Monte
Carlo on the device); the line search of ``uniform-optimum`` is SciPy's and gets its 10⁴ values moved once.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.stats import norm

from theorylab.engine import FigureResult, Source, claim, figure
from theorylab.engine.backends import to_numpy
from theorylab.settings import icl
from theorylab.settings import icl_training as tr

from verifications._mahankali2023_common import (ICL_BACKENDS, STAT_FLOAT32, STAT_FLOAT32_REASON, on_device,
                                                 shared_on_device)

SRC = Source("J. von Oswald, E. Niklasson, E. Randazzo, J. Sacramento, A. Mordvintsev, A. Zhmoginov, M. Vladymyrov",
             "Transformers Learn In-Context by Gradient Descent", "ICML 2023, arXiv 2212.07677")
FALSE_ALARM = 1e-4  # per claim per run
Z_CRIT_UNIFORM = float(norm.isf(FALSE_ALARM / (2 * 9)))  # two-sided Bonferroni over 9 tests: 4.39
Z_UPPER = float(norm.isf(FALSE_ALARM / 3))  # one-sided confidence ends of 3 alignment metrics: 3.99


@claim("vonoswald2023/construction", title="one LSA layer with the Prop. 1 weights is one GD step",
       source=SRC.at("Proposition 1"),
       statement="W_K = W_Q = blockdiag(I, 0), W_V = [[0,0],[W_0, −I]], P = (η/N)I: the query (x_q, −W_0x_q) "
                 "becomes (x_q, −(W_0 + ΔW)x_q) and each token (x_j, y_j − ΔW x_j), ΔW = −(η/N)Σ(W_0x_i − y_i)x_iᵀ",
       status="PAPER", kind="identity", tolerance=1e-11, tolerance_reason="relative float64 rounding",
       negative_control="the GD step without the 1/N normalisation (step η on the summed loss)",
       backends=("numpy", "array-api-strict", "torch", "cupy", "jax"),
       float32_tolerance=1e-5,
       float32_reason="relative float32 rounding of sums of ≤ 10 products of N(0,1) entries (a few eps₃₂ ≈ 1e-7 "
                      "times the condition of ΔW); 1e-5 ≈ 84 eps₃₂; the control misses by a factor N − 1 ≥ 3 on "
                      "the N > 1 cases")
def construction(ctx):
    tally = ctx.tally()
    xp = ctx.xp
    for d, o, N in ((1, 1, 1), (5, 1, 10), (4, 3, 7)):
        X = ctx.asarray(ctx.rng.standard_normal((16, N, d)))
        Y = ctx.asarray(ctx.rng.standard_normal((16, N, o)))
        xq = ctx.asarray(ctx.rng.standard_normal((16, d)))
        W0 = ctx.asarray(ctx.rng.standard_normal((o, d)))
        eta = float(ctx.rng.uniform(0.1, 2.0))
        WK, WQ, WV, P = icl.von_oswald_construction(W0, eta, N)
        tokens = xp.concat([X, Y], axis=2)
        query = xp.concat([xq, -xq @ W0.T], axis=1)
        new_tok, new_q = icl.von_oswald_layer(tokens, query, WK, WQ, WV, P)
        pred = -new_q[:, d:]
        gd = icl.gd_step_prediction(W0, eta * N if ctx.control else eta, X, Y, xq)
        scale = xp.max(xp.abs(gd)) + 1e-300
        tally.add(-xp.max(xp.abs(pred - gd)) / scale, d=d, o=o, N=N, check="query")
        if hasattr(xp, "einsum"):  # NumPy (and torch, cupy, jax): the summation order of the NumPy evidence
            dW = -(eta / N) * xp.einsum("bno,bnd->bod", X @ W0.T - Y, X)
            tok_pred = Y - xp.einsum("bod,bnd->bno", dW, X)
        else:  # the array API has no einsum: the same sums as batched matrix products
            dW = -(eta / N) * (xp.matrix_transpose(X @ W0.T - Y) @ X)  # Σ_n (W_0x_n − y_n) x_nᵀ, (b, o, d)
            tok_pred = Y - X @ xp.matrix_transpose(dW)
        tally.add(-xp.max(xp.abs(new_tok[..., d:] - tok_pred)) / scale, d=d, o=o, N=N, check="tokens")
        tally.add(-xp.max(xp.abs(new_tok[..., :d] - X)) / scale, check="x unchanged")
    return tally.outcome()


UNIFORM_CASES = ((2, 2, 1.0), (10, 10, 1.0), (3, 4, 2.0))  # (d, N, a)


def _uniform_fits(rng, B, d, N, a, where):
    """B prompts with U(−a, a) inputs, their OLS step (η̂, SE), and z = hᵀx_q and the SE on the first 10⁴
    (z and the first 10⁴ query labels moved to the host once, for SciPy's line search)."""
    pr = icl.sample_prompts(B, N, d, rng, inputs="uniform", input_range=a, **where)
    est, se = icl.fit_step(pr)
    small = icl.Prompts(pr.X[:10_000, ...], pr.y[:10_000, ...], pr.x_query[:10_000, ...], pr.y_query[:10_000],
                        pr.w[:10_000, ...])
    z = pr.xp.sum(small.moment() * small.x_query, axis=1)
    _, se_ls = icl.fit_step(small)
    return pr, est, se, np.asarray(to_numpy(z), dtype=np.float64), se_ls, np.asarray(to_numpy(small.y_query),
                                                                                   dtype=np.float64)


@claim("vonoswald2023/uniform-optimum", title="optimal GD step for U(−1, 1) inputs", source=SRC.at("§4 setting; spec §8"),
       statement="x ~ U(−a,a)^d, w ~ N(0,I): η* = s₂/c_N, c_N = (m₄ + (d−1)s₂²)/N + (1 − 1/N)s₂², "
                 "R* = d s₂(1 − s₂²/c_N); a line search on 10⁴ tasks agrees",
       status="VERIFIED", kind="identity", tolerance=0.0,
       tolerance_reason="slack = z_crit − |estimate − theory|/SE (OLS slope, MC risk, line search on 10⁴ tasks); "
                        "z_crit = 4.39, two-sided Bonferroni over the 9 tests at false-alarm probability 1e-4",
       negative_control="the Gaussian-moment formula (m₄ = 3 s₂²) in place of m₄ = a⁴/5",
       control_threshold=3.0,
       control_threshold_reason="slack is in SE units: the control must reach |z| ≥ z_crit + 3, which a correct "
                                "formula does with probability < 1e-11",
       backends=ICL_BACKENDS, float32_tolerance=STAT_FLOAT32, float32_reason=STAT_FLOAT32_REASON)
def uniform_optimum(ctx):
    tally = ctx.tally()
    B = ctx.pick(quick=100_000, full=1_000_000)
    fits = ctx.cases("fits", lambda: [_uniform_fits(ctx.rng, B, d, N, a, on_device(ctx)) for d, N, a in UNIFORM_CASES])
    for (d, N, a), (pr, est, se, z, se_ls, y_q) in zip(UNIFORM_CASES, fits):
        s2 = a * a / 3.0
        eta, R = icl.moment_step(d, N, s2, 3 * s2 * s2) if ctx.control else icl.uniform_input_optimum(d, N, a)
        tally.add(Z_CRIT_UNIFORM - abs(est - eta) / se, measured={"estimate": est, "theory": eta, "se": se},
                  d=d, N=N, a=a, check="step")
        mc, se_r = icl.mc_risk(pr, eta * np.eye(d))
        tally.add(Z_CRIT_UNIFORM - abs(mc - R) / se_r, measured={"mc": mc, "theory": R, "se": se_r},
                  d=d, N=N, a=a, check="risk")
        ls = minimize_scalar(lambda e: float(np.mean((e * z - y_q) ** 2)), bounds=(0.0, 4 * eta),
                             method="bounded", options={"xatol": 1e-10}).x
        ls = float(ls)
        tally.add(Z_CRIT_UNIFORM - abs(ls - eta) / se_ls, measured={"estimate": ls, "theory": eta},
                  d=d, N=N, a=a, check="line search")
    return tally.outcome()


def _trained_sizes(ctx) -> tuple:
    """(d = N, Adam steps, batch) of the trained LSA: quick, full, and the paper's own sizes.

    Paper budget: d = N = 10 (von Oswald et al. 2023, §4: "N = n_I = 10"; Fig. 2, single LSA layer against one GD
    step), 10⁴ training steps and batch 512 (the public code's ``training_steps = 10000``, ``bs = 512``,
    google-research/self-organising-systems, transformers_learn_icl_by_gd/src/config.py; the paper text read here
    does not print them: RECONSTRUCTED from the code). The optimiser stays this project's protocol (Adam, lr 1e-2,
    ×0.1 after 75 % of the steps; the code uses lr 1e-3 without decay).
    """
    return ctx.pick(quick=(5, 800, 1024), full=(10, 5000, 1024), paper=(10, 10_000, 512))


def _trained_uniform(ctx) -> dict:
    """The shared fixture "vonoswald2023/trained-uniform" on the run's backend (claim and figure)."""
    sizes = _trained_sizes(ctx)
    return shared_on_device(ctx, "vonoswald2023/trained-uniform",
                            lambda rng, budget, where: _make_trained_uniform(rng, sizes, where))


def _make_trained_uniform(rng, sizes: tuple, where: dict) -> dict:
    """Adam-trained LSA on U(−1, 1)^d prompts and 10⁴ fresh evaluation tasks, trained and evaluated on the backend
    ``where``; ``sizes`` = (d = N, steps, batch) from :func:`_trained_sizes`."""
    d, steps, batch = sizes
    N = d
    res = tr.train_lsa(d, N, rng, inputs="uniform", steps=steps, batch_size=batch, lr=1e-2, record_every=10,
                       **where)
    ev = icl.sample_prompts(10_000, N, d, rng, inputs="uniform", **where)
    return {"d": d, "N": N, "steps": steps, "batch": batch, "result": res, "prompts": ev,
            "eta": icl.uniform_input_optimum(d, N)[0]}


def _ratio_se(a, b) -> tuple[float, float]:
    """mean(a)/mean(b) and its delta-method standard error (paired samples a, b)."""
    ma, mb = float(np.mean(a)), float(np.mean(b))
    r = ma / mb
    return r, float(np.std(a - r * b, ddof=1) / (abs(mb) * np.sqrt(a.size)))


GAP_MAX, SENS_MAX, COS_MIN = 0.05, 0.05, 0.99


@claim("vonoswald2023/trained-alignment", title="a trained LSA matches one GD step on the alignment metrics",
       source=SRC.at("§4, Fig. 2 metrics"),
       statement="LSA trained on U(−1,1)^d prompts (d = N = 5 quick, 10 full and paper), against one GD step at the optimal "
                 "η* over 10⁴ fresh tasks: relative prediction gap ‖ŷ_θ − ŷ_GD‖/‖ŷ_GD‖ ≤ 0.05, relative "
                 "sensitivity gap ‖∂ŷ_θ/∂x_q − ∂ŷ_GD/∂x_q‖/‖∂ŷ_GD/∂x_q‖ ≤ 0.05 and mean cosine of the "
                 "sensitivities ≥ 0.99, each at its 4-SE upper (lower) confidence end",
       status="PAPER", kind="tightness", tolerance=0.0,
       tolerance_reason="slack = threshold − (metric + z SE), z = 3.99 the one-sided Bonferroni value for 3 "
                        "metrics at false-alarm probability 1e-4 (delta-method SE over the 10⁴ evaluation tasks); "
                        "thresholds 0.05 / 0.99 sit above the Adam noise floor (measured gaps ≈ 0.02 at seeds 0–19)",
       negative_control="the same metrics against least squares on each prompt's context (ŷ = x_qᵀX⁺y, sensitivity "
                        "X⁺y): the alternative that a trained transformer implements exact regression (Akyürek et "
                        "al., ICLR 2023). The earlier control, GD at the Gaussian-moment step η_G, is only 5.7 % from "
                        "η* at d = N = 10 and was not decisive at the paper size (×0.59)",
       control_threshold=0.03,
       control_threshold_reason="relative-gap units: decisive when the control's gap (+ z SE) exceeds 0.05 by ≥ 0.03, "
                                "i.e. ≥ 0.08, far beyond its SE (≈ 3e-4)",
       backends=ICL_BACKENDS, float32_tolerance=0.0,
       float32_reason="the same thresholds: training in float32 on the float64 prompts rounded once moved A by 1.2e-6 "
                      "and the slack by 1e-10 at seed 0 under array-api-strict, far below the 0.03 margin to 0.05")
def trained_alignment(ctx):
    tally = ctx.tally()
    out = _trained_uniform(ctx)
    pr, res, d = out["prompts"], out["result"], out["d"]
    eta = out["eta"]
    xp = pr.xp
    if ctx.control:  # least squares on the context: ŵ = X⁺y (min-norm at N = d), sensitivity ∂ŷ/∂x_q = ŵ
        h = (xp.linalg.pinv(pr.X) @ pr.y[..., None])[..., 0]
        step = 1.0
    else:  # one GD step from 0 at η*: ŷ = η* hᵀx_q, h = Xᵀy/N, sensitivity η* h
        h = pr.moment()
        step = eta
    gd = step * xp.sum(h * pr.x_query, axis=1)  # on the device
    lsa = tr.predict_reduced(pr, res.b, res.A)
    g1 = tr.input_gradient_reduced(pr, res.b, res.A)
    # the per-task metrics (10⁴ values each) come to the host once for the delta-method SEs
    gd, lsa, h, g1 = (np.asarray(ctx.to_numpy(v), dtype=np.float64) for v in (gd, lsa, h, g1))
    r, se = _ratio_se((lsa - gd) ** 2, gd ** 2)  # squared relative gap
    gap, gap_se = float(np.sqrt(r)), se / (2.0 * float(np.sqrt(r)))
    tally.add(GAP_MAX - (gap + Z_UPPER * gap_se), measured={"gap": gap, "se": gap_se, "eta": eta},
              check="relative prediction gap")
    g2 = step * h
    r, se = _ratio_se(np.sum((g1 - g2) ** 2, 1), np.sum(g2 ** 2, 1))
    sens, sens_se = float(np.sqrt(r)), se / (2.0 * float(np.sqrt(r)))
    tally.add(SENS_MAX - (sens + Z_UPPER * sens_se), measured={"gap": sens, "se": sens_se, "eta": eta},
              check="relative sensitivity gap")
    cos_all = np.sum(g1 * g2, 1) / (np.linalg.norm(g1, axis=1) * np.linalg.norm(g2, axis=1))
    cos, cos_se = icl.mean_se(cos_all)
    tally.add(cos - Z_UPPER * cos_se - COS_MIN, measured={"cos": cos, "se": cos_se}, check="mean cosine of input gradients")
    return tally.outcome(message=f"d = N = {d}, η = {eta:.4g}: prediction gap {gap:.4f} ± {gap_se:.1g}, sensitivity "
                                 f"gap {sens:.4f} ± {sens_se:.1g}, mean cosine {cos:.5f} ± {cos_se:.1g} "
                                 f"(10⁴ tasks, ± 1 SE)")


@figure("vonoswald2023/training-risk", title="risk of a one-layer LSA during training against one GD step",
        source=SRC.at("§4, Fig. 2 (loss panel)"))
def fig_training_risk(ctx):
    """The loss panel of von Oswald et al. 2023, Fig. 2: a single LSA layer trained on U(−1, 1)^d regression prompts
    reaches the risk of one GD step at the optimal η* (closed form) and stays there.

    Quick: d = N = 5, 800 Adam steps of 1024 prompts; full: d = N = 10, 5000 steps; ``--budget paper``: the paper's
    d = N = 10 with 10⁴ steps of 512 prompts (sizes in :func:`_trained_sizes`). Minibatch losses every 10 steps,
    their running mean over 200 steps, and the trained model's risk on 10⁴ fresh tasks (± 1 SE).
    """
    from theorylab.engine.plotstyle import new_figure

    out = _trained_uniform(ctx)
    d, N, res, pr = out["d"], out["N"], out["result"], out["prompts"]
    eta, risk_gd = icl.uniform_input_optimum(d, N)
    steps, loss = np.asarray(res.history["step"]), np.asarray(res.history["loss"])
    width = max(1, min(20, loss.size // 5))
    smooth = np.convolve(loss, np.ones(width) / width, mode="valid")
    err = np.asarray(to_numpy((tr.predict_reduced(pr, res.b, res.A) - pr.y_query) ** 2), dtype=np.float64)
    final, final_se = icl.mean_se(err)
    zero = d / 3.0  # E y_q² = d s₂, s₂ = 1/3 for U(−1, 1)
    fig, ax = new_figure(width=6.8, height=4.4)
    ax.plot(steps, loss, color="C0", lw=0.6, alpha=0.35, label=f"trained LSA, minibatch loss ({out['batch']} prompts)")
    ax.plot(steps[width - 1:], smooth, color="C0", lw=1.8, label=f"trained LSA, running mean over {10 * width} steps")
    ax.axhline(risk_gd, color="k", ls="--", lw=1.4, label=rf"one GD step at $\eta^*={eta:.3f}$ (closed form)")
    ax.axhline(zero, color="0.45", ls=":", lw=1.4, label=r"zero predictor, $d\,s_2$")
    ax.errorbar([steps[-1]], [final], yerr=[final_se], fmt="o", color="C3", ms=6, capsize=3,
                label=r"trained LSA on $10^4$ fresh tasks (± 1 s.e.)", zorder=4)
    ax.set_ylim(0.0, 1.15 * max(zero, float(np.max(loss))))
    ax.set_xlabel("Adam step")
    ax.set_ylabel(r"squared error $(\hat y - y_q)^2$")
    ax.set_title(rf"$d = N = {d}$, $x \sim U(-1, 1)^d$: one LSA layer against one GD step")
    ax.legend(loc="lower right", fontsize=8.5)
    n = steps.size
    cols = {"series": ["minibatch loss"] * n + ["gd closed form", "zero predictor", "trained eval"],
            "step": list(map(int, steps)) + [int(steps[-1])] * 3,
            "risk": list(map(float, loss)) + [float(risk_gd), zero, final],
            "se": [0.0] * n + [0.0, 0.0, final_se]}
    return FigureResult(fig, cols)


if __name__ == "__main__":
    import sys

    from theorylab.engine import run_module

    sys.exit(run_module(__name__))
