"""Literature multi-class losses, each defined once with its reference, and what the literature says about calibration.

``MULTICLASS_CATALOGUE[name]`` is a :class:`~theorylab.losses.catalogue_entry.CatalogueEntry` of the loss object (a built-in where one exists —
:class:`~theorylab.losses.compsum.CompSumLoss`, :func:`~theorylab.losses.multiclass.from_margin` — else a
:class:`~theorylab.losses.callable_loss.CallableLoss`), the paper defining it (and, where there is one, the paper
stating its calibration), and the literature's verdict on classification calibration (True, False, or None where
no statement could be cited). Scores h ∈ ℝⁿ, label y, s = softmax(h), predicted class argmax h:

======================  ==========================================================================================
cross_entropy           −log s_y  (CompSumLoss(1))
mae                     1 − s_y   (CompSumLoss(2): Ψ_2(s) = 1 − s)
gce                     (1 − s_y^q)/q, q = 0.7 (CompSumLoss(1.7): Ψ_τ, τ = 1 + q)
focal                   −(1 − s_y)^γ log s_y, γ = 2
label_smoothing         −Σ_k [(1 − ε)·1{k = y} + ε/n] log s_k, ε = 0.1
poly1                   −log s_y + ε(1 − s_y), ε = 1
symmetric_ce            α(−log s_y) + β·(−A)(1 − s_y), α = 0.1, β = 1, A = −4 (RCE with log 0 := A)
taylor_ce               Σ_{i=1}^{2} (1 − s_y)^i / i
normalized_ce           log s_y / Σ_k log s_k
crammer_singer          max_{y'≠y} (1 − h_y + h_{y'})₊   (from_margin("max", "hinge"))
weston_watkins          Σ_{y'≠y} (1 − h_y + h_{y'})₊      (from_margin("sum", "hinge"))
lee_lin_wahba           Σ_{y'≠y} (1 + h_{y'})₊, Σh = 0    (from_margin("constrained", "hinge"))
one_vs_all_logistic     Σ_c log(1 + exp(−σ_c h_c)), σ_y = +1, σ_c = −1 (c ≠ y)
osokin_quadratic        (1/(2n)) Σ_c (h_c + 1{c ≠ y})²
stablemax_ce            −log StableMax_y(h), StableMax_i = s(h_i)/Σ_j s(h_j), s(x) = x + 1 (x ≥ 0), 1/(1 − x)
pass_at_4               −log(1 − (1 − s_y)^N), N = 4 (pass@N loss; N = 1 is cross-entropy)
spherical_z_loss        softplus(a(b − z_y))/a, z = (h − mean h)/std h, a = 1, b = 1 (spherical Z-loss)
ce_logz                 −log s_y + c·(log Σ_k e^{h_k})², c = 10⁻⁴ (cross-entropy + PaLM auxiliary z-loss)
======================  ==========================================================================================

References are in each entry's string.
"""
from __future__ import annotations

import numpy as np

from .callable_loss import comp_sum_from_psi, multiclass_loss
from .catalogue_entry import CatalogueEntry
from .compsum import CompSumLoss
from .multiclass import from_margin
from .pass_at_n import PassAtNLoss
from .stablemax import StableMaxCrossEntropy
from .zloss import DEFAULT_LOGZ_COEF, CELogZLoss, SphericalZLoss

__all__ = ["MULTICLASS_CATALOGUE"]

_FOCAL_GAMMA = 2.0
_LS_EPS = 0.1
_POLY_EPS = 1.0
_SCE_ALPHA, _SCE_BETA, _SCE_A = 0.1, 1.0, -4.0
_GCE_Q = 0.7
_PASS_N = 4
_ZL_A, _ZL_B = 1.0, 1.0

_MMZ = ("A. Mao, M. Mohri, Y. Zhong, 'Cross-Entropy Loss Functions: Theoretical Analysis and Applications', ICML "
        "2023, arXiv:2304.07288 (comp-sum losses, §3; H-consistency bounds for every τ ≥ 0, §3.1, which imply "
        "Bayes consistency and calibration)")
_TB = ("A. Tewari, P. L. Bartlett, 'On the Consistency of Multiclass Classification Methods', JMLR 8, 2007; "
       "T. Zhang, 'Statistical Analysis of Some Multi-Category Large Margin Classification Methods', JMLR 5, 2004")


def _log_softmax(h):
    z = h - h.max(-1, keepdims=True)
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


def _focal_psi(s):
    with np.errstate(divide="ignore"):
        return -((1.0 - s) ** _FOCAL_GAMMA) * np.log(s)


def _poly1_psi(s):
    with np.errstate(divide="ignore"):
        return -np.log(s) + _POLY_EPS * (1.0 - s)


def _sce_psi(s):
    with np.errstate(divide="ignore"):
        return _SCE_ALPHA * (-np.log(s)) + _SCE_BETA * (-_SCE_A) * (1.0 - s)


def _taylor_psi(s):
    return (1.0 - s) + (1.0 - s) ** 2 / 2.0


def _label_smoothing(h, y):
    ls = _log_softmax(h)
    n = h.shape[1]
    return -(1.0 - _LS_EPS) * ls[np.arange(h.shape[0]), y] - (_LS_EPS / n) * ls.sum(-1)


def _normalized_ce(h, y):
    ls = _log_softmax(h)
    return ls[np.arange(h.shape[0]), y] / ls.sum(-1)


def _one_vs_all_logistic(h, y):
    sign = -np.ones_like(h)
    sign[np.arange(h.shape[0]), y] = 1.0
    return np.logaddexp(0.0, -sign * h).sum(-1)


def _osokin_quadratic(h, y):
    n = h.shape[1]
    wrong = np.ones_like(h)
    wrong[np.arange(h.shape[0]), y] = 0.0
    return ((h + wrong) ** 2).sum(-1) / (2.0 * n)


def _catalogue():
    fp = _FOCAL_GAMMA
    return {
        "cross_entropy": (
            CompSumLoss(1.0),
            "multinomial logistic loss / cross-entropy, comp-sum τ = 1: " + _MMZ + "; calibration: " + _TB,
            True),
        "mae": (
            CompSumLoss(2.0),
            "A. Ghosh, H. Kumar, P. S. Sastry, 'Robust Loss Functions under Label Noise for Deep Neural Networks', "
            "AAAI 2017 (MAE = 1 − s_y up to a factor 2); comp-sum τ = 2: " + _MMZ,
            True),
        "gce": (
            CompSumLoss(1.0 + _GCE_Q),
            "Z. Zhang, M. R. Sabuncu, 'Generalized Cross Entropy Loss for Training Deep Neural Networks with Noisy "
            "Labels', NeurIPS 2018 (L_q, eq. (4), q = 0.7); comp-sum τ = 1 + q: " + _MMZ,
            True),
        "focal": (
            comp_sum_from_psi(_focal_psi, f"focal(gamma={fp:g})", params={"gamma": fp}),
            "T.-Y. Lin, P. Goyal, R. Girshick, K. He, P. Dollár, 'Focal Loss for Dense Object Detection', ICCV 2017 "
            "(FL = −(1 − p_t)^γ log p_t, eq. (4), γ = 2; its softmax multi-class form); calibration: "
            "N. Charoenphakdee, J. Vongkulbhisal, N. Chairatanakul, M. Sugiyama, 'On Focal Loss for Class-Posterior "
            "Probability Estimation: A Theoretical Perspective', CVPR 2021 (the focal loss is classification-"
            "calibrated)",
            True),
        "label_smoothing": (
            multiclass_loss(_label_smoothing, f"label_smoothing(eps={_LS_EPS:g})", convex=True,
                            params={"eps": _LS_EPS}),
            "C. Szegedy, V. Vanhoucke, S. Ioffe, J. Shlens, Z. Wojna, 'Rethinking the Inception Architecture for "
            "Computer Vision', CVPR 2016 (label-smoothing regularization, §7: q' = (1 − ε)δ_{k,y} + ε/K, ε = 0.1)",
            None),
        "poly1": (
            comp_sum_from_psi(_poly1_psi, f"poly1(eps={_POLY_EPS:g})", params={"eps": _POLY_EPS}),
            "Z. Leng, M. Tan, C. Liu, E. D. Cubuk, X. Shi, S. Cheng, D. Anguelov, 'PolyLoss: A Polynomial Expansion "
            "Perspective of Classification Loss Functions', ICLR 2022 (Poly-1 = −log P_t + ε(1 − P_t), eq. (3), "
            "ε = 1)",
            None),
        "symmetric_ce": (
            comp_sum_from_psi(_sce_psi, f"symmetric_ce(alpha={_SCE_ALPHA:g},beta={_SCE_BETA:g},A={_SCE_A:g})",
                              params={"alpha": _SCE_ALPHA, "beta": _SCE_BETA, "A": _SCE_A}),
            "Y. Wang, X. Ma, Z. Chen, Y. Luo, J. Yi, J. Bailey, 'Symmetric Cross Entropy for Robust Learning with "
            "Noisy Labels', ICCV 2019 (SL = α·CE + β·RCE, RCE = −A(1 − p_y) with log 0 := A = −4; α = 0.1, β = 1)",
            None),
        "taylor_ce": (
            comp_sum_from_psi(_taylor_psi, "taylor_ce(order=2)", bounded=True, params={"order": 2}),
            "L. Feng, S. Shu, Z. Lin, F. Lv, L. Li, B. An, 'Can Cross Entropy Loss Be Robust to Label Noise?', "
            "IJCAI 2020 (Taylor cross-entropy Σ_{i=1}^{t} (1 − p_y)^i / i, order t = 2)",
            None),
        "normalized_ce": (
            multiclass_loss(_normalized_ce, "normalized_ce", bounded=True),
            "X. Ma, H. Huang, Y. Wang, S. Romano, S. Erfani, J. Bailey, 'Normalized Loss Functions for Deep "
            "Learning with Noisy Labels', ICML 2020 (NCE = log p_y / Σ_k log p_k, eq. (4))",
            None),
        "crammer_singer": (
            from_margin("max", "hinge"),
            "K. Crammer, Y. Singer, 'On the Algorithmic Implementation of Multiclass Kernel-based Vector Machines', "
            "JMLR 2, 2001; not calibrated: " + _TB,
            False),
        "weston_watkins": (
            from_margin("sum", "hinge"),
            "J. Weston, C. Watkins, 'Support Vector Machines for Multi-Class Pattern Recognition', ESANN 1999; not "
            "calibrated: " + _TB + "; Y. Liu, 'Fisher Consistency of Multicategory Support Vector Machines', "
            "AISTATS 2007",
            False),
        "lee_lin_wahba": (
            from_margin("constrained", "hinge"),
            "Y. Lee, Y. Lin, G. Wahba, 'Multicategory Support Vector Machines', JASA 99(465), 2004 (Σ_{y'≠y} "
            "(h_{y'} + 1)₊ with Σh = 0); calibrated: " + _TB,
            True),
        "one_vs_all_logistic": (
            multiclass_loss(_one_vs_all_logistic, "one_vs_all_logistic", convex=True),
            "one-versus-all with the logistic φ(v) = log(1 + e^{−v}): R. Rifkin, A. Klautau, 'In Defense of "
            "One-Vs-All Classification', JMLR 5, 2004; calibrated (φ convex, differentiable, φ'(0) < 0): T. Zhang, "
            "'Statistical Analysis of Some Multi-Category Large Margin Classification Methods', JMLR 5, 2004 "
            "(the one-versus-all formulation)",
            True),
        "osokin_quadratic": (
            multiclass_loss(_osokin_quadratic, "osokin_quadratic", convex=True),
            "A. Osokin, F. Bach, S. Lacoste-Julien, 'On Structured Prediction Theory with Calibrated Convex "
            "Surrogate Losses', NeurIPS 2017 (the quadratic surrogate (1/(2k)) Σ_c (f_c + L(c, y))² for the 0-1 loss "
            "L; calibration function H(ε) = ε²/(4k) for the 0-1 loss)",
            True),
        "stablemax_ce": (
            StableMaxCrossEntropy(),
            ("L. Prieto, M. Barsbey, P. Mediano, T. Birdal, 'Grokking at the Edge of Numerical Stability', ICLR 2025, "
             "arXiv:2501.04697 (StableMax, §4; code utils.py: s(x) = x + 1 for x ≥ 0, 1/(1 − x) for x < 0; the code's "
             "+1e-30 is a no-op and is dropped); no calibration statement in the paper (C* = H(p) exactly: "
             "theorylab.losses.stablemax)"),
            None),
        f"pass_at_{_PASS_N}": (
            PassAtNLoss(_PASS_N),
            ("F. Chen, A. Raventós, N. Cheng, S. Ganguli, S. Druckmann, 'Rethinking Fine-Tuning when Scaling "
             "Test-Time Compute: Limiting Confidence Improves Mathematical Reasoning', arXiv:2502.07154, 2025 (the "
             f"pass@N objective −log(1 − (1 − p_y)^N), N = {_PASS_N}; form RECONSTRUCTED from our brief); no "
             "calibration statement there (our derivation: calibrated, gap exponentially small in N; "
             "verifications/chen2025_pass_at_n.py)"),
            None),
        "spherical_z_loss": (
            SphericalZLoss(_ZL_A, _ZL_B),
            ("A. de Brébisson, P. Vincent, 'The Z-loss: a shift and scale invariant classification loss belonging "
             f"to the Spherical Family', arXiv:1604.08859, 2016 (L_Z = softplus(a(b − z_c))/a, a = {_ZL_A:g}, "
             f"b = {_ZL_B:g}: our choice, the paper tunes them; definition RECONSTRUCTED)"),
            None),
        "ce_logz": (
            CELogZLoss(DEFAULT_LOGZ_COEF),
            ("cross-entropy + c·log²Z, c = 1e-4: A. Chowdhery et al., 'PaLM: Scaling Language Modeling with "
             "Pathways', JMLR 24, 2023 (auxiliary z-loss); M. Wortsman et al., 'Small-scale proxies for large-scale "
             "Transformer training instabilities', ICLR 2024, arXiv:2309.14322 (z-loss); no calibration statement "
             "(our derivation: minimiser log η, C* = H(p); verifications/wortsman2024_zloss.py)"),
            None),
    }


MULTICLASS_CATALOGUE: dict[str, CatalogueEntry] = {
    name: CatalogueEntry(loss, reference, verdict, reference if verdict is not None else "")
    for name, (loss, reference, verdict) in _catalogue().items()}
"""name → :class:`~theorylab.losses.catalogue_entry.CatalogueEntry` (the reference string also says where a stated
verdict comes from)."""
