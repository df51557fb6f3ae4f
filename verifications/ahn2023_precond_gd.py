"""Ahn, Cheng, Daneshmand, Sra (NeurIPS 2023): stacked LSA layers implement preconditioned GD.

Lemma 1 is an exact algebraic identity; it is checked to rounding on random non-symmetric
preconditioners (spec §6; under the ZᵀQZ convention A_ℓ enters transposed), on ``ctx.xp`` under any declared
backend.
"""
from __future__ import annotations

import numpy as np

from theorylab.engine import Source, claim
from theorylab.settings import icl

from verifications._mahankali2023_common import ICL_BACKENDS, on_device

SRC = Source("K. Ahn, X. Cheng, H. Daneshmand, S. Sra",
             "Transformers learn to implement preconditioned gradient descent for in-context learning",
             "NeurIPS 2023, arXiv 2306.00297")


@claim("ahn2023/lemma1-preconditioned-gd", title="L LSA layers = L steps of preconditioned GD",
       source=SRC.at("Lemma 1"),
       statement="P_ℓ = e_{d+1}e_{d+1}ᵀ, Q_ℓ = −blockdiag(A_ℓ, 0): [Z_ℓ]_{d+1,n+1} = −⟨x_q, w_ℓ⟩ and "
                 "[Z_ℓ]_{d+1,i} = ⟨x_i, w* − w_ℓ⟩ with w_{ℓ+1} = w_ℓ − A_ℓᵀ ∇R(w_ℓ), for every layer",
       status="PAPER", kind="identity", tolerance=1e-10,
       tolerance_reason="relative float64 rounding over ≤ 5 layers",
       negative_control="the GD path uses A_ℓ instead of A_ℓᵀ (non-symmetric A_ℓ)",
       backends=ICL_BACKENDS, float32_tolerance=2e-5,
       float32_reason="relative float32 rounding through ≤ 5 layers of (d+1)²(n+1) products (measured ≤ 3.7e-7 at "
                      "seeds 0-9 under array-api-strict); 2e-5 ≈ 170 eps₃₂; the control misses by O(1)")
def lemma1(ctx):
    tally = ctx.tally()
    xp = ctx.xp
    for d, n, L in ((2, 3, 2), (4, 10, 5), (6, 20, 3)):
        pr = icl.sample_prompts(32, n, d, ctx.rng, **on_device(ctx))
        As = [ctx.asarray(0.5 * ctx.rng.standard_normal((d, d)) / np.sqrt(d)) for _ in range(L)]
        layers = [icl.gd_layer(A, sign=-1.0) for A in As]
        states = icl.lsa_multilayer([p for p, _ in layers], [q for _, q in layers], pr.matrix())
        used = [A.T for A in As] if ctx.control else As
        preds, _ = icl.preconditioned_gd_path(used, pr.X, pr.y, pr.x_query)
        # context labels: <x_i, w* − w_ℓ> = y_i − <x_i, w_ℓ>; recompute w_ℓ along the path
        w = xp.zeros((32, d), dtype=ctx.dtype, device=ctx.device)
        for ell, Z in enumerate(states):
            scale = xp.max(xp.abs(Z[:, d, :])) + 1e-30
            tally.add(-xp.max(xp.abs(Z[:, d, n] + preds[ell, ...])) / scale, d=d, n=n, layer=ell, check="query")
            ctx_pred = pr.y - (pr.X @ w[:, :, None])[..., 0]
            tally.add(-xp.max(xp.abs(Z[:, d, :n] - ctx_pred)) / scale, d=d, n=n, layer=ell, check="context")
            if ell < L:
                resid = (pr.X @ w[:, :, None])[..., 0] - pr.y
                grad = (xp.matrix_transpose(pr.X) @ resid[:, :, None])[..., 0] / n
                w = w - grad @ used[ell]  # (A_ℓᵀ g)ᵀ = gᵀ A_ℓ
    return tally.outcome()


if __name__ == "__main__":
    import sys

    from theorylab.engine import run_module

    sys.exit(run_module(__name__))
