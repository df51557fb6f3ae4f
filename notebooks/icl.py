import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="In-context regression")


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    # In-context linear regression with one layer of linear attention

    A **prompt** holds $n$ examples $(x_i, y_i)$ of one random task and a query $x_q$:
    $x_i, x_q \sim \mathcal N(0, \Sigma)$, $y_i = w^\top x_i + \varepsilon_i$ with $w \sim \mathcal N(0, I)$ drawn
    afresh for every prompt and noise $\varepsilon_i \sim \mathcal N(0, \sigma^2)$. A one-layer *linear
    self-attention* (LSA) model reads the whole prompt and predicts $y_q$. Its prediction reduces to

    $$\hat y = x_q^\top K\, \frac1n \sum_{i=1}^n y_i x_i ,$$

    which is **one step of preconditioned gradient descent** from $w_0 = 0$ on the in-context least-squares loss,
    with preconditioner $K$. Over all one-layer LSA models the best is exactly such a step, with

    $$K^* = \Gamma^{-1}, \qquad \Gamma = \big(1 + \tfrac1n\big)\Sigma + \frac{\operatorname{tr}\Sigma + \sigma^2}{n} I,
    \qquad R^* = \sigma^2 + \operatorname{tr}\Sigma - \operatorname{tr}(\Sigma^2 \Gamma^{-1})$$

    (for $\Sigma = I$: $R^* = d(d + 1 + \sigma^2)/(n + d + 1 + \sigma^2) + \sigma^2$). Note $\Gamma^{-1}$, not the
    Newton-like $\Sigma^{-1}$: for short prompts the optimum shrinks towards the directions of small variance.

    *References:* A. Mahankali, T. B. Hashimoto, T. Ma, "One Step of Gradient Descent is Provably the Optimal
    In-Context Learner with One Layer of Linear Self-Attention", ICLR 2024, arXiv:2307.03576; K. Ahn, X. Cheng,
    H. Daneshmand, S. Sra, "Transformers learn to implement preconditioned gradient descent for in-context
    learning", NeurIPS 2023, arXiv:2306.00297; R. Zhang, S. Frei, P. L. Bartlett, "Trained Transformers Learn
    Linear Models In-Context", JMLR 25(49), 2024.
    """)
    return


@app.cell
def _():
    import marimo as mo
    import numpy as np

    from theorylab.engine import new_figure
    from theorylab.settings import icl

    return icl, mo, new_figure, np


@app.cell
def _(mo, np):
    covariances = {"Σ = diag(0.25, 1, 4)": np.diag([0.25, 1.0, 4.0]), "Σ = I (d = 3)": np.eye(3),
                   "Σ = diag(0.1, 0.3, 1, 3, 10)": np.diag([0.1, 0.3, 1.0, 3.0, 10.0])}
    covariance_choice = mo.ui.dropdown(options=list(covariances), value="Σ = diag(0.25, 1, 4)", label="covariates")
    noise_var = mo.ui.slider(0.0, 2.0, step=0.1, value=0.5, show_value=True, label="noise σ²")
    mo.hstack([covariance_choice, noise_var], justify="start")
    return covariance_choice, covariances, noise_var


@app.cell
def _(covariance_choice, covariances, icl, noise_var, np):
    cov = covariances[covariance_choice.value]
    d = cov.shape[0]
    s2 = float(noise_var.value)
    _rng = np.random.default_rng(0)
    context_lengths = np.array([2, 4, 8, 16, 32, 64])
    risk_rows = {"theory R*": [], "Γ⁻¹ step (MC)": [], "best plain step c*I (MC)": [], "ridge / Bayes (MC)": []}
    risk_se = {k: [] for k in risk_rows}
    for _n in context_lengths:
        _pr = icl.sample_prompts(20_000, int(_n), d, _rng, covariance=cov, noise_var=s2)
        _K = np.asarray(icl.optimal_preconditioner(cov, int(_n), s2))
        # the best scalar preconditioner c I: R(cI) = c² tr(Σ²Γ) − 2c tr(Σ²) + const, so c* = tr(Σ²) / tr(Σ²Γ)
        _G = np.asarray(icl.gamma_matrix(cov, int(_n), s2))
        _c = float(np.trace(cov @ cov) / np.trace(cov @ cov @ _G))
        for _name, (_r, _se) in (("theory R*", (float(icl.optimal_risk(cov, int(_n), s2)), 0.0)),
                                 ("Γ⁻¹ step (MC)", icl.mc_risk(_pr, _K)),
                                 ("best plain step c*I (MC)", icl.mc_risk(_pr, _c * np.eye(d))),
                                 ("ridge / Bayes (MC)", icl.bayes_risk(_pr, s2, covariance=cov)["mc"])):
            risk_rows[_name].append(_r)
            risk_se[_name].append(_se)
    risk_rows = {k: np.array(v) for k, v in risk_rows.items()}
    risk_se = {k: np.array(v) for k, v in risk_se.items()}
    return context_lengths, cov, d, risk_rows, risk_se, s2


@app.cell
def _(context_lengths, cov, covariance_choice, mo, new_figure, np, risk_rows, risk_se, s2):
    _fig, _ax = new_figure(width=6.6, height=4.2)
    _ax.plot(context_lengths, risk_rows["theory R*"], color="k", label=r"theory $R^*$ (optimal one-layer LSA)")
    for _name, _m, _c in (("Γ⁻¹ step (MC)", "o", "C0"), ("best plain step c*I (MC)", "s", "C1"),
                          ("ridge / Bayes (MC)", "^", "C2")):
        _ax.errorbar(context_lengths, risk_rows[_name], yerr=risk_se[_name], ls="", marker=_m, color=_c,
                     mfc="none", label=_name + " ± 1 s.e.")
    _ax.axhline(np.trace(cov) + s2, color="0.5", ls=":", label=r"zero predictor $\mathrm{tr}\,\Sigma + \sigma^2$")
    _ax.set_xscale("log", base=2)
    _ax.set_xlabel("context length $n$")
    _ax.set_ylabel(r"test risk $\mathbb{E}(\hat y - y_q)^2$")
    _ax.set_title(f"{covariance_choice.value}, σ² = {s2:g}")
    _ax.legend(loc="upper right")
    mo.vstack([_fig, mo.md("One LSA layer (= one preconditioned GD step) cannot reach the Bayes risk of ridge "
                           "regression, but with $K = \\Gamma^{-1}$ it sits on $R^*$; plain GD, even with its best "
                           "step $c^*$, is worse as soon as Σ is not a multiple of I (for Σ = I, "
                           "$c^* = n/(n + d + 1 + \\sigma^2)$ and the two coincide).")])
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## $\Gamma^{-1}$ is the minimum

    The risk of any preconditioner $K$ is the quadratic (`risk_of_preconditioner`)

    $$R(K) = \sigma^2 + \operatorname{tr}\Sigma + \operatorname{tr}(\Sigma K^\top \Sigma \Gamma K) -
    2 \operatorname{tr}(\Sigma K^\top \Sigma),$$

    minimal where $\Sigma \Gamma K \Sigma = \Sigma^2$, i.e. at $K = \Gamma^{-1}$. Moving $K$ away from
    $\Gamma^{-1}$ in random directions $E$ (unit Frobenius norm) raises it, quadratically; moving towards
    $\Sigma^{-1}$ too.
    """)
    return


@app.cell
def _(mo):
    n_train = mo.ui.slider(2, 40, step=1, value=6, show_value=True, label="context length n")
    n_train
    return (n_train,)


@app.cell
def _(cov, d, icl, mo, n_train, new_figure, np, s2):
    _n = int(n_train.value)
    gamma_inv = np.asarray(icl.optimal_preconditioner(cov, _n, s2))
    _rng = np.random.default_rng(1)
    _steps = np.linspace(-1.0, 1.0, 41)
    _fig, _ax = new_figure(width=6.0, height=3.8)
    perturbed_risks = []
    for _k in range(5):
        _E = _rng.standard_normal((d, d))
        _E /= np.linalg.norm(_E)
        _r = np.array([float(icl.risk_of_preconditioner(gamma_inv + s * _E, cov, _n, s2)) for s in _steps])
        perturbed_risks.append(_r)
        _ax.plot(_steps, _r, color="C0", alpha=0.6, label="random directions" if _k == 0 else None)
    _toward = np.linalg.inv(cov) - gamma_inv
    _ax.plot(_steps, [float(icl.risk_of_preconditioner(gamma_inv + s * _toward, cov, _n, s2)) for s in _steps],
             color="C3", label=r"towards $\Sigma^{-1}$ (at $+1$)")
    risk_star = float(icl.optimal_risk(cov, _n, s2))
    _ax.axhline(risk_star, color="k", ls="--", label=rf"$R^* = {risk_star:.4g}$")
    _ax.set_xlabel(r"step $s$ in $K = \Gamma^{-1} + sE$")
    _ax.set_ylabel("risk $R(K)$")
    _ax.legend()
    perturbed_risks = np.array(perturbed_risks)
    _fig
    return gamma_inv, perturbed_risks, risk_star


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## Train an LSA layer live

    Adam on fresh prompts at every step (batches of 1024 prompts) trains the reduced LSA parameters
    $(b, A)$ of $\hat y = b^\top G A x_q$, starting near a scaled identity; its effective preconditioner
    $K = b_y A_{\mathrm{top}}$ should approach $\Gamma^{-1}$ — not $\Sigma^{-1}$. More steps: closer.
    """)
    return


@app.cell
def _(mo):
    train_steps = mo.ui.slider(100, 3000, step=100, value=400, show_value=True, label="Adam steps")
    train_seed = mo.ui.number(start=0, stop=10_000, value=0, label="seed")
    mo.hstack([train_steps, train_seed], justify="start")
    return train_seed, train_steps


@app.cell
def _(cov, d, gamma_inv, icl, n_train, np, s2, train_seed, train_steps):
    _rng = np.random.default_rng(train_seed.value)
    trained = icl.train_lsa(d, int(n_train.value), _rng, covariance=cov, noise_var=s2, steps=int(train_steps.value),
                            batch_size=1024, lr=1e-2, target=gamma_inv)
    trained_K = trained.K
    relative_distance = float(np.max(np.abs(trained_K - gamma_inv)) / np.max(np.abs(gamma_inv)))
    _M = np.linalg.inv(cov)
    sigma_inv_scaled = _M * float(np.sum(trained_K * _M) / np.sum(_M * _M))
    _ev = icl.sample_prompts(20_000, int(n_train.value), d, _rng, covariance=cov, noise_var=s2)
    trained_risk = icl.mean_se((icl.predict_reduced(_ev, trained.b, trained.A) - _ev.y_query) ** 2)
    return relative_distance, sigma_inv_scaled, trained, trained_K, trained_risk


@app.cell
def _(gamma_inv, mo, new_figure, np, relative_distance, risk_star, sigma_inv_scaled, trained, trained_K,
      trained_risk):
    _fig, _axes = new_figure(1, 4, width=13.0, height=3.3)
    _h = trained.history
    _axes[0].semilogy(_h["step"], _h["distance"], color="C0", label=r"$\|K - \Gamma^{-1}\|_F$")
    _axes[0].semilogy(_h["step"], _h["irrelevant"], color="C1", ls="--", label="blocks that must vanish")
    _axes[0].set_xlabel("Adam step")
    _axes[0].legend()
    _axes[0].set_title("distance to the optimum")
    _vmax = max(np.max(np.abs(m)) for m in (trained_K, gamma_inv, sigma_inv_scaled))
    for _ax, _m, _title in ((_axes[1], trained_K, r"trained $K = b_y A_{\mathrm{top}}$"),
                            (_axes[2], gamma_inv, r"$\Gamma^{-1}$ (theory)"),
                            (_axes[3], sigma_inv_scaled, r"$\Sigma^{-1}$ (best scaled)")):
        _im = _ax.imshow(_m, cmap="RdBu_r", vmin=-_vmax, vmax=_vmax)
        _ax.grid(False)
        _ax.set_title(_title)
        _ax.set_xticks([])
        _ax.set_yticks([])
    _fig.colorbar(_im, ax=list(_axes[1:]), shrink=0.8)
    mo.vstack([_fig, mo.md(
        f"max |K − Γ⁻¹| / max |Γ⁻¹| = **{relative_distance:.3g}**; trained risk {trained_risk[0]:.4g} ± "
        f"{trained_risk[1]:.2g} against R* = {risk_star:.4g}.")])
    return


if __name__ == "__main__":
    app.run()
