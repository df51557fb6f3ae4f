import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="Diagonal linear networks")


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    # Diagonal linear networks: from the kernel to the rich regime, and the stability of SGD

    A diagonal linear network predicts $f(x) = \langle \beta, x \rangle$ through the parameterisation (A)
    $\beta = u \odot u - v \odot v$, trained on $L(\beta) = \frac{1}{2n}\|X\beta - y\|^2$ from
    $u_0 = v_0 = \alpha \mathbf{1}$, so that $\beta_0 = 0$. With fewer samples than features ($n < d$) there are
    infinitely many interpolators $X\beta = y$; the **initialisation scale** $\alpha$ decides which one training
    finds. If gradient flow reaches zero loss, its limit is (**Theorem 1**, eq. (10))

    $$\beta^\infty_\alpha = \arg\min_{X\beta = y} Q_\alpha(\beta), \qquad
    Q_\alpha(\beta) = \alpha^2 \sum_i q\big(\beta_i / \alpha^2\big), \qquad
    q(z) = 2 - \sqrt{4 + z^2} + z\,\mathrm{arcsinh}(z/2).$$

    Since $q(z) = z^2/4 + O(z^4)$ at small $z$ and $q(z) = |z|\log|z| - |z| + 2 + O(1/|z|)$ at large $|z|$:

    * **kernel regime**, $\alpha \to \infty$: $Q_\alpha(\beta) \approx \|\beta\|_2^2 / (4\alpha^2)$, and
      $\beta^\infty_\alpha \to X^+ y$, the minimum-$\ell_2$ interpolator;
    * **rich regime**, $\alpha \to 0$: $Q_\alpha(\beta) = \log(1/\alpha^2)\,\|\beta\|_1 +
      \sum_i (|\beta_i|\log|\beta_i| - |\beta_i|) + o(1)$, and $\beta^\infty_\alpha$ tends to the
      minimum-$\ell_1$ interpolator (basis pursuit, when it is unique), which recovers a sparse $\beta^*$ from
      few samples.

    Gradient *descent* with step $\gamma$ updates $u \leftarrow u \odot (1 - 2\gamma g)$,
    $v \leftarrow v \odot (1 + 2\gamma g)$ with $g = \nabla L(\beta)$, so each step multiplies $u \odot v$ by
    $1 - 4\gamma^2 g^2$: the discrete steps shrink the scale. The GD limit is therefore closer to
    $\arg\min Q_{\alpha_{\mathrm{eff}}}$, with the per-coordinate effective scale
    $\alpha_{\mathrm{eff}}^2 = |u_\infty \odot v_\infty| \le \alpha^2$ and
    $Q_{\alpha_{\mathrm{eff}}}(\beta) = \sum_i \alpha_{\mathrm{eff},i}^2\, q(\beta_i / \alpha_{\mathrm{eff},i}^2)$,
    than to $\arg\min Q_\alpha$: its distance to the first is second order in $\gamma$, to the second only
    first order (checked in theorylab's `verifications/pesme2021_sgd_diag.py`).

    $\arg\min Q_\alpha$ is computed by `implicit_bias_solution` (damped Newton on the smooth dual), the
    minimum-$\ell_1$ interpolator by a linear program and the minimum-$\ell_2$ one by the pseudo-inverse.

    *References:* B. Woodworth, S. Gunasekar, J. D. Lee, E. Moroshko, P. Savarese, I. Golan, D. Soudry,
    N. Srebro, "Kernel and Rich Regimes in Overparametrized Models", COLT 2020, arXiv:2002.09277 (Theorem 1 and
    eq. (10): the potential $Q_\alpha$; Theorem 2: the two limits); S. Pesme, L. Pillaud-Vivien, N. Flammarion,
    "Implicit Bias of SGD for Diagonal Linear Networks: a Provable Benefit of Stochasticity", NeurIPS 2021,
    arXiv:2106.09524 (the effective scale $\alpha_\infty$); M. Even, S. Pesme, S. Gunasekar, N. Flammarion,
    "(S)GD over Diagonal Linear Networks: Implicit Regularisation, Large Stepsizes and Edge of Stability",
    NeurIPS 2023, arXiv:2302.08982 (discrete steps).

    **Data** (`sparse_regression`): $n = 20$ samples, $d = 40$ features, $x \sim \mathcal N(0, I_d)$,
    $\beta^* = (1, \dots, 1, 0, \dots, 0)$ with $s$ ones, noiseless $y = X\beta^*$.
    """)
    return


@app.cell
def _():
    import marimo as mo
    import numpy as np

    from theorylab.engine import new_figure
    from theorylab.settings import diagonal_net as dn

    return dn, mo, new_figure, np


@app.cell
def _(mo):
    data_seed = mo.ui.number(start=0, stop=10_000, value=0, label="data seed")
    sparsity = mo.ui.slider(1, 10, step=1, value=3, show_value=True, label="sparsity s of β*")
    mo.hstack([data_seed, sparsity], justify="start")
    return data_seed, sparsity


@app.cell
def _(data_seed, dn, np, sparsity):
    n_samples, n_features = 20, 40
    X, y, beta_star, X_test, y_test = dn.sparse_regression(n_samples, n_features, int(sparsity.value),
                                                           np.random.default_rng(data_seed.value), n_test=1000)
    beta_l1 = dn.min_l1_interpolator(X, y)
    beta_l2 = dn.min_l2_interpolator(X, y)
    l1_recovers = bool(np.max(np.abs(beta_l1 - beta_star)) < 1e-8)
    return X, X_test, beta_l1, beta_l2, beta_star, l1_recovers, n_features, n_samples, y, y_test


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 1. Gradient descent from scale $\alpha$

    GD runs with step $\gamma = 0.01 / \max(1, 4\alpha^2)$ (near the start $\beta$ moves $4\alpha^2$ times
    faster than the parameters) in chunks of $10^3/(\gamma \max(1, 4\alpha^2))$ steps, until the training loss is
    below $10^{-12}$ or after ten chunks: small $\alpha$ trains slowly ($|\beta_j|$ starts at $0$ and grows
    like $\alpha^2 e^{ct}$, so it takes a time of order $\log(1/\alpha)$ to leave the origin). Distances are
    relative, e.g.
    $\|\beta_{\mathrm{GD}} - \beta_{\ell_1}\|_2 / \|\beta_{\ell_1}\|_2$.
    """)
    return


@app.cell
def _(mo):
    log_alpha = mo.ui.slider(-3.0, 1.0, step=0.25, value=-1.0, show_value=True, label="log10 α (initialisation)")
    log_alpha
    return (log_alpha,)


@app.cell
def _(X, X_test, beta_l1, beta_l2, dn, log_alpha, n_features, np, y, y_test):
    alpha = float(10.0 ** log_alpha.value)
    _scale = max(1.0, 4.0 * alpha * alpha)
    gd_step = 0.01 / _scale
    _chunk = int(round(1000.0 / (gd_step * _scale)))
    _u, _v = np.full(n_features, alpha), np.full(n_features, alpha)
    gd_steps = 0
    for _ in range(10):
        _tr = dn.run_dynamics(X, y, _u, _v, step=gd_step, n_steps=_chunk)
        _u, _v = _tr.params.u, _tr.params.v
        gd_steps += _chunk
        gd_loss = dn.train_loss(X, y, _tr.beta)
        if gd_loss <= 1e-12:
            break
    beta_gd = _tr.beta
    beta_q = dn.implicit_bias_solution(X, y, alpha)
    alpha_eff = dn.effective_alpha(_tr.params)
    beta_q_eff = dn.implicit_bias_solution(X, y, alpha_eff)

    def rel_dist(a, b):
        """‖a − b‖₂ / ‖b‖₂."""
        return float(np.linalg.norm(a - b) / np.linalg.norm(b))

    gd_to_q = rel_dist(beta_gd, beta_q)
    gd_to_q_eff = rel_dist(beta_gd, beta_q_eff)
    gd_to_l1 = rel_dist(beta_gd, beta_l1)
    gd_to_l2 = rel_dist(beta_gd, beta_l2)
    q_to_l1 = rel_dist(beta_q, beta_l1)
    q_to_l2 = rel_dist(beta_q, beta_l2)
    alpha_eff_ratio = float(np.exp(np.mean(np.log(alpha_eff / alpha))))
    test_mse_gd, test_mse_l1, test_mse_l2 = (float(np.mean((X_test @ _b - y_test) ** 2))
                                             for _b in (beta_gd, beta_l1, beta_l2))
    return (alpha, alpha_eff, alpha_eff_ratio, beta_gd, beta_q, beta_q_eff, gd_loss, gd_step, gd_steps, gd_to_l1,
            gd_to_l2, gd_to_q, gd_to_q_eff, q_to_l1, q_to_l2, rel_dist, test_mse_gd, test_mse_l1, test_mse_l2)


@app.cell
def _(alpha, alpha_eff_ratio, beta_gd, beta_l1, beta_l2, beta_q, beta_star, gd_loss, gd_step, gd_steps,
      gd_to_l1, gd_to_l2, gd_to_q, gd_to_q_eff, l1_recovers, mo, n_features, new_figure, np, q_to_l1, q_to_l2,
      test_mse_gd, test_mse_l1, test_mse_l2):
    _fig, (_a0, _a1) = new_figure(1, 2, width=11.5, height=3.9, gridspec_kw={"width_ratios": [2.2, 1]})
    _j = np.arange(n_features)
    for _beta, _dx, _c, _lab in ((beta_l1, -0.2, "C0", r"min-$\ell_1$"), (beta_l2, 0.2, "C1", r"min-$\ell_2$")):
        _a0.vlines(_j + _dx, 0.0, _beta, color=_c, lw=1.4)
        _a0.plot(_j + _dx, _beta, "o", color=_c, ms=3.5, label=_lab)
    _a0.plot(_j, beta_q, "o", mfc="none", mec="k", ms=7, mew=1.2, label=r"$\arg\min Q_\alpha$")
    _a0.plot(_j, beta_gd, "x", color="C3", ms=6, mew=1.4, label="GD limit")
    _a0.plot(_j, beta_star, "_", color="C2", ms=12, mew=2, label=r"$\beta^*$")
    _a0.axhline(0.0, color="k", lw=0.6)
    _a0.set_xlabel(r"coordinate $j$")
    _a0.set_ylabel(r"$\beta_j$")
    _a0.set_title(rf"coefficients at $\alpha = {alpha:.3g}$")
    _a0.legend(loc="upper right", ncol=5)
    _names = [r"$\arg\min Q_\alpha$", r"$\arg\min Q_{\alpha_{\mathrm{eff}}}$", r"min-$\ell_1$", r"min-$\ell_2$"]
    _vals = np.maximum([gd_to_q, gd_to_q_eff, gd_to_l1, gd_to_l2], 1e-16)
    _a1.bar(range(4), _vals, color=["k", "C7", "C0", "C1"])
    _a1.set_yscale("log")
    _a1.set_xticks(range(4), _names, rotation=15)
    _a1.set_ylabel("relative distance of the GD limit")
    _a1.set_title(r"$\|\beta_{\mathrm{GD}} - \beta\| / \|\beta\|$")
    _regime = ("rich (close to min-ℓ1)" if q_to_l1 < 0.1 * q_to_l2 else
               "kernel (close to min-ℓ2)" if q_to_l2 < 0.1 * q_to_l1 else "in between")
    _ok = gd_to_q < 1e-2
    _unfinished = (f" GD has not fully converged yet (training loss {gd_loss:.1e} after {gd_steps} steps)."
                   if gd_loss > 1e-10 else "")
    _text = f"""
    | quantity | value |
    |---|---|
    | GD | step γ = {gd_step:.3g}, {gd_steps} steps, final training loss {gd_loss:.2e} |
    | ‖β_GD − argmin Q_α‖ / ‖argmin Q_α‖ | **{gd_to_q:.2e}** |
    | ‖β_GD − argmin Q_α_eff‖ / ‖argmin Q_α_eff‖ | **{gd_to_q_eff:.2e}** (geometric mean of α_eff/α: {alpha_eff_ratio:.4f}) |
    | argmin Q_α: distance to min-ℓ1 / to min-ℓ2 | {q_to_l1:.3g} / {q_to_l2:.3g} |
    | ℓ1 norms: GD, min-ℓ1, min-ℓ2 | {np.abs(beta_gd).sum():.4f}, {np.abs(beta_l1).sum():.4f}, {np.abs(beta_l2).sum():.4f} |
    | test MSE of GD / min-ℓ1 / min-ℓ2 (1000 fresh points) | {test_mse_gd:.3g} / {test_mse_l1:.3g} / {test_mse_l2:.3g} |
    | min-ℓ1 interpolator equals β* | {"yes" if l1_recovers else "no"} |
    """
    mo.vstack([_fig, mo.callout(mo.md(
        f"At α = {alpha:.3g} the implicit bias is **{_regime}**. The GD limit is "
        f"{'within' if _ok else '**not** within'} 1% of argmin Q_α (relative distance {gd_to_q:.2e}), and "
        f"{gd_to_q_eff:.2e} from argmin Q_α_eff"
        + (": the discrete steps act as a smaller initialisation." if gd_to_q_eff < 0.5 * gd_to_q else
           ": at this α the effective scale does not explain the remaining distance.")
        + _unfinished),
        kind="success" if _ok else "warn"), mo.md(_text)])
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 2. The implicit bias as $\alpha$ varies

    $\arg\min Q_\alpha$ on a grid $\alpha \in [10^{-4}, 10^{2}]$, with its relative distances to the two
    interpolators. As $\alpha \to \infty$ the distance to min-$\ell_2$ vanishes; as $\alpha \to 0$ the distance
    to min-$\ell_1$ vanishes (here roughly as a power of $\alpha$ when basis pursuit has a unique solution; the
    $\ell_1$ excess $\|\beta_\alpha\|_1 - \min_{X\beta = y}\|\beta\|_1$ is in general only
    $O(1/\log(1/\alpha))$). The dashed line is the current $\alpha$ and the markers the GD limit of section 1.
    """)
    return


@app.cell
def _(X, alpha, beta_gd, beta_l1, beta_l2, dn, gd_to_l1, gd_to_l2, mo, new_figure, np, rel_dist, y):
    curve_alphas = np.geomspace(1e-4, 1e2, 49)
    _sols = [dn.implicit_bias_solution(X, y, _a) for _a in curve_alphas]
    dist_l1_curve = np.array([rel_dist(_b, beta_l1) for _b in _sols])
    dist_l2_curve = np.array([rel_dist(_b, beta_l2) for _b in _sols])
    l1_norm_curve = np.array([np.abs(_b).sum() for _b in _sols])
    _fig, (_a0, _a1) = new_figure(1, 2, width=11.0, height=3.8)
    _a0.loglog(curve_alphas, np.maximum(dist_l1_curve, 1e-16), color="C0",
               label=r"$\arg\min Q_\alpha$ to min-$\ell_1$")
    _a0.loglog(curve_alphas, np.maximum(dist_l2_curve, 1e-16), color="C1",
               label=r"$\arg\min Q_\alpha$ to min-$\ell_2$")
    _a0.plot([alpha], [max(gd_to_l1, 1e-16)], "o", color="C0", mfc="none", ms=9, mew=1.6,
             label=r"GD limit to min-$\ell_1$")
    _a0.plot([alpha], [max(gd_to_l2, 1e-16)], "s", color="C1", mfc="none", ms=9, mew=1.6,
             label=r"GD limit to min-$\ell_2$")
    _a0.axvline(alpha, color="k", ls="--", lw=0.9)
    _a0.set_xlabel(r"initialisation scale $\alpha$")
    _a0.set_ylabel("relative distance")
    _a0.set_title(r"rich ($\alpha \to 0$) and kernel ($\alpha \to \infty$) limits")
    _a0.legend(loc="lower left")
    _a1.semilogx(curve_alphas, l1_norm_curve, color="k", label=r"$\|\arg\min Q_\alpha\|_1$")
    _a1.axhline(np.abs(beta_l1).sum(), color="C0", ls="--", label=r"min-$\ell_1$")
    _a1.axhline(np.abs(beta_l2).sum(), color="C1", ls="--", label=r"$\|\cdot\|_1$ of min-$\ell_2$")
    _a1.plot([alpha], [np.abs(beta_gd).sum()], "x", color="C3", ms=9, mew=1.6, label="GD limit")
    _a1.axvline(alpha, color="k", ls="--", lw=0.9)
    _a1.set_xlabel(r"initialisation scale $\alpha$")
    _a1.set_ylabel(r"$\ell_1$ norm")
    _a1.set_title(r"$\ell_1$ norm of the implicit-bias solution")
    _a1.legend(loc="center right")
    mo.vstack([_fig, mo.md(
        f"At α = 10⁻⁴ the distance to min-ℓ1 is **{dist_l1_curve[0]:.2e}**; at α = 10² the distance to min-ℓ2 "
        f"is **{dist_l2_curve[-1]:.2e}**.")])
    return curve_alphas, dist_l1_curve, dist_l2_curve, l1_norm_curve


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 3. SGD: linear stability against the step size

    Now the parameterisation (B) $\beta = u \odot v$, $\theta = (u, v) \in \mathbb R^{2d}$, from a random
    start $u_0, v_0 \sim \mathcal N(0, 0.5^2 I_d)$ (the protocol of theorylab's check of Wu & Su, at a smaller size), trained by
    batch-1 SGD with step $\eta$, on the data above. At an interpolating minimum $\theta^*$ every residual is
    zero, so the Hessian of $L$ is $H = \frac1n \sum_i a_i a_i^\top$ with
    $a_i = \nabla_\theta \langle \beta(\theta), x_i \rangle = (v \odot x_i,\ u \odot x_i)$, and SGD linearised
    there reads $\theta_{t+1} - \theta^* = (I - \eta H_{\mathcal B_t})(\theta_t - \theta^*)$.

    * **GD** (and the mean of SGD) is stable iff $\eta \le 2 / \lambda_{\max}(H)$ (Mulayoff & Michaeli,
      Theorem 1).
    * **Batch-1 SGD**: a *necessary* condition for mean-square stability (Mulayoff & Michaeli, Proposition 3,
      eq. (16), at batch size 1) is
      $$\eta \;\le\; \frac{2\,\mathrm{tr}\,H}{\frac1n \sum_i \|a_i\|^4} \;\le\; \frac{2}{\mathrm{tr}\,H},$$
      since $\frac1n \sum_i \|a_i\|^4 \ge (\mathrm{tr}\,H)^2$. So a minimum that is linearly stable for SGD
      (one it can converge to and stay at) has $\mathrm{tr}\,H \le 2/\eta$ (Wu & Su), a much stronger
      constraint than GD's $\lambda_{\max}(H) \le 2/\eta$ ($\lambda_{\max} \le \mathrm{tr}\,H \le
      n\,\lambda_{\max}$, as $H$ has rank at most $n$).
    * For $\beta = u \odot v$, $\mathrm{tr}\,H = \sum_j \hat\Sigma_{jj}(u_j^2 + v_j^2) \ge
      2 \sum_j \hat\Sigma_{jj} |\beta_j|$ with $\hat\Sigma_{jj} = \frac1n \sum_i x_{ij}^2$, so SGD-stable
      minima have $\|\beta\|_1 \le 1/(\eta \min_j \hat\Sigma_{jj})$: large steps force flat, sparse minima.

    Each run takes 60 000 steps (a linear warm-up of the step over the first quarter when the switch is on), then
    3000 more from the final iterate times $(1 + 10^{-7}\xi)$, $\xi \sim \mathcal N(0, I)$, so that an unstable
    minimum reached during the warm-up is left again; *converged* means a final training loss below $10^{-10}$.
    A run whose loss blows up raises `DivergenceError`. GD runs with the same step for comparison.

    *References:* L. Wu, W. J. Su, "The Implicit Regularization of Dynamical Stability in Stochastic Gradient
    Descent", ICML 2023, arXiv:2305.17490; R. Mulayoff, T. Michaeli, "Exact Mean Square Linear Stability Analysis
    for SGD", COLT 2024, arXiv:2306.07850 (Theorem 1, Proposition 3).
    """)
    return


@app.cell
def _(mo):
    log_eta = mo.ui.slider(-1.7, -0.2, step=0.05, value=-0.8, show_value=True, label="log10 η (step size)")
    warmup_on = mo.ui.switch(value=True, label="linear warm-up of η")
    mo.hstack([log_eta, warmup_on], justify="start")
    return log_eta, warmup_on


@app.cell
def _(X, X_test, data_seed, dn, n_features, np, y, y_test):
    STABILITY_STEPS, PERTURB_STEPS, CONVERGED = 60_000, 3000, 1e-10
    _init = np.random.default_rng([data_seed.value, 1])
    u_init, v_init = 0.5 * _init.standard_normal(n_features), 0.5 * _init.standard_normal(n_features)
    sigma_min = float(np.min(np.mean(X * X, axis=0)))

    def stability_run(eta, batch_size, warmup):
        """Train (u⊙v) from (u_init, v_init), perturb, continue; the outcome and the stability quantities."""
        _rng = np.random.default_rng([data_seed.value, 2])
        try:
            tr = dn.run_dynamics(X, y, u_init, v_init, step=float(eta), n_steps=STABILITY_STEPS,
                                 parametrization="uv", batch_size=batch_size, rng=_rng,
                                 warmup=STABILITY_STEPS // 4 if warmup else 0)
            kick = 1.0 + 1e-7 * _rng.standard_normal((2, n_features))
            tr = dn.run_dynamics(X, y, tr.params.u * kick[0], tr.params.v * kick[1], step=float(eta),
                                 n_steps=PERTURB_STEPS, parametrization="uv", batch_size=batch_size, rng=_rng)
        except dn.DivergenceError as exc:
            return {"outcome": "diverged", "message": str(exc), "eta": float(eta)}
        loss = dn.train_loss(X, y, tr.beta)
        out = dict(dn.sgd_stability(X, y, tr.params, 1), eta=float(eta), loss=loss, params=tr.params,
                   test_mse=float(np.mean((X_test @ tr.beta - y_test) ** 2)),
                   outcome="converged" if loss < CONVERGED else "not converged")
        return out

    return CONVERGED, PERTURB_STEPS, STABILITY_STEPS, sigma_min, stability_run, u_init, v_init


@app.cell
def _(np, stability_run, warmup_on):
    sweep_etas = np.geomspace(0.02, 0.63, 13)
    sweep_sgd = [stability_run(_e, 1, warmup_on.value) for _e in sweep_etas]
    sweep_gd = [stability_run(_e, None, warmup_on.value) for _e in sweep_etas]
    reference_min = sweep_sgd[0]  # the minimum small-step SGD finds (close to the gradient-flow one)
    reference_trace_bound = 2.0 / reference_min["trace"] if reference_min["outcome"] == "converged" else float("nan")
    return reference_min, reference_trace_bound, sweep_etas, sweep_gd, sweep_sgd


@app.cell
def _(log_eta, stability_run, warmup_on):
    eta = float(10.0 ** log_eta.value)
    sgd_run = stability_run(eta, 1, warmup_on.value)
    gd_run = stability_run(eta, None, warmup_on.value)
    sgd_outcome, gd_outcome = sgd_run["outcome"], gd_run["outcome"]
    two_over_eta = 2.0 / eta
    sgd_trace = sgd_run.get("trace", float("nan"))
    sgd_bound_16 = sgd_run.get("sgd_step_bound_16", float("nan"))
    gd_lambda_max = gd_run.get("lambda_max", float("nan"))
    gd_trace = gd_run.get("trace", float("nan"))
    if sgd_outcome == "converged":
        # the necessary conditions must hold at a minimum SGD converged to (relative slack 1e-9 for rounding)
        sgd_conditions_hold = bool(sgd_trace <= two_over_eta * (1 + 1e-9) and eta <= sgd_bound_16 * (1 + 1e-9))
    else:
        sgd_conditions_hold = None
    return (eta, gd_lambda_max, gd_outcome, gd_run, gd_trace, sgd_bound_16, sgd_conditions_hold, sgd_outcome,
            sgd_run, sgd_trace, two_over_eta)


@app.cell
def _(CONVERGED, eta, gd_lambda_max, gd_outcome, gd_run, gd_trace, mo, new_figure, np, reference_trace_bound,
      sgd_bound_16, sgd_conditions_hold, sgd_outcome, sgd_run, sgd_trace, sigma_min, sweep_etas, sweep_gd,
      sweep_sgd, two_over_eta):
    def _col(runs, key):
        return np.array([r[key] if r["outcome"] == "converged" else np.nan for r in runs])

    _fig, (_a0, _a1) = new_figure(1, 2, width=11.5, height=4.0)
    _grid = np.geomspace(sweep_etas[0], sweep_etas[-1], 50)
    _a0.loglog(_grid, 2.0 / _grid, "k--", lw=1.1, label=r"$2/\eta$")
    _a0.loglog(sweep_etas, _col(sweep_sgd, "trace"), "o-", color="C0", label=r"$\mathrm{tr}\,H$, SGD")
    _a0.loglog(sweep_etas, _col(sweep_gd, "trace"), "s-", color="C1", mfc="none", label=r"$\mathrm{tr}\,H$, GD")
    _a0.loglog(sweep_etas, _col(sweep_gd, "lambda_max"), "^--", color="C2", label=r"$\lambda_{\max}(H)$, GD")
    _top = 2.0 / sweep_etas[0]
    for _runs, _name, _c in ((sweep_sgd, "SGD", "C0"), (sweep_gd, "GD", "C1")):
        for _what, _mk in (("diverged", "x"), ("not converged", "+")):
            _bad = [r["eta"] for r in _runs if r["outcome"] == _what]
            if _bad:
                _a0.plot(_bad, [_top] * len(_bad), _mk, color=_c, ms=9, mew=2, label=f"{_name} {_what}")
    _a0.axvline(eta, color="C3", lw=1.2, label=rf"chosen $\eta = {eta:.3g}$")
    _a0.set_xlabel(r"step size $\eta$")
    _a0.set_ylabel("Hessian trace / sharpness at the end")
    _a0.set_title("flatness of the minimum reached")
    _a0.legend(loc="lower left")
    _a1.loglog(_grid, 1.0 / (_grid * sigma_min), "k--", lw=1.1,
               label=r"$1/(\eta\,\min_j \hat\Sigma_{jj})$")
    _a1.loglog(sweep_etas, _col(sweep_sgd, "l1"), "o-", color="C0", label=r"$\|\beta\|_1$, SGD")
    _a1.loglog(sweep_etas, _col(sweep_gd, "l1"), "s-", color="C1", mfc="none", label=r"$\|\beta\|_1$, GD")
    _a1.axvline(eta, color="C3", lw=1.2)
    _a1.set_xlabel(r"step size $\eta$")
    _a1.set_ylabel(r"$\ell_1$ norm of the learned $\beta$")
    _a1.set_title(r"implicit sparsity ($\beta = u \odot v$)")
    _a1.legend(loc="upper right")
    for _a in (_a0, _a1):
        _a.tick_params(axis="x", which="minor", labelbottom=False)
        _a.set_xticks([0.02, 0.05, 0.1, 0.2, 0.5], ["0.02", "0.05", "0.1", "0.2", "0.5"])

    def _describe(run):
        if run["outcome"] == "diverged":
            return f"**diverged** (`DivergenceError`: {run['message']})"
        return (f"final loss {run['loss']:.2e} ({run['outcome']}); tr H = {run['trace']:.4g}, "
                f"λ_max(H) = {run['lambda_max']:.4g}, ‖β‖₁ = {run['l1']:.4g}, test MSE {run['test_mse']:.3g}")

    if sgd_outcome == "diverged":
        _verdict, _kind = f"η = {eta:.3g} is **unstable**: batch-1 SGD diverged.", "danger"
    elif sgd_outcome == "not converged":
        _verdict, _kind = (f"η = {eta:.3g}: **no verdict**, SGD neither diverged nor reached loss "
                           f"< {CONVERGED:g} (final loss {sgd_run['loss']:.2e}); the stability conditions apply only "
                           "at a minimum."), "warn"
    elif sgd_conditions_hold:
        _verdict, _kind = (f"η = {eta:.3g} is **stable**: SGD converged to a minimum with tr H = {sgd_trace:.4g} ≤ "
                           f"2/η = {two_over_eta:.4g} and η ≤ bound (16) = {sgd_bound_16:.4g}, as linear stability "
                           "requires."), "success"
    else:
        _verdict, _kind = (f"η = {eta:.3g}: SGD reached a minimum that **violates** the necessary conditions "
                           f"(tr H = {sgd_trace:.4g} vs 2/η = {two_over_eta:.4g}, bound (16) = {sgd_bound_16:.4g})."
                           ), "danger"
    _gd_text = _describe(gd_run)
    if gd_outcome == "converged":
        _gd_text += (f"; λ_max ≤ 2/η {'holds' if gd_lambda_max <= two_over_eta * (1 + 1e-9) else '**fails**'}, "
                     f"while tr H {'≤' if gd_trace <= two_over_eta else '>'} 2/η")
    mo.vstack([_fig, mo.callout(mo.md(_verdict), kind=_kind), mo.md(
        f"* **SGD** (batch 1): {_describe(sgd_run)}\n"
        f"* **GD**: {_gd_text}\n"
        + (f"* The minimum small-step SGD finds (η = {sweep_etas[0]:g}) has 2/tr H = **{reference_trace_bound:.4g}**"
           ": at larger steps SGD cannot converge to it; it converges to a flatter minimum (tr H ≤ 2/η), keeps "
           "moving, or diverges." if np.isfinite(reference_trace_bound) else
           f"* Small-step SGD (η = {sweep_etas[0]:g}) did not converge, so there is no reference minimum."))])
    return


if __name__ == "__main__":
    app.run()
