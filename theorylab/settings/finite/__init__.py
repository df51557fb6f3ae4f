"""Finite-X distributions with affine multi-class scores on a line (Mao, Mohri, Zhong 2023, protocol E1).

The code lives in :mod:`.problem`; every public name is exported here.
"""
from .problem import FiniteProblem, labeling_realizable_lp, deterministic_line_problem

__all__ = ["FiniteProblem", "labeling_realizable_lp", "deterministic_line_problem"]
