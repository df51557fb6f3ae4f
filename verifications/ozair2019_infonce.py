"""InfoNCE's log N ceiling (Ozair et al., NeurIPS 2019; van den Oord et al. 2018; Poole et al. 2019).

Claim: the batch InfoNCE value never exceeds log N, for any critic (deterministic bound).
"""
from __future__ import annotations

import numpy as np

from theorylab.engine import Source, claim
from theorylab.settings.infonce import infonce_estimate

SRC = Source("S. Ozair, C. Lynch, Y. Bengio, A. van den Oord, S. Levine, P. Sermanet",
             "Wasserstein Dependency Measure for Representation Learning", "NeurIPS 2019, arXiv 1903.11780")


@claim("ozair2019/infonce-ceiling", title="InfoNCE never exceeds log N",
       source=SRC.at("Sec. 3: MI lower bounds limited by log N"),
       statement="for every critic matrix f(x_i, y_j), the batch InfoNCE value is ≤ log N",
       status="VERIFIED", kind="bound", tolerance=1e-12,
       tolerance_reason="exact inequality; slack (log N − Î)/log N, only rounding remains",
       negative_control="the ceiling log N − 0.5 on the same critics (some are near-saturating)")
def infonce_ceiling(ctx):
    tally = ctx.tally()
    for k in range(ctx.pick(quick=200, full=2000)):
        n = int(ctx.rng.integers(2, 65))
        scale = 50.0 if k == 0 else float(np.exp(ctx.rng.uniform(-3, np.log(50))))
        boost = 5.0 if k == 0 else float(ctx.rng.uniform(0, 5))
        s = scale * (ctx.rng.standard_normal((n, n)) + boost * np.eye(n))
        ceiling = np.log(n) - (0.5 if ctx.control else 0.0)
        tally.add((ceiling - infonce_estimate(s)) / np.log(n), n=n, scale=scale, boost=boost)
    return tally.outcome()
