"""Every public function that declares array-API support, run under array-api-strict on a non-default device.

The ``xp``/device fixture of issue 11: each entry of :data:`REGISTRY` is called twice, once on NumPy float64
inputs (the reference values) and once on array-api-strict inputs on ``Device("device1")`` in float32 and in
float64 (standing in for CuPy on a second GPU or torch on CUDA). The test asserts that every array in the result

(a) belongs to the input's namespace and lies on the input's device (no creation call without ``device=``),
(b) keeps the input's floating dtype (float32 stays float32) unless the entry says the function documents an
    upcast,
(c) equals the NumPy float64 value within ``50·eps·scale`` (``eps`` of the input dtype, ``scale`` = 1 + the
    largest |reference| entry; entries whose float32 conditioning needs more say so with their own factor).

Integer labels come from NumPy (moved once by the functions) or from the target namespace, both are tried.
"""
from __future__ import annotations

import dataclasses
import importlib

import numpy as np
import pytest

xps = pytest.importorskip("array_api_strict")
from array_api_compat import array_namespace, device as device_of  # noqa: E402

from theorylab.losses import compsum as cs  # noqa: E402
from theorylab.losses import margin as mg  # noqa: E402
from theorylab.losses import multiclass as mc  # noqa: E402
from theorylab.losses import margin_loss, multiclass_loss  # noqa: E402
from theorylab.losses.compsum import CompSumLoss  # noqa: E402
from theorylab.losses.ldr import LDRKLLoss  # noqa: E402
from theorylab.losses import ldr_values  # noqa: E402
stablemax_mod = importlib.import_module("theorylab.losses.stablemax")  # the package re-exports a function of that name
from theorylab.losses.compsum_forms import phi_tau, psi_tau  # noqa: E402
from theorylab.losses.multiclass_forms import center_scores  # noqa: E402
from theorylab.settings import diagonal_net as dn  # noqa: E402
from theorylab.settings import icl  # noqa: E402

DEV = xps.Device("device1")
_R = np.random.default_rng(0)
H = _R.normal(size=(4, 3))                        # scores (batch, n)
LAB = np.array([0, 2, 1, 2])                      # labels
P3 = np.array([0.2, 0.5, 0.3])                    # a probability vector
PR = np.array([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]])  # rows of probability vectors
HC = H - H.mean(axis=1, keepdims=True)           # centred scores (constrained losses)
HR = _R.normal(size=(2, 3))
ALPHA = np.linspace(-2.0, 3.0, 7)                 # margins
PB = np.array([0.3, 0.7])
HB = np.array([0.4, -0.4])
PBR = np.array([[0.3, 0.7], [0.9, 0.1]])
HBR = np.array([[0.4, -0.4], [-1.0, 1.0]])
_B = _R.normal(size=(3, 3))
COV = _B @ _B.T / 3 + np.eye(3)                   # a covariance (d = 3)
XD = _R.normal(size=(4, 6))                       # diagonal net design n=4, d=6
BSTAR = np.array([1.0, 0.0, -0.5, 0.0, 0.0, 0.0])
YD = XD @ BSTAR
UD = 0.3 + 0.1 * np.arange(6.0)
VD = 0.2 + 0.05 * np.arange(6.0)
XI = _R.normal(size=(5, 3))                       # ICL prompt: n=5 examples in d=3
YI = XI @ np.array([0.5, -1.0, 0.2])
XQ = _R.normal(size=3)
Z = np.concatenate([np.vstack([XI.T, YI[None, :]]), np.append(XQ, 0.0)[:, None]], axis=1)  # (d+1, n+1)
PM = _R.normal(size=(4, 4))
QM = _R.normal(size=(4, 4))
A3 = np.eye(3) * 0.2 + 0.01 * _R.normal(size=(3, 3))


def _ce(h, y):
    m = h.max(axis=1)
    return m + np.log(np.exp(h - m[:, None]).sum(axis=1)) - h[np.arange(h.shape[0]), y]


_CE = multiclass_loss(_ce, "ce_callable")
_TANH = margin_loss("1 - tanh(a)", "one_minus_tanh")  # a formula loss: no closed C*, the numeric search


@dataclasses.dataclass
class Case:
    """One registry entry: ``call(A, L)`` with ``A`` moving a NumPy float array and ``L`` integer labels."""
    name: str
    call: object
    upcast: bool = False   # the function documents a float64 result for float32 inputs
    tol32: float = 50.0    # tolerance factor × eps × scale in float32


def _params(A):
    return dn.DiagonalParams(A(UD), A(VD))


REGISTRY = [
    # binary margin losses (MarginLoss methods)
    Case("margin.hinge.value", lambda A, L: mg.hinge.value(A(ALPHA))),
    Case("margin.logistic.value", lambda A, L: mg.logistic.value(A(ALPHA))),
    Case("margin.logistic.derivative", lambda A, L: mg.logistic.derivative(A(ALPHA))),
    Case("margin.exponential.second_derivative", lambda A, L: mg.exponential.second_derivative(A(ALPHA))),
    Case("margin.squared_hinge.value_and_grad", lambda A, L: mg.squared_hinge.value_and_grad(A(ALPHA))),
    Case("margin.sigmoid.value", lambda A, L: mg.sigmoid(2.0).value(A(ALPHA))),
    Case("margin.rho_margin.value", lambda A, L: mg.rho_margin(0.5).value(A(ALPHA))),
    Case("margin.logistic.conditional_risk", lambda A, L: mg.logistic.conditional_risk(A(PB), A(HB))),
    Case("margin.logistic.conditional_risk_rows", lambda A, L: mg.logistic.conditional_risk_rows(A(PBR), A(HBR))),
    Case("margin.exponential.best_conditional_risk", lambda A, L: mg.exponential.best_conditional_risk(A(PB))),
    Case("margin.hinge.best_conditional_risk_rows", lambda A, L: mg.hinge.best_conditional_risk_rows(A(PBR))),
    # comp-sum family
    Case("compsum.phi_tau", lambda A, L: phi_tau(A(np.abs(ALPHA)), 1.5)),
    Case("compsum.psi_tau", lambda A, L: psi_tau(A(np.array([0.1, 0.5, 0.9])), 0.5)),
    Case("compsum.log_softmax", lambda A, L: cs.log_softmax(A(H))),
    Case("compsum.comp_sum_loss", lambda A, L: cs.comp_sum_loss(A(H), L(LAB), 1.0)),
    Case("compsum.comp_sum_loss.gce", lambda A, L: cs.comp_sum_loss(A(H), L(LAB), 1.5)),
    Case("compsum.comp_sum_loss_and_grad", lambda A, L: cs.comp_sum_loss_and_grad(A(H), L(LAB), 0.5, fast=False)),
    Case("compsum.CompSumLoss.value", lambda A, L: CompSumLoss(1.0).value(A(H), L(LAB))),
    Case("compsum.CompSumLoss.value_and_grad",
         lambda A, L: CompSumLoss(0.0).value_and_grad(A(H), L(LAB), fast=False)),
    Case("compsum.CompSumLoss.conditional_risk", lambda A, L: CompSumLoss(1.0).conditional_risk(A(P3), A(H[0]))),
    Case("compsum.CompSumLoss.conditional_risk_rows",
         lambda A, L: CompSumLoss(1.0).conditional_risk_rows(A(PR), A(HR))),
    Case("compsum.CompSumLoss.best_conditional_risk", lambda A, L: CompSumLoss(1.0).best_conditional_risk(A(P3))),
    Case("compsum.CompSumLoss.best_conditional_risk_rows",
         lambda A, L: CompSumLoss(0.0).best_conditional_risk_rows(A(PR))),
    Case("compsum.CompSumLoss.best_scores", lambda A, L: CompSumLoss(1.0).best_scores(A(P3))),
    # multi-class max / sum / constrained losses
    Case("multiclass.center_scores", lambda A, L: center_scores(A(H))),
    Case("multiclass.max_loss", lambda A, L: mc.max_loss(A(H), L(LAB), "hinge")),
    Case("multiclass.sum_loss", lambda A, L: mc.sum_loss(A(H), L(LAB), "exponential")),
    Case("multiclass.constrained_loss", lambda A, L: mc.constrained_loss(A(HC), L(LAB), "squared_hinge")),
    Case("multiclass.sum.value_and_grad",
         lambda A, L: mc.from_margin("sum", "logistic").value_and_grad(A(H), L(LAB))),
    Case("multiclass.max.conditional_risk",
         lambda A, L: mc.from_margin("max", "hinge").conditional_risk(A(P3), A(H[0]))),
    Case("multiclass.sum.conditional_risk",
         lambda A, L: mc.from_margin("sum", "logistic").conditional_risk(A(P3), A(H[0]))),
    Case("multiclass.sum.conditional_risk_rows",
         lambda A, L: mc.from_margin("sum", "exponential").conditional_risk_rows(A(PR), A(HR))),
    Case("multiclass.constrained.best_conditional_risk_rows",
         lambda A, L: mc.from_margin("constrained", "hinge").best_conditional_risk_rows(A(PR))),
    # LDR-KL
    Case("ldr.ldr_kl_loss", lambda A, L: ldr_values.ldr_kl_loss(A(H), L(LAB), 0.7, 0.1)),
    Case("ldr.ldr_kl_weights", lambda A, L: ldr_values.ldr_kl_weights(A(H), L(LAB), 0.7, 0.1)),
    Case("ldr.LDRKLLoss.value_and_grad", lambda A, L: LDRKLLoss(0.7, 0.1).value_and_grad(A(H), L(LAB))),
    Case("ldr.LDRKLLoss.conditional_risk", lambda A, L: LDRKLLoss(0.7, 0.1).conditional_risk(A(P3), A(H[0]))),
    Case("ldr.LDRKLLoss.best_conditional_risk", lambda A, L: LDRKLLoss(0.7, 0.1).best_conditional_risk(A(PR))),
    Case("margin.formula.best_conditional_risk_rows", lambda A, L: _TANH.best_conditional_risk_rows(A(PBR))),
    Case("ldr.LDRKLLoss.conditional_risk_rows", lambda A, L: LDRKLLoss(0.7, 0.1).conditional_risk_rows(A(PR), A(HR))),
    # a user-written loss (NumPy callable, documented float64 results)
    Case("callable.value", lambda A, L: _CE.value(A(H), L(LAB)), upcast=True),
    Case("callable.value_and_grad", lambda A, L: _CE.value_and_grad(A(H), L(LAB)), upcast=True),
    Case("callable.conditional_risk", lambda A, L: _CE.conditional_risk(A(P3), A(H[0])), upcast=True),
    # ICL closed forms, LSA, von Oswald
    Case("icl.gamma_matrix", lambda A, L: icl.gamma_matrix(A(COV), 5, 0.1)),
    Case("icl.optimal_preconditioner", lambda A, L: icl.optimal_preconditioner(A(COV), 5, 0.1)),
    Case("icl.risk_of_preconditioner", lambda A, L: icl.risk_of_preconditioner(A(A3), A(COV), 5, 0.1)),
    Case("icl.optimal_risk", lambda A, L: icl.optimal_risk(A(COV), 5, 0.1)),
    Case("icl.risk_at_length", lambda A, L: icl.risk_at_length(A(COV), 5, 8)),
    Case("icl.length_shift_bias", lambda A, L: icl.length_shift_bias(A(COV), 5)),
    Case("icl.dist_to_identity", lambda A, L: icl.dist_to_identity(A(COV))),
    Case("icl.lsa_forward", lambda A, L: icl.lsa_forward(A(PM), A(QM), A(Z))),
    Case("icl.lsa_predict", lambda A, L: icl.lsa_predict(A(PM), A(QM), A(Z))),
    Case("icl.lsa_multilayer", lambda A, L: icl.lsa_multilayer([A(PM), A(PM)], [A(QM), A(QM)], A(Z))),
    Case("icl.gd_layer", lambda A, L: icl.gd_layer(A(A3))),
    Case("icl.acds_to_zfb", lambda A, L: icl.acds_to_zfb(*icl.gd_layer(A(A3)))),
    Case("icl.reduced_parameters", lambda A, L: icl.reduced_parameters(A(PM), A(QM))),
    Case("icl.preconditioned_gd_path", lambda A, L: icl.preconditioned_gd_path([A(A3), A(A3)], A(XI), A(YI), A(XQ))),
    Case("icl.von_oswald_construction", lambda A, L: icl.von_oswald_construction(A(np.zeros((1, 3))), 0.1, 5)),
    Case("icl.gd_step_prediction",
         lambda A, L: icl.gd_step_prediction(A(np.zeros((1, 3))), 0.1, A(XI), A(YI[:, None]), A(XQ))),
    Case("icl.risk_of_step", lambda A, L: icl.risk_of_step(A(np.array([0.1, 0.2])), 3, 5)),
    # diagonal linear networks
    Case("dn.predictor", lambda A, L: dn.predictor(_params(A))),
    Case("dn.train_loss", lambda A, L: dn.train_loss(A(XD), A(YD), A(BSTAR))),
    Case("dn.check_data", lambda A, L: dn.check_data(A(XD), A(YD))),
    Case("dn.q_entropy", lambda A, L: dn.q_entropy(A(ALPHA))),
    Case("dn.Q_alpha", lambda A, L: dn.Q_alpha(A(BSTAR), 0.5)),
    Case("dn.min_l2_interpolator", lambda A, L: dn.min_l2_interpolator(A(XD), A(YD))),
    Case("dn.min_l1_interpolator", lambda A, L: dn.min_l1_interpolator(A(XD), A(YD))),
    Case("dn.implicit_bias_solution", lambda A, L: dn.implicit_bias_solution(A(XD), A(YD), 0.5)),
    Case("dn.multiplicative_identity",
         lambda A, L: dn.multiplicative_identity(0.5, A(0.1 * ALPHA[:6]), A(-0.1 * ALPHA[:6]))),
    Case("dn.effective_alpha", lambda A, L: dn.effective_alpha(_params(A))),
    Case("dn.per_sample_jacobian", lambda A, L: dn.per_sample_jacobian(A(XD), _params(A))),
    Case("dn.hessian", lambda A, L: dn.hessian(A(XD), A(YD), _params(A))),
    Case("dn.hessian_trace", lambda A, L: dn.hessian_trace(A(XD), _params(A))),
    Case("dn.sgd_stability", lambda A, L: dn.sgd_stability(A(XD), A(YD), _params(A), batch_size=2)),
    Case("dn.train_gd.reference",
         lambda A, L: dn.run_dynamics(A(XD), A(YD), *(A(np.full(6, 0.3)),) * 2, step=0.02, n_steps=20, fast=False)),
    Case("dn.train_gd", lambda A, L: dn.train_gd(A(XD), A(YD), 0.3, 0.02, 20)),
    Case("dn.train_sgd", lambda A, L: dn.train_sgd(A(XD), A(YD), 0.3, 0.02, 20, 2, np.random.default_rng(1))),
    # added after issue 11 was filed and written on the array API (stablemax_probabilities, aldr_kl_loss,
    # zloss.logz_penalty/standardize work on the host: NumPy only)
    Case("stablemax.stablemax", lambda A, L: stablemax_mod.stablemax(A(H))),
    Case("stablemax.log_stablemax", lambda A, L: stablemax_mod.log_stablemax(A(H))),
]


def _leaves(out):
    """The array leaves of a result (tuples, lists, dicts and dataclasses flattened, in a fixed order)."""
    if dataclasses.is_dataclass(out) and not isinstance(out, type):
        return [x for f in dataclasses.fields(out) for x in _leaves(getattr(out, f.name))]
    if isinstance(out, dict):
        return [x for k in sorted(out) for x in _leaves(out[k])]
    if isinstance(out, (tuple, list)):
        return [x for o in out for x in _leaves(o)]
    return [out]


def _np_float64(a):
    return np.asarray(a, dtype=np.float64)


def _is_array(x):
    return hasattr(x, "__array_namespace__")


_REF = {}


def _reference(case):
    """(NumPy float64 result leaves, whether the entry takes labels), computed once per entry."""
    if case.name not in _REF:
        used = []

        def L0(lab):
            used.append(1)
            return np.asarray(lab)

        _REF[case.name] = (_leaves(case.call(_np_float64, L0)), bool(used))
    return _REF[case.name]


_LABELLED = {"callable.value", "callable.value_and_grad", "compsum.comp_sum_loss", "compsum.comp_sum_loss.gce",
             "compsum.comp_sum_loss_and_grad",
             "compsum.CompSumLoss.value", "compsum.CompSumLoss.value_and_grad", "multiclass.max_loss",
             "multiclass.sum_loss", "multiclass.constrained_loss", "multiclass.sum.value_and_grad", "ldr.ldr_kl_loss",
             "ldr.ldr_kl_weights", "ldr.LDRKLLoss.value_and_grad"}
_PARAMS = [pytest.param(c, lf, id=f"{c.name}-{lf}-labels" if c.name in _LABELLED else c.name)
           for c in REGISTRY for lf in (("numpy", "strict") if c.name in _LABELLED else ("strict",))]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case, labels_from", _PARAMS)
def test_device_dtype_and_values(case, labels_from, dtype):
    """Namespace, device and dtype of every result leaf, and its values against NumPy float64."""
    ref, takes_labels = _reference(case)
    assert takes_labels == (case.name in _LABELLED), "update _LABELLED"
    dt = getattr(xps, dtype)

    def A(a):
        return xps.asarray(np.asarray(a, dtype=dtype), device=DEV)

    def L(lab):
        return np.asarray(lab) if labels_from == "numpy" else xps.asarray(np.asarray(lab), device=DEV)

    out = _leaves(case.call(A, L))
    assert len(out) == len(ref)
    eps = float(np.finfo(dtype).eps)
    factor = case.tol32 if dtype == "float32" else 50.0
    for i, (r, o) in enumerate(zip(ref, out)):
        if not _is_array(r) and not _is_array(o):
            if isinstance(r, (int, float, np.floating)) and not isinstance(r, bool):
                assert abs(float(o) - float(r)) <= factor * eps * (1.0 + abs(float(r))), (case.name, i, o, r)
            continue
        assert _is_array(o), (case.name, i, type(o))
        assert array_namespace(o) is xps, (case.name, i, type(o))
        assert device_of(o) == DEV, (case.name, i, device_of(o))
        if xps.isdtype(o.dtype, "real floating") and not case.upcast:
            assert o.dtype == dt, (case.name, i, o.dtype)
        rv = np.asarray(r, dtype=np.float64)
        ov = np.asarray(xps.asarray(o, device=xps.Device("CPU_DEVICE")), dtype=np.float64)
        fin = np.isfinite(rv)
        scale = 1.0 + (float(np.max(np.abs(rv[fin]))) if fin.any() else 0.0)
        assert np.array_equal(fin, np.isfinite(ov)), (case.name, i)
        err = float(np.max(np.abs(ov[fin] - rv[fin]), initial=0.0))
        assert err <= factor * eps * scale, (case.name, i, err, factor * eps * scale)


@pytest.mark.parametrize("fn", ["gd", "sgd"])
def test_numba_dynamics_keep_float32(fn):
    """The numba GD/SGD kernels compute in float64 and round the result once: float32 in, float32 out."""
    X, y = XD.astype(np.float32), YD.astype(np.float32)
    if fn == "gd":
        out, ref = dn.train_gd(X, y, 0.3, 0.02, 50), dn.train_gd(XD, YD, 0.3, 0.02, 50)
    else:
        out = dn.train_sgd(X, y, 0.3, 0.02, 50, 2, np.random.default_rng(1))
        ref = dn.train_sgd(XD, YD, 0.3, 0.02, 50, 2, np.random.default_rng(1))
    (beta, params), (beta_ref, _) = out, ref
    assert beta.dtype == np.float32 and params.u.dtype == np.float32 and params.v.dtype == np.float32
    assert np.allclose(beta, beta_ref, rtol=0, atol=1e-5)


def test_reference_loop_divergence_still_raised_at_its_step():
    """The reference loop checks divergence once per 64 steps, but names the first diverging step as before."""
    u0 = xps.asarray(np.full(6, 0.3), device=DEV)
    args = (xps.asarray(XD, device=DEV), xps.asarray(YD, device=DEV), u0, u0)
    with pytest.raises(dn.DivergenceError) as ref_err:
        dn.run_dynamics(*args, step=50.0, n_steps=500, fast=False)
    with pytest.raises(dn.DivergenceError) as fast_err:
        dn.run_dynamics(XD, YD, np.full(6, 0.3), np.full(6, 0.3), step=50.0, n_steps=500, fast=True)
    assert str(ref_err.value).split("loss")[0] == str(fast_err.value).split("loss")[0]


def test_float32_interpolation_accepted():
    """The interpolation checks' default tolerance scales with the dtype: float32 data are interpolable."""
    X, y = XD.astype(np.float32), YD.astype(np.float32)
    beta = dn.min_l2_interpolator(X, y)
    assert beta.dtype == np.float32 and np.allclose(X @ beta, y, rtol=0, atol=1e-5)
    assert dn.implicit_bias_solution(X, y, 0.5).dtype == np.float32
    with pytest.raises(dn.NotInterpolableError):  # a tall design (6 × 4): a generic y is off its range
        dn.check_interpolable(XD.T.astype(np.float32), np.arange(6, dtype=np.float32))


@pytest.mark.filterwarnings("ignore:Explicitly requested dtype")  # JAX without x64: 32-bit work dtypes
def test_jax_jit_of_a_loss():
    """``jax.jit`` of a loss's value works: the value checks are skipped for traced arrays."""
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")
    h, lab = jnp.asarray(H), jnp.asarray(LAB)
    for f, ref in [(lambda a, b: cs.comp_sum_loss(a, b, 1.0), cs.comp_sum_loss(H, LAB, 1.0)),
                   (lambda a, b: mc.from_margin("sum", "logistic").value(a, b),
                    mc.from_margin("sum", "logistic").value(H, LAB)),
                   (lambda a, b: ldr_values.ldr_kl_loss(a, b, 0.7, 0.1), ldr_values.ldr_kl_loss(H, LAB, 0.7, 0.1))]:
        out = jax.jit(f)(h, lab)
        assert np.allclose(np.asarray(out), ref, rtol=1e-5, atol=1e-6)
    out = jax.jit(lambda a: mg.logistic.value(a))(jnp.asarray(ALPHA))
    assert np.allclose(np.asarray(out), mg.logistic.value(ALPHA), rtol=1e-5, atol=1e-6)
