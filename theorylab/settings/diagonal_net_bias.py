"""Compatibility path: the code lives in :mod:`theorylab.settings.diagonal_net.bias`."""
from .diagonal_net.bias import (NotInterpolableError, q_entropy, Q_alpha, check_interpolable,
                                min_l2_interpolator, min_l1_interpolator,
                                implicit_bias_solution)

__all__ = ["NotInterpolableError", "q_entropy", "Q_alpha", "check_interpolable", "min_l2_interpolator",
           "min_l1_interpolator", "implicit_bias_solution"]
