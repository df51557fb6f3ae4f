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


# --------------------------------------------------------------------------------------------- array backends
# The ICL claims that declare backends compute with ``ctx.xp`` on ``ctx.device`` in ``ctx.dtype``: prompts are drawn
# on the host from the claim's NumPy stream and moved once (``theorylab.settings.icl.prompts``), so every backend and
# dtype sees the same prompts for the same seed; Monte Carlo sums, least squares and LSA training run on the device.
# The closed forms (theory) stay in float64 on the host.
ICL_BACKENDS = ("numpy", "array-api-strict", "torch", "cupy", "jax")
STAT_FLOAT32 = 0.0
STAT_FLOAT32_REASON = ("the slack is in SE units; the float32 run uses the float64 prompts rounded once, and float32 "
                       "rounding of the Monte Carlo sums and normal equations moves the slacks by ≤ 3.4e-4 SE "
                       "(measured under array-api-strict at seed 0 over the 9 ICL statistical claims; largest for "
                       "the 9-feature least squares), far below the ≥ 1 SE margins: the same z_crit and threshold")


def on_device(ctx) -> dict:
    """The ``xp=, device=, dtype=`` keywords that put sampled prompts and trained models on the run's backend."""
    return {"xp": ctx.xp, "device": ctx.device, "dtype": ctx.dtype_name}


def shared_on_device(ctx, name: str, make):
    """``ctx.shared(name, ...)`` computed on the run's backend, device and dtype, with NumPy's random stream.

    ``make(rng, budget, where)`` gets ``where = on_device(ctx)``. Under the default NumPy float64 run this is
    ``ctx.shared(name, ...)`` itself; under another backend the fixture is cached under ``name`` plus the backend,
    device and dtype (so a NumPy fixture is never reused on a device), but seeded by the stream of ``name``
    itself (``claim_seed_sequence(seed, "shared:" + name)``, as the engine seeds it): the same prompts and
    initialisation on every backend.
    """
    import numpy as np

    from theorylab.engine.context import claim_seed_sequence

    where = on_device(ctx)
    default = ctx.backend == "numpy" and ctx.dtype_name == "float64"

    def build(rng, budget):
        if not default:
            rng = np.random.default_rng(claim_seed_sequence(ctx.seed, "shared:" + name))
        return make(rng, budget, where)

    key = name if default else f"{name}@{ctx.backend}:{ctx.device_name}:{ctx.dtype_name}"
    return ctx.shared(key, build)
