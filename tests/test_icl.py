"""Tests of theorylab.settings.icl / icl_training and the in-context-regression claims."""
import numpy as np
import pytest
from scipy import integrate

from theorylab import InputError
from theorylab.settings import icl
from theorylab.settings import icl_training as tr

# (every claim passes at several seeds with a decisive control: tests/test_claims.py)


# --------------------------------------------------------------------------------------------- closed forms
def test_sanity_example():
    assert icl.optimal_step(5, 20) == pytest.approx(10 / 13, abs=1e-15)
    assert float(icl.optimal_risk(np.eye(5), 20)) == pytest.approx(15 / 13, abs=1e-13)


@pytest.mark.parametrize("d,n,s2", [(1, 1, 0.0), (5, 20, 0.3), (3, 7, 2.0)])
def test_isotropic_closed_forms(d, n, s2):
    assert float(icl.optimal_risk(np.eye(d), n, s2)) == pytest.approx(d * (d + 1 + s2) / (n + d + 1 + s2) + s2,
                                                                       rel=1e-13)
    eta = icl.optimal_step(d, n, s2)
    np.testing.assert_allclose(icl.optimal_preconditioner(np.eye(d), n, s2), eta * np.eye(d), rtol=1e-13)
    for e in (0.0, 0.3, eta, 1.7):
        assert float(icl.risk_of_step(e, d, n, s2)) == pytest.approx(
            float(icl.risk_of_preconditioner(e * np.eye(d), np.eye(d), n, s2)), rel=1e-12, abs=1e-13)
    # R(η) minimised at η* (scipy)
    from scipy.optimize import minimize_scalar
    opt = minimize_scalar(lambda e: float(icl.risk_of_step(e, d, n, s2)), bounds=(0, 2), method="bounded",
                          options={"xatol": 1e-12})
    assert opt.x == pytest.approx(eta, abs=1e-7)


def test_optimum_minimises_risk_numerically():
    rng = np.random.default_rng(1)
    M = rng.standard_normal((3, 3))
    cov = M @ M.T + 0.3 * np.eye(3)
    from scipy.optimize import minimize
    f = lambda k: float(icl.risk_of_preconditioner(k.reshape(3, 3), cov, 5, 0.7, 1.3))
    res = minimize(f, np.zeros(9), method="BFGS", options={"gtol": 1e-11})
    np.testing.assert_allclose(res.x.reshape(3, 3), icl.optimal_preconditioner(cov, 5, 0.7, 1.3), atol=1e-5)
    assert res.fun == pytest.approx(float(icl.optimal_risk(cov, 5, 0.7, 1.3)), rel=1e-9)
    # eigen form R* = σ² + ψ² Σ λ(1 − λ/γ)
    lam = np.linalg.eigvalsh(cov)
    gam = ((5 + 1) * lam + lam.sum() + 0.7 / 1.3) / 5
    assert float(icl.optimal_risk(cov, 5, 0.7, 1.3)) == pytest.approx(0.7 + 1.3 * np.sum(lam * (1 - lam / gam)))


def test_inverse_covariance_prior_closed_form():
    cov = np.diag([0.5, 2.0, 3.0])
    K = icl.optimal_preconditioner(cov, 7, 0.4, weight_prior="inverse-covariance")
    np.testing.assert_allclose(K, 7 / (7 + 3 + 1 + 0.4) * np.linalg.inv(cov), rtol=1e-12)
    assert float(icl.optimal_risk(cov, 7, 0.4, weight_prior="inverse-covariance")) == pytest.approx(
        float(icl.optimal_risk(np.eye(3), 7, 0.4)), rel=1e-12)


def test_risk_at_length():
    cov = np.diag([0.3, 1.0, 2.5])
    for N in (1, 4, 30):
        assert float(icl.risk_at_length(cov, N, N)) == pytest.approx(float(icl.optimal_risk(cov, N)), rel=1e-12)
        Gi = np.linalg.inv(np.asarray(icl.gamma_matrix(cov, N)))
        for M in (1, 3, 100):  # same as the general R(K) at test length M
            assert float(icl.risk_at_length(cov, N, M)) == pytest.approx(
                float(icl.risk_of_preconditioner(Gi, cov, M)), rel=1e-12)
        alt = np.trace(cov @ Gi @ Gi @ (cov + np.trace(cov) * np.eye(3)) @ (cov + np.trace(cov) * np.eye(3))) / N**2
        assert float(icl.length_shift_bias(cov, N)) == pytest.approx(alt, rel=1e-12)
        assert float(icl.length_shift_bias(cov, N)) > 0
    d, N, M = 4, 8, 50
    iso = d * (d + 1) ** 2 / (N + d + 1) ** 2 + d * (d + 1) * N**2 / (M * (N + d + 1) ** 2)
    assert float(icl.risk_at_length(np.eye(d), N, M)) == pytest.approx(iso, rel=1e-12)


def test_link_step_quadrature():
    for d, n, s2 in ((2, 3, 0.0), (5, 11, 0.8)):  # identity link recovers the linear step
        assert icl.link_step(lambda u: u, d, n, s2) == pytest.approx(icl.optimal_step(d, n, s2), rel=1e-12)
    # tanh: E||g||^2 by independent nested quadrature over r ~ chi_d and s ~ N(0,1)
    from scipy.stats import chi, norm
    d = 3
    inner = lambda r: integrate.quad(lambda s: np.tanh(r * s) * s * norm.pdf(s), -12, 12)[0]
    eg2 = integrate.quad(lambda r: inner(r) ** 2 * chi.pdf(r, d), 0, 15)[0]
    assert icl.link_moments(np.tanh, d)[0] == pytest.approx(eg2, rel=1e-6)


def test_uniform_optimum_matches_moments():
    eta, R = icl.uniform_input_optimum(3, 5, 2.0)
    s2, m4 = 4 / 3, 16 / 5
    c = (m4 + 2 * s2**2) / 5 + (1 - 1 / 5) * s2**2
    assert eta == pytest.approx(s2 / c) and R == pytest.approx(3 * s2 * (1 - s2**2 / c))
    assert icl.moment_step(4, 9, 1.0, 3.0)[0] == pytest.approx(icl.optimal_step(4, 9), rel=1e-13)


# --------------------------------------------------------------------------------------------- forward passes
def test_forward_gd_layer_is_one_step():
    rng = np.random.default_rng(2)
    pr = icl.sample_prompts(50, 6, 3, rng, noise_var=0.2)
    K = rng.standard_normal((3, 3))
    P, Q = icl.gd_layer(K)
    direct = np.einsum("bi,ij,bj->b", pr.moment(), K, pr.x_query)
    np.testing.assert_allclose(icl.lsa_predict(P, Q, pr.matrix()), direct, rtol=1e-12, atol=1e-12)
    Pa, Qa = icl.gd_layer(K, sign=-1.0)  # Ahn et al. convention reads −[Z]
    P2, Q2 = icl.acds_to_zfb(Pa, Qa)
    np.testing.assert_allclose(icl.lsa_predict(P2, Q2, pr.matrix()), direct, rtol=1e-12, atol=1e-12)


def test_unmasked_with_gd_blocks_equals_masked():
    rng = np.random.default_rng(3)
    pr = icl.sample_prompts(20, 5, 2, rng)
    P, Q = icl.gd_layer(rng.standard_normal((2, 2)))
    np.testing.assert_allclose(icl.lsa_predict(P, Q, pr.matrix(), mask=False),
                               icl.lsa_predict(P, Q, pr.matrix(), mask=True), rtol=1e-12)


def test_lsa_forward_array_api_strict():
    xps = pytest.importorskip("array_api_strict")
    rng = np.random.default_rng(4)
    pr = icl.sample_prompts(4, 5, 3, rng)
    P, Q = rng.standard_normal((4, 4)), rng.standard_normal((4, 4))
    ref = icl.lsa_forward(P, Q, pr.matrix())
    out = icl.lsa_forward(xps.asarray(P), xps.asarray(Q), xps.asarray(pr.matrix()))
    np.testing.assert_allclose(np.asarray(out), ref, rtol=1e-13)
    cov = np.diag([0.5, 1.0, 2.0])
    np.testing.assert_allclose(np.asarray(icl.optimal_preconditioner(xps.asarray(cov), 4)),
                               icl.optimal_preconditioner(cov, 4), rtol=1e-13)
    assert float(icl.optimal_risk(xps.asarray(cov), 4, 0.3)) == pytest.approx(float(icl.optimal_risk(cov, 4, 0.3)))
    assert float(icl.risk_at_length(xps.asarray(cov), 4, 9)) == pytest.approx(float(icl.risk_at_length(cov, 4, 9)))


def test_multilayer_matches_ahn_lemma():
    rng = np.random.default_rng(5)
    pr = icl.sample_prompts(8, 7, 3, rng)
    As = [0.3 * rng.standard_normal((3, 3)) for _ in range(3)]
    layers = [icl.gd_layer(A, -1.0) for A in As]
    states = icl.lsa_multilayer([p for p, _ in layers], [q for _, q in layers], pr.matrix())
    preds, _ = icl.preconditioned_gd_path(As, pr.X, pr.y, pr.x_query)
    np.testing.assert_allclose(-states[-1][:, -1, -1], preds[-1], rtol=1e-11, atol=1e-13)


# --------------------------------------------------------------------------------------------- fast path, training
@pytest.mark.parametrize("mask", [True, False])
def test_numba_loss_grad_agrees(mask):
    rng = np.random.default_rng(6)
    pr = icl.sample_prompts(300, 6, 3, rng, covariance=np.diag([0.5, 1.0, 2.0]), noise_var=0.3)
    b, A = rng.standard_normal(4), rng.standard_normal((4, 3))
    f, r = tr.loss_grad(pr, b, A, mask, fast=True), tr.loss_grad(pr, b, A, mask, fast=False)
    assert f[0] == pytest.approx(r[0], rel=1e-12)
    np.testing.assert_allclose(f[1], r[1], rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(f[2], r[2], rtol=1e-11, atol=1e-12)
    # the loss is the mean squared error of the full forward pass
    P, Q = np.zeros((4, 4)), np.zeros((4, 4))
    P[-1], Q[:, :3] = b, A
    assert f[0] == pytest.approx(np.mean((icl.lsa_predict(P, Q, pr.matrix(), mask) - pr.y_query) ** 2), rel=1e-12)
    # gradient against central finite differences
    eps = 1e-6
    for i in range(4):
        e = np.zeros(4); e[i] = eps
        fd = (tr.loss_grad(pr, b + e, A, mask)[0] - tr.loss_grad(pr, b - e, A, mask)[0]) / (2 * eps)
        assert fd == pytest.approx(f[1][i], rel=1e-5, abs=1e-7)


def test_training_deterministic_and_fast_equals_reference():
    kw = dict(steps=30, batch_size=64, lr=1e-2)
    a = tr.train_lsa(2, 4, np.random.default_rng(7), **kw)
    b = tr.train_lsa(2, 4, np.random.default_rng(7), **kw)
    c = tr.train_lsa(2, 4, np.random.default_rng(7), fast=False, **kw)
    np.testing.assert_array_equal(a.b, b.b)
    np.testing.assert_array_equal(a.A, b.A)
    np.testing.assert_allclose(a.A, c.A, rtol=1e-9, atol=1e-12)
    assert isinstance(icl.train_lsa(2, 4, np.random.default_rng(7), **kw), icl.TrainResult)


def test_zfb_flow_conserves_and_converges():
    cov = np.diag([0.5, 1.0, 2.0])
    u0, U0 = tr.zfb_initialisation(np.eye(3) / 3**0.25, 0.2)  # ||ΘΘᵀ||_F = 1
    sol = tr.zfb_gradient_flow(cov, 5, u0, U0)
    assert sol.success
    assert abs(sol.u[-1] - tr.zfb_limit(cov, 5)) < 1e-8
    assert np.max(np.abs(sol.conserved)) < 1e-9
    assert np.all(np.diff(sol.loss) <= 1e-12)  # gradient flow decreases the loss
    assert sol.loss[-1] == pytest.approx(0.5 * float(icl.optimal_risk(cov, 5)), rel=1e-9)


def test_von_oswald_matches_gd():
    rng = np.random.default_rng(8)
    X, Y, xq = rng.standard_normal((3, 6, 4)), rng.standard_normal((3, 6, 2)), rng.standard_normal((3, 4))
    W0 = rng.standard_normal((2, 4))
    WK, WQ, WV, P = icl.von_oswald_construction(W0, 0.4, 6)
    _, q = icl.von_oswald_layer(np.concatenate([X, Y], 2), np.concatenate([xq, -xq @ W0.T], 1), WK, WQ, WV, P)
    np.testing.assert_allclose(-q[:, 4:], icl.gd_step_prediction(W0, 0.4, X, Y, xq), rtol=1e-12)


def test_bayes_noiseless_min_norm():
    rng = np.random.default_rng(9)
    pr = icl.sample_prompts(2000, 3, 5, rng)
    out = icl.bayes_risk(pr, 0.0)
    assert out["semi_exact"][0] == pytest.approx(5 - 3, rel=1e-9)  # ψ² max(d − n, 0)
    assert abs(out["mc"][0] - 2.0) < 4 * out["mc"][1]


def test_sampler_moments_and_determinism():
    cov = np.array([[2.0, 0.5], [0.5, 1.0]])
    a = icl.sample_prompts(40_000, 3, 2, np.random.default_rng(10), covariance=cov, weight_prior="inverse-covariance")
    b = icl.sample_prompts(40_000, 3, 2, np.random.default_rng(10), covariance=cov, weight_prior="inverse-covariance")
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_allclose(np.cov(a.X.reshape(-1, 2).T), cov, atol=0.03)
    np.testing.assert_allclose(np.cov(a.w.T), np.linalg.inv(cov), atol=0.03)
    Z = a.matrix()
    assert Z.shape == (40_000, 3, 4) and np.all(Z[:, 2, 3] == 0)
    u = icl.sample_prompts(1000, 2, 3, np.random.default_rng(0), inputs="uniform", input_range=2.0)
    assert np.max(np.abs(u.X)) <= 2.0


# --------------------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("call,match", [
    (lambda: icl.optimal_risk(np.diag([1.0, -1.0]), 3), "positive definite"),
    (lambda: icl.optimal_risk(np.array([[1.0, 2.0], [0.0, 1.0]]), 3), "symmetric"),
    (lambda: icl.optimal_risk(np.ones((2, 3)), 3), "square"),
    (lambda: icl.optimal_preconditioner(np.eye(2), 0), "n=0"),
    (lambda: icl.optimal_step(0, 3), "d=0"),
    (lambda: icl.optimal_step(2, 3, -0.1), "noise_var"),
    (lambda: icl.sample_prompts(5, 3, 2, np.random.default_rng(0), covariance=np.eye(3)), "d=2"),
    (lambda: icl.sample_prompts(5, 3, 2, np.random.default_rng(0), noise_var=-1), "noise_var"),
    (lambda: icl.sample_prompts(5, 0, 2, np.random.default_rng(0)), "n=0"),
    (lambda: icl.sample_prompts(5, 3, 2, 0), "rng"),
    (lambda: icl.lsa_forward(np.eye(3), np.eye(4), np.zeros((4, 5))), "P has shape"),
    (lambda: icl.risk_of_preconditioner(np.eye(3), np.eye(2), 4), "K has shape"),
    (lambda: icl.optimal_risk(np.array([[np.nan, 0], [0, 1.0]]), 3), "NaN"),
    (lambda: tr.train_lsa(2, 3, np.random.default_rng(0), steps=0), "steps"),
])
def test_bad_input(call, match):
    with pytest.raises(InputError, match=match) as info:
        call()
    assert "\n" not in str(info.value)


def test_ratio_standard_error_matches_replicates():
    """The delta-method SE used by vonoswald2023/trained-alignment agrees with the spread over replicates."""
    import importlib

    vo = importlib.import_module("verifications.vonoswald2023_gd")
    rng = np.random.default_rng(11)
    ratios, ses = [], []
    for _ in range(400):
        b = rng.exponential(1.0, 500)
        a = 0.1 * b + rng.exponential(0.05, 500)
        r, se = vo._ratio_se(a, b)
        ratios.append(r)
        ses.append(se)
    assert np.mean(ses) == pytest.approx(np.std(ratios, ddof=1), rel=0.15)


def test_bayes_risk_below_inverse_wishart_ceiling():
    """far-from-bayes floor: ridge risk ≤ σ²(1 + d/(n−d−1)) (E tr(XᵀX)⁻¹ = d/(n−d−1)), and the LSA optimum above."""
    d, n, s2 = 4, 12, 0.5
    pr = icl.sample_prompts(20_000, n, d, np.random.default_rng(12), noise_var=s2)
    semi, se = icl.bayes_risk(pr, s2)["semi_exact"]
    ceiling = s2 * (1 + d / (n - d - 1))
    assert semi + 4 * se < ceiling
    XtX = np.einsum("bni,bnj->bij", pr.X, pr.X)
    m, s = icl.mean_se(np.trace(np.linalg.inv(XtX), axis1=1, axis2=2))
    assert abs(m - d / (n - d - 1)) < 4 * s
    assert float(icl.optimal_risk(np.eye(d), n, s2)) - ceiling > 0.9
