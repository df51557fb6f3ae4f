"""Multi-class losses from a user callable (theorylab.losses.callable_loss) and the catalogue built on them.

Closed forms against the numerics: the callable cross-entropy against the built-in CompSumLoss(1) (values,
gradients, C*, the tight transform of the structured search); the quadratic surrogate of Osokin, Bach,
Lacoste-Julien (NeurIPS 2017) through the joint search against the transform derived by hand,
T(t) = t²/(4n); C* of losses unbounded below reported as −inf (and of a loss whose infimum is at infinity not);
the catalogue's loss values against the papers' formulas written out here; the probe's one-line errors.
"""
import numpy as np
import pytest

from theorylab import InputError
from theorylab.losses.callable_loss import CallableLoss, comp_sum_from_psi, multiclass_loss
from theorylab.losses.catalogue_multiclass import MULTICLASS_CATALOGUE
from theorylab.losses.compsum import CompSumLoss, psi_tau
from theorylab.theory.tight.search import tight_transform


def _ce(scores, labels):
    z = scores - scores.max(-1, keepdims=True)
    ls = z - np.log(np.exp(z).sum(-1, keepdims=True))
    return -ls[np.arange(labels.shape[0]), labels]


def _osokin(f, y):
    n = f.shape[1]
    wrong = np.ones_like(f)
    wrong[np.arange(f.shape[0]), y] = 0.0
    return ((f + wrong) ** 2).sum(-1) / (2.0 * n)


CE = multiclass_loss(_ce, "ce_callable", convex=True)
OSOKIN = multiclass_loss(_osokin, "osokin", convex=True)


# --------------------------------------------------------------------------- cross-entropy reproduced


def test_callable_cross_entropy_values_and_gradients_match_the_builtin():
    rng = np.random.default_rng(0)
    ref = CompSumLoss(1.0)
    h, y = rng.normal(0, 2.0, (7, 4)), rng.integers(0, 4, 7)
    np.testing.assert_allclose(CE.value(h, y), ref.value(h, y), rtol=1e-14, atol=0)
    v, g = CE.value_and_grad(h, y)
    _, g_ref = ref.value_and_grad(h, y)
    np.testing.assert_allclose(v, ref.value(h, y), rtol=1e-14)
    np.testing.assert_allclose(g, g_ref, rtol=0, atol=1e-9)  # central differences: O(δ²) with δ ≈ 6e-6·|h|
    P = rng.dirichlet(np.ones(4), 5)
    np.testing.assert_allclose(CE.conditional_risk(P, h[:5]), ref.conditional_risk(P, h[:5]), rtol=1e-13)


@pytest.mark.parametrize("p", [[0.2, 0.3, 0.5], [0.5, 0.5, 0.0], [1.0, 0.0, 0.0], [0.1, 0.2, 0.3, 0.4],
                               [0.97, 0.01, 0.01, 0.01]])
def test_callable_cross_entropy_best_risk_is_the_entropy(p):
    """C*(p) = H(p) = −Σ p log p (the builtin's closed form), also where the infimum is at infinity (zeros in p)."""
    p = np.array(p)
    cstar = CE.best_conditional_risk(p)
    assert cstar == pytest.approx(float(CompSumLoss(1.0).best_conditional_risk(p)), rel=1e-12, abs=1e-12)
    assert float(CE.conditional_risk(p, CE.best_scores(p))) == pytest.approx(cstar, abs=1e-15)


@pytest.mark.parametrize("t", [0.1, 0.5])
def test_callable_cross_entropy_tight_transform_matches_the_structured_search(t):
    """The joint (nested) search on the callable against the built-in's closed-form comp-sum search and the
    closed form ½[(1+t)log(1+t) + (1−t)log(1−t)] (Mao, Mohri, Zhong 2023): relative 1e-9."""
    closed = 0.5 * ((1 + t) * np.log1p(t) + (1 - t) * np.log1p(-t))
    v, w = tight_transform(CE, t, 3)
    ref, _ = tight_transform(CompSumLoss(1.0), t, 3)
    assert ref == pytest.approx(closed, rel=1e-9)
    assert v == pytest.approx(ref, rel=1e-9)
    assert w["p"][1] - w["p"][0] == pytest.approx(t, abs=1e-12) and w["h"][0] == w["h"].max()


def test_comp_sum_from_psi_reproduces_the_comp_sum_family():
    rng = np.random.default_rng(1)
    h, y = rng.normal(0, 1.5, (6, 3)), rng.integers(0, 3, 6)
    for tau in (1.0, 1.5, 3.0):
        loss = comp_sum_from_psi(lambda s, tau=tau: np.asarray(psi_tau(s, tau), dtype=np.float64))
        np.testing.assert_allclose(loss.value(h, y), CompSumLoss(tau).value(h, y), rtol=1e-12, atol=1e-15)
        p = np.array([0.15, 0.35, 0.5])
        assert loss.best_conditional_risk(p) == pytest.approx(float(CompSumLoss(tau).best_conditional_risk(p)),
                                                              rel=1e-9, abs=1e-12)
    assert isinstance(loss, CallableLoss) and loss.name == "comp_sum_psi(psi)"


# ------------------------------------------------------- Osokin's quadratic surrogate: a hand-derived T


def test_osokin_quadratic_best_risk_and_minimiser_closed_forms():
    """C(f, p) = (1/(2n)) Σ_c [f_c² + 2 f_c (1 − p_c) + (1 − p_c)]: minimiser f = p − 1, C* = (1/(2n)) Σ p(1 − p)."""
    rng = np.random.default_rng(2)
    for n in (3, 4):
        for p in rng.dirichlet(np.ones(n), 3):
            assert OSOKIN.best_conditional_risk(p) == pytest.approx((p * (1 - p)).sum() / (2 * n), rel=1e-12)
            np.testing.assert_allclose(OSOKIN.best_scores(p), p - 1.0, atol=1e-6)
    h, y = rng.normal(0, 1, (5, 4)), rng.integers(0, 4, 5)
    wrong = np.ones((5, 4))
    wrong[np.arange(5), y] = 0.0
    _, g = OSOKIN.value_and_grad(h, y)
    np.testing.assert_allclose(g, (h + wrong) / 4.0, rtol=0, atol=1e-9)


@pytest.mark.parametrize("n", [3, 4])
@pytest.mark.parametrize("t", [0.05, 0.3, 0.7, 1.0])
def test_tight_transform_of_a_user_callable_reproduces_the_hand_derived_form(n, t):
    """C(f, p) − C*(p) = (1/(2n))‖f + 1 − p‖²; with argmax f = 0 and p_1 − p_0 = t the infimum is
    (1/(2n))·2·(t/2)² = t²/(4n) (f_0 = f_1 = (p_0 + p_1)/2 − 1, f_j = p_j − 1). Relative tolerance 1e-8."""
    v, w = tight_transform(OSOKIN, t, n)
    assert v == pytest.approx(t * t / (4 * n), rel=1e-8)
    p, h = w["p"], w["h"]
    assert p[1] - p[0] == pytest.approx(t, abs=1e-12) and np.argmax(p) == 1
    assert h[0] >= h.max() - 1e-12  # the witness predicts class 0 (ties allowed)
    direct = float(OSOKIN.conditional_risk(p, h)) - (p * (1 - p)).sum() / (2 * n)
    assert direct == pytest.approx(v, rel=1e-8)


# ------------------------------------------------------------------------------ unbounded below


def test_best_risk_of_a_loss_unbounded_below_is_minus_inf():
    p = np.array([0.2, 0.3, 0.5])
    linear = multiclass_loss(lambda h, y: -h[np.arange(h.shape[0]), y], "linear")  # −h_y → −∞ linearly
    logdiv = multiclass_loss(lambda h, y: -np.log1p(h[np.arange(h.shape[0]), y] ** 2), "logdiv")  # → −∞ as log
    assert linear.best_conditional_risk(p) == -np.inf
    assert logdiv.best_conditional_risk(p) == -np.inf
    with pytest.raises(InputError, match="unbounded below"):
        tight_transform(linear, 0.3, 3)


def test_an_infimum_at_infinity_is_not_mistaken_for_minus_inf():
    """Controls: cross-entropy at p with zeros (C* = H(p), reached as h → −∞ off the support) and the normalised
    cross-entropy at p = e_1 (C* = 0 approached like 1/|h|) are finite, not −inf."""
    assert CE.best_conditional_risk(np.array([0.5, 0.5, 0.0])) == pytest.approx(np.log(2), rel=1e-12)
    nce = MULTICLASS_CATALOGUE["normalized_ce"].loss
    v = nce.best_conditional_risk(np.array([0.0, 1.0, 0.0]))
    assert 0.0 <= v < 1e-8


# ------------------------------------------------------------------------------ the catalogue's values


def test_catalogue_values_match_the_papers_formulas():
    rng = np.random.default_rng(3)
    h, y = rng.normal(0, 1.5, (6, 3)), rng.integers(0, 3, 6)
    s = np.exp(h) / np.exp(h).sum(-1, keepdims=True)
    sy = s[np.arange(6), y]
    onehot = np.eye(3)[y]
    expected = {
        "cross_entropy": -np.log(sy),
        "mae": 1 - sy,
        "gce": (1 - sy ** 0.7) / 0.7,
        "focal": -(1 - sy) ** 2 * np.log(sy),
        "label_smoothing": -(((1 - 0.1) * onehot + 0.1 / 3) * np.log(s)).sum(-1),
        "poly1": -np.log(sy) + (1 - sy),
        "symmetric_ce": 0.1 * -np.log(sy) - 1.0 * (s * np.log(np.where(onehot > 0, 1.0, np.exp(-4.0)))).sum(-1),
        "taylor_ce": (1 - sy) + (1 - sy) ** 2 / 2,
        "normalized_ce": np.log(sy) / np.log(s).sum(-1),
        "crammer_singer": np.max(np.where(onehot > 0, -np.inf,
                                          np.maximum(0, 1 - h[np.arange(6), y][:, None] + h)), axis=-1),
        "weston_watkins": np.where(onehot > 0, 0.0, np.maximum(0, 1 - h[np.arange(6), y][:, None] + h)).sum(-1),
        "one_vs_all_logistic": np.log1p(np.exp(-np.where(onehot > 0, 1.0, -1.0) * h)).sum(-1),
        "osokin_quadratic": ((h + 1 - onehot) ** 2).sum(-1) / 6,
    }
    for name, ref in expected.items():
        np.testing.assert_allclose(MULTICLASS_CATALOGUE[name].loss.value(h, y), ref, rtol=1e-12, atol=1e-14,
                                   err_msg=name)
    hc = h - h.mean(-1, keepdims=True)
    llw = np.where(onehot > 0, 0.0, np.maximum(0, 1 + hc)).sum(-1)
    np.testing.assert_allclose(MULTICLASS_CATALOGUE["lee_lin_wahba"].loss.value(hc, y), llw, rtol=1e-12)
    # the four losses of issue 13 have their values checked in tests/test_new_losses.py
    assert set(expected) | {"lee_lin_wahba", "stablemax_ce", "pass_at_4", "spherical_z_loss", "ce_logz"} == \
        set(MULTICLASS_CATALOGUE)
    for name, (loss, ref, verdict) in ((k, (e.loss, e.reference, e.literature)) for k, e in MULTICLASS_CATALOGUE.items()):
        assert isinstance(ref, str) and len(ref) > 40 and verdict in (True, False, None), name


# --------------------------------------------------------------------------------- declarations, errors


def test_conditional_risk_calls_fn_once_on_rows_repeated_per_label():
    calls = []

    def spy(h, y):
        calls.append((h.shape, y.tolist()))
        return _ce(h, y)

    loss = multiclass_loss(spy, "spy")
    calls.clear()
    rng = np.random.default_rng(4)
    P, H = rng.dirichlet(np.ones(3), 5), rng.normal(0, 1, (5, 3))
    c = loss.conditional_risk(P, H)
    assert calls == [((15, 3), [0, 1, 2] * 5)]
    np.testing.assert_allclose(c, (P * np.stack([_ce(H, np.full(5, k)) for k in range(3)], 1)).sum(1), rtol=1e-14)
    # a label of probability 0 with an infinite loss is left out (not 0·∞ = NaN)
    assert CE.conditional_risk(np.array([0.5, 0.5, 0.0]), np.array([0.0, 0.0, -1e6])) == pytest.approx(np.log(2))


def test_catalogue_declarations_hold():
    """Declared convex ⇒ midpoint convexity on random pairs; declared bounded ⇒ finite at huge scores; and the
    negative control: focal (declared non-convex) violates midpoint convexity somewhere."""
    rng = np.random.default_rng(5)
    y = rng.integers(0, 3, 200)
    for name, loss in ((k, e.loss) for k, e in MULTICLASS_CATALOGUE.items()):
        if loss.constrained:
            continue
        if loss.convex:
            a, b = rng.normal(0, 3, (200, 3)), rng.normal(0, 3, (200, 3))
            assert np.all(loss.value((a + b) / 2, y) <= (loss.value(a, y) + loss.value(b, y)) / 2 + 1e-12), name
        if loss.bounded:
            assert np.all(np.isfinite(loss.value(rng.normal(0, 1e3, (200, 3)), y))), name
    focal = MULTICLASS_CATALOGUE["focal"].loss
    a, b = np.array([[-7.0, 0.0, 0.0]]), np.array([[-2.5, 0.0, 0.0]])  # far on the wrong side: concave there
    lab = np.array([0])
    assert not focal.convex
    assert focal.value((a + b) / 2, lab)[0] > (focal.value(a, lab)[0] + focal.value(b, lab)[0]) / 2 + 0.03


def test_declarations():
    loss = multiclass_loss(_ce, convex=True, params={"tau": 1.0})
    assert loss.name == "_ce" and loss.convex and not loss.bounded and loss.params == {"tau": 1.0}
    assert loss.n_classes is None and not loss.is_margin and loss.tight_search == "joint"
    assert not loss.has_closed_best_risk and loss.sympy_form() is None and loss.fn is _ce
    assert multiclass_loss(lambda h, y: h.sum(-1) ** 2).name == "callable_loss"
    three = multiclass_loss(lambda h, y: h[:, 0] + h[:, 1] + h[:, 2], "three", n_classes=3)
    assert three.n_classes == 3
    with pytest.raises(InputError, match="n_classes=3"):
        three.value(np.zeros((1, 4)), np.array([0]))


@pytest.mark.parametrize("call, match", [
    (lambda: multiclass_loss(3), r"^fn=3 is not allowed"),
    (lambda: multiclass_loss(lambda h, y: 1 / 0), r"^fn raised ZeroDivisionError"),
    (lambda: multiclass_loss(lambda h, y: h), r"^fn returned shape \(6, 3\).*\(6,\) are required"),
    (lambda: multiclass_loss(lambda h, y: y), r"^fn returned dtype int64"),
    (lambda: multiclass_loss(lambda h, y: h[:, 0] + 1j), r"^fn returned dtype complex128"),
    (lambda: multiclass_loss(lambda h, y: np.where(h[:, 0] > 0, np.inf, 1.0)), r"^fn returned non-finite losses"),
    (lambda: multiclass_loss(lambda h, y: h @ np.ones(3)), r"^fn raised ValueError.*shape \(8, 4\)"),
    (lambda: multiclass_loss(_ce, name=""), r"^name=''"),
    (lambda: multiclass_loss(_ce, convex="yes"), r"convex"),
    (lambda: multiclass_loss(_ce, params=[1]), r"^params=\[1\]"),
    (lambda: multiclass_loss(_ce, n_classes=1), r"n_classes"),
    (lambda: comp_sum_from_psi("log"), r"^psi='log' is not allowed"),
    (lambda: comp_sum_from_psi(lambda s: s.sum()), r"^psi returned"),
    (lambda: CE.value(np.zeros(3), np.array([0])), r"scores has shape"),
    (lambda: CE.conditional_risk(np.ones(3) / 3, np.zeros(2)), r"classes"),
    (lambda: CE.best_conditional_risk(np.array([0.5, 0.6, 0.0])), r"^p=.*does not sum to 1"),
    (lambda: CE.best_conditional_risk(np.ones(3) / 3, n_random=-1), r"n_random"),
    (lambda: CE.best_scores(np.ones((2, 3)) / 3), r"one probability vector"),
])
def test_bad_input_is_a_one_line_error(call, match):
    with pytest.raises(InputError, match=match) as info:
        call()
    assert "\n" not in str(info.value)
