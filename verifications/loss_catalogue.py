"""The loss catalogue: the calibration verdicts the literature states, checked by the tool's own analysis.

Each catalogue entry (``theorylab.losses.catalogue_binary``) cites the paper that defines the loss and, where
one exists, the paper that states its verdict. The claims here compare those verdicts with
``theorylab.theory.analyse`` on the numerical route (``budget=0``: the evidence does not depend on how fast
sympy is on the machine). Findings report what the tool says where the literature is silent.
"""
from __future__ import annotations

import numpy as np

from theorylab.engine import Source, claim
from theorylab.losses.catalogue_binary import BINARY_CATALOGUE
from theorylab.theory.analysis import analyse

CATALOGUE = Source("theorylab loss catalogue", "calibration verdicts stated in the literature",
                   "each loss's own reference, see theorylab.losses.catalogue_binary")
BJM = Source("P. L. Bartlett, M. I. Jordan, J. D. McAuliffe", "Convexity, Classification, and Risk Bounds",
             "J. Amer. Statist. Assoc. 101(473), 2006")
STATED = {name: e for name, e in BINARY_CATALOGUE.items() if e.literature is not None}


@claim("catalogue/binary-verdicts", title="literature verdicts of binary margin losses",
       source=CATALOGUE.at("the verdict_source of each entry (BJM Theorem 2; Masnadi-Shirazi & Vasconcelos 2008; "
                           "Charoenphakdee et al. 2021; Sypherd et al. 2022; Wu & Liu 2007; Awasthi et al. 2022)"),
       statement="for every binary catalogue loss with a stated verdict (" + ", ".join(STATED) + "), analyse(loss) "
                 "returns that verdict: calibrated ⇔ ψ̃(θ) > 0 on (0, 1]",
       status="PAPER", kind="classification", tolerance=0.0,
       tolerance_reason="a classification: slack +1 when the tool's verdict equals the stated one, −1 otherwise "
                        "(an undetermined verdict counts as a disagreement)",
       negative_control="the opposite verdict stated for every loss",
       control_threshold=0.5, control_threshold_reason="slacks are ±1: one wrong verdict gives −1")
def binary_verdicts(ctx):
    tally = ctx.tally()
    verdicts = ctx.cases("verdicts", lambda: {name: analyse(e.loss, budget=0).calibrated for name, e in STATED.items()})
    for name, e in STATED.items():
        stated = (not e.literature) if ctx.control else e.literature
        tally.add(1.0 if verdicts[name] is stated else -1.0, loss=name,
                  measured={"tool": verdicts[name], "stated": stated, "source": e.verdict_source})
    return tally.outcome()


UNBOUNDED = ("unhinged",)


@claim("catalogue/unbounded-below", title="a loss unbounded below gets no verdict",
       source=BJM.at("§2: H(η) = inf_α C_η(α) must be finite for ψ to be defined"),
       statement="for the unhinged loss 1 − α (van Rooyen et al., NeurIPS 2015), analyse reports 'unbounded below' "
                 "and no verdict, while every bounded-below catalogue loss gets a verdict",
       status="RECONSTRUCTED", kind="classification", tolerance=0.0,
       tolerance_reason="a classification: slack +1 when the report is as stated, −1 otherwise",
       negative_control="the unhinged loss reported as calibrated (its convex criterion φ'(0) = −1 < 0 would say so)",
       control_threshold=0.5, control_threshold_reason="slacks are ±1")
def unbounded_below(ctx):
    tally = ctx.tally()
    reports = ctx.cases("reports", lambda: {name: analyse(e.loss, budget=0) for name, e in BINARY_CATALOGUE.items()})
    for name, a in reports.items():
        if name in UNBOUNDED:
            ok = (a.calibrated is True) if ctx.control else (a.calibrated is None and "unbounded below" in a.reason)
        else:
            ok = a.calibrated is not None
        tally.add(1.0 if ok else -1.0, loss=name, measured={"calibrated": a.calibrated, "reason": a.reason[:120]})
    return tally.outcome()


@claim("catalogue/growth-without-curvature", title="ψ of a⁴ − α + 1 grows like θ^{4/3}, not θ²",
       source=BJM.at("Definition 2; the θ² growth of smooth losses (Mao, Mohri, Zhong, NeurIPS 2024) needs "
                     "φ''(0) > 0"),
       statement="for φ(α) = α⁴ − α + 1 (convex, φ'(0) = −1, φ''(0) = 0), ψ(θ) = ¾·4^{−1/3}·θ^{4/3}·(1 + o(1)): "
                 "derived by hand from the stationary point 4α³ = θ of α⁴ − θα + 1; the measured ratio "
                 "ψ(θ)/θ² at θ = 10⁻³ is reported",
       status="RECONSTRUCTED", kind="finding", tolerance=1e-6,
       tolerance_reason="relative error of the numerical ψ̃ (accuracy ~1e-15 absolute at ψ ≥ 4e-5) and of the "
                        "o(1) term at θ ≤ 1e-3 (next order θ^{8/3}/θ^{4/3} ≤ 1e-4·… ≤ 1e-6 relative)",
       negative_control="the universal quadratic growth ψ(θ) = c·θ² with c = φ'(0)²/(2φ''(0)) capped at 1",
       control_threshold=1e-2,
       control_threshold_reason="θ² against θ^{4/3} differ by a factor θ^{2/3} ≤ 0.1 at θ ≤ 1e-3")
def growth_without_curvature(ctx):
    tally = ctx.tally()
    a = ctx.cases("quartic", lambda: analyse(BINARY_CATALOGUE["quartic"].loss, budget=0))
    theta = np.geomspace(1e-4, 1e-3, ctx.pick(5, 20))
    psi = np.asarray(a.psi(theta))
    predicted = (theta**2 * 1.0) if ctx.control else 0.75 * 4 ** (-1 / 3) * theta ** (4 / 3)
    tally.add(-np.abs(psi / predicted - 1), theta=theta, test="ψ against the derived leading term")
    return tally.outcome(value=float(a.psi(1e-3) / 1e-6),
                         message=f"ψ(θ)/θ² = {float(a.psi(1e-3)) / 1e-6:.4g} at θ = 1e-3 (unbounded as θ → 0): "
                                 f"fitted order {a.growth.get('order')}, constant {a.growth.get('constant', float('nan')):.6g}")
