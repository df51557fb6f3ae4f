"""The auxiliary log²Z loss of PaLM, as used by Wortsman et al. (ICLR 2024): ℓ = CE(z, y) + c·log²Z.

Claims (check L1 of ``new-losses.md``):

* ``wortsman2024/logz-shift-identities``: CE(z + t1) = CE(z), log Z(z + t1) = log Z(z) + t, and the gradient
  p − e_y + 2c·log Z·p has 1ᵀ∇ = 2c·log Z — the penalty acts on the common shift only through log Z.
* ``wortsman2024/logz-population-minimiser``: the conditional risk Σ_y η_y ℓ(z, y) is minimised exactly at
  z* = log η for every c > 0 (so C* = H(η): proper and calibrated, inherited from cross-entropy). Checked by a
  trust-region Newton solve (analytic Hessian) from a random start, against log η; the negative control asserts
  the minimiser log η + t·1 with t = 0.1 ≠ 0.

Tolerances are relative to the quantities (the identities: rounding of a log-sum-exp of O(10) logits; the
minimiser: the Newton solve's gradient tolerance divided by the smallest curvature, 2c along the shift).
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from theorylab.engine import Source, claim
from theorylab.losses.zloss import ce_logz_loss, ce_logz_loss_and_grad, logz_penalty

SRC = Source("M. Wortsman et al.", "Small-scale proxies for large-scale Transformer training instabilities",
             "ICLR 2024, arXiv 2309.14322")


def _logz(z):
    m = z.max(-1, keepdims=True)
    return (m + np.log(np.exp(z - m).sum(-1, keepdims=True)))[..., 0]


@claim("wortsman2024/logz-shift-identities", title="CE is shift invariant, log Z shifts by t, 1ᵀ∇ℓ = 2c·log Z",
       source=SRC.at("§3 (output logit divergence; z-loss of Chowdhery et al., PaLM)"),
       statement="for ℓ = CE + c·log²Z: CE(z + t1, y) = CE(z, y), log Z(z + t1) = log Z(z) + t, and "
                 "1ᵀ∇_z ℓ = 2c·log Z(z) (∇_z ℓ = p − e_y + 2c·log Z·p)",
       status="VERIFIED", kind="identity", tolerance=1e-12,
       tolerance_reason="rounding of log-sum-exp: errors relative to 1 + |log Z| + |t| (CE, log Z) and to "
                        "‖∇ℓ‖₁ + 2c|log Z| (the gradient sum)",
       negative_control="1ᵀ∇_z ℓ = c·log Z (the factor 2 of the square dropped) on the same cases")
def shift_identities(ctx):
    tally = ctx.tally()
    m = ctx.pick(quick=400, full=4000)
    K = int(ctx.rng.integers(2, 12))
    z = ctx.rng.normal(0.0, 3.0, (m, K))
    y = ctx.rng.integers(0, K, m)
    t = ctx.rng.normal(0.0, 5.0, m)
    c = np.exp(ctx.rng.uniform(np.log(1e-4), 0.0, m))
    lz = _logz(z)
    scale = 1.0 + np.abs(lz) + np.abs(t)
    ce0 = ce_logz_loss(z, y, 1.0) - logz_penalty(z, 1.0)
    ce1 = ce_logz_loss(z + t[:, None], y, 1.0) - logz_penalty(z + t[:, None], 1.0)
    tally.add(-np.abs(ce1 - ce0) / scale, measured={"ce_change": ce1 - ce0}, K=K)
    tally.add(-np.abs(_logz(z + t[:, None]) - lz - t) / scale, K=K)
    grads = np.stack([ce_logz_loss_and_grad(z[i:i + 1], y[i:i + 1], c[i])[1][0] for i in range(m)])
    factor = 1.0 if ctx.control else 2.0
    err = np.abs(grads.sum(-1) - factor * c * lz) / (np.abs(grads).sum(-1) + 2.0 * c * np.abs(lz))
    tally.add(-err, measured={"sum_grad": grads.sum(-1), "two_c_logZ": 2 * c * lz}, c=c, K=K)
    return tally.outcome()


def _risk_parts(eta, c):
    def f(z):
        lz = float(_logz(z))
        return float(lz - eta @ z + c * lz * lz)

    def g(z):
        lz = float(_logz(z))
        p = np.exp(z - lz)
        return p - eta + 2.0 * c * lz * p

    def H(z):
        lz = float(_logz(z))
        p = np.exp(z - lz)
        A = np.diag(p) - np.outer(p, p)
        return A + 2.0 * c * (np.outer(p, p) + lz * A)

    return f, g, H


def _minimisers(ctx):
    cases = []
    for i in range(ctx.pick(quick=40, full=200)):
        K = int(ctx.rng.integers(2, 8))
        eta = ctx.rng.dirichlet(np.ones(K))
        eta = np.maximum(eta, 1e-3)
        eta = eta / eta.sum()
        c = float([1e-4, 1e-2, 1.0][i % 3])
        z0 = ctx.rng.normal(0.0, 2.0, K)
        f, g, H = _risk_parts(eta, c)
        r = minimize(f, z0, jac=g, hess=H, method="trust-exact", options={"gtol": 1e-12, "maxiter": 500})
        z = r.x
        for _ in range(4):  # Newton polish: quadratic convergence near the minimiser
            z = z - np.linalg.solve(H(z), g(z))
        cases.append({"eta": eta, "c": c, "z": z, "grad": float(np.abs(g(z)).max())})
    return cases


@claim("wortsman2024/logz-population-minimiser", title="CE + c·log²Z is minimised exactly at z* = log η",
       source=SRC.at("§3 (z-loss); the minimiser is our derivation"),
       statement="for every η in the open simplex and c > 0, argmin_z Σ_y η_y [CE(z, y) + c·log²Z(z)] = log η "
                 "(CE is minimised on the line log η + t1, where log Z = t, and the penalty vanishes at t = 0)",
       status="VERIFIED", kind="identity", tolerance=1e-8,
       tolerance_reason="trust-region Newton plus 4 pure Newton steps reach ‖∇C‖∞ ~ 1e-16; the smallest curvature "
                        "is ≈ 2c ≥ 2e-4 (along the shift) or ≈ min η ≥ 1e-3, so |z − log η| ≲ 1e-16/2e-4 ~ 1e-12; "
                        "1e-8 leaves room for the conditioning",
       negative_control="the minimiser log η + t·1 with t = 0.1 (a shifted solution, on the same solves)")
def population_minimiser(ctx):
    tally = ctx.tally()
    cases = ctx.cases("solves", lambda: _minimisers(ctx))
    for cs in cases:
        target = np.log(cs["eta"]) + (0.1 if ctx.control else 0.0)
        err = float(np.abs(cs["z"] - target).max())
        tally.add(-err, measured={"grad_inf": cs["grad"]}, c=cs["c"], K=len(cs["eta"]))
    return tally.outcome()
