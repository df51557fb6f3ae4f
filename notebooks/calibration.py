import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="Calibration of a binary loss")


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    # Calibration of a binary margin loss

    A margin loss $\varphi$ scores a real prediction $\alpha = f(x)$ against a label $y \in \{-1, +1\}$ by
    $\varphi(y\alpha)$. At a point where $P(y = 1 \mid x) = \eta$, its **conditional risk** is

    $$C_\eta(\alpha) = \eta\,\varphi(\alpha) + (1 - \eta)\,\varphi(-\alpha),$$

    with best value $H(\eta) = \inf_\alpha C_\eta(\alpha)$, and best value among the *wrong-sign* scores,
    $H^-(\eta) = \inf_{\alpha(2\eta - 1) \le 0} C_\eta(\alpha)$. The loss is **classification-calibrated** when
    getting the sign wrong always costs something: $H^-(\eta) > H(\eta)$ for every $\eta \ne \tfrac12$, i.e.

    $$\tilde\psi(\theta) = H^-\!\left(\tfrac{1+\theta}{2}\right) - H\!\left(\tfrac{1+\theta}{2}\right) > 0
    \quad\text{for } \theta \in (0, 1].$$

    Its convex closure $\psi = \tilde\psi^{**}$ turns a surrogate excess risk into a bound on the zero-one excess
    risk (**Theorem 1**): for every measurable $f$ and every distribution,

    $$\psi\big(R(f) - R^*\big) \;\le\; R_\varphi(f) - R_\varphi^* .$$

    For a convex $\varphi$ the test is simpler (**Theorem 2**): calibrated $\iff$ $\varphi$ is differentiable
    at 0 with $\varphi'(0) < 0$.

    *Reference:* P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds",
    J. Amer. Statist. Assoc. 101(473), 2006 (Definitions 1–2, Lemma 5, Theorems 1–2).

    Choose a loss from the literature catalogue, or type a formula in the variable `a` (a formula, when given,
    is used instead of the catalogue choice). `theorylab.theory.analyse` tries sympy for a closed form within
    the budget below and always computes $H$, $H^-$ and $\tilde\psi$ by global numerical minimisation; a
    symbolic answer is used only when the two agree.
    """)
    return


@app.cell
def _():
    import marimo as mo
    import numpy as np
    from scipy import special

    from theorylab import InputError
    from theorylab.engine import new_figure
    from theorylab.settings.mixture import random_mixture
    from theorylab.theory import analyse
    from theorylab.theory.analysis_text import analysis_latex
    from theorylab.theory.catalogue import catalogue_entries
    from theorylab.theory.margin_numeric import conditional_infima

    return (InputError, analyse, analysis_latex, catalogue_entries, conditional_infima, mo, new_figure, np,
            random_mixture, special)


@app.cell
def _(catalogue_entries, mo):
    binary_catalogue = {name: entry for name, entry, n in catalogue_entries() if n == 2}
    loss_choice = mo.ui.dropdown(options=list(binary_catalogue), value="logistic", label="catalogue loss")
    formula = mo.ui.text(value="", placeholder="e.g. log(1 + exp(-a))**2  or  Max(0, 1 - a)**3",
                         label="or a formula in a", full_width=True)
    sympy_budget = mo.ui.slider(0, 20, step=1, value=5, show_value=True, label="sympy budget (s; 0: numeric only)")
    mo.vstack([mo.hstack([loss_choice, sympy_budget], justify="start"), formula])
    return binary_catalogue, formula, loss_choice, sympy_budget


@app.cell
def _(InputError, analyse, analysis_latex, binary_catalogue, formula, loss_choice, mo, sympy_budget):
    loss_input = formula.value.strip() or binary_catalogue[loss_choice.value].loss
    try:
        analysis = analyse(loss_input, budget=sympy_budget.value)
        analysis_error = ""
    except InputError as _exc:
        analysis, analysis_error = None, str(_exc)
    mo.stop(analysis is None, mo.callout(mo.md(f"**Not a loss theorylab can read:** {analysis_error}"),
                                         kind="danger"))
    verdict = {True: "calibrated", False: "not calibrated", None: "no verdict"}[analysis.calibrated]
    _kind = {True: "success", False: "danger", None: "warn"}[analysis.calibrated]
    mo.vstack([
        mo.callout(mo.md(f"### {analysis.loss.name}: **{verdict}** ({analysis.method} route)\n\n"
                         f"{analysis.reason}"), kind=_kind),
        mo.md("$$" + analysis_latex(analysis).replace("align*", "aligned") + "$$"),
    ])
    return analysis, verdict


@app.cell
def _(analysis, mo):
    bounded = analysis.details.get("bounded_below", True)
    mo.stop(not bounded, mo.callout(mo.md("This loss is **unbounded below**: $H(\\eta) = -\\infty$, so neither "
                                          "ψ nor the bound below is defined. Choose another loss."), kind="warn"))
    eta = mo.ui.slider(0.5, 1.0, step=0.01, value=0.8, show_value=True, label="η = P(y = 1 | x) for C_η")
    eta
    return (eta,)


@app.cell
def _(analysis, conditional_infima, eta, mo, new_figure, np):
    phi = analysis.loss.value
    _e = float(eta.value)
    _alpha = np.linspace(-4.0, 4.0, 801)
    with np.errstate(all="ignore"):
        c_eta = _e * phi(_alpha) + (1 - _e) * phi(-_alpha)
    (H_at_eta,), (argmin_at_eta,) = conditional_infima(phi, [_e])
    (H_minus_at_eta,), (wrong_argmin_at_eta,) = conditional_infima(phi, [_e], wrong_sign=True)
    _etas = np.linspace(0.0, 1.0, 201)
    H_curve = conditional_infima(phi, _etas)[0]
    # H⁻(η) = H⁻(1 − η) (C_η(α) = C_{1−η}(−α)): the wrong-sign infimum over α ≤ 0 at max(η, 1 − η)
    H_minus_curve = np.maximum(conditional_infima(phi, np.maximum(_etas, 1 - _etas), wrong_sign=True)[0], H_curve)
    theta = np.linspace(0.0, 1.0, 201)
    psi_tilde_curve = analysis.transform(theta)
    psi_curve = analysis.psi(theta)

    _fig, (_a0, _a1, _a2) = new_figure(1, 3, width=12.0, height=3.6)
    _finite = np.isfinite(c_eta)
    _a0.plot(_alpha[_finite], c_eta[_finite], color="k", label=r"$C_\eta(\alpha)$")
    _a0.axhline(H_at_eta, color="C0", ls="--", label=rf"$H(\eta) = {H_at_eta:.4g}$")
    _a0.axhline(H_minus_at_eta, color="C3", ls=":", label=rf"$H^-(\eta) = {H_minus_at_eta:.4g}$")
    _a0.axvspan(-4.0, 0.0, color="C3", alpha=0.08, label="wrong sign")
    _top = np.nanpercentile(c_eta[_finite], 90) if _finite.any() else 1.0
    _a0.set_ylim(min(H_at_eta, np.nanmin(c_eta[_finite])) - 0.1 * abs(_top), _top)
    _a0.set_xlabel(r"score $\alpha$")
    _a0.set_title(rf"conditional risk at $\eta = {_e:g}$")
    _a0.legend(loc="upper center")
    _a1.plot(_etas, H_curve, color="C0", label=r"$H(\eta)$")
    _a1.plot(_etas, H_minus_curve, color="C3", ls=":", label=r"$H^-(\eta)$")
    _a1.set_xlabel(r"$\eta$")
    _a1.set_title("best and best wrong-sign risk")
    _a1.legend()
    _a2.plot(theta, psi_tilde_curve, color="C1", lw=3, alpha=0.5, label=r"$\tilde\psi(\theta)$")
    _a2.plot(theta, psi_curve, color="k", label=r"$\psi = \tilde\psi^{**}$")
    if analysis.growth:
        _g = analysis.growth
        _a2.plot(theta[theta <= 0.5], _g["constant"] * theta[theta <= 0.5] ** _g["order"], color="C2", ls="--",
                 label=rf"growth ${_g['constant']:.3g}\,\theta^{{{_g['order']:.3g}}}$")
    _a2.set_xlabel(r"$\theta = 2\eta - 1$")
    _a2.set_title(r"$\psi$-transform")
    _a2.legend()
    _fig
    return (H_at_eta, H_minus_at_eta, argmin_at_eta, phi, psi_curve, psi_tilde_curve, theta,
            wrong_argmin_at_eta)


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## Theorem 1 on a Gaussian mixture

    Two Gaussian classes in $\mathbb{R}^2$ with a shared covariance (`random_mixture`), affine scores
    $f(x) = w\cdot x + c$. The zero-one risks are exact (normal CDFs); $R_\varphi(f)$ is a closed form or an
    adaptive quadrature; the best surrogate risk $R_\varphi^* = \mathbb{E}\,H(\eta(x))$ is computed here as a
    Gauss–Legendre integral over the Bayes log-odds $L(x)$, which is Gaussian in each class, split at
    $L = 0$ where $H$ may have a kink. Random $(w, c)$, plus scores $f = -\varepsilon\cdot L$ that point the
    wrong way everywhere. Every point must lie on or above the curve $\psi$; move the means apart and the
    wrong-way scores approach the curve at $\theta = 1$ (the bound is tight there: Theorem 1(b)).
    """)
    return


@app.cell
def _(mo):
    mixture_seed = mo.ui.number(start=0, stop=10_000, value=0, label="mixture seed")
    separation = mo.ui.slider(0.5, 12.0, step=0.5, value=4.0, show_value=True, label="distance between the means")
    mo.hstack([mixture_seed, separation], justify="start")
    return mixture_seed, separation


@app.cell
def _(analysis, conditional_infima, mixture_seed, np, phi, random_mixture, separation, special):
    _rng = np.random.default_rng(mixture_seed.value)
    mixture = random_mixture(_rng, separation=float(separation.value))
    _n_f = 40
    _w = _rng.normal(size=(_n_f, 2)) * _rng.uniform(0.1, 2.0, size=(_n_f, 1))
    _c = _rng.normal(size=_n_f)
    _wb, _cb = mixture.bayes_direction()
    _eps = np.array([1e-3, 1e-2, 1e-1, 0.5])
    bound_w = np.concatenate([_w, -_eps[:, None] * _wb])
    bound_c = np.concatenate([_c, -_eps * _cb])

    def best_surrogate_risk(mix, nodes=200):
        """R_φ* = Σ_k π_k E[H(σ(L)) | y = k], L | y = k ~ N(m_k, s_k²), Gauss–Legendre split at L = 0."""
        m, s = mix.margin_moments(*mix.bayes_direction())
        x, wq = np.polynomial.legendre.leggauss(nodes)
        total = 0.0
        for k in range(2):
            u0 = float(np.clip(-m[k] / s[k], -12.0, 12.0))
            for lo, hi in ((-12.0, u0), (u0, 12.0)):
                u = 0.5 * (hi - lo) * x + 0.5 * (hi + lo)
                h = conditional_infima(phi, special.expit(m[k] + s[k] * u))[0]
                total += mix.priors[k] * 0.5 * (hi - lo) * np.sum(wq * h * np.exp(-0.5 * u * u)) / np.sqrt(2 * np.pi)
        return float(total)

    excess_01 = mixture.binary_error(bound_w, bound_c) - mixture.bayes_error()
    best_phi_risk = best_surrogate_risk(mixture)
    excess_phi = mixture.binary_surrogate_risk(analysis.loss, bound_w, bound_c)[0] - best_phi_risk
    bound_slack = excess_phi - analysis.psi(np.clip(excess_01, 0.0, 1.0))
    bound_worst_slack = float(np.min(bound_slack / np.maximum(1.0, np.abs(excess_phi))))
    return (best_phi_risk, best_surrogate_risk, bound_c, bound_w, bound_worst_slack, excess_01, excess_phi,
            mixture)


@app.cell
def _(analysis, bound_worst_slack, excess_01, excess_phi, mo, new_figure, np, psi_curve, theta):
    _fig, _ax = new_figure(width=6.0, height=4.0)
    _n = excess_01.size - 4
    _ax.plot(theta, psi_curve, color="k", label=r"$\psi(\theta)$")
    _ax.scatter(excess_01[:_n], excess_phi[:_n], s=14, color="C0", label="random affine $f$", zorder=3)
    _ax.scatter(excess_01[_n:], excess_phi[_n:], s=40, marker="D", color="C3",
                label=r"$f = -\varepsilon L$ (wrong sign)", zorder=3)
    _ax.set_xlabel(r"$R(f) - R^*$ (zero-one excess risk)")
    _ax.set_ylabel(r"$R_\varphi(f) - R_\varphi^*$")
    _ax.set_title(f"{analysis.loss.name}: Theorem 1 on a Gaussian mixture")
    _ax.set_xlim(0, min(1.0, 1.1 * float(np.max(excess_01)) + 0.02))
    _ax.legend(loc="upper left")
    _held = bound_worst_slack >= -1e-9
    mo.vstack([_fig, mo.callout(mo.md(
        f"Worst slack of ψ(R − R*) ≤ R_φ − R_φ* over {excess_01.size} scores (relative to max(1, R_φ − R_φ*)): "
        f"**{bound_worst_slack:.3g}** — the bound {'holds' if _held else 'is violated'}."),
        kind="success" if _held else "danger")])
    return


if __name__ == "__main__":
    app.run()
