"""Compatibility path: the code lives in :mod:`theorylab.settings.mixture.sample_complexity`."""
from .mixture.sample_complexity import (LEARNERS, zheng_parameters, zheng_mixture, zheng_bayes_error,
                                        zheng_nb_asymptotic_error, geometric_grid, LR_TOL, fit, learning_curves,
                                        first_below, sample_complexity, bootstrap_m_star, fitted_slopes,
                                        _draw_training_set)  # noqa: F401  (used by benchmarks/bench_dis_vs_gen.py)

__all__ = ["LEARNERS", "zheng_parameters", "zheng_mixture", "zheng_bayes_error", "zheng_nb_asymptotic_error",
           "geometric_grid", "LR_TOL", "fit", "learning_curves", "first_below", "sample_complexity",
           "bootstrap_m_star", "fitted_slopes"]
