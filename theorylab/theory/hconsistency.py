"""H-consistency error transformations and their inverses Γ, gaps and growth rates.

Compatibility path: the code lives in :mod:`theorylab.theory.compsum_transforms` (comp-sum T and Γ,
complete and bounded scores), :mod:`theorylab.theory.margin_transforms` (binary margin losses, closed and
numeric), :mod:`theorylab.theory.gaps` (minimizability gaps), :mod:`theorylab.theory.growth` (growth rates)
and :mod:`theorylab.theory.tight.search` (the tight transform); this module re-exports them under their old
names and has no code of its own.

References: Mao, Mohri, Zhong, ICML 2023 (arXiv 2304.07288), NeurIPS 2023, NeurIPS 2024 (arXiv 2405.05968);
Awasthi, Mao, Mohri, Zhong, ICML 2022 (arXiv 2205.08017).
"""
from .compsum_transforms import (b_tau, compsum_gamma, compsum_transform, compsum_true_transform, zero_region,
                                 zero_region_witness)
from .gaps import deterministic_conditional_risk
from .growth import b_tau_growth_limit, binary_growth_constant, compsum_growth_constant, compsum_growth_function
from .margin_transforms import (binary_gamma, binary_kink, binary_transform, binary_transform_numeric,
                                bounded_compsum_binary_transform, compsum_binary_numeric)
from .tight.search import surrogate_regret, tight_transform, witness_regrets

__all__ = ["b_tau", "compsum_transform", "compsum_gamma", "compsum_true_transform", "tight_transform",
           "zero_region", "zero_region_witness", "binary_transform", "binary_gamma", "binary_kink",
           "binary_transform_numeric", "bounded_compsum_binary_transform", "compsum_binary_numeric",
           "deterministic_conditional_risk", "compsum_growth_function", "compsum_growth_constant",
           "b_tau_growth_limit", "binary_growth_constant", "surrogate_regret", "witness_regrets"]
