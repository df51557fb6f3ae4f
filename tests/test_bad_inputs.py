"""Bad inputs across the public API of theorylab.losses, theorylab.theory and theorylab.settings.

Every case must raise :class:`InputError` with a one-line message that names the bad argument (issue 9,
"Trust at every seed"). Most rows were silent wrong answers or tracebacks before: uint8 scores wrapping
around, complex numbers losing their imaginary part, float labels read as class indices, probability
vectors that do not sum to 1, a negative standard deviation, misspelled loss parameters, ...
"""
import numpy as np
import pytest

from theorylab import InputError
from theorylab.losses import compsum as cs
from theorylab.losses import ensloss as el
from theorylab.losses import ldr
from theorylab.losses import margin as mg
from theorylab.losses import multiclass as mc
from theorylab.settings import diagonal_net as dn
from theorylab.settings import finite as fi
from theorylab.settings import gaussian_mixture as gm
from theorylab.settings import gaussian_quadrature as gq
from theorylab.settings import icl
from theorylab.settings import icl_training as it
from theorylab.settings import learners as ln
from theorylab.settings import mixture3 as m3
from theorylab.settings import sample_complexity as sc
from theorylab.theory import calibration as cal
from theorylab.theory import hconsistency as hc
from theorylab.theory import tight_transform as tt

RNG = np.random.default_rng(0)
S = np.zeros((2, 3))
Y = np.array([0, 1])
SUM = mc.from_margin("sum", "hinge")
MIX = gm.GaussianMixture([[0.0, 0.0], [1.0, 1.0]], np.eye(2))
PROMPTS = icl.sample_prompts(4, 3, 2, np.random.default_rng(1))
XD = np.random.default_rng(2).normal(size=(4, 3))
YD = XD @ np.array([1.0, 0.0, 0.0])
PAR = dn.DiagonalParams(np.ones(3), np.ones(3))
FP = fi.FiniteProblem([0.0, 1.0], [0.5, 0.5], [[0.5, 0.5], [0.2, 0.8]])
XL = np.random.default_rng(3).normal(size=(12, 2))
YL = np.arange(12) % 3

# (label, callable, args, kwargs, regex naming the argument)
CASES = [
    # ------------------------------------------------------------------- losses.margin
    ("hinge complex array", mg.hinge.value, (np.array([1 + 2j]),), {}, r"alpha"),
    ("hinge complex scalar", mg.hinge.value, (1 + 2j,), {}, r"alpha"),
    ("hinge bool scalar", mg.hinge.value, (True,), {}, r"alpha"),
    ("hinge bool array", mg.hinge.value, (np.array([True, False]),), {}, r"alpha"),
    ("hinge object array", mg.hinge.value, (np.array([None, 1.0]),), {}, r"alpha"),
    ("hinge string", mg.hinge.value, ("1.0",), {}, r"alpha"),
    ("hinge ragged list", mg.hinge.value, ([[1.0], [1.0, 2.0]],), {}, r"alpha"),
    ("logistic NaN", mg.logistic.value, (np.array([0.0, np.nan]),), {}, r"alpha"),
    ("squared derivative complex", mg.squared.derivative, (np.array([1j]),), {}, r"alpha"),
    ("exp second derivative bool", mg.exponential.second_derivative, (np.array([True]),), {}, r"alpha"),
    ("gaussian_mean negative std", mg.hinge.gaussian_mean, (0.0, -1.0), {}, r"std"),
    ("gaussian_mean zero std", mg.squared.gaussian_mean, (0.0, 0.0), {}, r"std"),
    ("gaussian_mean NaN mean", mg.exponential.gaussian_mean, (np.nan, 1.0), {}, r"mean"),
    ("gaussian_mean complex mean", mg.hinge.gaussian_mean, (1j, 1.0), {}, r"mean"),
    ("gaussian_mean shapes", mg.hinge.gaussian_mean, (np.zeros(2), np.ones(3)), {}, r"mean.*std"),
    ("sigmoid k bool", mg.sigmoid, (True,), {}, r"k="),
    ("sigmoid k complex", mg.sigmoid, (1 + 1j,), {}, r"k="),
    ("sigmoid k string", mg.sigmoid, ("2",), {}, r"k="),
    ("sigmoid k negative", mg.sigmoid, (-1.0,), {}, r"k="),
    ("sigmoid k inf", mg.sigmoid, (np.inf,), {}, r"k="),
    ("rho_margin rho zero", mg.rho_margin, (0.0,), {}, r"rho="),
    ("rho_margin rho NaN", mg.rho_margin, (np.nan,), {}, r"rho="),
    ("rho_margin rho numpy complex", mg.rho_margin, (np.complex128(2.0),), {}, r"rho="),
    ("get_loss misspelled parameter", mg.get_loss, ("sigmoid(kk=1)",), {}, r"'kk'.*allowed parameter.*\bk\b"),
    ("get_loss rho misspelled", mg.get_loss, ("rho_margin(r=0.5)",), {}, r"'r'.*rho"),
    ("get_loss two parameters", mg.get_loss, ("sigmoid(k=1, rho=2)",), {}, r"parameters.*\bk\b"),
    ("get_loss underflow to 0", mg.get_loss, ("sigmoid(k=1e-400)",), {}, r"k=1e-400"),
    ("get_loss overflow", mg.get_loss, ("rho_margin(rho=1e400)",), {}, r"rho=1e400"),
    ("get_loss parameter not a number", mg.get_loss, ("sigmoid(k=two)",), {}, r"k='two'"),
    ("get_loss unknown loss", mg.get_loss, ("hinj",), {}, r"unknown loss 'hinj'"),
    ("get_loss list", mg.get_loss, (["hinge"],), {}, r"loss="),
    ("get_loss number", mg.get_loss, (3,), {}, r"loss="),
    # ------------------------------------------------------------------- losses.compsum
    ("comp_sum complex scores", cs.comp_sum_loss, (S + 1j, Y, 1.0), {}, r"scores"),
    ("comp_sum bool scores", cs.comp_sum_loss, (S.astype(bool), Y, 1.0), {}, r"scores"),
    ("comp_sum object scores", cs.comp_sum_loss, (S.astype(object), Y, 1.0), {}, r"scores"),
    ("comp_sum 1-D scores", cs.comp_sum_loss, (np.zeros(3), [0], 1.0), {}, r"scores"),
    ("comp_sum NaN scores", cs.comp_sum_loss, (np.array([[np.nan, 0.0]]), [0], 1.0), {}, r"scores"),
    ("comp_sum float labels", cs.comp_sum_loss, (S, np.array([0.0, 1.0]), 1.0), {}, r"labels"),
    ("comp_sum bool labels", cs.comp_sum_loss, (S, np.array([True, False]), 1.0), {}, r"labels"),
    ("comp_sum labels out of range", cs.comp_sum_loss, (S, [0, 3], 1.0), {}, r"labels"),
    ("comp_sum negative label", cs.comp_sum_loss, (S, [0, -1], 1.0), {}, r"labels"),
    ("comp_sum labels length", cs.comp_sum_loss, (S, [0], 1.0), {}, r"labels"),
    ("comp_sum tau negative", cs.comp_sum_loss, (S, Y, -0.5), {}, r"tau"),
    ("comp_sum tau bool", cs.comp_sum_loss, (S, Y, True), {}, r"tau"),
    ("comp_sum tau complex", cs.comp_sum_loss, (S, Y, 1 + 0j), {}, r"tau"),
    ("comp_sum tau string", cs.comp_sum_loss, (S, Y, "1"), {}, r"tau"),
    ("comp_sum tau NaN", cs.comp_sum_loss, (S, Y, float("nan")), {}, r"tau"),
    ("loss_and_grad fast", cs.comp_sum_loss_and_grad, (S, Y, 1.0), {"fast": "gpu"}, r"fast"),
    ("loss_and_grad fast int", cs.comp_sum_loss_and_grad, (S, Y, 1.0), {"fast": 1}, r"fast"),
    ("loss_and_grad numba float labels", cs.comp_sum_loss_and_grad, (S, np.array([0.0, 1.0]), 1.0),
     {"fast": True}, r"labels"),
    ("phi_tau negative u", cs.phi_tau, (-0.5, 0.0), {}, r"\bu\b"),
    ("phi_tau complex u", cs.phi_tau, (np.array([1j]), 1.0), {}, r"\bu\b"),
    ("phi_tau NaN u", cs.phi_tau, (np.nan, 1.0), {}, r"\bu\b"),
    ("phi_tau tau negative", cs.phi_tau, (0.5, -1.0), {}, r"tau"),
    ("psi_tau s above 1", cs.psi_tau, (1.5, 1.0), {}, r"\bs\b"),
    ("psi_tau s negative", cs.psi_tau, (-0.1, 1.0), {}, r"\bs\b"),
    ("psi_tau bool s", cs.psi_tau, (np.array([True]), 1.0), {}, r"\bs\b"),
    ("phi_sympy tau negative", cs.phi_sympy, (1, -1.0), {}, r"tau"),
    ("psi_sympy tau string", cs.psi_sympy, (1, "x"), {}, r"tau"),
    ("loss_name tau bool", cs.loss_name, (False,), {}, r"tau"),
    ("log_softmax complex", cs.log_softmax, (np.array([1j, 0.0]),), {}, r"scores"),
    ("log_softmax NaN", cs.log_softmax, (np.array([np.nan, 0.0]),), {}, r"scores"),
    ("best_conditional_risk not summing to 1", cs.best_conditional_risk, ([0.5, 0.6], 1.0), {}, r"p="),
    ("best_conditional_risk negative", cs.best_conditional_risk, ([1.5, -0.5], 1.0), {}, r"p="),
    ("best_conditional_risk 3-D", cs.best_conditional_risk, (np.full((1, 1, 2), 0.5), 1.0), {}, r"\bp\b"),
    ("best_conditional_risk bound bool", cs.best_conditional_risk, ([0.5, 0.5], 1.0), {"bound": True}, r"bound"),
    ("best_conditional_risk bound zero", cs.best_conditional_risk, ([0.5, 0.5], 1.0), {"bound": 0.0}, r"bound"),
    ("best_scores not a distribution", cs.best_scores, ([0.5, 0.6], 1.0), {}, r"p="),
    ("best_scores complex", cs.best_scores, (np.array([0.5, 0.5j]), 1.0), {}, r"\bp\b"),
    ("conditional_risk not a distribution", cs.conditional_risk, ([0.7, 0.7], [0.0, 0.0], 1.0), {}, r"p="),
    ("conditional_risk NaN h", cs.conditional_risk, ([0.5, 0.5], [np.nan, 0.0], 1.0), {}, r"\bh\b"),
    ("conditional_risk class mismatch", cs.conditional_risk, ([0.5, 0.5], [0.0, 0.0, 0.0], 1.0), {}, r"\bh\b"),
    ("conditional_risk complex h", cs.conditional_risk, ([0.5, 0.5], [1j, 0.0], 1.0), {}, r"\bh\b"),
    ("deterministic_risk n bool", cs.deterministic_risk, (1.0, True, 1.0), {}, r"n="),
    ("deterministic_risk n float", cs.deterministic_risk, (1.0, 2.5, 1.0), {}, r"n="),
    ("deterministic_risk bound NaN", cs.deterministic_risk, (1.0, 3, float("nan")), {}, r"bound"),
    # ------------------------------------------------------------------- losses.multiclass
    ("multiclass kind", mc.from_margin, ("mean", "hinge"), {}, r"kind"),
    ("multiclass phi number", mc.from_margin, ("sum", 3), {}, r"phi"),
    ("multiclass phi misspelled param", mc.from_margin, ("sum", "rho_margin(p=1)"), {}, r"'p'.*rho"),
    ("sum_loss float labels", mc.sum_loss, (S, np.array([0.0, 1.0]), "hinge"), {}, r"labels"),
    ("max_loss complex scores", mc.max_loss, (S + 0j, Y, "hinge"), {}, r"scores"),
    ("constrained not centred", mc.constrained_loss, (np.array([[1.0, 2.0, 0.0]]), [0], "hinge"), {}, r"scores"),
    ("center_scores complex", mc.center_scores, (np.array([[1j, 0.0]]),), {}, r"scores"),
    ("center_scores NaN", mc.center_scores, (np.array([[np.nan, 0.0]]),), {}, r"scores"),
    ("mc conditional_risk not a distribution", SUM.conditional_risk, ([0.6, 0.6], [0.0, 0.0]), {}, r"p="),
    ("mc conditional_risk class mismatch", SUM.conditional_risk, (np.ones(3) / 3, np.zeros(2)), {}, r"classes"),
    ("mc best_conditional_risk not a distribution", mc.from_margin("constrained", "hinge").best_conditional_risk,
     ([0.6, 0.6],), {}, r"p="),
    ("mc numeric starts", SUM.best_conditional_risk, ([0.5, 0.5],), {"numeric": True, "starts": 0}, r"starts"),
    ("mc numeric rng", SUM.best_conditional_risk, ([0.5, 0.5],), {"numeric": True, "rng": 3}, r"rng"),
    ("scores_from_free complex", SUM.scores_from_free, (np.array([1j]),), {}, r"\bz\b"),
    ("attributed transform t above 1", mc.attributed_constrained_transform, ("exponential", 3.0), {}, r"\bt\b"),
    ("attributed transform phi", mc.attributed_constrained_transform, ("logistic", 0.5), {}, r"phi"),
    # ------------------------------------------------------------------- losses.ldr
    ("ldr float labels", ldr.ldr_kl_loss, (S, np.array([0.0, 1.0]), 1.0, 0.1), {}, r"labels"),
    ("ldr bool labels", ldr.ldr_kl_loss, (S, np.array([True, False]), 1.0, 0.1), {}, r"labels"),
    ("ldr labels out of range", ldr.ldr_kl_loss, (S, [0, 3], 1.0, 0.1), {}, r"labels"),
    ("ldr complex scores", ldr.ldr_kl_loss, (S + 1j, Y, 1.0, 0.1), {}, r"scores"),
    ("ldr lam bool", ldr.ldr_kl_loss, (S, Y, True, 0.1), {}, r"lam"),
    ("ldr lam complex", ldr.ldr_kl_loss, (S, Y, 1j, 0.1), {}, r"lam"),
    ("ldr lam negative", ldr.ldr_kl_loss, (S, Y, -1.0, 0.1), {}, r"lam"),
    ("ldr margin negative", ldr.ldr_kl_loss, (S, Y, 1.0, -0.1), {}, r"margin"),
    ("ldr weights lam 0", ldr.ldr_kl_weights, (S, Y, 0.0, 0.1), {}, r"lam"),
    ("aldr alpha string", ldr.aldr_kl_loss, (S, Y), {"alpha": "2"}, r"alpha"),
    ("aldr alpha 1", ldr.aldr_kl_loss, (S, Y), {"alpha": 1.0}, r"alpha"),
    ("aldr lam0 zero", ldr.aldr_kl_loss, (S, Y), {"lam0": 0.0}, r"lam0"),
    ("aldr lam_prev negative", ldr.aldr_kl_loss, (S, Y), {"lam_prev": [-1.0, 1.0]}, r"lam_prev"),
    ("ldr risk eta not a distribution", ldr.ldr_conditional_risk, ([0.0, 0.0], [0.7, 0.7], 1.0, 0.1), {}, r"eta"),
    ("ldr risk f shape", ldr.ldr_conditional_risk, ([0.0, 0.0, 0.0], [0.5, 0.5], 1.0, 0.1), {}, r"\bf\b"),
    ("ldr minimizer eta", ldr.ldr_risk_minimizer, ([0.7, 0.7], 1.0, 0.1), {}, r"eta"),
    ("ldr minimizer domain", ldr.ldr_risk_minimizer, ([0.5, 0.5], 1.0, 0.1), {"domain": "box"}, r"domain"),
    ("ldr minimizer starts", ldr.ldr_risk_minimizer, ([0.5, 0.5], 1.0, 0.1), {"domain": "simplex", "starts": 0},
     r"starts"),
    # ------------------------------------------------------------------- losses.ensloss
    ("ensloss complex margins", el.ensloss_derivatives, (np.array([1j]), RNG), {}, r"margins"),
    ("ensloss empty margins", el.ensloss_derivatives, (np.array([]), RNG), {}, r"margins"),
    ("ensloss rng", el.ensloss_derivatives, (np.zeros(3), 0), {}, r"rng"),
    ("ensloss boxcox complex", el.ensloss_derivatives, (np.zeros(3), RNG), {"boxcox_lambda": 1j}, r"boxcox_lambda"),
    ("ensloss assign", el.ensloss_derivatives, (np.zeros(3), RNG), {"assign": "sort"}, r"assign"),
    ("piecewise shapes", el.piecewise_linear_loss, (np.zeros(3), np.zeros(2)), {}, r"derivatives"),
    ("psi_transform thetas", el.psi_transform, (np.array([1.0, 2.0]), np.array([-1.0, -0.5]), [1.5]), {}, r"thetas"),
    ("sgd labels 0/1", el.sgd_linear, (np.ones((4, 2)), np.array([0, 1, 0, 1]), "hinge", RNG), {}, r"\by\b"),
    ("sgd bool labels", el.sgd_linear, (np.ones((2, 2)), np.array([True, False]), "hinge", RNG), {}, r"\by\b"),
    ("sgd loss", el.sgd_linear, (np.ones((2, 2)), np.array([1, -1]), "squared", RNG), {}, r"loss"),
    ("sgd epochs float", el.sgd_linear, (np.ones((2, 2)), np.array([1, -1]), "hinge", RNG), {"epochs": 2.5},
     r"epochs"),
    ("sgd lr negative", el.sgd_linear, (np.ones((2, 2)), np.array([1, -1]), "hinge", RNG), {"lr": -0.1}, r"lr"),
    # ------------------------------------------------------------------- theory.calibration
    ("derive k rounds to 0", cal.derive, ("sigmoid(k=1e-300)",), {}, r"k=1e-300"),
    ("derive misspelled parameter", cal.derive, ("sigmoid(kk=1)",), {}, r"'kk'"),
    ("derive complex expression", cal.derive, (1 + cal.sp.I * cal.ALPHA,), {}, r"complex"),
    ("derive unknown loss", cal.derive, ("hing",), {}, r"unknown loss"),
    ("psi_numeric theta above 1", cal.psi_numeric, ("hinge", 1.5), {}, r"theta"),
    ("psi_numeric complex theta", cal.psi_numeric, ("hinge", np.array([0.5j])), {}, r"theta"),
    ("psi_numeric grid", cal.psi_numeric, ("hinge", 0.5), {"grid_halfwidth": -1.0}, r"grid_halfwidth"),
    ("convex criterion not convex", cal.convex_cc_criterion, ("sigmoid",), {}, r"not convex"),
    ("calibrated misspelled", cal.is_classification_calibrated, ("rho_margin(rh=1)",), {}, r"'rh'"),
    # ------------------------------------------------------------------- theory.hconsistency
    ("b_tau tau 2", hc.b_tau, (0.5, 2.0), {}, r"tau"),
    ("b_tau complex t", hc.b_tau, (np.array([0.5j]), 1.0), {}, r"\bt\b"),
    ("compsum_transform t above 1", hc.compsum_transform, (1.5, 1.0, 3), {}, r"\bt\b"),
    ("compsum_transform n bool", hc.compsum_transform, (0.5, 1.0, True), {}, r"n="),
    ("compsum_gamma eps negative", hc.compsum_gamma, (-0.1, 1.0, 3), {}, r"eps"),
    ("compsum_gamma eps complex", hc.compsum_gamma, (np.array([0.1j]), 1.0, 3), {}, r"eps"),
    ("true transform no closed form", hc.compsum_true_transform, (0.5, 1.2, 3), {}, r"tau"),
    ("zero_region bound None", hc.zero_region, (3, None), {}, r"bound"),
    ("zero_region_witness t array", hc.zero_region_witness, (np.array([0.0, 0.1]), 3, 1.0), {}, r"\bt\b"),
    ("zero_region_witness t too big", hc.zero_region_witness, (0.9, 3, 1.0), {}, r"\bt="),
    ("binary_transform B bool", hc.binary_transform, ("hinge", 0.5, True), {}, r"\bB="),
    ("binary_transform misspelled", hc.binary_transform, ("sigmoid(c=2)", 0.5, 1.0), {}, r"'c'"),
    ("binary_gamma u negative", hc.binary_gamma, ("hinge", -1.0, 1.0), {}, r"\bu\b"),
    ("binary_kink B complex", hc.binary_kink, ("logistic", 1j), {}, r"\bB="),
    ("binary_numeric grid", hc.binary_transform_numeric, ("hinge", 0.5), {"grid": 2}, r"grid"),
    ("binary_numeric return_argmin", hc.binary_transform_numeric, ("hinge", 0.5), {"return_argmin": "yes"},
     r"return_argmin"),
    ("bounded binary bound None", hc.bounded_compsum_binary_transform, (0.5, 1.0, -1.0), {}, r"bound"),
    ("growth function tau list", hc.compsum_growth_function, ([1.0],), {}, r"tau"),
    ("growth constant tau negative", hc.compsum_growth_constant, (-1,), {}, r"tau"),
    ("b_tau growth tau string", hc.b_tau_growth_limit, ("1",), {}, r"tau"),
    ("deterministic risk bound NaN", hc.deterministic_conditional_risk, (1.0, 3, float("nan")), {}, r"bound"),
    # ------------------------------------------------------------------- theory.tight_transform
    ("tight t NaN", tt.tight_transform, (("comp_sum", 1.0), float("nan"), 3), {}, r"\bt\b"),
    ("tight t array", tt.tight_transform, (("comp_sum", 1.0), np.array([0.1, 0.2]), 3), {}, r"\bt\b"),
    ("tight tau negative", tt.tight_transform, (("comp_sum", -1.0), 0.5, 3), {}, r"tau"),
    ("tight loss", tt.tight_transform, ("hinge", 0.5, 3), {}, r"loss"),
    ("tight rng", tt.tight_transform, (("comp_sum", 1.0), 0.5, 3), {"rng": 0}, r"rng"),
    ("tight n_random float", tt.tight_transform, (("comp_sum", 1.0), 0.5, 3), {"n_random": 1.5}, r"n_random"),
    ("tight margin n", tt.tight_transform, (mg.hinge, 0.5, 3), {}, r"n=3"),
    ("multiclass tight loss", tt.multiclass_tight_transform, (mg.hinge, 0.5, 3), {}, r"loss"),
    ("multiclass tight n_refine", tt.multiclass_tight_transform, (SUM, 0.5, 3), {"n_refine": 0}, r"n_refine"),
    ("regret_rows not distributions", tt.regret_rows, (np.array([[0.6, 0.6]]), 1.0), {}, r"\bP\b"),
    ("regret_rows 1-D", tt.regret_rows, (np.array([0.5, 0.5]), 1.0), {}, r"\bP\b"),
    ("regret_rows_numpy tau", tt.regret_rows_numpy, (np.array([[0.5, 0.5]]), -1.0), {}, r"tau"),
    ("best_candidate X shape", tt.best_candidate, (np.zeros((4, 5)), 0.5, 3, 1.0), {}, r"\bX\b"),
    ("best_candidate NaN X", tt.best_candidate, (np.full((4, 2), np.nan), 0.5, 3, 1.0), {}, r"\bX\b"),
    ("map_rows_numpy t", tt.map_rows_numpy, (np.zeros((4, 2)), 2.0, 3), {}, r"\bt\b"),
    ("forced_scores loss", tt.forced_scores, ("hinge", np.zeros(2)), {}, r"loss"),
    ("surrogate_regret h outside box", tt.surrogate_regret, (1.0, [0.5, 0.5], [5.0, -5.0]), {"bound": 1.0}, r"\bh\b"),
    ("surrogate_regret p", tt.surrogate_regret, (1.0, [0.6, 0.6], [0.0, 0.0]), {}, r"p="),
    ("witness_regrets witness", tt.witness_regrets, (1.0, [0.5, 0.5]), {}, r"witness"),
    ("witness_regrets eps", tt.witness_regrets, (1.0, {"p": [0.5, 0.5], "h": [0.0, 0.0]}), {"eps": -1.0}, r"eps"),
    # ------------------------------------------------------------------- settings.finite
    ("finite px not a distribution", fi.FiniteProblem, ([0.0, 1.0], [0.7, 0.7], [[0.5, 0.5], [0.5, 0.5]]), {},
     r"px"),
    ("finite p rows", fi.FiniteProblem, ([0.0, 1.0], [0.5, 0.5], [[0.5, 0.6], [0.5, 0.5]]), {}, r"\bp="),
    ("finite complex x", fi.FiniteProblem, ([0.0, 1j], [0.5, 0.5], [[0.5, 0.5], [0.5, 0.5]]), {}, r"\bx\b"),
    ("finite W negative", fi.FiniteProblem, ([0.0, 1.0], [0.5, 0.5], [[0.5, 0.5], [0.5, 0.5]]),
     {"W": -1.0, "B": 1.0}, r"\bW="),
    ("finite random m", fi.FiniteProblem.random, (RNG,), {"m": 0}, r"\bm="),
    ("finite random rng", fi.FiniteProblem.random, (3,), {}, r"rng"),
    ("finite scores theta shape", FP.scores, (np.zeros(3),), {}, r"theta"),
    ("finite cond_risk tau", FP.cond_risk_tau, (np.zeros(4), -1.0), {}, r"tau"),
    ("finite best_risk starts", FP.best_risk_tau, (1.0, RNG), {"starts": 0}, r"starts"),
    ("labeling float labels", fi.labeling_realizable_lp, ([0.0, 1.0], np.array([0.0, 1.0]), 2), {}, r"labels"),
    ("labeling labels range", fi.labeling_realizable_lp, ([0.0, 1.0], [0, 2], 2), {}, r"labels"),
    # ------------------------------------------------------------------- settings.gaussian_mixture / quadrature
    ("mixture complex covariance", gm.GaussianMixture, ([[0.0], [1.0]], np.array([[1.0 + 1j]])), {}, r"covariances"),
    ("mixture NaN covariance", gm.GaussianMixture, ([[0.0], [1.0]], np.array([[np.nan]])), {}, r"covariances"),
    ("mixture bool means", gm.GaussianMixture, (np.array([[True], [False]]), np.eye(1)), {}, r"means"),
    ("mixture priors", gm.GaussianMixture, ([[0.0], [1.0]], np.eye(1), [0.7, 0.7]), {}, r"priors"),
    ("mixture sample m bool", MIX.sample, (True, RNG), {}, r"\bm="),
    ("mixture sample rng", MIX.sample, (3, None), {}, r"rng"),
    ("mixture log_joint complex", MIX.log_joint, (np.array([[1j, 0.0]]),), {}, r"\bx\b"),
    ("mixture margin_moments w shape", MIX.margin_moments, (np.zeros(3), 0.0), {}, r"\bw\b"),
    ("mixture error complex W", MIX.error, (np.zeros((2, 2)) + 1j, np.zeros(2)), {}, r"\bW\b"),
    ("mixture error n_points", MIX.error, (np.zeros((2, 2)), np.zeros(2)), {"n_points": 2.5}, r"n_points"),
    ("mixture bayes_error return_error", MIX.bayes_error, (), {"return_error": "yes"}, r"return_error"),
    ("mixture surrogate phi", MIX.binary_surrogate_risk, (3, np.ones(2), 0.0), {}, r"phi"),
    ("mixture bayes surrogate", MIX.bayes_surrogate_risk, (None,), {}, r"H_pq"),
    ("mixture excess misspelled", MIX.binary_excess_risks, ("sigmoid(q=1)", np.ones(2), 0.0), {}, r"'q'"),
    ("quadrature negative std", gq.gaussian_expectation, (np.abs, 0.0, -1.0), {}, r"std"),
    ("quadrature g", gq.gaussian_expectation, (None, 0.0, 1.0), {}, r"\bg="),
    ("quadrature complex mean", gq.gaussian_expectation, (np.abs, 1j, 1.0), {}, r"mean"),
    # ------------------------------------------------------------------- settings.icl / icl_training
    ("icl complex covariance", icl.optimal_risk, (np.eye(2) * (1 + 1j), 3), {}, r"covariance"),
    ("icl complex covariance sampler", icl.sample_prompts, (2, 3, 2, RNG), {"covariance": np.eye(2) + 0j},
     r"covariance"),
    ("icl bool covariance", icl.gamma_matrix, (np.eye(2, dtype=bool), 3), {}, r"covariance"),
    ("icl n bool", icl.gamma_matrix, (np.eye(2), True), {}, r"n="),
    ("icl noise complex", icl.optimal_step, (2, 3, 1j), {}, r"noise_var"),
    ("icl weight_var zero", icl.optimal_risk, (np.eye(2), 3), {"weight_var": 0.0}, r"weight_var"),
    ("icl weight prior", icl.optimal_preconditioner, (np.eye(2), 3), {"weight_prior": "iso"}, r"weight_prior"),
    ("icl risk K complex", icl.risk_of_preconditioner, (np.eye(2) * 1j, np.eye(2), 3), {}, r"\bK\b"),
    ("icl risk_of_step complex", icl.risk_of_step, (0.5j, 2, 3), {}, r"step"),
    ("icl risk_at_length m", icl.risk_at_length, (np.eye(2), 3, 0), {}, r"m_test"),
    ("icl uniform range", icl.uniform_input_optimum, (2, 3), {"input_range": -1.0}, r"input_range"),
    ("icl moment_step m4", icl.moment_step, (2, 3, 1.0, 0.5), {}, r"m4"),
    ("icl moment_step s2", icl.moment_step, (2, 3, -1.0, 3.0), {}, r"s2"),
    ("icl link_moments link", icl.link_moments, (None, 2), {}, r"link"),
    ("icl link_moments quad_points", icl.link_moments, (np.tanh, 2), {"quad_points": 1000}, r"quad_points"),
    ("icl lsa_forward complex Z", icl.lsa_forward, (np.eye(3), np.eye(3), np.zeros((3, 4)) + 0j), {}, r"\bZ\b"),
    ("icl lsa_forward mask", icl.lsa_forward, (np.eye(3), np.eye(3), np.zeros((3, 4))), {"mask": "no"}, r"mask"),
    ("icl gd_layer A shape", icl.gd_layer, (np.zeros((2, 3)),), {}, r"\bA\b"),
    ("icl gd_layer sign", icl.gd_layer, (np.eye(2),), {"sign": 1j}, r"sign"),
    ("icl reduced_parameters", icl.reduced_parameters, (np.eye(3), np.eye(2)), {}, r"\bP\b"),
    ("icl gd path shapes", icl.preconditioned_gd_path, ([np.eye(2)], np.zeros((3, 2)), np.zeros(4), np.zeros(2)), {},
     r"x_query|\by\b"),
    ("icl gd path A shape", icl.preconditioned_gd_path, ([np.eye(3)], np.zeros((3, 2)), np.zeros(3), np.zeros(2)),
     {}, r"As\[0\]"),
    ("icl von Oswald eta", icl.von_oswald_construction, (np.zeros((1, 2)), "0.1", 3), {}, r"eta"),
    ("icl gd_step shapes", icl.gd_step_prediction, (np.zeros((1, 2)), 0.1, np.zeros((3, 2)), np.zeros((3, 2)),
                                                     np.zeros(2)), {}, r"W0"),
    ("icl mc_risk prompts", icl.mc_risk, (None, np.eye(2)), {}, r"prompts"),
    ("icl mc_risk K", icl.mc_risk, (PROMPTS, np.eye(3)), {}, r"\bK\b"),
    ("icl mean_se one value", icl.mean_se, ([1.0],), {}, r"values"),
    ("icl mean_se complex", icl.mean_se, ([1j, 2.0],), {}, r"values"),
    ("icl fit_step prompts", icl.fit_step, ({"X": 1},), {}, r"prompts"),
    ("icl dist zero matrix", icl.dist_to_identity, (np.zeros((2, 2)),), {}, r"\bM\b"),
    ("icl sample n_prompts bool", icl.sample_prompts, (True, 3, 2, RNG), {}, r"n_prompts"),
    ("icl sample inputs", icl.sample_prompts, (2, 3, 2, RNG), {"inputs": "normal"}, r"inputs"),
    ("train steps", it.train_lsa, (2, 3, RNG), {"steps": 0}, r"steps"),
    ("train rng", it.train_lsa, (2, 3, 0), {"steps": 1}, r"rng"),
    ("train decay_at", it.train_lsa, (2, 3, RNG), {"steps": 1, "decay_at": 2.0}, r"decay_at"),
    ("train init_scale", it.train_lsa, (2, 3, RNG), {"steps": 1, "init_scale": -1.0}, r"init_scale"),
    ("train record_every", it.train_lsa, (2, 3, RNG), {"steps": 1, "record_every": 0}, r"record_every"),
    ("train optimizer", it.train_lsa, (2, 3, RNG), {"steps": 1, "optimizer": "lbfgs"}, r"optimizer"),
    ("loss_grad b shape", it.loss_grad, (PROMPTS, np.zeros(2), np.zeros((3, 2))), {}, r"\bb\b"),
    ("loss_grad complex A", it.loss_grad, (PROMPTS, np.zeros(3), np.zeros((3, 2)) + 1j), {}, r"\bA\b"),
    ("alternating sweeps", it.fit_lsa_alternating, (PROMPTS,), {"sweeps": 0}, r"sweeps"),
    ("zfb flow n_eval", it.zfb_gradient_flow, (np.eye(2), 3, 1.0, np.eye(2)), {"n_eval": 1}, r"n_eval"),
    ("zfb flow U0 shape", it.zfb_gradient_flow, (np.eye(2), 3, 1.0, np.eye(3)), {}, r"U0"),
    ("zfb flow complex covariance", it.zfb_gradient_flow, (np.eye(2) + 0j, 3, 1.0, np.eye(2)), {}, r"covariance"),
    ("zfb initialisation omega", it.zfb_initialisation, (np.eye(2), 1j), {}, r"omega"),
    ("predict_reduced A shape", it.predict_reduced, (PROMPTS, np.zeros(3), np.zeros((2, 2))), {}, r"\bA\b"),
    # ------------------------------------------------------------------- settings.learners / sample_complexity
    ("learners complex X", ln.fit_naive_bayes, (XL + 1j, YL), {}, r"\bX\b"),
    ("learners bool y", ln.fit_naive_bayes, (XL[:2], np.array([True, False])), {}, r"\by\b"),
    ("learners fractional y", ln.fit_naive_bayes, (XL, YL + 0.5), {}, r"\by\b"),
    ("learners n_classes bool", ln.fit_logistic, (XL, YL), {"n_classes": True}, r"n_classes"),
    ("learners C bool", ln.fit_logistic, (XL, YL), {"C": True}, r"\bC="),
    ("learners C complex", ln.fit_logistic, (XL, YL), {"C": 1j}, r"\bC="),
    ("learners max_iter", ln.fit_logistic, (XL, YL), {"max_iter": 0}, r"max_iter"),
    ("learners sample_weight complex", ln.fit_logistic, (XL, YL), {"sample_weight": np.ones(12) + 1j},
     r"sample_weight"),
    ("learners init", ln.fit_logistic, (XL, YL), {"init": np.zeros(3)}, r"init"),
    ("learners var_smoothing", ln.fit_naive_bayes, (XL, YL), {"var_smoothing": -1.0}, r"var_smoothing"),
    ("zheng K bool", sc.zheng_parameters, (True, 4), {}, r"\bK="),
    ("zheng d float", sc.zheng_parameters, (2, 4.5), {}, r"\bd="),
    ("zheng rho complex", sc.zheng_parameters, (2, 4, 0.1j), {}, r"rho"),
    ("zheng rho out of range", sc.zheng_mixture, (2, 4, 1.0), {}, r"rho"),
    ("geometric grid ratio 1", sc.geometric_grid, (2, 100, 1.0), {}, r"ratio"),
    ("fit learner", sc.fit, ("svm", XL, YL, 3), {}, r"learner"),
    ("learning curves mix", sc.learning_curves, (None, "nb", [4], 1, RNG), {}, r"mix"),
    ("learning curves sizes", sc.learning_curves, (MIX, "nb", [1.5], 1, RNG), {}, r"sizes"),
    ("sample_complexity eps", sc.sample_complexity, (MIX, "nb", 0.1, RNG), {"eps": 0.0}, r"eps"),
    ("bootstrap result", sc.bootstrap_m_star, ({}, RNG), {}, r"result"),
    ("fitted_slopes level", sc.fitted_slopes, ([2, 4], [{}, {}], RNG), {"level": 1.5}, r"level"),
    # ------------------------------------------------------------------- settings.mixture3
    ("mixture3 radius", m3.Mixture3, (-1.0,), {}, r"radius"),
    ("mixture3 covs", m3.Mixture3, (1.0, ((1.0, 1.0),)), {}, r"covs"),
    ("mixture3 sample size", m3.Mixture3().sample, (0, RNG), {}, r"\bm="),
    ("mixture3 posterior shape", m3.Mixture3().posterior, (np.zeros((3, 3)),), {}, r"\bx\b"),
    ("mixture3 trajectory P", m3.trajectory, (np.zeros((2, 2)), np.full((2, 3), 0.5), 1.0), {}, r"\bP="),
    # ------------------------------------------------------------------- settings.diagonal_net
    ("dn complex X", dn.run_dynamics, (XD + 1j, YD, np.ones(3), np.ones(3)), {"step": 0.1, "n_steps": 1}, r"\bX\b"),
    ("dn bool y", dn.run_dynamics, (XD, YD > 0, np.ones(3), np.ones(3)), {"step": 0.1, "n_steps": 1}, r"\by\b"),
    ("dn u0 NaN", dn.run_dynamics, (XD, YD, np.full(3, np.nan), np.ones(3)), {"step": 0.1, "n_steps": 1}, r"u0"),
    ("dn step bool", dn.run_dynamics, (XD, YD, np.ones(3), np.ones(3)), {"step": True, "n_steps": 1}, r"step"),
    ("dn n_steps float", dn.train_gd, (XD, YD, 0.1, 0.1, 2.0), {}, r"n_steps"),
    ("dn track", dn.run_dynamics, (XD, YD, np.ones(3), np.ones(3)), {"step": 0.1, "n_steps": 1, "track": "yes"},
     r"track"),
    ("dn params parametrization", dn.DiagonalParams, (np.ones(2), np.ones(2), "uv-uv"), {}, r"parametrization"),
    ("dn train_loss beta", dn.train_loss, (XD, YD, np.ones(2)), {}, r"beta"),
    ("dn multiplicative alpha", dn.multiplicative_identity, (-1.0, np.zeros(2), np.zeros(2)), {}, r"alpha"),
    ("dn effective_alpha params", dn.effective_alpha, ((np.ones(2), np.ones(2)),), {}, r"params"),
    ("dn gradient_flow t_end", dn.gradient_flow, (XD, YD, 0.1, -1.0), {}, r"t_end"),
    ("dn sparse_regression rng", dn.sparse_regression, (4, 3, 1, None), {}, r"rng"),
    ("dn sparse_regression n_test", dn.sparse_regression, (4, 3, 1, RNG), {"n_test": -1}, r"n_test"),
    ("dn batch chunks batch_size", dn.batch_index_chunks, (RNG, 4, 5, 3), {}, r"batch_size"),
    ("dn q_entropy complex", dn.q_entropy, (np.array([1j]),), {}, r"\bz\b"),
    ("dn Q_alpha alpha", dn.Q_alpha, (np.ones(2), -1.0), {}, r"alpha"),
    ("dn implicit bias tol", dn.implicit_bias_solution, (XD, YD, 0.1), {"tol": 0.0}, r"tol"),
    ("dn check_interpolable rtol", dn.check_interpolable, (XD, YD), {"rtol": -1.0}, r"rtol"),
    ("dn hessian params", dn.hessian, (XD, YD, dn.DiagonalParams(np.ones(2), np.ones(2))), {}, r"params"),
    ("dn hessian_trace params", dn.hessian_trace, (XD, "params"), {}, r"params"),
    ("dn stability batch", dn.sgd_stability, (XD, YD, PAR), {"batch_size": 0}, r"batch_size"),
]


def _ids():
    return [c[0] for c in CASES]


@pytest.mark.parametrize("label, fn, args, kwargs, names", CASES, ids=_ids())
def test_bad_input_one_line_error(label, fn, args, kwargs, names):
    with pytest.raises(InputError, match=names) as info:
        fn(*args, **kwargs)
    message = str(info.value)
    assert "\n" not in message, message
    assert len(message) < 400, message


def test_battery_size():
    assert len(CASES) >= 130


# ----------------------------------------------------------------------------------- safe conversions


def test_uint8_and_int8_margins_are_converted_before_arithmetic():
    for dt in (np.uint8, np.int8, np.int16, np.int64):
        a = np.array([5, 100], dtype=dt)
        f = a.astype(np.float64)
        for loss in (mg.hinge, mg.squared, mg.logistic, mg.squared_hinge):
            assert np.array_equal(loss.value(a), loss.value(f))
    assert float(mg.hinge.value(np.array([5], np.uint8))[0]) == 0.0
    assert float(mg.squared.value(np.array([100], np.int8))[0]) == 99.0 ** 2


def test_integer_scores_and_small_integer_labels_are_accepted():
    h = np.array([[3, 1, 0], [0, 250, 2]], dtype=np.uint8)
    for labels in (np.array([0, 1], np.int8), np.array([0, 1], np.uint8), [0, 1]):
        assert np.allclose(cs.comp_sum_loss(h, labels, 1.0), cs.comp_sum_loss(h.astype(float), [0, 1], 1.0))
        assert np.allclose(ldr.ldr_kl_loss(h, labels, 1.0, 0.1), ldr.ldr_kl_loss(h.astype(float), [0, 1], 1.0, 0.1))
        assert np.allclose(SUM.value(h, labels), SUM.value(h.astype(float), np.array([0, 1])))


def test_integer_probability_vectors_and_parameters_are_accepted():
    assert cs.best_conditional_risk(np.array([0, 1]), 1.0) == 0.0
    assert cs.phi_tau(np.array([1], np.int32), 1) == pytest.approx(np.log(2.0))
    assert icl.optimal_risk(np.eye(2, dtype=np.int64), 3) == pytest.approx(icl.optimal_risk(np.eye(2), 3))
    assert mg.get_loss("sigmoid(k=2)") .name == "sigmoid(k=2)"
    assert mg.get_loss("sigmoid(2)").name == "sigmoid(k=2)"


def test_loss_names_keep_the_exact_parameter():
    """sigmoid(k=1.23456789) was named sigmoid(k=1.23457), and the bounded-linear transform read k back from it."""
    lo = mg.get_loss("sigmoid(k=1.23456789)")
    assert lo.parameter == 1.23456789 and mg.get_loss(lo.name).parameter == 1.23456789
    assert hc.binary_transform(lo, 0.5, 1.0) == pytest.approx(np.tanh(1.23456789) * 0.5, rel=1e-14)


def test_array_api_strict_paths_still_work():
    xps = pytest.importorskip("array_api_strict")
    a = xps.asarray([5, -3], dtype=xps.int8)
    out = mg.hinge.value(a)
    assert "array_api_strict" in type(out).__module__
    assert np.allclose(np.asarray(out), [0.0, 4.0])
    with pytest.raises(InputError, match="alpha"):
        mg.hinge.value(xps.asarray([True]))
    h = xps.asarray([[1.0, 0.0], [0.0, 2.0]])
    loss = cs.comp_sum_loss(h, xps.asarray([0, 1]), 1.0)
    assert np.allclose(np.asarray(loss), cs.comp_sum_loss(np.asarray(h), [0, 1], 1.0))
    with pytest.raises(InputError, match="labels"):
        cs.comp_sum_loss(h, xps.asarray([0.0, 1.0]), 1.0)
    risk = SUM.conditional_risk(xps.asarray([0.25, 0.75]), xps.asarray([0.0, 1.0]))
    assert np.isclose(float(risk), float(SUM.conditional_risk([0.25, 0.75], [0.0, 1.0])))
    with pytest.raises(InputError, match="p="):
        SUM.conditional_risk(xps.asarray([0.6, 0.6]), xps.asarray([0.0, 1.0]))
