"""Tests of theorylab.settings.icl.lsa (LSA forward passes and GD constructions)."""
import numpy as np
import pytest

from theorylab.settings import icl


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


def test_von_oswald_matches_gd():
    rng = np.random.default_rng(8)
    X, Y, xq = rng.standard_normal((3, 6, 4)), rng.standard_normal((3, 6, 2)), rng.standard_normal((3, 4))
    W0 = rng.standard_normal((2, 4))
    WK, WQ, WV, P = icl.von_oswald_construction(W0, 0.4, 6)
    _, q = icl.von_oswald_layer(np.concatenate([X, Y], 2), np.concatenate([xq, -xq @ W0.T], 1), WK, WQ, WV, P)
    np.testing.assert_allclose(-q[:, 4:], icl.gd_step_prediction(W0, 0.4, X, Y, xq), rtol=1e-12)
