"""The teaching notebooks (``notebooks/*.py``, marimo) executed headless, with assertions on what they compute.

``python notebooks/NAME.py`` runs ``app.run()`` (the file's ``__main__`` block); here each notebook is imported
from its file and ``app.run()`` is called the same way, which returns the cells' outputs and every top-level
definition, so the values a student sees can be checked against independent computations at the notebooks'
default widget values. The live app in a real browser is tested in ``test_notebooks_browser.py``.
"""
from __future__ import annotations

import dataclasses
import importlib.util
import io
import math
import pathlib

import matplotlib.figure
import numpy as np
import pytest
from scipy import optimize, stats

marimo = pytest.importorskip("marimo", reason="the notebooks need marimo (pip install -e '.[demos]')")

NOTEBOOKS = pathlib.Path(__file__).resolve().parent.parent / "notebooks"
_RUNS: dict[str, dict] = {}


def run_notebook(name: str) -> dict:
    """Import ``notebooks/<name>.py`` and run its app once (cached per session): the top-level definitions."""
    if name not in _RUNS:
        spec = importlib.util.spec_from_file_location(f"theorylab_notebook_{name}", NOTEBOOKS / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        outputs, defs = module.app.run()
        assert len(outputs) > 0
        # a bare figure is drawn only when displayed: draw each one, as the app does (bad mathtext fails here)
        for out in outputs:
            if isinstance(out, matplotlib.figure.Figure):
                out.savefig(io.BytesIO(), format="png")
        _RUNS[name] = dict(defs)
    return _RUNS[name]


def test_every_notebook_is_tested():
    """A notebook added to notebooks/ without assertions here fails this test."""
    tested = {"calibration", "comp_sum", "dis_vs_gen", "icl", "diagonal_nets", "own_claim"}
    assert {p.stem for p in NOTEBOOKS.glob("*.py")} == tested


def test_calibration_logistic_closed_forms():
    d = run_notebook("calibration")
    assert d["analysis"].loss.name == "logistic" and d["verdict"] == "calibrated"
    eta = float(d["eta"].value)
    # logistic loss: H(η) is the binary entropy in nats, attained at α = log(η/(1−η)); H⁻(η) = log 2 at α = 0
    assert d["H_at_eta"] == pytest.approx(-eta * math.log(eta) - (1 - eta) * math.log(1 - eta), rel=1e-9)
    assert d["argmin_at_eta"] == pytest.approx(math.log(eta / (1 - eta)), rel=1e-6)
    assert d["H_minus_at_eta"] == pytest.approx(math.log(2), rel=1e-12)
    # ψ(θ) = ½[(1+θ)log(1+θ) + (1−θ)log(1−θ)] (BJM 2006, Table 1 row of the logistic loss), convex so ψ = ψ̃
    th = d["theta"]
    with np.errstate(divide="ignore", invalid="ignore"):
        psi = 0.5 * ((1 + th) * np.log1p(th) + (1 - th) * np.log1p(-th))
    psi[th == 1] = math.log(2)
    assert np.allclose(d["psi_curve"], psi, rtol=1e-7, atol=1e-12)
    assert np.allclose(d["psi_tilde_curve"], psi, rtol=1e-7, atol=1e-12)
    # Theorem 1 on the mixture: ψ(R − R*) ≤ R_φ − R_φ* at every score (the wrong-way scores come close)
    assert d["excess_01"].size == 44 and np.all(d["excess_01"] >= -1e-12)
    assert d["bound_worst_slack"] >= -1e-9
    assert 0 < d["best_phi_risk"] < math.log(2)


def test_comp_sum_tight_search_matches_closed_form():
    d = run_notebook("comp_sum")
    tau, n = float(d["tau"].value), int(d["n_classes"].value)
    assert (tau, n) == (1.5, 3)
    # τ = 1.5 has a closed tight transform; the search must reproduce it, and the stated one stays below it
    assert d["T_closed"] is not None
    assert np.allclose(d["T_tight"], d["T_closed"], rtol=1e-6, atol=1e-12)
    assert np.all(d["T_stated"] <= d["T_tight"] * (1 + 1e-9))
    # here the looseness is the constant (n/2)^(τ−1) = √1.5 of the stated (2/n)^(τ−1) factor
    assert np.allclose(d["ratio"], (n / 2) ** (tau - 1), rtol=1e-6)
    # the witness attains the search value with zero-one regret t
    assert d["witness_zero_one"] == pytest.approx(float(d["t_witness"].value), abs=1e-6)
    assert d["witness_surrogate"] == pytest.approx(d["witness_value"], rel=1e-6)
    # minimizability gaps: positive and decreasing in τ on the deterministic line problem
    gaps = d["gaps"]
    assert np.all(gaps > 0) and np.all(np.diff(gaps) < 0)


def _zheng_sigma(d: int, rho: float) -> np.ndarray:
    """Σ = D^{1/2} R D^{1/2}, D: ⌊d/2⌋ variances d then 1, R = (1−ρ)I + ρ𝟙𝟙ᵀ (Zheng et al. 2023, §5)."""
    D = np.ones(d)
    D[: d // 2] = d
    R = (1 - rho) * np.eye(d) + rho * np.ones((d, d))
    return np.sqrt(D)[:, None] * R * np.sqrt(D)[None, :]


def test_dis_vs_gen_two_regimes():
    d = run_notebook("dis_vs_gen")
    dim, rho = int(d["dim"].value), float(d["rho"].value)
    sigma = _zheng_sigma(dim, rho)
    delta = 2 * np.sqrt(np.ones(dim) @ np.linalg.solve(sigma, np.ones(dim)))  # means ±𝟙: Mahalanobis distance
    assert d["bayes_error"] == pytest.approx(stats.norm.cdf(-delta / 2), rel=1e-9)
    assert d["nb_limit"] > d["bayes_error"] + 0.05  # ρ = 0.5: naive Bayes is misspecified
    nb, lr = d["curves"]["nb"].mean(0), d["curves"]["lr"].mean(0)
    assert np.all(nb >= d["bayes_error"] - 1e-12) and np.all(lr >= d["bayes_error"] - 1e-12)
    assert abs(nb[-1] - d["nb_limit"]) < 0.02  # naive Bayes has converged at m = 20d
    assert math.isfinite(d["crossing"]) and lr[-1] < nb[-1]  # the curves cross
    # sample complexity at ρ = 0: logistic regression's m* grows with d, its slope interval in d excludes 0
    m_lr, m_nb = d["m_star"]["lr"], d["m_star"]["nb"]
    assert np.all(np.diff(m_lr) > 0) and m_lr[-1] > 5 * m_nb.max()
    slope, lo, hi, _ = d["slopes"]["lr"]["d"]
    assert 0 < lo <= slope <= hi
    assert d["slopes"]["nb"]["d"][2] < lo  # naive Bayes's slope in d is below logistic regression's


def test_icl_optimum_and_training():
    d = run_notebook("icl")
    cov, s2 = d["cov"], float(d["s2"])
    for n, theory in zip(d["context_lengths"], d["risk_rows"]["theory R*"]):
        gamma = (1 + 1 / n) * cov + (np.trace(cov) + s2) / n * np.eye(len(cov))  # Mahankali et al. 2024, Thm 1
        assert theory == pytest.approx(s2 + np.trace(cov) - np.trace(cov @ cov @ np.linalg.inv(gamma)), rel=1e-10)
    mc, se = d["risk_rows"]["Γ⁻¹ step (MC)"], d["risk_rows"]["theory R*"]
    z = np.abs(mc - se) / d["risk_se"]["Γ⁻¹ step (MC)"]
    assert np.all(z < 4.5)  # Monte Carlo agrees with R* (4.5 σ over six lengths: false alarm < 1e-4)
    plain = d["risk_rows"]["best plain step c*I (MC)"]
    assert np.all(plain >= se - 4.5 * d["risk_se"]["best plain step c*I (MC)"])  # no step beats the optimum
    # perturbing Γ⁻¹ in any direction raises the risk: the centre of each curve is its minimum, equal to R*
    pr = d["perturbed_risks"]
    centre = pr.shape[1] // 2
    assert np.allclose(pr[:, centre], d["risk_star"], rtol=1e-10)
    assert np.all(pr.min(axis=1) >= d["risk_star"] * (1 - 1e-12))
    # the trained LSA approaches Γ⁻¹ (not Σ⁻¹)
    assert d["relative_distance"] < 0.1
    gi, si = d["gamma_inv"], d["sigma_inv_scaled"]
    assert np.linalg.norm(d["trained_K"] - gi) < 0.5 * np.linalg.norm(d["trained_K"] - si)
    risk, risk_se = d["trained_risk"]
    assert abs(risk - d["risk_star"]) < 0.1 * d["risk_star"] + 4.5 * risk_se


def test_own_claim_verdicts():
    d = run_notebook("own_claim")
    assert d["verdict"] == "PASS" and d["seed_verdicts"] == {0: "PASS", 1: "PASS", 2: "PASS"} and d["seeds_agree"]
    assert d["n_cases"] == 5 * d["pairs_per_family"] == 1000
    # Pinsker is a theorem: every slack ≥ 0, and the near-ties come close to the sharp constant
    assert 0 <= d["statement_worst_slack"] < 1e-3 and 0.99 < d["ratio_max"] <= 1 + 1e-12
    assert d["statement_slacks"].min() == d["statement_worst_slack"]  # the plot shows the check's own cases
    assert d["control_slacks"].min() == d["control_worst_slack"] <= -0.01
    assert d["control_margin"] > 1
    # what the dropdowns promise: a broken statement FAILs, a barely wrong control is WEAK, a true one BROKEN
    from theorylab.engine import evaluate

    base = d["own_claim"]

    def variant(statement_slack, constant, fresh=False):
        def check(ctx):
            tally = ctx.tally()
            if ctx.control and fresh:
                ctx.rng.random()
            for family, p, q in d["pinsker_cases"](ctx.rng, 40):
                tv, kl = d["tv_kl"](p, q)
                tally.add(constant * np.sqrt(kl / 2) - tv if ctx.control else statement_slack(tv, kl),
                          p=p, q=q, family=family)
            return tally.outcome()
        return dataclasses.replace(base, check=check)

    variants = d["STATEMENT_VARIANTS"]
    assert evaluate(variant(variants["pinsker"][1], 0.5), "quick", 3).verdict == "PASS"
    for key in ("c0.9", "noroot", "reversed"):
        assert evaluate(variant(variants[key][1], 0.5), "quick", 3).verdict == "FAIL", key
    assert evaluate(variant(variants["pinsker"][1], 0.99), "quick", 3).verdict == "WEAK"
    assert evaluate(variant(variants["pinsker"][1], 0.5, fresh=True), "quick", 3).verdict == "WEAK"
    assert evaluate(variant(variants["pinsker"][1], 2.0), "quick", 3).verdict == "BROKEN"


def test_diagonal_nets_regimes_and_stability():
    d = run_notebook("diagonal_nets")
    X, y, alpha = d["X"], d["y"], float(d["alpha"])
    # independent interpolators: min-ℓ2 = pseudo-inverse, min-ℓ1 by the linear programme β = b⁺ − b⁻ (HiGHS)
    assert np.allclose(d["beta_l2"], np.linalg.pinv(X) @ y, atol=1e-9)
    n, p = X.shape
    lp = optimize.linprog(np.ones(2 * p), A_eq=np.hstack([X, -X]), b_eq=y, bounds=(0, None), method="highs")
    assert np.abs(d["beta_l1"]).sum() == pytest.approx(lp.fun, rel=1e-7)
    # argmin Q_α interpolates and satisfies its KKT condition: ∇Q_α(β) = arcsinh(β/(2α²)) ∈ range(Xᵀ)
    bq = d["beta_q"]
    assert np.allclose(X @ bq, y, atol=1e-9)
    g = np.arcsinh(bq / (2 * alpha**2))
    coef = np.linalg.lstsq(X.T, g, rcond=None)[0]
    assert np.linalg.norm(X.T @ coef - g) <= 1e-8 * max(1.0, np.linalg.norm(g))
    # GD from scale α lands at argmin Q_α up to O(step), and at argmin Q_{α_eff} to second order
    assert d["gd_loss"] < 1e-20 and d["gd_to_q"] < 1e-2 and d["gd_to_q_eff"] < d["gd_to_q"] / 10
    assert 0.99 < d["alpha_eff_ratio"] <= 1
    # α → 0: min-ℓ1 (rich); α → ∞: min-ℓ2 (kernel); the distances are monotone in between
    l1, l2 = d["dist_l1_curve"], d["dist_l2_curve"]
    assert np.all(np.diff(l1) >= -1e-9) and np.all(np.diff(l2) <= 1e-9)
    assert l1[0] < 1e-3 and l2[-1] <= 1e-6
    # SGD stability at the chosen step: the necessary conditions hold at the point SGD converged to, while the
    # sharper point GD finds has tr H > 2/η (Wu & Su): GD needs only λ_max ≤ 2/η
    assert d["sgd_outcome"] == "converged" and d["sgd_conditions_hold"]
    assert d["sgd_trace"] <= d["two_over_eta"] and d["eta"] <= d["sgd_bound_16"]
    assert d["gd_outcome"] == "converged" and d["gd_lambda_max"] <= d["two_over_eta"] < d["gd_trace"]
