"""Simon et al., the eigenlearning framework (TMLR 2023) and "More is Better" (ICLR 2024).

Claims: the KRR eigenframework (κ equation, test and train MSE) against Gaussian-feature simulations; its
random-feature extension against simulations; the random-feature risk tends to the KRR risk at rate 1/k; the
conservation law Σ L_i = n − δ/κ of both solvers; "more is better": at the tuned ridge the test risk decreases
strictly in the number of features k and of samples n (theory), and in k in simulation, while at vanishing
ridge it does not (double descent, the negative control). Figure: test error vs k and vs n, tuned vs zero
ridge, formula vs simulation.
"""
from __future__ import annotations

import numpy as np

from theorylab.engine import FigureResult, Source, claim, figure
from theorylab.settings import kernel_ridge as kr

EIG = Source("J. B. Simon, M. Dickens, D. Karkada, M. R. DeWeese",
             "The Eigenlearning Framework: A Conservation Law Perspective on Kernel Regression and Wide Neural "
             "Networks", "TMLR 2023, arXiv 2110.03922")
MORE = Source("J. B. Simon, D. Karkada, N. Ghosh, M. Belkin",
              "More is Better in Modern Machine Learning: when Infinite Overparameterization is Optimal and "
              "Overfitting is Obligatory", "ICLR 2024, arXiv 2311.14646")
SIGMA2 = 0.05
TASKS = ((1.5, 1.5, 300), (1.2, 1.0, 500))  # (α, β, M): λ_i = i^-α, v_i² ∝ i^-β
RIDGE_GRID = np.geomspace(1e-6, 1e2, 57)
Z = 5.0  # standard errors in every statistical allowance: two-sided false alarm 6e-7 per case (normal)


def _allowance_slack(sim, claimed, rel_bias):
    """Relative slack of |mean(sim) − claimed| ≤ rel_bias·claimed + Z·SE (sim: draws × cases)."""
    mean = sim.mean(axis=0)
    se = sim.std(axis=0, ddof=1) / np.sqrt(sim.shape[0])
    return (rel_bias * claimed + Z * se - np.abs(mean - claimed)) / claimed, mean, se


@claim("simon2023/krr-eigenframework-sim", title="KRR eigenframework matches finite-n kernel ridge regression",
       source=EIG.at("eqs. (4)-(9): κ, learnabilities, E₀ = n/(n − Σ L_i²), test and train MSE"),
       statement="Σ λ_i/(λ_i+κ) + δ/κ = n, E_te = n/(n − Σ L_i²)(Σ(1−L_i)² v_i² + σ²), E_tr = (δ/nκ)² E_te "
                 "match the mean test (noisy labels) and train MSE of KRR on Gaussian features: power laws "
                 "(α,β,M) = (1.5,1.5,300), (1.2,1,500), σ² = 0.05, n ∈ {50,100,200}, δ ∈ {1e-3,0.1,1}; "
                 "|sim − theory| ≤ 2% (test) / 4% (train) of theory + 5 SE",
       status="VERIFIED", kind="identity", tolerance=0.0,
       tolerance_reason="slack = (allowance − |mean − theory|)/theory; the allowance is a finite-n bias budget "
                        "(the formula is a deterministic equivalent with O(1/n) corrections: measured ≤ 0.8% "
                        "test, ≤ 2.1% train at these sizes) plus 5 standard errors of the mean over draws",
       negative_control="σ² outside the overfitting factor: E_te = E₀ Σ(1−L_i)² v_i² + σ² (and E_tr from it)",
       control_threshold=0.1,
       control_threshold_reason="relative units: the control must miss its allowance by ≥ 10% of the predicted "
                                "value (5× the test bias budget)")
def krr_sim(ctx):
    tally = ctx.tally()
    ns = (50, 100, 200)
    ridges = (1e-3, 0.1, 1.0)
    draws = ctx.pick(quick=60, full=200)

    def make():
        out = []
        for a, b, m in TASKS:
            lam, v = kr.power_law_task(m, a, b)
            out.append([kr.simulate_krr(lam, v, n, ridges, SIGMA2, ctx.rng, draws) for n in ns])
        return out

    sims = ctx.cases("krr-sims", make)
    for (a, b, m), per_n in zip(TASKS, sims):
        lam, v = kr.power_law_task(m, a, b)
        for n, (te, tr) in zip(ns, per_n):
            th_te, th_tr = [], []
            for d in ridges:
                r = kr.eigenlearning(lam, v, n, d, SIGMA2)
                if ctx.control:
                    L = r.learnabilities
                    wrong = r.overfitting_coefficient * float(np.sum((1 - L) ** 2 * v * v)) + SIGMA2
                    th_te.append(wrong)
                    th_tr.append(r.train_mse / r.test_mse * wrong)
                else:
                    th_te.append(r.test_mse)
                    th_tr.append(r.train_mse)
            s, mean, se = _allowance_slack(te, np.array(th_te), 0.02)
            tally.add(s, measured={"theory": np.array(th_te), "sim": mean, "se": se}, ridge=np.array(ridges),
                      n=n, task=f"alpha={a}, beta={b}, M={m}", draws=draws, check="test MSE")
            s, mean, se = _allowance_slack(tr, np.array(th_tr), 0.04)
            tally.add(s, measured={"theory": np.array(th_tr), "sim": mean, "se": se}, ridge=np.array(ridges),
                      n=n, task=f"alpha={a}, beta={b}, M={m}", draws=draws, check="train MSE")
    return tally.outcome()


RF_N = 100
RF_KS = (25, 50, 90, 110, 200, 400, 1600)
RF_RIDGES = (1e-4, 0.1, 1.0)


@claim("simon2023/rf-eigenframework-sim", title="random-feature eigenframework matches finite RF regression",
       source=MORE.at("Sec. 4: random-feature ridge regression, two effective ridges (our derivation)"),
       statement="with n − δ/κ = df₁(γ) = k(1 − κ/γ), L_i = λ_i/(λ_i+γ): E_te = n/(n−q)(Σ(1−L)²v² + "
                 "(df₁−df₂)/(k−df₂) Σ L(1−L)v² + σ²), q = (k df₂ + df₁² − 2df₁df₂)/(k − df₂), E_tr = (δ/nκ)² E_te "
                 "match RF regression (F ~ N(0,1/k)) on Gaussian features, (α,β,M) = (1.5,1.5,300), σ² = 0.05, "
                 "n = 100, k ∈ {25,50,90,110,200,800} (full: {25,50,90,110,200,400,1600}), δ ∈ {1e-4,0.1,1} "
                 "(k = 90, 110 only at δ ≥ 0.1): |sim − theory| ≤ "
                 "3% (test) / 8% (train) of theory + 5 SE",
       status="RECONSTRUCTED", kind="identity", tolerance=0.0,
       tolerance_reason="slack = (allowance − |mean − theory|)/theory; finite-size bias budget (measured ≤ 1.8% "
                        "test, ≤ 7% train away from k = n at tiny ridge, where the risk is heavy-tailed and left "
                        "out) plus 5 standard errors of the mean",
       negative_control="the KRR formula at the eigenbasis ridge γ: no extra L(1−L) term and q = df₂",
       control_threshold=0.1,
       control_threshold_reason="relative units: a miss of ≥ 10% of the predicted value beyond the allowance")
def rf_sim(ctx):
    tally = ctx.tally()
    lam, v = kr.power_law_task(300, 1.5, 1.5)
    ks = ctx.pick(quick=(25, 50, 90, 110, 200, 800), full=RF_KS)
    draws = ctx.pick(quick=40, full=100)
    sims = ctx.cases("rf-sims", lambda: kr.simulate_random_features(lam, v, RF_N, ks, RF_RIDGES, SIGMA2,
                                                                    ctx.rng, draws))
    te, tr = sims
    for a, k in enumerate(ks):
        keep = [j for j, d in enumerate(RF_RIDGES) if d >= 0.1 or not 0.8 * RF_N <= k <= 1.2 * RF_N]
        th_te, th_tr = [], []
        for j in keep:
            r = kr.random_feature_eigenlearning(lam, v, RF_N, k, RF_RIDGES[j], SIGMA2)
            if ctx.control:
                L = r.learnabilities
                wrong = RF_N / (RF_N - float(np.sum(L * L))) * (float(np.sum((1 - L) ** 2 * v * v)) + SIGMA2)
                th_te.append(wrong)
                th_tr.append(r.train_mse / r.test_mse * wrong)
            else:
                th_te.append(r.test_mse)
                th_tr.append(r.train_mse)
        rid = np.array([RF_RIDGES[j] for j in keep])
        for name, sim, th, bias in (("test MSE", te, th_te, 0.03), ("train MSE", tr, th_tr, 0.08)):
            th = np.array(th)
            ok = th > 1e-12  # a guard for the relative slack only: E_tr > 0 whenever δ > 0
            s, mean, se = _allowance_slack(sim[:, a, keep][:, ok], th[ok], bias)
            tally.add(s, measured={"theory": th[ok], "sim": mean, "se": se}, ridge=rid[ok], k=k, n=RF_N,
                      draws=draws, check=name)
    return tally.outcome()


@claim("simon2023/rf-to-krr-limit", title="the random-feature risk tends to the KRR risk at rate 1/k",
       source=MORE.at("Sec. 4: infinite width recovers the kernel (k → ∞)"),
       statement="|E_RF(k) − E_KRR|/E_KRR (test and train MSE) at k = 16n·2^j, j = 0..4, has log-log slope in "
                 "[−1.1, −0.9], and the test gap is ≤ 0.5% at k = 256n; (α,β,M) = (1.5,1.5,300) and (1.2,1,500), n ∈ {50,100}, "
                 "δ ∈ {0.01,0.1,1}, σ² = 0.05",
       status="VERIFIED", kind="limit", tolerance=0.0,
       tolerance_reason="exact pass/fail margins on deterministic closed forms: 0.1 − |slope + 1| and 0.005 − gap "
                        "(relative units; the measured slopes are −1.00 ± 0.01 and the test gap at k = 256n is "
                        "≤ 0.36%). The spec's '1% at k = 16n' is false (2.4% at δ = 0.1, n = 100; 5.7% at δ = 0.01, "
                        "n = 50, (1.2, 1)); the train gap is larger (20% at "
                        "δ = 0.01, n = 50: E_tr ∝ (n − df₁)² amplifies the O(1/k) shift of df₁) and is checked "
                        "for its rate only",
       negative_control="features with N(0,1) entries (RF kernel k·K): the limit is KRR at ridge δ/k",
       control_threshold=0.3,
       control_threshold_reason="slope units: the control's gap must stall (slope ≥ −0.7), i.e. not vanish "
                                "(it stalls at 5-13%, slopes ≈ 0 or +2)")
def rf_limit(ctx):
    tally = ctx.tally()
    ks_mult = 16 * 2 ** np.arange(5)
    for a, b, m in TASKS:
        lam, v = kr.power_law_task(m, a, b)
        for n in (50, 100):
            for d in (0.01, 0.1, 1.0):
                ref = kr.eigenlearning(lam, v, n, d, SIGMA2)
                for name in ("test_mse", "train_mse"):
                    gaps = []
                    for k in ks_mult * n:
                        rf = kr.random_feature_eigenlearning(lam, v, n, int(k), d, SIGMA2)
                        lim = kr.eigenlearning(lam, v, n, d / k, SIGMA2) if ctx.control else ref
                        gaps.append(abs(getattr(rf, name) - getattr(lim, name)) / getattr(lim, name))
                    slope = float(np.polyfit(np.log(ks_mult), np.log(gaps), 1)[0])
                    tally.add(0.1 - abs(slope + 1), measured={"slope": slope}, n=n, ridge=d, task=f"alpha={a}, beta={b}, M={m}",
                              check=f"{name} rate")
                    if name == "test_mse":
                        tally.add(0.005 - gaps[-1], measured={"gap": gaps[-1]}, n=n, ridge=d, task=f"alpha={a}, beta={b}, M={m}",
                                  check=f"{name} gap at k=256n")
    return tally.outcome()


@claim("simon2023/conservation-law", title="conservation law of the learnabilities (both solvers)",
       source=EIG.at("eq. (5): Σ_i L_i = n − δ/κ (the conservation law)"),
       statement="the solved κ satisfies Σ_i L_i = n − δ/κ (KRR), and the solved (κ, γ) satisfy df₁(γ) = "
                 "n − δ/κ = k(1 − κ/γ) (random features), relative residual ≤ 1e-12 of n, over random power-law "
                 "spectra, n, k and δ ∈ [1e-4, 1e2] (and δ = 0)",
       status="VERIFIED", kind="identity", tolerance=1e-12,
       tolerance_reason="brentq on log κ (log γ) with rtol 4 ε: residuals ≲ 1e-13 relative to n. For RF with k < n "
                        "and δ → 0 the equation for γ is ill-conditioned (δ/κ with κ ∝ γ − γ₀): at δ ≈ 5e-6 the "
                        "residual reaches 3e-11, so the check draws δ ≥ 1e-4 (and δ = 0, solved exactly)",
       negative_control="Σ_i L_i = n (the ridge term δ/κ dropped)",
       control_threshold=1e-4,
       control_threshold_reason="relative units: δ/κ ≥ 1e-4 n on some case of every draw set (far above "
                                "the 1e-12 tolerance)")
def conservation(ctx):
    tally = ctx.tally()
    for _ in range(ctx.pick(quick=30, full=300)):
        m = int(ctx.rng.integers(50, 800))
        a = float(ctx.rng.uniform(1.05, 2.5))
        lam, _ = kr.power_law_task(m, a, 1.0)
        n = int(ctx.rng.integers(5, min(m - 1, 400)))
        k = int(ctx.rng.integers(2, 2000))
        d = 0.0 if ctx.rng.random() < 0.2 else float(10 ** ctx.rng.uniform(-4, 2))
        kap = kr.solve_kappa(lam, n, d)
        ridge_term = 0.0 if (d == 0 or ctx.control) else d / kap
        s = kr.df1(lam, kap)
        tally.add(-abs(s - (n - ridge_term)) / n, n=n, m=m, alpha=a, ridge=d, check="KRR")
        if d == 0 and k == n:
            k += 1
        kap, gam = kr.solve_rf_ridges(lam, n, k, d)
        s = kr.df1(lam, gam)
        if d == 0:  # δ/κ = n − min(n, k) in the limit δ → 0 (κ = 0 when k < n)
            ridge_term = 0.0 if ctx.control else n - min(n, k)
        else:
            ridge_term = 0.0 if ctx.control else d / kap
        tally.add(-abs(s - (n - ridge_term)) / n, n=n, k=k, m=m, alpha=a, ridge=d, check="RF n − δ/κ")
        tally.add(-abs(s - k * (1 - kap / gam)) / n, n=n, k=k, m=m, alpha=a, ridge=d, check="RF k(1 − κ/γ)")
    return tally.outcome()


def _rf_risk(lam, v, n, k, ridge):
    return kr.random_feature_eigenlearning(lam, v, n, k, ridge, SIGMA2).test_mse


def _tuned(lam, v, n, k):
    """(δ*, E*) at the tuned ridge (k = None: KRR)."""
    if k is None:
        return kr.tuned_ridge(lambda d: kr.eigenlearning(lam, v, n, d, SIGMA2).test_mse, RIDGE_GRID)
    return kr.tuned_ridge(lambda d: _rf_risk(lam, v, n, k, d), RIDGE_GRID)


MB_KS = (10, 20, 40, 60, 80, 90, 100, 110, 125, 150, 200, 300, 500, 1000, 2000, 4000)
MB_NS = (10, 20, 40, 60, 100, 150, 180, 200, 220, 250, 300)
TINY = 1e-8


@claim("simon2023/more-is-better", title="more is better: the tuned risk decreases in features and samples",
       source=MORE.at("abstract and Sec. 4: at the optimal ridge the RF test risk decreases in k and in n"),
       statement="E*(n,k) = min_δ E_te (δ over 57 log-spaced values in [1e-6, 1e2], Brent-refined) is strictly "
                 "decreasing in k (n = 100, k = 10…4000) and in n (k = 200, n = 10…300), and the KRR tuned risk "
                 "in n; power laws (1.5,1.5) and (1.2,1), M = 2000, σ² = 0.05",
       status="PAPER", kind="bound", tolerance=1e-9,
       tolerance_reason="slack = relative decrease (E_j − E_{j+1})/E_j; the ridge optimiser's accuracy in E* is "
                        "≪ 1e-9 relative (smallest measured decrease is ~1e-3)",
       negative_control="the same at a fixed vanishing ridge δ = 1e-8 (double descent: the risk peaks at k = n "
                        "and at n = k)",
       control_threshold=0.1,
       control_threshold_reason="relative units: the control must show an increase of ≥ 10% between neighbours "
                                "(it shows a ~500-fold peak at k = n)")
def more_is_better(ctx):
    tally = ctx.tally()
    m = ctx.pick(quick=1000, full=2000)
    ks = ctx.pick(quick=(10, 40, 80, 100, 125, 200, 500, 2000), full=MB_KS)
    ns = ctx.pick(quick=(10, 60, 150, 200, 250, 300), full=MB_NS)
    for a, b, _ in TASKS:
        lam, v = kr.power_law_task(m, a, b)

        def risk(n, k, lam=lam, v=v):
            if ctx.control:
                return (kr.eigenlearning(lam, v, n, TINY, SIGMA2).test_mse if k is None
                        else _rf_risk(lam, v, n, k, TINY))
            return _tuned(lam, v, n, k)[1]

        for label, xs, f in (("in k (n=100)", ks, lambda x: risk(100, x)),
                             ("in n (k=200)", ns, lambda x: risk(x, 200)),
                             ("KRR in n", ns, lambda x: risk(x, None))):
            e = np.array([f(x) for x in xs])
            tally.add((e[:-1] - e[1:]) / e[:-1], measured={"risk": e[1:]}, x=np.array(xs[1:]), task=f"alpha={a}, beta={b}, M={m}",
                      check=label)
    return tally.outcome()


SPOT_KS = (50, 80, 200, 800)


@claim("simon2023/more-is-better-sim", title="more is better in simulation: tuned RF risk decreases in k",
       source=MORE.at("Sec. 4, Fig. 1: RF regression at the optimal ridge"),
       statement="simulated RF test MSE at the theory-tuned ridge, n = 100, k ∈ {50,80,200,800} (nested features, "
                 "paired draws), M = 400, (α,β) = (1.5,1.5), σ² = 0.05: mean(E_{k_{j+1}} − E_{k_j}) ≤ 5 SE of "
                 "the paired difference",
       status="PAPER", kind="bound", tolerance=0.0,
       tolerance_reason="slack = (E_{k_j} − E_{k_{j+1}} + 5 SE)/theory E*_{k_j} (paired draws, relative units): a "
                        "5σ one-sided test, false alarm 3e-7 per pair",
       negative_control="the same draws at the vanishing ridge δ = 1e-8 (the risk peaks near k = n = 100)",
       control_threshold=0.2,
       control_threshold_reason="relative units: the control's increase from k = 50 to 80 must exceed 5 SE by "
                                "≥ 20% of the tuned risk (theory at δ = 1e-8: 0.39 → 0.76, ≈ 10 SE with 60 "
                                "paired draws; k = 90 is closer to the peak but too heavy-tailed)")
def more_is_better_sim(ctx):
    tally = ctx.tally()
    lam, v = kr.power_law_task(400, 1.5, 1.5)
    draws = ctx.pick(quick=60, full=150)
    tuned = ctx.cases("tuned", lambda: [_tuned(lam, v, RF_N, k) for k in SPOT_KS])  # no draws; shared
    ridges = sorted({d for d, _ in tuned} | {TINY})
    te, _ = ctx.cases("spot", lambda: kr.simulate_random_features(lam, v, RF_N, SPOT_KS, ridges, SIGMA2, ctx.rng,
                                                                  draws))
    cols = [ridges.index(TINY if ctx.control else tuned[a][0]) for a in range(len(SPOT_KS))]
    e = np.stack([te[:, a, c] for a, c in enumerate(cols)], axis=1)  # draws × k
    diff = e[:, :-1] - e[:, 1:]
    se = diff.std(axis=0, ddof=1) / np.sqrt(draws)
    scale = np.array([t[1] for t in tuned[:-1]])
    tally.add((diff.mean(axis=0) + Z * se) / scale, measured={"sim": e.mean(axis=0)[1:], "se": se},
              k=np.array(SPOT_KS[1:]), n=RF_N, draws=draws)
    return tally.outcome()


@figure("simon2023/more-is-better", title="RF test error vs features and samples: tuned vs vanishing ridge",
        source=MORE.at("Fig. 1 (more is better; double descent at zero ridge)"))
def fig_more_is_better(ctx):
    from theorylab.engine.plotstyle import new_figure

    budget = ctx.budget
    lam, v = kr.power_law_task(1000 if budget == "quick" else 2000, 1.5, 1.5)
    lam_s, v_s = kr.power_law_task(400, 1.5, 1.5)
    cols = {"series": [], "x": [], "value": [], "se": []}

    def put(series, x, val, se=0.0):
        cols["series"].append(series)
        cols["x"].append(float(x))
        cols["value"].append(float(val))
        cols["se"].append(float(se))

    ks = np.unique(np.round(np.geomspace(10, 4000, 40 if budget == "quick" else 80)).astype(int))
    ks = np.unique(np.concatenate([ks, [99, 100, 101]]))
    for k in ks:
        put("theory tuned, vs k", k, _tuned(lam, v, RF_N, int(k))[1])
        if k != RF_N:
            put("theory ridge 1e-8, vs k", k, _rf_risk(lam, v, RF_N, int(k), TINY))
    ns = np.unique(np.round(np.geomspace(10, 400, 35 if budget == "quick" else 70)).astype(int))
    ns = np.unique(np.concatenate([ns, [199, 201]]))
    for n in ns:
        put("theory tuned, vs n", n, _tuned(lam, v, int(n), 200)[1])
        if n != 200:
            put("theory ridge 1e-8, vs n", n, _rf_risk(lam, v, int(n), 200, TINY))
        put("KRR tuned, vs n", n, _tuned(lam, v, int(n), None)[1])
    draws = 20 if budget == "quick" else 80
    sk = (20, 50, 150, 400, 1200)
    tuned = [_tuned(lam_s, v_s, RF_N, k) for k in sk]
    for (d, th), k in zip(tuned, sk):
        te, _ = kr.simulate_random_features(lam_s, v_s, RF_N, k, [d], SIGMA2, ctx.rng, draws)
        put("sim tuned (M=400), vs k", k, te.mean(), te.std(ddof=1) / np.sqrt(draws))
        put("theory tuned (M=400), vs k", k, th)
    for n in (30, 80, 150, 300):
        d, th = _tuned(lam_s, v_s, n, 200)
        te, _ = kr.simulate_random_features(lam_s, v_s, n, 200, [d], SIGMA2, ctx.rng, draws)
        put("sim tuned (M=400), vs n", n, te.mean(), te.std(ddof=1) / np.sqrt(draws))
        put("theory tuned (M=400), vs n", n, th)

    s, x, val, se = (np.array(cols[c]) for c in ("series", "x", "value", "se"))
    fig, (ax, ax2) = new_figure(1, 2, width=11, height=4.5)
    for axis, tag, xl, mark in ((ax, "vs k", r"number of random features $k$ ($n=100$)", RF_N),
                                (ax2, "vs n", r"number of samples $n$ ($k=200$)", 200)):
        m = s == f"theory ridge 1e-8, {tag}"
        axis.loglog(x[m], val[m], color="C3", lw=1.2, label=r"theory, ridge $\delta=10^{-8}$")
        m = s == f"theory tuned, {tag}"
        axis.loglog(x[m], val[m], color="C0", lw=2, label=rf"theory, tuned ridge $\delta^*$ ($M={lam.size}$)")
        if tag == "vs n":
            m = s == "KRR tuned, vs n"
            axis.loglog(x[m], val[m], color="k", ls="--", lw=1.2, label=r"KRR ($k=\infty$), tuned ridge")
        m = s == f"theory tuned (M=400), {tag}"
        axis.loglog(x[m], val[m], color="C2", ls="", marker="x", ms=8, label=r"theory, tuned ($M=400$)")
        m = s == f"sim tuned (M=400), {tag}"
        axis.errorbar(x[m], val[m], yerr=se[m], color="C2", ls="", marker="o", mfc="none", ms=8,
                      label=r"simulation, tuned ($M=400$, $\pm$1 SE)")
        axis.axvline(mark, color="grey", ls=":", lw=1)
        axis.set_xlabel(xl)
        axis.set_ylabel(r"test MSE $E_{\rm te}$ (noisy labels, $\sigma^2=0.05$)")
        axis.set_ylim(0.1, 40)
        axis.legend(loc="upper right", fontsize=8)
    ax.set_title(r"test error vs features: monotone at $\delta^*$, peak at $k=n$")
    ax2.set_title(r"test error vs samples: monotone at $\delta^*$, peak at $n=k$")
    fig.suptitle(r"More is better: random-feature ridge regression, $\lambda_i=i^{-1.5}$, $v_i^2\propto i^{-1.5}$")
    return FigureResult(fig, cols)


if __name__ == "__main__":
    import sys

    from theorylab.engine import run_module

    sys.exit(run_module(__name__))
