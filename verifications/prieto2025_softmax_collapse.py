"""Prieto, Barsbey, Mediano, Birdal, "Grokking at the Edge of Numerical Stability" (ICLR 2025): Softmax Collapse, ⊥Grad.

Claims: (M1) with logits (g, 0, …, 0) the framework-style softmax sum rounds to exactly 1 from a gap g* that is
p ln 2 (p significand bits) for K = 2 or when the small terms are added to 1 one at a time, p ln 2 + ln(K − 1)
when they are summed first, and in between for NumPy's pairwise sum (measured by bisection on the exact
predicate, float16/32/64, K ∈ {2, 113}); beyond g* the loss and the correct-class gradient are exactly 0 while the
wrong-class gradients e^{−g} survive until exp underflows. (M4) ⊥Grad's per-tensor projection + rescale is
orthogonal to the weights and keeps the gradient norm; for a bias-free ReLU MLP the removed component is exactly
the logit-scaling (NLM) direction of every layer (per-layer Euler identity). Figure: collapse gap by format and K.

All checks are deterministic floating-point statements; tolerances are derived from the formats (half an ulp of
g from casting the logits, ε per rounded operation), slacks are in units of that tolerance where it varies.
"""
from __future__ import annotations

import math

import numpy as np

from theorylab.engine import FigureResult, Source, claim, figure
from theorylab.settings import modular_arithmetic as ma

SRC = Source("L. Prieto, M. Barsbey, P. Mediano, T. Birdal", "Grokking at the Edge of Numerical Stability",
             "ICLR 2025, arXiv 2501.04697")
DTYPES = ("float16", "float32", "float64")
ORDERS = ("sequential", "small-first", "numpy")
KS = (2, 113)
BISECT = 1e-11


def _gaps():
    return {(dt, K, o): ma.collapse_gap(K, dt, o, tol=BISECT) for dt in DTYPES for K in KS for o in ORDERS}


def _tau(g, K, dt):
    """Half an ulp of g in dt (the logits are cast) + K ε (exp and the K−1 additions) + the bisection width."""
    eps = 2.0 ** (1 - ma.significand_bits(dt))
    return 0.5 * float(np.spacing(np.asarray(abs(g), dtype=dt))) + K * eps + 2 * BISECT


@claim("prieto2025/softmax-collapse-threshold",
       title="Softmax Collapse gap: p ln 2 (one term at a time) to p ln 2 + ln(K−1) (small terms first)",
       source=SRC.at("Sec. 3 (Softmax Collapse: Σ_j e^{z_j − max z} = 1 in working precision)"),
       statement="for logits (g, 0, …, 0) the smallest collapsing gap g* (bisection on fl(S) = 1) equals p ln 2 for "
                 "K = 2 and for the sequential order (1 first), equals p ln 2 + ln(K−1) when the small terms are "
                 "summed first, and lies in [p ln 2, p ln 2 + ln(K−1)] for NumPy's pairwise sum; float16/32/64 "
                 "(p = 11, 24, 53), K ∈ {2, 113}",
       status="VERIFIED", kind="identity", tolerance=0.0,
       tolerance_reason="slack = 1 − dev/τ with τ = ½ ulp_dtype(g) (the logits are cast) + K·ε_dtype (exp and "
                        "the K−1 rounded additions) + 2·1e-11 (bisection); dev = distance to the target value or "
                        "interval",
       negative_control="the float32 threshold 24 ln 2 (and its interval) claimed for every format, i.e. float64 "
                        "and float16 collapsing at the float32 gap",
       control_threshold=1.0, control_threshold_reason="the control must miss by at least 2τ (one τ beyond)")
def collapse_threshold(ctx):
    tally = ctx.tally()
    gaps = ctx.cases("gaps", _gaps)
    for (dt, K, o), g in gaps.items():
        lo, hi = ma.collapse_bounds(K, "float32" if ctx.control else dt)
        tau = _tau(g, K, dt)
        if K == 2 or o == "sequential":
            dev = abs(g - lo)
        elif o == "small-first":
            dev = abs(g - hi)
        else:
            dev = max(lo - g, g - hi, 0.0)
        tally.add(1.0 - dev / tau, measured={"g_star": g, "p_ln2": lo, "p_ln2_lnK1": hi, "tau": tau},
                  dtype=dt, K=K, order=o)
    return tally.outcome()


def _ratio(x, g, dt):
    """|x| in units of its nominal size e^{−g} (floored at the smallest subnormal of dt)."""
    s = float(np.finfo(dt).smallest_subnormal)
    scale = max(math.exp(-g), s)
    return float(np.max(np.abs(np.asarray(x, dtype=np.float64)))) / scale


@claim("prieto2025/softmax-collapse-exact-zero",
       title="past the collapse gap loss and correct-class gradient are exactly 0, wrong-class gradients are not",
       source=SRC.at("Sec. 3 (collapsed samples have zero loss and gradient); Sec. 4 (NLM: the remaining signal)"),
       statement="for every format, K ∈ {2, 113} and reduction order, at gaps g from g* to past underflow: the "
                 "loss −lsm_y and ∂ℓ/∂z_y are exactly 0, while every wrong-class gradient ∂ℓ/∂z_j = fl(e^{−g}) is "
                 "nonzero (≥ ½ e^{−g}) for g ≤ g_u − ½ and exactly 0 for g ≥ g_u + ½, g_u = −ln(s_min/2) "
                 "(float16 17.33, float32 103.97, float64 745.13)",
       status="VERIFIED", kind="identity", tolerance=0.0,
       tolerance_reason="exact statements: slack −|x|/e^{−g} (floored at the smallest subnormal) for the zeros, "
                        "|∂ℓ/∂z_j|/e^{−g} − ½ for the nonzero wrong-class gradients (rounding keeps the ratio ≥ ⅔)",
       negative_control="'the gradient is zero after collapse': wrong-class gradients asserted 0 at g* + 1",
       control_threshold=0.5, control_threshold_reason="the wrong-class gradient at g* + 1 is e^{−g} to rounding "
                                                       "(ratio ≈ 1), so the control misses by ≈ 1 ≥ 2 × 0.5")
def collapse_exact_zero(ctx):
    tally = ctx.tally()
    gaps = ctx.cases("gaps", _gaps)
    for (dt, K, o), gs in gaps.items():
        gu = ma.underflow_gap(dt)
        pts = [("at-threshold", gs), ("threshold+1", gs + 1.0), ("threshold+5", gs + 5.0),
               ("underflow-1", gu - 1.0), ("underflow-0.5", gu - 0.5), ("underflow+0.5", gu + 0.5),
               ("underflow+5", gu + 5.0)]
        for label, g in pts:
            if g < gs or (label == "threshold+5" and g > gu - 1.0):
                continue
            loss, grad = ma.framework_cross_entropy(ma.gap_logits(g, K), 0, dt, o)
            wrong = grad[1:]
            z_loss, z_gy = -_ratio(loss, g, dt), -_ratio(grad[0], g, dt)
            if g >= gu + 0.5:
                s_wrong = -_ratio(wrong, g, dt)
            elif ctx.control and label == "threshold+1":
                s_wrong = -_ratio(wrong, g, dt)
            else:
                s_wrong = float(np.min(np.abs(wrong.astype(np.float64)))) / max(
                    math.exp(-g), float(np.finfo(dt).smallest_subnormal)) - 0.5
            tally.add([z_loss, z_gy, s_wrong], measured={"value": [float(loss), float(grad[0]),
                                                                   float(np.min(np.abs(wrong)))]},
                      dtype=dt, K=K, order=o, point=label, g=g, quantity=["loss", "grad_y", "grad_wrong"])
    return tally.outcome()


def _random_mlp(rng, bias=False):
    depth = int(rng.integers(2, 4))
    widths = [int(rng.integers(5, 30))] + [int(rng.integers(8, 40)) for _ in range(depth - 1)] + \
             [int(rng.integers(3, 12))]
    Ws = [rng.standard_normal((widths[i + 1], widths[i])) * math.sqrt(2.0 / widths[i]) * rng.uniform(0.5, 3.0)
          for i in range(depth)]
    bs = [rng.standard_normal(w) for w in widths[1:]]
    X = rng.standard_normal((40, widths[0]))
    y = rng.integers(0, widths[-1], 40)
    return Ws, bs, X, y


@claim("prieto2025/orthograd-projection", title="⊥Grad's update is orthogonal to the weights and keeps ‖g‖",
       source=SRC.at("Sec. 5, eq. (9) (⊥Grad); reference code orthograd.py (per-tensor projection, norm rescale)"),
       statement="per tensor, g_⊥ = g − ⟨w,g⟩/(⟨w,w⟩+1e−30) w rescaled by ‖g‖/(‖g_⊥‖+1e−30) satisfies "
                 "⟨w, g_⊥⟩ = 0 and ‖g_⊥‖ = ‖g‖ whenever g is not parallel to w (random tensors of ≥ 2 entries, "
                 "NLM-aligned g = αw + noise, and the layer gradients of random bias-free ReLU MLPs); for a "
                 "1-entry tensor, or g ∥ w, g_⊥ = 0 and the rescale cannot restore ‖g‖",
       status="VERIFIED", kind="identity", tolerance=1e-12,
       tolerance_reason="float64 rounding of dot products and norms: |⟨w,g_⊥⟩|/(‖w‖‖g‖) and |‖g_⊥‖−‖g‖|/‖g‖ "
                        "are O(√d ε) ≈ 1e−15 for d ≤ 1e4",
       negative_control="the projection without the norm rescale (which changes the norm by a factor sin∠(w, g))")
def orthograd_projection(ctx):
    tally = ctx.tally()
    pairs = []
    for _ in range(ctx.pick(quick=30, full=300)):
        shape = tuple(int(s) for s in ctx.rng.integers(2, 60, size=int(ctx.rng.integers(1, 3))))
        w = ctx.rng.standard_normal(shape) * ctx.rng.uniform(0.1, 10)
        g = ctx.rng.uniform(-3, 3) * w + ctx.rng.uniform(0.05, 1) * ctx.rng.standard_normal(shape)
        pairs.append(("random", w, g))
    for _ in range(ctx.pick(quick=5, full=50)):
        Ws, _, X, y = _random_mlp(ctx.rng)
        _, grads, _, _ = ma.mlp_loss_and_grads(Ws, X, y)
        pairs += [("mlp-layer", W, G) for W, G in zip(Ws, grads)]
    for src, w, g in pairs:
        gp = ma.orthograd_project(w, g, rescale=not ctx.control)
        ng, nw = np.linalg.norm(g), np.linalg.norm(w)
        orth = abs(float(np.sum(w * gp))) / (nw * ng)
        norm = abs(np.linalg.norm(gp) - ng) / ng
        tally.add([-orth, -norm], measured={"cos_w_g": float(np.sum(w * g)) / (nw * ng)},
                  source=src, size=w.size, check=["orthogonal", "norm"])
    return tally.outcome()


@claim("prieto2025/orthograd-euler-per-layer",
       title="bias-free ReLU MLP: ⟨∇_{W_l}L, W_l⟩ = ⟨∇_z L, z⟩ for every layer (⊥Grad removes exactly NLM)",
       source=SRC.at("Sec. 4–5 (NLM scales the logits along the weights; ⊥Grad removes the weight-parallel part)"),
       statement="for random bias-free ReLU MLPs (2–3 layers, 40 samples, softmax CE) every layer's "
                 "⟨∇_{W_l} L, W_l⟩ equals ⟨∇_z L, z⟩ (positive 1-homogeneity in each W_l separately), so the "
                 "component ⊥Grad removes from each tensor is the first-order effect of scaling the logits",
       status="VERIFIED", kind="identity", tolerance=1e-12,
       tolerance_reason="float64 backpropagation; error relative to Σ|∂L/∂z_ik · z_ik| (the size of the sum's terms)",
       negative_control="the same networks with biases (b_l ~ N(0, 1)), where homogeneity and the identity fail")
def orthograd_euler(ctx):
    tally = ctx.tally()
    for _ in range(ctx.pick(quick=20, full=200)):
        Ws, bs, X, y = _random_mlp(ctx.rng)
        lay, logit = ma.euler_products(Ws, X, y, bs if ctx.control else None)
        _, _, z, dz = ma.mlp_loss_and_grads(Ws, X, y, bs if ctx.control else None)
        scale = float(np.sum(np.abs(dz * z)))
        tally.add(-np.abs(lay - logit) / scale, measured={"layer_product": lay, "logit_product": logit},
                  depth=len(Ws), layer=np.arange(1, len(Ws) + 1))
    return tally.outcome()


def _ce(z, y):
    """CE(z, y) = log(1 + Σ_{k≠y} e^{z_k − z_y}) (log1p form, accurate when the sum is tiny) or max-shifted."""
    if z[y] == z.max():
        return float(np.log1p(np.sum(np.exp(np.delete(z, y) - z[y]))))
    m = z.max()
    return float(np.log(np.sum(np.exp(z - m))) + m - z[y])


@claim("prieto2025/nlm-logit-scaling",
       title="naive loss minimisation: scaling correctly classified logits always lowers cross-entropy",
       source=SRC.at("Sec. 4 (NLM: past 100% training accuracy the loss falls by scaling the logits)"),
       statement="for logits z with z_y the strict maximum, d/dc CE(cz, y) = Σ_k softmax_k(cz) z_k − z_y < 0 for "
                 "c ∈ {0.5, 1, 2, 4} (closed form = central finite differences to 1e−6 relative) and, once "
                 "Σ_{k≠y} e^{−c(z_y−z_k)} = s ≤ 1e−3, CE(cz) = s(1 + O(s)) (|CE/s − 1| ≤ s); K ∈ 2..113",
       status="VERIFIED", kind="identity", tolerance=1e-6,
       tolerance_reason="central differences with step 1e−5 in float64 (error ≈ 1e−9 relative); the sign test "
                        "has slack +1 when negative, −1 when not; the asymptotic check subtracts the bound s",
       negative_control="the same statement for any label, checked at the smallest logit of the same z "
                        "(there d/dc CE > 0)")
def nlm_logit_scaling(ctx):
    tally = ctx.tally()
    for _ in range(ctx.pick(quick=100, full=2000)):
        K = int(ctx.rng.integers(2, 114))
        z = ctx.rng.standard_normal(K) * ctx.rng.uniform(0.5, 5)
        y = int(np.argmin(z) if ctx.control else np.argmax(z))
        for c in (0.5, 1.0, 2.0, 4.0):
            P = np.exp(c * z - np.max(c * z)); P /= P.sum()
            d = float(P @ (z - z[y]))  # Σ_k softmax_k (z_k − z_y), no cancellation
            h = 1e-5
            fd = (_ce((c + h) * z, y) - _ce((c - h) * z, y)) / (2 * h)
            tally.add([-abs(fd - d) / max(abs(d), 1e-300), -1.0 if d >= 0 else 1.0],
                      measured={"value": [fd, d]}, K=K, c=c, check=["finite-difference", "negative"])
        top = int(np.argmax(z))
        gap = z[top] - np.delete(z, top)
        c_big = (np.log(K - 1) + 7.0) / max(np.min(np.abs(gap)), 1e-3)
        sm = float(np.sum(np.exp(-c_big * gap)))
        if sm <= 1e-3:
            tally.add(sm - abs(_ce(c_big * z, y) / sm - 1.0), measured={"s": sm}, K=K, c=c_big, check="asymptotic")
    return tally.outcome()


@figure("prieto2025/fig-softmax-collapse-gap", title="Softmax Collapse gap by float format, K and summation order",
        source=SRC.at("Sec. 3 (Softmax Collapse)"))
def fig_collapse_gap(ctx):
    from theorylab.engine.plotstyle import new_figure

    gaps = _gaps()
    fig, axes = new_figure(1, 2, width=10, height=4.2, sharey=True)
    cols = {"dtype": [], "K": [], "order": [], "g_star": [], "p_ln2": [], "p_ln2_lnK1": []}
    marks = {"sequential": ("o", "C0", -0.15), "small-first": ("s", "C1", 0.0), "numpy": ("^", "C2", 0.15)}
    for ax, K in zip(axes, KS):
        for i, dt in enumerate(DTYPES):
            lo, hi = ma.collapse_bounds(K, dt)
            ax.hlines(lo, i - 0.35, i + 0.35, color="k", lw=1.5,
                      label=r"$p\ln 2$" if i == 0 else None)
            if K > 2:
                ax.hlines(hi, i - 0.35, i + 0.35, color="k", lw=1.5, ls="--",
                          label=r"$p\ln 2+\ln(K-1)$" if i == 0 else None)
            for o, (m, c, dx) in marks.items():
                g = gaps[(dt, K, o)]
                ax.plot(i + dx, g, marker=m, color=c, ls="", ms=7, mfc="none", mew=1.5,
                        label=o + (" (1 added first)" if o == "sequential" else "") if i == 0 else None)
                for k, v in (("dtype", dt), ("K", K), ("order", o), ("g_star", g), ("p_ln2", lo),
                             ("p_ln2_lnK1", hi)):
                    cols[k].append(v)
        ax.set_xticks(range(len(DTYPES)), [f"{d}\n($p={ma.significand_bits(d)}$)" for d in DTYPES])
        ax.set_title(f"$K={K}$ classes, logits $(g,0,\\dots,0)$")
        ax.set_xlabel("float format")
        ax.legend(fontsize=8, loc="upper left")
    axes[0].set_ylabel(r"collapse gap $g^*$ (smallest $g$ with $\mathrm{fl}(S)=1$)")
    return FigureResult(fig, cols)
