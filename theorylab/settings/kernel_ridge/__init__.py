"""Kernel ridge and random-feature regression: the eigenlearning framework and Gaussian-feature simulations.

Modules: :mod:`.theory` (κ and the random-feature ridges (κ, γ), test and train MSE, tuned ridge, power-law
tasks; Simon et al. 2023, 2024) and :mod:`.simulate` (finite-n simulations with the exact test error per
draw). Every public name is exported here.
"""
from .simulate import simulate_krr, simulate_random_features
from .theory import (
                     EigenlearningResult,
                     df1,
                     df2,
                     eigenlearning,
                     power_law_task,
                     random_feature_eigenlearning,
                     solve_kappa,
                     solve_rf_ridges,
                     tuned_ridge,
)

__all__ = [
                     "EigenlearningResult",
                     "df1",
                     "df2",
                     "eigenlearning",
                     "power_law_task",
                     "random_feature_eigenlearning",
                     "simulate_krr",
                     "simulate_random_features",
                     "solve_kappa",
                     "solve_rf_ridges",
                     "tuned_ridge",
]
