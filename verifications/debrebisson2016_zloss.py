"""The spherical Z-loss (de Brébisson & Vincent, 2016): L_Z(o, c) = softplus(a(b − z_c))/a, z = (o − μ)/σ.

Checks of ``classification-settings.md`` §(d):

* ``debrebisson2016/zloss-invariance``: L_Z(s·o + t·1, c) = L_Z(o, c) for s > 0, t ∈ ℝ; control: s < 0 (the
  statement is for positive scaling only — s < 0 flips z).
* ``debrebisson2016/zloss-spherical-form``: the value from the three statistics (Σo, Σo², o_c) equals the
  direct evaluation; control: the same statistics with the sample standard deviation (D − 1 in place of D).
* ``debrebisson2016/zloss-gradient-orthogonal``: ∇_o L_Z ⊥ 1 and ⊥ o (Euler's relations for the two
  invariances: no "scale the logits" descent direction); control: the log-softmax cross-entropy gradient
  p − e_c, which is ⊥ 1 but not ⊥ o.

Parameters (a, b) are drawn at random (a ∈ [0.1, 10], b ∈ [−2, 5]); the definition is RECONSTRUCTED from
secondary descriptions (only the abstract was read).
"""
from __future__ import annotations

import numpy as np

from theorylab.engine import Source, claim
from theorylab.losses.zloss import spherical_z_loss, spherical_z_loss_and_grad, spherical_z_loss_from_stats

SRC = Source("A. de Brébisson, P. Vincent",
             "The Z-loss: a shift and scale invariant classification loss belonging to the Spherical Family",
             "arXiv 1604.08859 (2016)")


def _draw(ctx, m):
    D = int(ctx.rng.integers(2, 60))
    a = float(np.exp(ctx.rng.uniform(np.log(0.1), np.log(10.0))))
    b = float(ctx.rng.uniform(-2.0, 5.0))
    o = ctx.rng.normal(0.0, 1.0, (m, D)) * np.exp(ctx.rng.uniform(-2, 2, (m, 1)))
    y = ctx.rng.integers(0, D, m)
    return D, a, b, o, y


@claim("debrebisson2016/zloss-invariance", title="The Z-loss is invariant to shifts and positive scalings",
       source=SRC.at("abstract: shift and scale invariant"),
       statement="L_Z(s·o + t·1, c) = L_Z(o, c) for every s > 0 and t ∈ ℝ",
       status="VERIFIED", kind="identity", tolerance=1e-10,
       tolerance_reason="relative change of L_Z; centring o + t·1 loses eps·|t|/σ(o) ≲ 2e-16·100 in z, times the "
                        "slope a·sigmoid ≤ 10 relative to L ≥ softplus(−a(√(D−1) − b))/a — 1e-10 covers the "
                        "least losses drawn",
       negative_control="invariance also for s < 0 (s replaced by −s on the same cases)")
def invariance(ctx):
    tally = ctx.tally()
    for _ in range(ctx.pick(quick=20, full=200)):
        D, a, b, o, y = _draw(ctx, 50)
        s = np.exp(ctx.rng.uniform(-3, 3, (50, 1)))
        t = ctx.rng.normal(0.0, 10.0, (50, 1))
        L0 = spherical_z_loss(o, y, a, b)
        L1 = spherical_z_loss((-s if ctx.control else s) * o + t, y, a, b)
        tally.add(-np.abs(L1 - L0) / L0, D=D, a=a, b=b)
    return tally.outcome()


@claim("debrebisson2016/zloss-spherical-form", title="Z-loss from (Σo, Σo², o_c) equals the direct evaluation",
       source=SRC.at("§2: the spherical family"),
       statement="with μ = Σo/D and σ² = Σo²/D − μ² (population variance), softplus(a(b − (o_c − μ)/σ))/a equals "
                 "L_Z computed from o directly",
       status="VERIFIED", kind="identity", tolerance=1e-10,
       tolerance_reason="relative; the statistics form cancels in Σo²/D − μ² (error eps·(σ² + μ²)/σ²): outputs "
                        "are drawn with |mean| ≲ 3σ, so z_c is accurate to ~1e-14, times the slope ≤ a = 10",
       negative_control="the statistics form with the sample variance (division by D − 1), on the same cases")
def spherical_form(ctx):
    tally = ctx.tally()
    for _ in range(ctx.pick(quick=20, full=200)):
        D, a, b, o, y = _draw(ctx, 50)
        o = o + ctx.rng.normal(0.0, 1.0, (50, 1)) * o.std(-1, keepdims=True)
        direct = spherical_z_loss(o, y, a, b)
        S, Q, oc = o.sum(-1), (o * o).sum(-1), o[np.arange(50), y]
        if ctx.control:
            mu = S / D
            sig = np.sqrt((Q - D * mu * mu) / (D - 1))
            zc = (oc - mu) / sig
            stats = np.logaddexp(0.0, a * (b - zc)) / a
        else:
            stats = spherical_z_loss_from_stats(S, Q, oc, D, a, b)
        tally.add(-np.abs(stats - direct) / direct, D=D, a=a, b=b)
    return tally.outcome()


def _ce_grad(o, y):
    p = np.exp(o - o.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    p[np.arange(o.shape[0]), y] -= 1.0
    return p


@claim("debrebisson2016/zloss-gradient-orthogonal", title="∇_o L_Z is orthogonal to 1 and to o",
       source=SRC.at("§2 (shift and scale invariance; Euler's relation is our derivation)"),
       statement="⟨∇_o L_Z, 1⟩ = 0 and ⟨∇_o L_Z, o⟩ = 0 (relative to ‖∇L‖·‖1‖ and ‖∇L‖·‖o‖), with the "
                 "closed-form gradient (g/σ)(e_c − 1/D − z_c z/D), g = −sigmoid(a(b − z_c)); the gradient itself "
                 "is checked against central differences in tests/test_new_losses.py",
       status="VERIFIED", kind="identity", tolerance=1e-12,
       tolerance_reason="cosines of exactly orthogonal vectors computed in float64 (D ≤ 60 terms), the "
                        "gradient's norm floored at its natural size |∂L/∂z_c|/σ: rounding ~D·eps ≈ 1e-14",
       negative_control="the cross-entropy gradient p − e_c (softmax is shift- but not scale-invariant): "
                        "asserting it ⊥ o fails")
def gradient_orthogonal(ctx):
    tally = ctx.tally()
    for _ in range(ctx.pick(quick=20, full=200)):
        D, a, b, o, y = _draw(ctx, 50)
        o = o + ctx.rng.normal(0.0, 1.0, (50, 1)) * o.std(-1, keepdims=True)
        G = _ce_grad(o, y) if ctx.control else spherical_z_loss_and_grad(o, y, a, b)[1]
        sig = o.std(-1)
        zc = (o[np.arange(50), y] - o.mean(-1)) / sig
        scale = np.exp(-np.logaddexp(0.0, -a * (b - zc))) / sig  # |∂L/∂z_c|/σ: the gradient's natural size
        # relative to max(‖∇L‖, |g|/σ): for D = 2 the exact gradient is 0 (z = ±1 always) and only rounding
        # of size eps·|g|/σ remains
        gn = np.maximum(np.linalg.norm(G, axis=1), scale)
        c1 = np.abs(G.sum(-1)) / (gn * np.sqrt(D))
        co = np.abs((G * o).sum(-1)) / (gn * np.linalg.norm(o, axis=1))
        tally.add(-np.maximum(c1, co), D=D, a=a, b=b)
    return tally.outcome()
