"""Chen, Liu, Liang, Liu, "Lion Secretly Solves Constrained Optimization: As Lyapunov Predicts" (ICLR 2024).

Claim: with decoupled weight decay λ and ηλ ≤ 1 the box ‖x‖∞ ≤ 1/λ is invariant under Lion, whatever the
gradients (adversarial random gradients of huge scale).
"""
from __future__ import annotations

import numpy as np

from theorylab.engine import Source, claim
from theorylab.settings.optimizers import lion

SRC = Source("L. Chen, B. Liu, K. Liang, Q. Liu",
             "Lion Secretly Solves Constrained Optimization: As Lyapunov Predicts", "ICLR 2024, arXiv 2310.05898")


@claim("chen2024lion/box-invariance", title="Lion's ℓ∞ box ‖x‖∞ ≤ 1/λ is invariant when ηλ ≤ 1",
       source=SRC.at("Sec. 3: the constraint ‖x‖∞ ≤ 1/λ"),
       statement="from any x0 in the box, every Lion iterate stays in ‖x‖∞ ≤ 1/λ for arbitrary gradients "
                 "when ηλ ≤ 1 (|x_{t+1,i}| ≤ (1−ηλ)|x_{t,i}| + η ≤ 1/λ)",
       status="VERIFIED", kind="bound", tolerance=1e-12,
       tolerance_reason="exact inequality; slack 1/λ − ‖x_t‖∞ relative to 1/λ, only rounding remains",
       negative_control="the same adversarial runs with ηλ = 1.5 (outside the theorem's condition)")
def box_invariance(ctx):
    tally = ctx.tally()
    for _ in range(ctx.pick(quick=10, full=50)):
        d = int(ctx.rng.integers(2, 20))
        lam = float(np.exp(ctx.rng.uniform(-2, 2)))
        drawn = float(ctx.rng.uniform(0.01, 1.0))
        eta_lam = 1.5 if ctx.control else drawn
        r = 1 / lam
        x0 = ctx.rng.uniform(-r, r, d)
        x0[int(ctx.rng.integers(d))] = r * ctx.rng.choice([-1.0, 1.0])
        rng = np.random.default_rng(ctx.rng.integers(2**32))
        it = lion(lambda x: 1e3 * rng.standard_normal(x.size), x0, eta_lam / lam, lam, 100)
        tally.add((r - np.max(np.abs(it))) / r, d=d, lam=lam, case_eta_lam=drawn)
    return tally.outcome()
