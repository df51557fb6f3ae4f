"""Roberts, Yaida, Hanin, "The Principles of Deep Learning Theory" (2022), ch. 4-5: random ReLU networks.

Claims: criticality (C_W = 2, C_b = 0) preserves the single-input kernel at any width; off criticality it scales
as (C_W/2)^{ℓ-1}; the excess kurtosis of a preactivation is exactly 3[(1+5/n)^{ℓ-1} - 1] (Monte Carlo over random
networks; exact layer-gain moment by summation over the binomial law). Figure: kurtosis vs depth.

False-alarm rule for the Monte Carlo claims: each case passes when |estimate - prediction| ≤ 5 SE (jackknife
over 20 blocks of networks); per case the Gaussian false-alarm probability is 6e-7, below 1e-5 over all cases.
"""
from __future__ import annotations

import numpy as np

from theorylab.engine import FigureResult, Source, claim, figure
from theorylab.settings import random_networks as rn

SRC = Source("D. A. Roberts, S. Yaida, B. Hanin", "The Principles of Deep Learning Theory",
             "Cambridge UP 2022, arXiv 2106.10165")
Z = 5.0
BLOCKS = 20


def _jack(G, stat):
    """Estimate and jackknife SE of stat(block means of G, G²) over BLOCKS blocks (rows = networks)."""
    b = np.array_split(np.arange(G.shape[0]), BLOCKS)
    s1 = np.array([G[i].sum(0) for i in b]); s2 = np.array([(G[i] ** 2).sum(0) for i in b])
    cnt = np.array([len(i) for i in b])[:, None]
    full = stat(s1.sum(0) / cnt.sum(), s2.sum(0) / cnt.sum())
    loo = np.array([stat((s1.sum(0) - s1[k]) / (cnt.sum() - cnt[k]), (s2.sum(0) - s2[k]) / (cnt.sum() - cnt[k]))
                    for k in range(BLOCKS)])
    se = np.sqrt((BLOCKS - 1) / BLOCKS * ((loo - loo.mean(0)) ** 2).sum(0))
    return full, se


def _kurt_stat(m1, m2):
    return 3.0 * (m2 / m1 ** 2 - 1.0)


def _mean_stat(m1, m2):
    return m1


def _x(rng, n0=8):
    x = rng.standard_normal(n0)
    return x * np.sqrt(n0 / (x @ x))  # |x|²/n0 = 1, so K¹ = C_W (C_b = 0)


@claim("roberts2022/critical-kernel-preserved", title="criticality preserves the single-input ReLU kernel",
       source=SRC.at("ch. 4-5: kernel recursion K^{ℓ+1} = C_b + C_W E[σ(z)²], ReLU criticality C_W = 2, C_b = 0"),
       statement="for C_W = 2, C_b = 0 the Monte Carlo mean of E[z^ℓ²] equals K¹ at every layer ℓ ≤ 6, at widths "
                 "n = 16, 32 (within 5 jackknife SE)",
       status="VERIFIED", kind="identity", tolerance=0.0,
       tolerance_reason="slack = 5 − |estimate − K¹|/SE (SE units); 5σ false-alarm rule, see module docstring",
       negative_control="K^ℓ = K¹·1.1^{ℓ−1} (the C_W = 2.2 recursion) claimed for the critical network",
       control_threshold=5.0, control_threshold_reason="the control must miss by a further 5 SE (10σ in all)")
def critical_kernel(ctx):
    tally = ctx.tally()
    depth = 6

    def make():  # the simulations, shared with the control (the same draws in the same order)
        out = {}
        for n in (16, 32):
            x = _x(ctx.rng)
            out[n] = _jack(rn.simulate_relu_networks(x, depth, n, ctx.pick(quick=4000, full=40000), ctx.rng),
                           _mean_stat)
        return out
    stats = ctx.cases("jackknife", make)
    for n in (16, 32):
        est, se = stats[n]
        pred = rn.relu_kernel_recursion(2.0, depth, 2.2 if ctx.control else 2.0)
        for ell in range(2, depth + 1):
            tally.add(Z - abs(est[ell - 1] - pred[ell - 1]) / se[ell - 1], measured={"K": est[ell - 1]},
                      width=n, layer=ell)
    return tally.outcome()


@claim("roberts2022/offcritical-kernel-geometric", title="off criticality the ReLU kernel scales as (C_W/2)^{ℓ−1}",
       source=SRC.at("ch. 5: ReLU kernel recursion K^{ℓ+1} = (C_W/2) K^ℓ at C_b = 0; with bias K → C_b + C_W K/2"),
       statement="for (C_W, C_b) ∈ {(2.4, 0), (1.6, 0), (2, 0.5)} at n = 16 the Monte Carlo E[z^ℓ²] equals the "
                 "recursion K^{ℓ+1} = C_b + C_W K^ℓ/2 at every layer ℓ ≤ 6 (within 5 jackknife SE)",
       status="VERIFIED", kind="identity", tolerance=0.0,
       tolerance_reason="slack = 5 − |estimate − K^ℓ|/SE (SE units); 5σ false-alarm rule",
       negative_control="the critical statement K^ℓ = K¹ claimed off criticality",
       control_threshold=5.0, control_threshold_reason="the control must miss by a further 5 SE (10σ in all)")
def offcritical_kernel(ctx):
    tally = ctx.tally()
    depth, n = 6, 16
    gains = ((2.4, 0.0), (1.6, 0.0), (2.0, 0.5))

    def make():  # the simulations, shared with the control (the same draws in the same order)
        out = {}
        for c_w, c_b in gains:
            x = _x(ctx.rng)
            G = rn.simulate_relu_networks(x, depth, n, ctx.pick(quick=4000, full=40000), ctx.rng, c_w=c_w, c_b=c_b)
            out[c_w, c_b] = (*_jack(G, _mean_stat), G[0, 0])
        return out
    stats = ctx.cases("jackknife", make)
    for c_w, c_b in gains:
        est, se, k1 = stats[c_w, c_b]
        pred = np.full(depth, k1) if ctx.control else rn.relu_kernel_recursion(k1, depth, c_w, c_b)
        for ell in range(2, depth + 1):
            tally.add(Z - abs(est[ell - 1] - pred[ell - 1]) / se[ell - 1], measured={"K": est[ell - 1]},
                      c_w=c_w, c_b=c_b, layer=ell)
    return tally.outcome()


@claim("roberts2022/relu-kurtosis-exact", title="exact finite-width excess kurtosis of critical ReLU preactivations",
       source=SRC.at("ch. 5 (four-point vertex of ReLU at criticality); exact form derived here"),
       statement="κ_ℓ = E[z⁴]/E[z²]² − 3 = 3[(1+5/n)^{ℓ−1} − 1] at layers ℓ = 2..5, widths n = 8, 16 "
                 "(Monte Carlo conditional estimator 3(mean Ĝ²/(mean Ĝ)² − 1) within 5 jackknife SE)",
       status="VERIFIED", kind="identity", tolerance=0.0,
       tolerance_reason="slack = 5 − |estimate − κ_ℓ|/SE (SE units); 5σ false-alarm rule. E[z⁴] = 3E[Ĝ²] exactly "
                        "because z is Gaussian given Ĝ, so the conditional estimator targets the same κ",
       negative_control="the leading-order formula κ_ℓ = 15(ℓ−1)/n, which differs decisively at small width",
       control_threshold=5.0, control_threshold_reason="the control must miss by a further 5 SE (10σ in all)")
def relu_kurtosis_exact(ctx):
    tally = ctx.tally()
    depth = 5

    def make():  # the simulations, shared with the control (the same draws in the same order)
        out = {}
        for n in (8, 16):
            x = _x(ctx.rng)
            out[n] = _jack(rn.simulate_relu_networks(x, depth, n, ctx.pick(quick=60000, full=300000), ctx.rng),
                           _kurt_stat)
        return out
    stats = ctx.cases("jackknife", make)
    for n in (8, 16):
        est, se = stats[n]
        f = rn.relu_kurtosis_leading if ctx.control else rn.relu_kurtosis
        for ell in range(2, depth + 1):
            tally.add(Z - abs(est[ell - 1] - f(ell, n)) / se[ell - 1], measured={"kappa": est[ell - 1]},
                      width=n, layer=ell)
    return tally.outcome()


@claim("roberts2022/relu-gain-moment", title="second moment of the critical ReLU layer gain is 1 + 5/n",
       source=SRC.at("ch. 5: E[σ(z)²] = K/2, E[σ(z)⁴] = 3K²/2 for ReLU; Ĝ_{ℓ+1}/Ĝ_ℓ = (2/n)χ²_N, N ~ Bin(n,1/2)"),
       statement="Σ_k Bin(k; n, 1/2)(4/n²)(k² + 2k) = 1 + 5/n for n = 1..200, so E[Ĝ_ℓ²] = (1+5/n)^{ℓ−1}K² and "
                 "κ_ℓ = 3[(1+5/n)^{ℓ−1} − 1] exactly (relu_kurtosis agrees with 3(E[g²]^{ℓ−1} − 1) for ℓ ≤ 20)",
       status="VERIFIED", kind="identity", tolerance=1e-12,
       tolerance_reason="floating-point summation of ≤ 201 binomial terms; errors relative to 1 + 5/n and to max(1, κ)",
       negative_control="the off-by-one exponent 3[(1+5/n)^ℓ − 1] for κ_ℓ, and 1 + 3/n for E[g²]")
def relu_gain_moment(ctx):
    tally = ctx.tally()
    for n in range(1, 201):
        m = rn.relu_gain_second_moment(n)
        target = 1 + (3.0 if ctx.control else 5.0) / n
        tally.add(-abs(m - target) / target, width=n, check="E[g²]")
        for ell in range(1, 21):
            k = 3.0 * (m ** (ell if ctx.control else ell - 1) - 1)
            tally.add(-abs(rn.relu_kurtosis(ell, n) - k) / max(1.0, abs(k)), width=n, layer=ell, check="kappa")
    return tally.outcome()


@figure("roberts2022/fig-kurtosis-vs-depth", title="Excess kurtosis of critical ReLU preactivations vs depth",
        source=SRC.at("ch. 5 (ReLU four-point vertex)"))
def fig_kurtosis(ctx):
    depth = 8
    cols = {"series": [], "width": [], "layer": [], "value": [], "se": []}
    from theorylab.engine.plotstyle import new_figure

    fig, ax = new_figure(1, 1, width=7, height=4.5)
    ells = np.arange(1, depth + 1)
    for c, n in (("C0", 16), ("C1", 32)):
        G = rn.simulate_relu_networks(_x(ctx.rng), depth, n, ctx.pick(quick=20000, full=100000), ctx.rng)
        est, se = _jack(G, _kurt_stat)
        ex = [rn.relu_kurtosis(int(e), n) for e in ells]
        lo = [rn.relu_kurtosis_leading(int(e), n) for e in ells]
        ax.plot(ells, ex, color=c, ls="-", label=rf"exact $3[(1+5/n)^{{\ell-1}}-1]$, $n={n}$")
        ax.plot(ells, lo, color=c, ls="--", label=rf"leading order $15(\ell-1)/n$, $n={n}$")
        ax.errorbar(ells, est, yerr=Z * se, color=c, ls="", marker="o", mfc="none", capsize=3,
                    label=rf"Monte Carlo ($\pm 5$ SE), $n={n}$")
        for name, vals, s in (("exact", ex, [0.0] * depth), ("leading", lo, [0.0] * depth), ("mc", est, se)):
            for e, v, si in zip(ells, vals, s):
                cols["series"].append(name); cols["width"].append(n); cols["layer"].append(int(e))
                cols["value"].append(float(v)); cols["se"].append(float(si))
    ax.set_xlabel(r"layer $\ell$")
    ax.set_ylabel(r"excess kurtosis $\kappa_\ell = E[z^4]/E[z^2]^2 - 3$")
    ax.legend(fontsize=8)
    return FigureResult(fig, cols)
