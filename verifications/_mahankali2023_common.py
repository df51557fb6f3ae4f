"""Shared pieces of the Mahankali, Hashimoto, Ma (ICLR 2024) verifications: the paper source and the
statistical acceptance rule (false-alarm level, Bonferroni ``z_crit``, the control margin ``Z_CTRL``).

Private module (leading underscore): discovery does not load it as a claim module; ``mahankali2023_optimum``
and ``mahankali2023_structure`` import from it.
"""
from __future__ import annotations

from scipy.stats import norm

from theorylab.engine import Source

SRC = Source("A. Mahankali, T. B. Hashimoto, T. Ma",
             "One Step of Gradient Descent is Provably the Optimal In-Context Learner with One Layer of "
             "Linear Self-Attention", "ICLR 2024, arXiv 2307.03576")
FALSE_ALARM = 1e-4  # per claim per run
Z_CTRL = 3.0  # a control counts when it misses by ≥ 3 SE beyond the acceptance edge
Z_CTRL_REASON = ("slack is in SE units: the control must reach |z| ≥ z_crit + 3, a deviation a correct formula "
                 "produces with probability < 1e-11")


def z_crit(tests: int) -> float:
    """Two-sided Bonferroni critical value: P(any of ``tests`` standard normals has |z| > z_crit) ≤ 1e-4."""
    return float(norm.isf(FALSE_ALARM / (2 * tests)))
