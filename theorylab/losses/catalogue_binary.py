"""Binary margin losses from the literature, each defined once (a formula) with its reference and, where the
literature states one, its calibration verdict.

Every entry is a :class:`CatalogueEntry`; the losses that theorylab already defines (hinge, logistic, ...) are the
built-ins of :mod:`theorylab.losses.margin`, the others are :func:`~theorylab.losses.formula.margin_loss` formulas.
``literature`` is the verdict a cited paper states (True calibrated, False not, None when the paper states none or
the loss is unbounded below, where calibration is not defined); :mod:`verifications.loss_catalogue` turns the stated
verdicts into claims.
"""
from __future__ import annotations

from .catalogue_entry import CatalogueEntry
from .formula import margin_loss
from .margin import LOSSES

__all__ = ["BINARY_CATALOGUE"]


_BJM = "Bartlett, Jordan, McAuliffe, JASA 2006, Theorem 2 (convex φ: calibrated ⇔ φ'(0) exists and < 0)"


def _entries() -> dict[str, CatalogueEntry]:
    e = {}

    def add(name, loss, reference, literature=None, verdict_source="", note=""):
        e[name] = CatalogueEntry(loss, reference, literature, verdict_source, note)

    add("hinge", LOSSES["hinge"], "Cortes, Vapnik, Machine Learning 20, 1995", True, _BJM)
    add("logistic", LOSSES["logistic"], "Friedman, Hastie, Tibshirani, Ann. Statist. 28, 2000", True, _BJM)
    add("exponential", LOSSES["exponential"], "Freund, Schapire, J. Comput. Syst. Sci. 55, 1997 (AdaBoost)", True,
        _BJM)
    add("squared", LOSSES["squared"], "Bartlett, Jordan, McAuliffe, JASA 2006, Table 1", True, _BJM)
    add("squared_hinge", LOSSES["squared_hinge"], "Bartlett, Jordan, McAuliffe, JASA 2006, Table 1", True, _BJM)
    add("sigmoid", LOSSES["sigmoid"], "Awasthi, Mao, Mohri, Zhong, ICML 2022, arXiv:2205.08017", True,
        "Awasthi, Mao, Mohri, Zhong, ICML 2022, Table 1 (ψ(θ) = θ)")
    add("rho_margin", LOSSES["rho_margin"], "Awasthi, Mao, Mohri, Zhong, ICML 2022, arXiv:2205.08017", True,
        "Awasthi, Mao, Mohri, Zhong, ICML 2022, Table 1 (ψ(θ) = θ)")
    add("modified_huber", margin_loss("Piecewise((-4*a, a < -1), (Max(0, 1 - a)**2, True))", "modified_huber",
                                      convex=True),
        "Zhang, Ann. Statist. 32(1), 2004, §3 (modified Huber loss)", True, _BJM)
    add("smooth_hinge", margin_loss("Piecewise((1/2 - a, a <= 0), ((1 - a)**2/2, a < 1), (0, True))", "smooth_hinge",
                                    convex=True),
        "Rennie, Srebro, IJCAI Workshop on Advances in Preference Handling, 2005 (smooth hinge)", True, _BJM)
    add("savage", margin_loss("1/(1 + exp(a))**2", "savage"),
        "Masnadi-Shirazi, Vasconcelos, NeurIPS 2008 (the Savage loss)", True,
        "Masnadi-Shirazi, Vasconcelos, NeurIPS 2008, §4 (derived from a proper link: calibrated by construction)")
    add("tangent", margin_loss("(2*atan(a) - 1)**2", "tangent"),
        "Masnadi-Shirazi, Mahadevan, Vasconcelos, CVPR 2010 (the tangent loss)", True,
        "Masnadi-Shirazi, Mahadevan, Vasconcelos, CVPR 2010, §3 (a canonical proper-loss construction)")
    add("ramp", margin_loss("Min(2, Max(0, 1 - a))", "ramp", bounded=True),
        "Collobert, Sinz, Weston, Bottou, ICML 2006 (ramp R_s = H_1 − H_s, s = −1)", True,
        "Wu, Liu, JASA 102, 2007 (truncated hinge loss, s ≤ 0: Fisher consistent)")
    add("unhinged", margin_loss("1 - a", "unhinged", convex=True),
        "van Rooyen, Menon, Williamson, NeurIPS 2015 (the unhinged loss)", None, "",
        "unbounded below: calibrated only with bounded scores or regularisation (van Rooyen et al., §5)")
    add("perceptron", margin_loss("Max(0, -a)", "perceptron", convex=True),
        "Rosenblatt, Psychol. Rev. 65, 1958 (perceptron criterion)", False, _BJM + " (φ'(0⁺) = 0)")
    add("absolute", margin_loss("Abs(1 - a)", "absolute", convex=True),
        "Bartlett, Jordan, McAuliffe, JASA 2006 (least absolute deviation on ±1 labels)", True, _BJM)
    add("double_hinge", margin_loss("Max(-a, Max(0, 1/2 - a/2))", "double_hinge", convex=True),
        "du Plessis, Niu, Sugiyama, ICML 2015 (double hinge, PU learning)", True, _BJM + " (φ'(0) = −1/2)")
    add("focal_binary", margin_loss("-(1 - 1/(1 + exp(-a)))**2*log(1/(1 + exp(-a)))", "focal(gamma=2)"),
        "Lin, Goyal, Girshick, He, Dollár, ICCV 2017 (focal loss, γ = 2)", True,
        "Charoenphakdee, Vongkulbhisal, Chairatanakul, Sugiyama, CVPR 2021, Theorem 1 (focal loss is "
        "classification-calibrated)")
    add("alpha_loss", margin_loss("2*(1 - sqrt(1/(1 + exp(-a))))", "alpha_loss(alpha=2)"),
        "Sypherd, Diaz, Cava, Dasarathy, Kairouz, Sankar, IEEE Trans. Inf. Theory 68, 2022 (α-loss, α = 2)", True,
        "Sypherd et al., IEEE TIT 2022, Theorem 2 (α-loss is classification-calibrated for every α > 0)")
    add("exp_plus_square", margin_loss("exp(-a) + a**2", "exp_plus_square"),
        "theorylab (a user-written convex loss from issue 10)", None, "", "convex, φ'(0) = −1")
    add("logistic_squared", margin_loss("log(1 + exp(-a))**2", "logistic_squared"),
        "theorylab (a user-written convex loss from issue 10)", None, "", "sympy recurses without end on it")
    add("quartic", margin_loss("a**4 - a + 1", "quartic"),
        "theorylab (a user-written convex loss from issue 10)", None, "", "φ''(0) = 0: ψ grows like θ^{4/3}")
    return e


BINARY_CATALOGUE: dict[str, CatalogueEntry] = _entries()
"""Name → :class:`CatalogueEntry` for the binary margin losses of the literature (and three user-written ones)."""
