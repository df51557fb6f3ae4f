import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="The comp-sum family")


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    # The comp-sum family: H-consistency transforms, tight or not

    With scores $h \in \mathbb{R}^n$ for $n$ classes, the **comp-sum** losses are

    $$\ell_\tau(h, y) = \Phi^\tau\Big(\sum_{y' \ne y} e^{h_{y'} - h_y}\Big), \qquad
    \Phi^\tau(u) = \int_0^u (1 + v)^{-\tau}\, dv,$$

    so $\tau = 0$ is the sum-exponential loss, $\tau = 1$ the logistic (cross-entropy) loss, $\tau \in (1, 2)$
    generalised cross-entropy and $\tau = 2$ the mean absolute error. An **H-consistency bound** turns a
    surrogate excess risk into a zero-one one, with the minimizability gaps $\mathcal M$:

    $$R_{01}(h) - R^*_{01} + \mathcal M_{01} \;\le\; \Gamma_\tau\big(R_\tau(h) - R^*_\tau + \mathcal M_\tau\big),
    \qquad \Gamma_\tau = T_\tau^{-1}.$$

    The transform attributed to the comp-sum theorem is
    $T_\tau(t) = B_\tau(t)$ for $\tau \le 1$, $(2/n)^{\tau-1} B_\tau(t)$ for $1 < \tau < 2$ and
    $t / ((\tau - 1) n^{\tau - 1})$ for $\tau \ge 2$, where $B_\tau$ is the binary transform.
    The best possible one is the **tight transform**

    $$T^{\mathrm{true}}(t) = \inf\big\{\, C_\tau(h, p) - C^*_\tau(p) \;:\; p \in \Delta_n,\
    \max_y p_y - p_{\mathrm{pred}(h)} = t \,\big\},$$

    computed here by `tight_transform(("comp_sum", τ), t, n)`, a structured global search that also returns a
    **witness** $(p, h)$ attaining it. Where $T_\tau < T^{\mathrm{true}}$ the stated bound is valid but loose:
    generalised cross-entropy at $n \ge 3$, MAE beyond $t = 1/(n-1)$, and every $\tau > 2$.

    *References:* A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and
    Applications", ICML 2023, arXiv:2304.07288; "H-Consistency Bounds: Characterization and Extensions",
    NeurIPS 2023.
    """)
    return


@app.cell
def _():
    import marimo as mo
    import numpy as np

    from theorylab import InputError
    from theorylab.engine import new_figure
    from theorylab.settings.finite import deterministic_line_problem
    from theorylab.theory import hconsistency as hc

    return InputError, deterministic_line_problem, hc, mo, new_figure, np


@app.cell
def _(mo):
    tau = mo.ui.slider(0.0, 3.0, step=0.05, value=1.5, show_value=True, label="τ")
    n_classes = mo.ui.slider(2, 10, step=1, value=3, show_value=True, label="n (classes)")
    mo.hstack([tau, n_classes], justify="start")
    return n_classes, tau


@app.cell
def _(InputError, hc, n_classes, np, tau):
    _tau, _n = float(tau.value), int(n_classes.value)
    t_grid = np.round(np.linspace(0.05, 1.0, 20), 4)
    T_stated = np.asarray(hc.compsum_transform(t_grid, _tau, _n))
    _search = [hc.tight_transform(("comp_sum", _tau), float(t), _n, n_random=4000, n_refine=3) for t in t_grid]
    T_tight = np.array([v for v, _ in _search])
    try:
        T_closed = np.asarray(hc.compsum_true_transform(t_grid, _tau, _n))
    except InputError:
        T_closed = None  # τ ∈ (1, 2) ∖ {1.5} with n ≥ 3: no closed form, the search is the answer
    ratio = T_tight / T_stated
    return T_closed, T_stated, T_tight, ratio, t_grid


@app.cell
def _(T_closed, T_stated, T_tight, mo, n_classes, new_figure, ratio, t_grid, tau):
    _fig, (_a0, _a1) = new_figure(1, 2, width=11.0, height=3.8)
    _a0.plot(t_grid, T_stated, color="C0", label=r"$T_\tau$ (stated)")
    _a0.plot(t_grid, T_tight, "o", color="C3", ms=5, mfc="none", label=r"$T^{\mathrm{true}}$ (search)")
    if T_closed is not None:
        _a0.plot(t_grid, T_closed, color="k", ls=":", label=r"$T^{\mathrm{true}}$ closed form")
    _a0.set_xlabel("zero-one conditional regret $t$")
    _a0.set_ylabel("surrogate conditional regret")
    _a0.set_title(rf"transforms at $\tau = {tau.value:g}$, $n = {n_classes.value}$")
    _a0.legend()
    _a1.plot(t_grid, ratio, "o-", color="C3")
    _a1.axhline(1.0, color="k", lw=0.8)
    _a1.set_xlabel("$t$")
    _a1.set_ylabel(r"$T^{\mathrm{true}} / T_\tau$")
    _a1.set_title("looseness of the stated bound (1 = tight)")
    _worst = float(ratio.max())
    _valid = bool((T_tight >= T_stated - 1e-8).all())
    _text = (f"The stated transform is **{'valid' if _valid else 'NOT valid'}** (never above the tight one) and "
             + ("**tight** (ratio 1 to 1e-6)." if abs(_worst - 1) < 1e-6 else
                f"**loose**: the tight transform is up to **{_worst:.3g}×** larger, at t = "
                f"{t_grid[ratio.argmax()]:g}."))
    mo.vstack([_fig, mo.md(_text)])
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## The witness

    The search returns the distribution $p$ and the scores $h$ where the infimum is reached (class 0 is
    predicted, class 1 is the most likely; a score $-\infty$ is a limit). Re-evaluating the regrets at this
    point (with ties broken towards class 0 by $10^{-9}$) gives zero-one regret $t$ and surrogate regret
    $T^{\mathrm{true}}(t)$: a point mass at such an $x$ makes the bound an equality.
    """)
    return


@app.cell
def _(mo):
    t_witness = mo.ui.slider(0.05, 0.95, step=0.05, value=0.5, show_value=True, label="t for the witness")
    t_witness
    return (t_witness,)


@app.cell
def _(hc, mo, n_classes, np, t_witness, tau):
    _tau, _n, _t = float(tau.value), int(n_classes.value), float(t_witness.value)
    witness_value, witness = hc.tight_transform(("comp_sum", _tau), _t, _n, n_random=4000, n_refine=3)
    witness_surrogate, witness_zero_one = hc.witness_regrets(_tau, witness)
    _fmt = lambda a: "(" + ", ".join("−∞" if np.isneginf(x) else f"{x:.4g}" for x in np.asarray(a)) + ")"
    mo.md(f"""
    | quantity | value |
    |---|---|
    | p (class probabilities) | {_fmt(witness["p"])} |
    | h (scores) | {_fmt(witness["h"])} |
    | classes tied with the prediction | {witness["tie"]} |
    | zero-one regret at the witness | {witness_zero_one:.6g} (asked: {_t:g}) |
    | surrogate regret at the witness | {witness_surrogate:.6g} |
    | T^true(t) from the search | {witness_value:.6g} |
    | stated T_τ(t) | {float(hc.compsum_transform(_t, _tau, _n)):.6g} |
    """)
    return witness, witness_surrogate, witness_value, witness_zero_one


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## Minimizability gaps

    With a restricted hypothesis set the bound carries the gap
    $\mathcal M_\tau(\mathcal H) = R^*_\tau(\mathcal H) - \mathbb E_x\big[\inf_{h \in \mathcal H} C_\tau(h, x)\big]$:
    how much worse the best hypothesis is than the best score chosen point by point. Here: $m = 8$ points on a
    line with deterministic labels, $n = 3$ classes, affine scores with weights in $[-1, 1]$ and biases in
    $[-\tfrac12, \tfrac12]$; $R^*_\tau$ by multistart L-BFGS-B. The gaps decrease as $\tau$ grows.
    """)
    return


@app.cell
def _(mo):
    gap_seed = mo.ui.number(start=0, stop=10_000, value=0, label="problem seed")
    gap_seed
    return (gap_seed,)


@app.cell
def _(deterministic_line_problem, gap_seed, mo, new_figure, np, tau):
    _rng = np.random.default_rng(gap_seed.value)
    gap_problem = deterministic_line_problem(_rng, m=8, n=3, W=1.0, B=0.5)
    gap_taus = np.array(sorted({0.0, 0.5, 1.0, 1.5, 2.0, 3.0, float(tau.value)}))
    best_risks = np.array([gap_problem.best_risk_tau(t, _rng, starts=6)[0] for t in gap_taus])
    pointwise = np.array([gap_problem.expected_cstar_tau(t) for t in gap_taus])
    gaps = best_risks - pointwise
    _fig, _ax = new_figure(width=6.0, height=3.8)
    _ax.plot(gap_taus, gaps, "o-", color="C0", label=r"gap $\mathcal{M}_\tau$")
    _ax.plot(gap_taus, best_risks, "s--", color="C1", label=r"best-in-class $R^*_\tau$")
    _ax.plot(gap_taus, pointwise, "^:", color="C2", label=r"$\mathbb{E}_x \inf_h C_\tau$")
    _ax.axvline(float(tau.value), color="k", lw=0.8, ls="--")
    _ax.set_xlabel(r"$\tau$")
    _ax.set_ylabel(r"risk under $\ell_\tau$")
    _ax.legend()
    _ax.set_title("minimizability gaps against τ (deterministic labels)")
    _fig
    return best_risks, gap_taus, gaps, pointwise


if __name__ == "__main__":
    app.run()
