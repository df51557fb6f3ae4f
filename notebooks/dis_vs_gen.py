import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="Discriminative vs generative")


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    # Discriminative vs generative: naive Bayes against logistic regression

    Two classes, $x \mid y = k \sim \mathcal N(a_k \mathbb 1_d, \Sigma)$ with $a = (-1, 1)$, equal priors, and
    $\Sigma = D^{1/2} R D^{1/2}$: half the coordinates have variance $d$, the rest variance 1, and
    $R = (1 - \rho) I + \rho \mathbb 1 \mathbb 1^\top$ correlates them.

    * **Naive Bayes** (generative) fits a mean and a variance per class and coordinate, assuming the coordinates
      independent given the class. It is right when $\rho = 0$; for $\rho \ne 0$ its limit has a higher error
      $\varepsilon^{NB}_\infty$ than the Bayes error.
    * **Logistic regression** (discriminative) fits $w, b$ of $P(y = 1 \mid x) = \sigma(w \cdot x + b)$
      directly; its limit is the Bayes rule whatever $\rho$ (the Bayes rule is affine here).

    Ng and Jordan (2001) and Zheng et al. (2023) show **two regimes**: naive Bayes reaches its asymptotic error
    with $m^* = O(\log d)$ samples, logistic regression needs $m^* = O(d)$. So when naive Bayes is misspecified
    its learning curve starts lower and ends higher: the curves **cross**. Every error below is the *exact*
    population error of the fitted rule (normal CDFs), averaged over fresh training sets.

    *References:* A. Y. Ng, M. I. Jordan, "On Discriminative vs. Generative Classifiers: A comparison of logistic
    regression and naive Bayes", NeurIPS 2001; C. Zheng, G. Wu, F. Bao, Y. Cao, C. Li, J. Zhu, "Revisiting
    Discriminative vs. Generative Classifiers: Theory and Implications", ICML 2023, arXiv:2302.02334.
    """)
    return


@app.cell
def _():
    import marimo as mo
    import numpy as np

    from theorylab.engine import new_figure
    from theorylab.settings.mixture import (fitted_slopes, geometric_grid, learning_curves, sample_complexity,
                                            zheng_bayes_error, zheng_mixture, zheng_nb_asymptotic_error)

    return (fitted_slopes, geometric_grid, learning_curves, mo, new_figure, np, sample_complexity,
            zheng_bayes_error, zheng_mixture, zheng_nb_asymptotic_error)


@app.cell
def _(mo):
    dim = mo.ui.slider(steps=[5, 10, 20, 40, 80, 160], value=20, show_value=True, label="dimension d")
    rho = mo.ui.slider(0.0, 0.9, step=0.05, value=0.5, show_value=True, label="correlation ρ")
    reps = mo.ui.slider(2, 20, step=1, value=5, show_value=True, label="training sets per size")
    curve_seed = mo.ui.number(start=0, stop=10_000, value=0, label="seed")
    mo.hstack([dim, rho, reps, curve_seed], justify="start")
    return curve_seed, dim, reps, rho


@app.cell
def _(curve_seed, dim, geometric_grid, learning_curves, np, reps, rho, zheng_bayes_error, zheng_mixture,
      zheng_nb_asymptotic_error):
    _d, _rho = int(dim.value), float(rho.value)
    _rng = np.random.default_rng(curve_seed.value)
    curve_mixture = zheng_mixture(2, _d, _rho)
    curve_sizes = geometric_grid(2, 20 * _d)
    curves = {lr: learning_curves(curve_mixture, lr, curve_sizes, int(reps.value), _rng) for lr in ("nb", "lr")}
    bayes_error = zheng_bayes_error(2, _d, _rho)
    nb_limit = zheng_nb_asymptotic_error(2, _d, _rho)
    mean_gap = curves["lr"].mean(axis=0) - curves["nb"].mean(axis=0)  # > 0 where naive Bayes is better
    crossing = float(curve_sizes[np.flatnonzero(mean_gap < 0)[0]]) if np.any(mean_gap < 0) else float("nan")
    return bayes_error, crossing, curve_sizes, curves, mean_gap, nb_limit


@app.cell
def _(bayes_error, crossing, curve_sizes, curves, dim, mo, nb_limit, new_figure, np, rho):
    _fig, _ax = new_figure(width=6.6, height=4.2)
    for _lr, _colour, _label in (("nb", "C0", "naive Bayes"), ("lr", "C3", "logistic regression")):
        _E = curves[_lr]
        _mean, _se = _E.mean(0), _E.std(0, ddof=1) / np.sqrt(_E.shape[0])
        _ax.plot(curve_sizes, _mean, color=_colour, label=_label)
        _ax.fill_between(curve_sizes, _mean - 1.96 * _se, _mean + 1.96 * _se, color=_colour, alpha=0.25, lw=0)
    _ax.axhline(bayes_error, color="k", ls="--", lw=1.0, label=f"Bayes error {bayes_error:.3g}")
    if nb_limit > bayes_error * (1 + 1e-9):
        _ax.axhline(nb_limit, color="C0", ls=":", lw=1.2, label=rf"NB limit $\varepsilon^{{NB}}_\infty$ = {nb_limit:.3g}")
    _ax.set_xscale("log")
    _ax.set_xlabel("training size $m$")
    _ax.set_ylabel("exact test error (mean, 95% band)")
    _ax.set_title(rf"$d = {dim.value}$, $\rho = {rho.value:g}$")
    _ax.legend(loc="upper right")
    _msg = (f"The curves cross at m ≈ {crossing:g}: naive Bayes is better below, logistic regression above."
            if crossing == crossing else "The curves do not cross on this range of m.")
    mo.vstack([_fig, mo.md(_msg)])
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## Sample complexity against the dimension

    $m^*(d)$ is the first training size (on the grid $\lceil 4 \cdot 1.25^j \rceil$) whose mean error over 5
    training sets is within $0.01$ of the learner's asymptotic error, here with $\rho = 0$ (both learners are
    consistent, so both limits are the Bayes error). Naive Bayes stays flat (a logarithmic envelope), logistic
    regression grows linearly; the fitted slopes carry bootstrap 95% intervals.
    """)
    return


@app.cell
def _(mo):
    dims_choice = mo.ui.dropdown(options={"d = 10, 20, 40, 80": (10, 20, 40, 80),
                                          "d = 20, 40, 80, 160": (20, 40, 80, 160),
                                          "d = 20, 40, 80, 160, 320": (20, 40, 80, 160, 320)},
                                 value="d = 20, 40, 80, 160", label="dimensions")
    dims_choice
    return (dims_choice,)


@app.cell
def _(dims_choice, fitted_slopes, np, sample_complexity, zheng_bayes_error, zheng_mixture):
    _rng = np.random.default_rng(1)
    study_dims = list(dims_choice.value)
    m_star_runs = {lr: [sample_complexity(zheng_mixture(2, d), lr, zheng_bayes_error(2, d), _rng, reps=5)
                        for d in study_dims] for lr in ("nb", "lr")}
    m_star = {lr: np.array([r["m_star"] for r in runs]) for lr, runs in m_star_runs.items()}
    slopes = {lr: fitted_slopes(study_dims, m_star_runs[lr], _rng, n_boot=1000) for lr in m_star_runs}
    return m_star, slopes, study_dims


@app.cell
def _(m_star, mo, new_figure, np, slopes, study_dims):
    _fig, _ax = new_figure(width=6.6, height=4.2)
    _grid = np.geomspace(study_dims[0], study_dims[-1], 100)
    for _lr, _colour, _key in (("nb", "C0", "log_d"), ("lr", "C3", "d")):
        _s, _lo, _hi, _c = slopes[_lr][_key]
        _fit = _c + _s * (np.log(_grid) if _key == "log_d" else _grid)
        _name = "naive Bayes" if _lr == "nb" else "logistic regression"
        _ax.plot(study_dims, m_star[_lr], "o", color=_colour, ms=7, label=f"{_name}: $m^*$")
        _form = r"\ln d" if _key == "log_d" else "d"
        _ax.plot(_grid, _fit, color=_colour, label=rf"fit ${_s:.2f}\,{_form} {_c:+.1f}$ (slope CI [{_lo:.2f}, {_hi:.2f}])")
    _ax.set_xscale("log")
    _ax.set_xlabel("dimension $d$")
    _ax.set_ylabel(r"$m^*$ (error within 0.01 of Bayes)")
    _ax.set_title(r"$m^*$: naive Bayes against $\ln d$, logistic regression against $d$")
    _ax.legend(loc="upper left")
    _fig
    return


if __name__ == "__main__":
    app.run()
