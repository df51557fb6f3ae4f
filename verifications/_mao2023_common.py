"""Shared pieces of the Mao, Mohri, Zhong (ICML 2023) cross-entropy verifications: the paper sources, the
reconstruction note ``_U``, the τ grid and the E3 tight-transform fixture ``_tight``.

Private module (leading underscore): discovery does not load it as a claim module; ``mao2023_transforms``,
``mao2023_bounds`` and ``mao2023_characterization`` import from it (one tight-transform fixture for all three, so
a search asked for by two of them runs once per process).
"""
from __future__ import annotations

import numpy as np

from theorylab.engine import Source, claim_seed_sequence
from theorylab.theory import hconsistency as hc

SRC = Source("A. Mao, M. Mohri, Y. Zhong", "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
             "ICML 2023, arXiv 2304.07288")
GROW = Source("A. Mao, M. Mohri, Y. Zhong", "A Universal Growth Rate for Learning with Smooth Surrogate Losses",
              "NeurIPS 2024, arXiv 2405.05968")
_U = "; number unconfirmed: only the abstract could be read"

TAUS = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)


def _array_path(ctx):
    """The ``xp``/``device``/``dtype`` keywords of ``hc.tight_transform`` for this run: none (the NumPy/numba path,
    default evidence unchanged) under NumPy float64, the run's namespace, device and dtype otherwise."""
    if ctx.backend == "numpy" and ctx.dtype_name == "float64":
        return {}
    return {"xp": ctx.xp, "device": ctx.device, "dtype": ctx.dtype}


# the tight-search claims (complete scores) declare every backend (theorylab.engine.backends.BACKENDS): the candidate
# stage runs on any of them; the value is refined on the host in float64, so the float32 run keeps the float64
# tolerance (float32 only decides which candidates are kept)
TIGHT_FLOAT32_REASON = ("the candidate stage runs in float32 but the value is the host float64 refinement of the best "
                        "candidates, so the float64 tolerance stands")


def _on_device(w):
    """The ``measured`` entry that shows a search's candidate stage ran on the run's device: on the array path,
    ``{"candidate_regret": ...}`` (the least candidate regret as a 0-d array of the run's namespace, device and
    dtype, brought to the host by the tally); on the NumPy path nothing (the default evidence is unchanged)."""
    return {"candidate_regret": w["candidate_regret"]} if "candidate_regret" in w else {}


def _tight(ctx, tau, t, n, bound=None, n_random=4000):
    """The E3 search T^true_τ(t) and its witness, a shared fixture (claims, controls and figures reuse it).

    Its random candidates come from the fixture's own stream (seeded by the name and the run seed), so the
    value is the same whichever claim asks first; different seeds exercise different candidate sets. Under
    another backend or dtype (``theorylab verify --backend/--device/--dtype``) the candidate stage runs on
    ``ctx.xp`` on ``ctx.device`` in ``ctx.dtype`` (complete scores only), under a fixture name extended by the
    backend, device and dtype but with the same random candidates as the NumPy run (the stream of the NumPy name).
    """
    name = f"mao2023/tight/{float(tau)!r}/{float(t)!r}/{int(n)}/{bound!r}/{int(n_random)}"
    array = _array_path(ctx)
    if not array:
        def make(rng, budget):
            return hc.tight_transform(("comp_sum", tau), t, n, bound=bound, rng=rng, n_random=n_random, n_refine=3)

        return ctx.shared(name, make)
    seed = ctx.seed
    b = ctx.array_backend

    def make_xp(rng, budget):
        rng = np.random.default_rng(claim_seed_sequence(seed, "shared:" + name))  # the NumPy run's candidates
        return hc.tight_transform(("comp_sum", tau), t, n, bound=bound, rng=rng, n_random=n_random, n_refine=3,
                                  **array)

    return ctx.shared(f"{name}/{b.name}/{b.device_name}/{b.dtype_name}", make_xp)
