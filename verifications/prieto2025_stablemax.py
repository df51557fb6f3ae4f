"""StableMax (Prieto, Barsbey, Mediano, Birdal, ICLR 2025): exact properties and its collapse thresholds.

Checks M2 and M3 of ``modular-arithmetic.md`` (the softmax side, M1, is in ``prieto2025_softmax_collapse.py``):

* ``prieto2025/stablemax-identities``: s(0) = 1, s'(0^±) = 1, s''(0⁻) = 2, s''(0⁺) = 0, s'(x)/s(x) = 1/(1 + |x|)
  (central differences of log s away from 0), and the closed-form StableMax cross-entropy gradient
  s'(z_j)/Σs − 1{j=y}/(1 + |z_y|) against central differences; control: "s'/s = 1/(1 + x)" (no |·|).
* ``prieto2025/stablemax-scaling-limits``: for z_y the strict maximum and c → ∞: with a positive wrong logit,
  ℓ(cz) → log(Σ_{k: z_k > 0} z_k / z_y) > 0, within (n + 1)/(c·z_y); with all wrong logits negative,
  ℓ(cz)·c²·z_y / Σ_{k≠y} |z_k|⁻¹ → 1, within 2(1/min|z_k| + 1/z_y)/c + ℓ. Control: "ℓ(cz) → 0 for every correct
  prediction" on the positive-wrong-logit cases (including the reference z = (2, 1, −1, −3), limit log 1.5).
* ``prieto2025/stablemax-collapse-threshold``: StableMax collapses (fl(Σ_j s(z_j)) = fl(s(z_y)): loss and gradient
  exactly 0) at gaps in [1/u, (K − 1)/u] for logits (g, 0, …, 0) but in [2/√u, 2√((K − 1)/u)] for logits
  (g/2, −g/2, …, −g/2) (u = 2⁻ᵖ, p significand bits; the ends are the summation orders: each wrong term
  absorbed alone, or the wrong terms summed first — numpy's pairwise sum is sequential below 8 terms, so K = 5
  collapses at 1/u, not 4/u); the first collapsed gap is found by bisection on the exact predicate in
  float16/32/64, and must lie in the interval within a factor 2 (binade position). Control: "(K − 1)/u for
  every layout".
"""
from __future__ import annotations

import numpy as np

from theorylab.engine import Source, claim
from theorylab.losses.stablemax import stablemax, stablemax_cross_entropy, stablemax_cross_entropy_and_grad

SRC = Source("L. Prieto, M. Barsbey, P. Mediano, T. Birdal", "Grokking at the Edge of Numerical Stability",
             "ICLR 2025, arXiv 2501.04697")


def _log_s(x):
    return np.log(stablemax(x))


@claim("prieto2025/stablemax-identities", title="StableMax: s(0) = 1, C¹ not C², s'/s = 1/(1 + |x|), loss gradient",
       source=SRC.at("§4 (StableMax); code utils.py"),
       statement="s(0) = 1, s'(0^±) = 1, s''(0⁻) = 2, s''(0⁺) = 0; s'(x)/s(x) = 1/(1 + |x|) on [−50, 50]; "
                 "∂ℓ/∂z_j = s'(z_j)/Σ_k s(z_k) − 1{j = y}/(1 + |z_y|) for ℓ = −log StableMax_y",
       status="VERIFIED", kind="identity", tolerance=1e-6,
       tolerance_reason="relative errors of central differences (step 1e-5·max(1, |x|): O(h²) + eps/h ≈ 1e-10), "
                        "one-sided first differences at 0 (step 1e-7: O(h) = 1e-7, rounding 2e-9); the one-sided "
                        "second differences (step 1e-5: O(h)·s‴ = 6e-5, rounding eps/h² = 2e-6) enter with "
                        "weight 1e-3, i.e. with tolerance 1e-3 against the values 0 and 2",
       negative_control="s'(x)/s(x) = 1/(1 + x) (the |·| dropped) on the same points")
def identities(ctx):
    tally = ctx.tally()
    x = ctx.rng.uniform(-50.0, 50.0, ctx.pick(quick=400, full=4000))
    x = x[np.abs(x) > 1e-3]
    h = 1e-5 * np.maximum(1.0, np.abs(x))
    fd = (_log_s(x + h) - _log_s(x - h)) / (2 * h)
    claimed = 1.0 / (1.0 + (x if ctx.control else np.abs(x)))
    tally.add(-np.abs(fd - claimed) / np.abs(claimed), x=x, part="s'/s")
    e = 1e-5
    s0 = float(stablemax(np.array([0.0]))[0])
    e1 = 1e-7
    d_plus = (float(stablemax(np.array([e1]))[0]) - s0) / e1
    d_minus = (s0 - float(stablemax(np.array([-e1]))[0])) / e1
    dd_plus = (float(stablemax(np.array([2 * e]))[0]) - 2 * float(stablemax(np.array([e]))[0]) + s0) / e ** 2
    dd_minus = (float(stablemax(np.array([-2 * e]))[0]) - 2 * float(stablemax(np.array([-e]))[0]) + s0) / e ** 2
    tally.add(np.array([-abs(s0 - 1.0), -abs(d_plus - 1.0), -abs(d_minus - 1.0),
                        -abs(dd_plus - 0.0) * 1e-3, -abs(dd_minus - 2.0) * 1e-3]),
              part=np.array(["s(0)", "s'(0+)", "s'(0-)", "s''(0+)", "s''(0-)"]))
    m = ctx.pick(quick=100, full=1000)
    K = int(ctx.rng.integers(2, 10))
    Z = ctx.rng.normal(0.0, float(np.exp(ctx.rng.uniform(-1, 2))), (m, K))
    y = ctx.rng.integers(0, K, m)
    _, G = stablemax_cross_entropy_and_grad(Z, y)
    step = 1e-5 * np.maximum(1.0, np.abs(Z))
    F = np.empty_like(Z)
    for j in range(K):
        E = np.zeros_like(Z)
        E[:, j] = step[:, j]
        F[:, j] = (stablemax_cross_entropy(Z + E, y) - stablemax_cross_entropy(Z - E, y)) / (2 * step[:, j])
    err = np.linalg.norm(G - F, axis=1) / np.maximum(np.linalg.norm(F, axis=1), 1e-300)
    tally.add(-err, K=K, part="loss gradient")
    return tally.outcome()


def _scaling_cases(ctx):
    """(z, y) with z_y the strict maximum: a positive wrong logit (first: the reference (2, 1, −1, −3)), or all
    wrong logits negative."""
    pos, neg = [(np.array([2.0, 1.0, -1.0, -3.0]), 0)], []
    for _ in range(ctx.pick(quick=30, full=300)):
        K = int(ctx.rng.integers(2, 8))
        zy = float(ctx.rng.uniform(0.5, 3.0))
        w = ctx.rng.uniform(-3.0, -0.5, K - 1)
        y = int(ctx.rng.integers(0, K))
        neg.append((np.insert(w, y, zy), y))
        w2 = w.copy()
        w2[0] = float(ctx.rng.uniform(0.1, 0.9)) * zy
        pos.append((np.insert(w2, y, zy), y))
    return pos, neg


@claim("prieto2025/stablemax-scaling-limits", title="Scaling the logits need not drive the StableMax loss to 0",
       source=SRC.at("§4 (StableMax vs naive loss minimisation); the limits are our derivation"),
       statement="z_y the strict maximum, c → ∞: ℓ(cz) → log(Σ_{z_k>0} z_k / z_y) when some wrong logit is "
                 "positive (within (n + 1)/(c z_y)); ℓ(cz) ≈ c⁻² z_y⁻¹ Σ_{k≠y} |z_k|⁻¹ when all are negative "
                 "(ratio within 2(1/min|z_k| + 1/z_y)/c + ℓ of 1), c ∈ {1e3, 1e4, 1e5}",
       status="VERIFIED", kind="limit", tolerance=1e-9,
       tolerance_reason="slack = 1 − error/bound for first-order bounds of the remainders; only rounding of the "
                        "log of ratios near 1 (~1e-12 relative to the bounds, which are ≥ 1e-5) can push it "
                        "below 0",
       negative_control="ℓ(cz) → 0 under scaling for every correct prediction (the limit 0 in place of "
                        "log(Σ_{z_k>0} z_k / z_y)), on the same positive-wrong-logit cases")
def scaling_limits(ctx):
    tally = ctx.tally()
    pos, neg = _scaling_cases(ctx)
    for c in (1e3, 1e4, 1e5):
        for z, y in pos:
            n = len(z)
            v = float(stablemax_cross_entropy((c * z)[None], np.array([y]))[0])
            lim = 0.0 if ctx.control else float(np.log(z[z > 0].sum() / z[y]))
            bound = (n + 1) / (c * z[y])
            tally.add(1.0 - abs(v - lim) / bound, measured={"loss": v, "limit": lim}, c=c, n=n, layout="pos")
        for z, y in neg:
            v = float(stablemax_cross_entropy((c * z)[None], np.array([y]))[0])
            wrong = np.delete(z, y)
            pred = float(np.sum(1.0 / np.abs(wrong)) / (c * c * z[y]))
            bound = 2.0 * (1.0 / np.abs(wrong).min() + 1.0 / z[y]) / c + v
            tally.add(1.0 - abs(v / pred - 1.0) / bound, measured={"loss": v, "predicted": pred}, c=c,
                      n=len(z), layout="neg")
    return tally.outcome()


_DTYPES = (np.float16, np.float32, np.float64)


def _collapsed(g, K, dt, layout):
    """fl(Σ s(z)) == fl(s(z_y)) in dtype dt for logits (g, 0, …) or (g/2, −g/2, …), numpy's summation."""
    if layout == "zero":
        z = np.zeros(K, dtype=dt)
        z[0] = dt(g)
    else:
        z = np.full(K, -dt(g / 2), dtype=dt)
        z[0] = dt(g / 2)
    neg = np.minimum(z, dt(0))
    s = np.where(z >= 0, z + dt(1), dt(1) / (dt(1) - neg)).astype(dt)
    return bool(np.sum(s, dtype=dt) == s[0])


def _first_collapse(K, dt, layout, pred):
    """Bisection (in log g) on the predicate between pred/64 (not collapsed) and 64·pred (collapsed)."""
    lo, hi = np.log(pred / 64), np.log(pred * 64)
    if _collapsed(np.exp(lo), K, dt, layout) or not _collapsed(np.exp(hi), K, dt, layout):
        return float("nan")
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if _collapsed(np.exp(mid), K, dt, layout):
            hi = mid
        else:
            lo = mid
    return float(np.exp(hi))


def _collapse_cases(ctx):
    Ks = [2, 113] + ctx.rng.integers(3, 200, ctx.pick(quick=2, full=8)).tolist()
    out = []
    for dt in _DTYPES:
        u = 2.0 ** -(np.finfo(dt).nmant + 1)
        big = float(np.finfo(dt).max)
        for K in Ks:
            for layout in ("zero", "pm"):
                # sequential order (each wrong term absorbed alone) .. small terms summed first
                lo, hi = (1.0 / u, (K - 1) / u) if layout == "zero" else (2.0 / np.sqrt(u), 2.0 * np.sqrt((K - 1) / u))
                if 64 * hi > big / 4:  # s(g) would overflow the format before collapsing
                    continue
                out.append({"dtype": np.dtype(dt).name, "K": int(K), "layout": layout, "lo": float(lo),
                            "hi": float(hi), "wrong_pred": float((K - 1) / u),
                            "g": _first_collapse(K, dt, layout, np.sqrt(lo * hi))})
    return out


@claim("prieto2025/stablemax-collapse-threshold",
       title="StableMax collapses at gaps in [1, K − 1]/u (wrong logits 0) but [2, 2√(K − 1)]/√u (wrong logits −g/2)",
       source=SRC.at("§4: StableMax prevents Softmax Collapse (linear growth); thresholds are our derivation"),
       statement="the first gap g at which fl(Σ_j s(z_j)) = fl(s(z_y)) lies, within a factor 2 (binade "
                 "position), in [1/u, (K − 1)/u] for logits (g, 0, …, 0) and in [2/√u, 2√((K − 1)/u)] for logits "
                 "(g/2, −g/2, …, −g/2) — the ends are the sequential order (each wrong term absorbed alone) and "
                 "the small-terms-first order; float16/32/64 (u = 2⁻ᵖ) with numpy's summation, K ∈ {2, 113, "
                 "random}",
       status="VERIFIED", kind="bound", tolerance=0.0,
       control_threshold=1.0,
       control_threshold_reason="slack = 1 − (log₂ distance of g outside the interval); the wrong prediction "
                                "(K − 1)/u for the (g/2, −g/2) layout is off by √((K − 1)/u)/2 ≥ 22 (float16, "
                                "K = 2), i.e. |log₂| ≥ 4.5: the control must miss by more than a further factor 2",
       negative_control="the threshold (K − 1)/u for every layout (classification-settings.md's original "
                        "statement)")
def collapse_threshold(ctx):
    tally = ctx.tally()
    cases = ctx.cases("scan", lambda: _collapse_cases(ctx))
    for cs in cases:
        lo, hi = (cs["wrong_pred"], cs["wrong_pred"]) if ctx.control else (cs["lo"], cs["hi"])
        g = cs["g"]
        sl = 1.0 - max(0.0, np.log2(lo / g), np.log2(g / hi)) if np.isfinite(g) else -np.inf
        tally.add(sl, measured={"g_collapse": g, "interval_lo": lo, "interval_hi": hi}, dtype=cs["dtype"],
                  K=cs["K"], layout=cs["layout"])
    return tally.outcome()
