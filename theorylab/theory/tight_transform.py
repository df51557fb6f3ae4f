"""The tight error transformation T^true(t) and its search.

Compatibility path: the code lives in :mod:`theorylab.theory.tight.search` (the searches) and
:mod:`theorylab.theory.tight.kernels` (their numba kernels); this module re-exports them under their old
names (including the kernel aliases ``_map_rows`` and ``_regret_one`` that benchmarks and tests call) and has
no code of its own.

References: Mao, Mohri, Zhong, "H-Consistency Bounds: Characterization and Extensions", NeurIPS 2023.
"""
from .tight.search import _map_rows, _regret_one  # noqa: F401 (kernel aliases that benchmarks and tests call)
from .tight.search import (as_loss, best_candidate, forced_scores, map_rows_numpy, multiclass_tight_transform,
                           regret_rows, regret_rows_numpy, surrogate_regret, tight_transform, witness_regrets)

__all__ = ["tight_transform", "multiclass_tight_transform", "forced_scores", "regret_rows", "regret_rows_numpy",
           "map_rows_numpy", "surrogate_regret", "witness_regrets", "as_loss", "best_candidate"]
