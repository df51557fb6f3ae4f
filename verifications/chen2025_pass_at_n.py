"""The pass@N loss ℓ_N = −log(1 − (1 − p_y)^N) (Chen, Raventós, Cheng, Ganguli, Druckmann, 2025): checks L2–L5.

* ``chen2025/pass-at-n-gradient`` (L2): ∇_z ℓ_N = F_N(p_y)(p − e_y), F_N(q) = Nq(1 − q)^{N−1}/(1 − (1 − q)^N),
  against Richardson-extrapolated central differences of the loss; control: the plain CE gradient p − e_y
  (the factor F_N omitted) on the same cases.
* ``chen2025/pass-at-n-weight-monotone`` (L3): F_N strictly decreasing on (0, 1) for N ≥ 2 (random grids);
  control: "F_N increasing".
* ``chen2025/pass-at-n-weight-limits`` (L3): F_1 ≡ 1, F_N(0⁺) = 1, F_N(1⁻) = 0 (at q = 1e−10 and 1 − 1e−10);
  control: "F_N(1⁻) = 1" (no down-weighting of confident correct examples).
* ``chen2025/pass-at-n-minimiser`` (L4): the conditional minimiser q*(η) over the simplex (nested bisection on the
  Lagrange condition, :func:`~theorylab.losses.pass_at_n.pass_at_n_optimal_probabilities`) satisfies the
  Lagrange condition, preserves the ranking of η strictly, is flatter (max q* ≤ max η, H(q*) ≥ H(η)), and is η
  for N = 1; control: "q* = η" for N = 4.
* ``chen2025/pass-at-n-calibration-gap`` (L5): the multi-class calibration gap
  inf{C(q; η) : argmax q ≠ argmax η} − C*(η) is > 0 relative to C*, N ∈ {2, 8, 32}; by strict convexity the
  wrong-region infimum sits on a tie set q_a = q_b and equals C*(η̃), η̃ = η with η_a, η_b replaced by their
  mean. Control: the rank-reversing loss ℓ = p_y (linear conditional risk η·q; its wrong-region infimum is
  found at the vertices of {q ∈ Δ : q_b ≥ q_a}) has gap exactly 0.

Random cases come from ``ctx.rng``; the tolerances are relative to the quantity, with the reason at each claim.
"""
from __future__ import annotations

import numpy as np

from theorylab.engine import FigureResult, Source, claim, figure
from theorylab.losses.pass_at_n import (
    pass_at_n_best_risk,
    pass_at_n_loss,
    pass_at_n_loss_and_grad,
    pass_at_n_optimal_probabilities,
    pass_at_n_weight,
)

SRC = Source("F. Chen, A. Raventós, N. Cheng, S. Ganguli, S. Druckmann",
             "Rethinking Fine-Tuning when Scaling Test-Time Compute: Limiting Confidence Improves Mathematical "
             "Reasoning", "arXiv 2502.07154 (2025)")

_EPS = float(np.finfo(np.float64).eps)


def _softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _richardson_grad(z, y, N, h):
    """Central differences at steps h and h/2, Richardson-combined (truncation O(h⁴))."""
    K = z.shape[0]
    out = np.empty(K)
    for j in range(K):
        e = np.zeros(K)
        e[j] = 1.0

        def d(s, e=e):
            zp, zm = (z + s * e)[None], (z - s * e)[None]
            lab = np.array([y])
            return (pass_at_n_loss(zp, lab, N)[0] - pass_at_n_loss(zm, lab, N)[0]) / (2 * s)

        out[j] = (4.0 * d(h / 2) - d(h)) / 3.0
    return out


@claim("chen2025/pass-at-n-gradient", title="pass@N gradient = F_N(p_y)·(p − e_y)",
       source=SRC.at("the pass@N objective; gradient by the chain rule (our derivation)"),
       statement="∇_z ℓ_N(z, y) = F_N(p_y)(p − e_y) with F_N(q) = Nq(1 − q)^{N−1}/(1 − (1 − q)^N), p = softmax(z)",
       status="VERIFIED", kind="identity", tolerance=1e-6,
       tolerance_reason="relative error ‖∇ − ∇_FD‖/‖∇_FD‖ of Richardson central differences (h = 1e-3: truncation "
                        "O(h⁴) ~ 1e-12, rounding ~ eps·ℓ/h ~ 1e-12·ℓ), compared only where ‖∇‖ exceeds 1e4 × "
                        "that rounding floor",
       negative_control="the plain cross-entropy gradient p − e_y (factor F_N omitted), N = 8 on every case")
def gradient(ctx):
    tally = ctx.tally()
    m = ctx.pick(quick=60, full=500)
    for i in range(m):
        K = int(ctx.rng.integers(2, 7))
        N = int([1, 2, 4, 8, 32][i % 5])
        z = ctx.rng.normal(0.0, float(np.exp(ctx.rng.uniform(-1.0, 1.5))), K)
        y = int(ctx.rng.integers(0, K))
        v, g = pass_at_n_loss_and_grad(z[None], np.array([y]), N)
        fd = _richardson_grad(z, y, N, 1e-3)
        floor = _EPS * max(1.0, float(v[0])) / 1e-3
        gn = float(np.linalg.norm(fd))
        if gn <= 1e4 * floor:  # the same selection for the statement and the control
            continue
        if ctx.control:  # the plain CE gradient against the finite differences of ℓ_8
            fd8 = _richardson_grad(z, y, 8, 1e-3)
            ref = _softmax(z) - np.eye(K)[y]
            err = float(np.linalg.norm(ref - fd8)) / max(float(np.linalg.norm(fd8)), 1e-300)
        else:
            err = float(np.linalg.norm(g[0] - fd)) / gn
        tally.add(-err, measured={"grad_norm": gn}, N=N, K=K)
    return tally.outcome()


def _weight_grids(ctx):
    out = []
    for N in (2, 4, 8, 32, 128):
        q = np.sort(np.concatenate([[1e-12, 1e-6], ctx.rng.uniform(0.0, 1.0, ctx.pick(quick=200, full=5000)),
                                    [0.99]]))
        q = q[(q > 0) & (q <= 0.99)]
        out.append((N, q))
    return out


@claim("chen2025/pass-at-n-weight-monotone", title="F_N is strictly decreasing on (0, 1) for N ≥ 2",
       source=SRC.at("confidence limiting: confident correct examples are down-weighted (our derivation of F_N)"),
       statement="for N ∈ {2, 4, 8, 32, 128}, F_N(q_i) > F_N(q_{i+1}) for every q_i < q_{i+1} in (0, 0.99] "
                 "(random grids including q = 1e-12 and 1e-6)",
       status="VERIFIED", kind="bound", tolerance=0.0,
       control_threshold=1e-6,
       control_threshold_reason="the statement's smallest relative decrease is ≈ (N − 1)·Δq/2 = 5e-7 (N = 2, "
                                "between q = 1e-12 and 1e-6) and rounding is ~1e-16; the reversed statement must "
                                "fail by more than 1e-6 somewhere (it reaches about −1 near q = 0.99)",
       negative_control="F_N strictly increasing (slack (F_{i+1} − F_i)/F_i)")
def weight_monotone(ctx):
    tally = ctx.tally()
    for N, q in _weight_grids(ctx):
        F = pass_at_n_weight(q, N)
        d = (F[:-1] - F[1:]) / F[:-1]
        tally.add(-d if ctx.control else d, N=N, q=q[:-1])
    return tally.outcome()


@claim("chen2025/pass-at-n-weight-limits", title="F_1 ≡ 1, F_N(0⁺) = 1, F_N(1⁻) = 0",
       source=SRC.at("pass@1 is cross-entropy; confident correct examples get vanishing weight (our derivation)"),
       statement="F_1(q) = 1 on (0, 1); for N ≥ 2, F_N(1e-10) = 1 and F_N(1 − 1e-10) = 0 up to the first-order "
                 "terms (N − 1)·1e-10/2 and N·(1e-10)^{N−1}",
       status="VERIFIED", kind="limit", tolerance=1e-8,
       tolerance_reason="|F_N(q) − 1| ≈ (N − 1)q/2 ≤ 6.4e-9 at q = 1e-10 (N ≤ 128); F_N(1 − δ) ≈ Nδ^{N−1} ≤ 2e-10 "
                        "at δ = 1e-10",
       negative_control="F_N(1⁻) = 1 (no down-weighting near q = 1)")
def weight_limits(ctx):
    tally = ctx.tally()
    q = ctx.rng.uniform(0.0, 1.0, ctx.pick(quick=200, full=2000))
    tally.add(-np.abs(pass_at_n_weight(q, 1) - 1.0), N=1)
    for N in np.unique(ctx.rng.integers(2, 129, 8)).tolist() + [2, 128]:
        lo = float(pass_at_n_weight(np.array([1e-10]), N)[0])
        hi = float(pass_at_n_weight(np.array([1.0 - 1e-10]), N)[0])
        target_hi = 1.0 if ctx.control else 0.0
        tally.add(-abs(lo - 1.0), N=N, end="q=1e-10")
        tally.add(-abs(hi - target_hi), N=N, end="q=1-1e-10")
    return tally.outcome()


def _etas(ctx, count, margin=0.0):
    """Random η (K in 3..7), entries distinct; with ``margin`` > 0, top two apart by at least margin·max η."""
    out = []
    while len(out) < count:
        K = int(ctx.rng.integers(3, 8))
        eta = ctx.rng.dirichlet(np.ones(K))
        s = np.sort(eta)
        if np.min(np.diff(s)) < 1e-6 or s[-1] - s[-2] < margin * s[-1] or s[0] < 1e-4:
            continue
        out.append(eta)
    return out


def _by_k(etas):
    groups = {}
    for i, e in enumerate(etas):
        groups.setdefault(len(e), []).append(i)
    return groups


def _entropy(p):
    return -np.sum(np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0), -1)


def _log_h(q, N):
    """log h_N(q) = log[N(1 − q)^{N−1}/(1 − (1 − q)^N)], an independent evaluation."""
    l1m = np.log1p(-q)
    x = N * l1m
    return np.log(N) + (N - 1) * l1m - np.where(x > -np.log(2), np.log(-np.expm1(x)), np.log1p(-np.exp(x)))


def _minimisers(ctx):
    etas = _etas(ctx, ctx.pick(quick=30, full=300))
    out = {}
    for N in (1, 2, 4, 8, 32, 128):
        qs = [None] * len(etas)
        for idx in _by_k(etas).values():
            Q = pass_at_n_optimal_probabilities(np.array([etas[i] for i in idx]), N)
            for j, i in enumerate(idx):
                qs[i] = Q[j]
        out[N] = qs
    return etas, out


@claim("chen2025/pass-at-n-minimiser", title="pass@N minimiser: strict ranking, flatter than η, η at N = 1",
       source=SRC.at("limiting confidence: the pass@N optimum is less confident than η (our derivation)"),
       statement="q* = argmin_{q∈Δ} Σ η_y φ_N(q_y) satisfies η_y h_N(q*_y) = μ (all y), orders the classes "
                 "exactly as η does (strictly), has max q* ≤ max η and H(q*) ≥ H(η) (N ∈ {2, 4, 8, 32, 128}), "
                 "and q* = η for N = 1",
       status="VERIFIED", kind="bound", tolerance=0.0,
       control_threshold=1e-3,
       control_threshold_reason="for N = 4 the minimiser moves a random η by ~1e-2 in ‖·‖∞ (the reference "
                                "η = (0.5, 0.3, 0.2) moves by 0.06 already at N = 2): the control must fail by "
                                "more than 1e-3 somewhere",
       negative_control="q* = η for N = 4 (slack 1e-12 − ‖q*_4 − η‖∞)")
def minimiser(ctx):
    tally = ctx.tally()
    etas, Q = ctx.cases("minimisers", lambda: _minimisers(ctx))
    for i, eta in enumerate(etas):
        K = len(eta)
        order = np.argsort(-eta)
        wrong = 1e-12 - float(np.abs(Q[4][i] - eta).max())  # the control: "q* = η" at N = 4
        tally.add(wrong if ctx.control else 1e-12 - float(np.abs(Q[1][i] - eta).max()), N=1, K=K, eta=eta)
        for N in (2, 4, 8, 32, 128):
            q = Q[N][i]
            qs = q[order]
            lam = np.log(eta) + _log_h(q, N)
            sl = np.array([float(np.min(qs[:-1] - qs[1:]) / qs[0]),
                           float(eta.max() - q.max()) + 1e-15,
                           float(_entropy(q) - _entropy(eta)) + 1e-15,
                           1e-8 - float(lam.max() - lam.min())])
            tally.add(np.full(4, wrong) if ctx.control else sl, N=N, K=K,
                      check=np.array(["ranking", "max", "entropy", "lagrange"]))
    return tally.outcome()


def _gap_cases(ctx):
    etas = _etas(ctx, ctx.pick(quick=40, full=100), margin=0.05)
    groups = _by_k(etas)
    out = []
    for N in (2, 8, 32):
        cstar = np.empty(len(etas))
        wrong = np.empty(len(etas))
        for K, idx in groups.items():
            E = np.array([etas[i] for i in idx])
            cstar[idx] = pass_at_n_best_risk(E, N)
            a = np.argmax(E, -1)
            # every rival b ≠ a at once: η with η_a, η_b replaced by their mean (rows for b = a masked out)
            Et = np.repeat(E[:, None, :], K, axis=1)
            r, b = np.meshgrid(np.arange(len(idx)), np.arange(K), indexing="ij")
            mean = 0.5 * (E[r, a[r]] + E[r, b])
            Et[r, b, a[r]] = mean
            Et[r, b, b] = mean
            W = pass_at_n_best_risk(Et.reshape(-1, K), N).reshape(len(idx), K)
            W[np.arange(len(idx)), a] = np.inf
            wrong[idx] = W.min(-1)
        out.append((N, cstar, wrong))
    return etas, out


def _linear_gap(eta):
    """ℓ = p_y: C(q) = η·q; C* = min η; inf over {q_b ≥ q_a} (a = argmax η) at its vertices e_k (k ≠ a) and
    (e_a + e_b)/2 — the minimum over b ≠ a."""
    a = int(np.argmax(eta))
    K = len(eta)
    cands = [eta[k] for k in range(K) if k != a] + [0.5 * (eta[a] + eta[b]) for b in range(K) if b != a]
    return float(min(cands) - eta.min()), float(eta.min())


@claim("chen2025/pass-at-n-calibration-gap", title="pass@N is classification-calibrated (gap > 0, tiny for large N)",
       source=SRC.at("the pass@N objective; multi-class calibration in the sense of Tewari–Bartlett (our derivation)"),
       statement="for N ∈ {2, 8, 32} and random η with a unique maximum (top two apart by ≥ 5% of max η), "
                 "inf{C(q; η) : argmax q ≠ argmax η} − C*(η) > 1e-5·C*(η) (the wrong-region infimum is "
                 "C*(η̃) on the tie set, η̃ = η with the top entry and a rival replaced by their mean, least "
                 "over rivals)",
       status="VERIFIED", kind="bound", tolerance=0.0,
       control_threshold=5e-6,
       control_threshold_reason="the slack is gap/C* − 1e-5; the rank-reversing control has gap exactly 0, so "
                                "its slack is −1e-5, below −5e-6; the statement's least gap/C* is ~1e-4 at the 5% "
                                "margin (it scales like the squared top-two gap), far above the solver's ~1e-14 "
                                "relative accuracy",
       negative_control="the rank-reversing loss ℓ = p_y on the same η (its conditional minimiser e_{argmin η} is "
                        "in the wrong-argmax region: gap 0)")
def calibration_gap(ctx):
    tally = ctx.tally()
    etas, per_n = ctx.cases("gaps", lambda: _gap_cases(ctx))
    lin = np.array([_linear_gap(eta) for eta in etas])  # (gap, C*) of ℓ = p_y per η
    for N, cstar, wrong in per_n:
        if ctx.control:
            tally.add(lin[:, 0] / lin[:, 1] - 1e-5, measured={"gap": lin[:, 0]}, N=N)
        else:
            rel = (wrong - cstar) / cstar
            tally.add(rel - 1e-5, measured={"gap": wrong - cstar, "cstar": cstar}, N=N)
    return tally.outcome()
    for N, cstar, wrong in per_n:
        rel = (wrong - cstar) / cstar
        tally.add(rel - 1e-5, measured={"gap": wrong - cstar, "cstar": cstar}, N=N)
    return tally.outcome()


@figure("chen2025/fig-pass-at-n-minimiser", title="pass@N conditional minimiser q*(η) and F_N",
        source=SRC.at("limiting confidence (our derivation)"))
def fig_minimiser(ctx):
    from theorylab.engine.plotstyle import new_figure

    eta = np.array([0.5, 0.3, 0.2])
    Ns = np.unique(np.round(np.logspace(0, np.log10(512), 40)).astype(int))
    Q = np.array([pass_at_n_optimal_probabilities(eta, int(N)) for N in Ns])
    fig, (ax1, ax2) = new_figure(1, 2, width=11, height=4.2)
    cols = {"panel": [], "N": [], "x": [], "value": [], "series": []}
    for k, c in enumerate(("C0", "C1", "C2")):
        ax1.plot(Ns, Q[:, k], color=c, marker="o", ms=3, label=rf"$q^*_{k + 1}$ ($\eta_{k + 1}={eta[k]:g}$)")
        ax1.axhline(eta[k], color=c, ls=":", lw=1)
        for N, v in zip(Ns, Q[:, k]):
            cols["panel"].append("minimiser"); cols["N"].append(int(N)); cols["x"].append(float(eta[k]))
            cols["value"].append(float(v)); cols["series"].append(f"q{k + 1}")
    ax1.axhline(1 / 3, color="0.4", ls="--", lw=1, label="uniform $1/3$")
    ax1.set_xscale("log")
    ax1.set_xlabel("attempts $N$")
    ax1.set_ylabel(r"$q^*_y(\eta)$ (dotted: $\eta_y$)")
    ax1.legend(fontsize=8)
    q = np.linspace(1e-4, 1 - 1e-4, 400)
    for N, c in zip((1, 2, 4, 8, 32, 128), ("k", "C0", "C1", "C2", "C3", "C4")):
        F = pass_at_n_weight(q, N)
        ax2.plot(q, F, color=c, label=f"$N={N}$")
        for x, v in zip(q[::20], F[::20]):
            cols["panel"].append("weight"); cols["N"].append(N); cols["x"].append(float(x))
            cols["value"].append(float(v)); cols["series"].append("F_N")
    ax2.set_xlabel("$p_y$")
    ax2.set_ylabel(r"gradient factor $F_N(p_y)$")
    ax2.legend(fontsize=8)
    return FigureResult(fig, cols)
